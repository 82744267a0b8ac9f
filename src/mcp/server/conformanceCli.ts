/**
 * `dist/conformance-server.js`: the standalone server with the official conformance suite's
 * fixture tools, prompts and resources (src/mcp/server/tools/fixtures/) instead of the normal
 * tools, over HTTP, for `npm run test:conformance`. Its own entry point so the fixtures never ship in dist/server.js.
 * The fixtures run no commands, and the suite sends no token: none is required unless given.
 */
import { parseArgs } from 'node:util';
import { stderrLogger } from '../../core/logger';
import { TaskEngine } from '../engine/taskEngine';
import { parsePort, serveUntilSignalled } from './cliHttp';
import { startHttpServer } from './httpServer';
import { type TaskHost, ToolCatalog } from './toolCatalog';
import { CONFORMANCE_EXTRAS, CONFORMANCE_TOOLS } from './tools/fixtures';

const USAGE = `Tasklane MCP task server with the conformance suite's fixture tools

Usage:
  node dist/conformance-server.js [--port N] [--token T] [--log LEVEL]

Serves Streamable HTTP on http://127.0.0.1:PORT/mcp (loopback only): 2025-11-25 sessions and
stateless 2026-07-28 requests with the io.modelcontextprotocol/tasks extension, like
dist/server.js, but with the fixture tools, prompts and resources of
@modelcontextprotocol/conformance (they run no commands) instead of the normal tools.

Options:
  --port N       HTTP port (default: a free port).
  --token T      Bearer token clients must send (default: none; the suite sends none).
  --log LEVEL    trace | debug | info | warn | error (default: info). Logs go to stderr.
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      token: { type: 'string' },
      log: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stderr.write(USAGE);
    return;
  }
  const log = stderrLogger((values.log as 'info') ?? 'info');
  const engine = new TaskEngine();
  const host: TaskHost = { catalog: new ToolCatalog(CONFORMANCE_TOOLS), defaultCwd: process.cwd(), isTrusted: () => true, extras: CONFORMANCE_EXTRAS };
  const port = parsePort(values.port);
  const running = await startHttpServer(host, engine, {
    port,
    token: values.token,
    log,
    instructions: 'Tasklane in conformance mode: fixture tools, prompts and resources only.',
  });
  serveUntilSignalled(running, engine, values.token, ' (conformance fixtures)');
}

main().catch((error: Error) => {
  process.stderr.write(`tasklane-conformance-server: ${error.message}\n`);
  process.exit(1);
});
