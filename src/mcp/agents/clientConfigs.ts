/** Where an outside agent reaches Tasklane: the loopback endpoint and the agent's own token. */
export interface AgentEndpoint {
  readonly url: string;
  readonly token: string;
}

export type ClientFormat = 'vscode' | 'claudeJson' | 'claudeCli' | 'generic';

export interface ClientFormatInfo {
  readonly format: ClientFormat;
  readonly label: string;
  readonly detail: string;
}

export const CLIENT_FORMATS: readonly ClientFormatInfo[] = [
  {
    format: 'vscode',
    label: 'VS Code (.vscode/mcp.json)',
    detail: 'A "servers" entry for mcp.json in another window or editor; chat in this window has Tasklane already',
  },
  { format: 'claudeJson', label: 'Claude Code (.mcp.json)', detail: 'An "mcpServers" entry for a project .mcp.json' },
  { format: 'claudeCli', label: 'Claude Code (command line)', detail: 'A `claude mcp add` command to paste into a terminal' },
  { format: 'generic', label: 'Generic JSON', detail: 'URL, transport and headers, for any MCP client' },
];

/** The name the server is registered under in every client's configuration. */
export const CLIENT_SERVER_NAME = 'tasklane';

export function authorizationHeader(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** A ready-to-paste client configuration for `format`. */
export function clientConfig(format: ClientFormat, endpoint: AgentEndpoint): string {
  const headers = authorizationHeader(endpoint.token);
  switch (format) {
    case 'vscode':
      return json({ servers: { [CLIENT_SERVER_NAME]: { type: 'http', url: endpoint.url, headers } } });
    case 'claudeJson':
      return json({ mcpServers: { [CLIENT_SERVER_NAME]: { type: 'http', url: endpoint.url, headers } } });
    case 'claudeCli':
      return `claude mcp add --transport http ${CLIENT_SERVER_NAME} ${shellQuote(endpoint.url)} --header ${shellQuote(`Authorization: Bearer ${endpoint.token}`)}`;
    case 'generic':
      return json({ name: CLIENT_SERVER_NAME, transport: 'streamable-http', url: endpoint.url, headers });
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Quotes for POSIX shells when needed; tokens are base64url and URLs are loopback, so this rarely quotes. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
