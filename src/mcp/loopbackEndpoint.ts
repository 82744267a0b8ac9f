/** Where a Tasklane task server listens for agents: the loopback interface only, on one path. */
export const LOOPBACK_ADDRESS = '127.0.0.1';
export const MCP_PATH = '/mcp';

/** The names a client may use for the loopback interface (in `Host`, `Origin` and URLs). */
export const LOOPBACK_HOSTNAMES: readonly string[] = ['127.0.0.1', 'localhost', '[::1]'];

/** Whether `url` names a Tasklane task server endpoint on this machine (any port). */
export function isLoopbackMcpUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return LOOPBACK_HOSTNAMES.includes(parsed.hostname) && parsed.pathname === MCP_PATH;
  } catch {
    return false;
  }
}
