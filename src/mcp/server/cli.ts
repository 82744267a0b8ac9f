/**
 * `dist/server.js`: the standalone MCP task server with the normal tools, over stdio or HTTP.
 * The conformance suite's fixture tools have their own entry (conformanceCli.ts), so none of
 * them is in this bundle.
 */
import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { stderrLogger } from '../../core/logger';
import { BUILTIN_TOOLS } from './builtinTools';
import { parsePort, serveUntilSignalled } from './cliHttp';
import { generateToken, startHttpServer, tokenPrincipals } from './httpServer';
import { LIMITS_USAGE, LIMIT_OPTIONS, type ServerLimits, describeLimits, limitsFromFlags } from './cliLimits';
import { TaskEngine } from '../engine/taskEngine';
import { STREAM_SERVER_WIRE, claimedStartOptions, runsAnywhere } from './serverWires';
import { type TaskHost, ToolCatalog } from './toolCatalog';
import type { ToolDefinition } from './tools/toolDefinition';
import { DATABASE_EXIT_CODE, DATABASE_URL_VARIABLE, DatabaseError, describeDatabase } from '../team/database';
import { type TeamStore, openTeamStore } from '../team/teamStore';
import { DEFAULT_LEASE_MS } from '../team/taskLeases';
import { TOKEN_USAGE, runTokenCommand } from '../team/tokenCli';

const USAGE = `Tasklane MCP task server

Usage:
  node dist/server.js --stdio [--cwd DIR] [limits]
  node dist/server.js --http [--port N] [--token T ... | --no-auth] [--store URL] [--cwd DIR] [limits]
${TOKEN_USAGE}

Both task wires are served: 2025-11-25 sessions (initialize, tasks utility) and, over HTTP,
stateless 2026-07-28 requests with the io.modelcontextprotocol/tasks extension.

Options:
  --stdio        Serve one client over stdin/stdout (2025-11-25).
  --http         Serve Streamable HTTP on http://127.0.0.1:PORT/mcp (loopback only).
  --port N       HTTP port (default: a free port).
  --token T      Bearer token clients must send (default: TASKLANE_TOKEN, else a new random one, printed).
                 Repeat it to give each agent its own: each token is a principal, with its own tasks and limits.
  --no-auth      Accept HTTP requests without a token (only for trusted local setups).
  --store URL    Keep tasks, principals and their tokens in PostgreSQL (default: ${DATABASE_URL_VARIABLE}):
                 any number of servers share one database, each task readable, followable, answerable
                 and cancellable through any of them; a restarted server answers for earlier tasks.
                 Tokens made with \`token create\` are accepted, besides any --token.
  --lease-ms N   With --store: how long a server's hold on its running work lasts without a heartbeat
                 (default ${DEFAULT_LEASE_MS}); once it runs out, the work ends failed, "worker lost", retryable,
                 or runs again on another server when it is a 2026-07-28 task of an idempotent tool.
  --machine NAME With --store: the machine this server reports for the tasks it runs (default: its host name),
                 so a board can tell where work runs (e.g. when host names are random, in containers).
  --cwd DIR      Working directory for run_command when the caller names none (default: current).
  --log LEVEL    trace | debug | info | warn | error (default: info). Logs go to stderr.

${LIMITS_USAGE}`;

const INSTRUCTIONS =
  'Tasklane runs long work as MCP tasks: shell commands (run_command), timed waits (wait) and questions to the user (ask); wait_for_tasks and tail_task tell you when your tasks end and what they print.';

/** The server; `tools` are the normal ones unless a test serves more (test/unit/team/probeServer.ts). */
export async function main(tools: readonly ToolDefinition[] = BUILTIN_TOOLS): Promise<void> {
  if (process.argv[2] === 'token') {
    process.exitCode = await runTokenCommand(
      process.argv.slice(3),
      (text) => process.stdout.write(text),
      (text) => process.stderr.write(text),
    );
    return;
  }
  const { values } = parseArgs({
    options: {
      stdio: { type: 'boolean' },
      http: { type: 'boolean' },
      port: { type: 'string' },
      token: { type: 'string', multiple: true },
      'no-auth': { type: 'boolean' },
      store: { type: 'string' },
      'lease-ms': { type: 'string' },
      machine: { type: 'string' },
      cwd: { type: 'string' },
      log: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...LIMIT_OPTIONS,
    },
  });
  if (values.help || (!values.stdio && !values.http)) {
    process.stderr.write(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const log = stderrLogger((values.log as 'info') ?? 'info');
  let limits: ServerLimits;
  try {
    limits = limitsFromFlags(
      values,
      tools.map((tool) => tool.name),
    );
  } catch (error) {
    process.stderr.write(`tasklane-server: ${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  // The variable is for HTTP servers: a stdio server (one client, the editor's own) never opens the team database.
  const storeUrl = values.stdio ? values.store : (values.store ?? process.env[DATABASE_URL_VARIABLE]);
  if (storeUrl && values.stdio) {
    process.stderr.write('tasklane-server: --store serves HTTP only (a team shares one endpoint); use --http\n');
    process.exitCode = 2;
    return;
  }
  const leaseMs = values['lease-ms'] === undefined ? undefined : Number(values['lease-ms']);
  if (leaseMs !== undefined && !(Number.isInteger(leaseMs) && leaseMs >= 200)) {
    process.stderr.write(`tasklane-server: --lease-ms must be a whole number of milliseconds, at least 200, not ${values['lease-ms']}\n`);
    process.exitCode = 2;
    return;
  }
  const catalog = new ToolCatalog(tools);
  let team: TeamStore | undefined;
  try {
    team = storeUrl
      ? await openTeamStore(
          storeUrl,
          { ...limits, limitPlainCalls: true },
          { log, leaseMs, machine: values.machine, runsAnywhere, rerunTools: catalog.idempotentTools() },
        )
      : undefined;
  } catch (error) {
    if (!(error instanceof DatabaseError)) throw error;
    process.stderr.write(`tasklane-server: ${error.message}\n`);
    process.exitCode = DATABASE_EXIT_CODE;
    return;
  }
  const engine = team?.engine ?? new TaskEngine({ ...limits, limitPlainCalls: true });
  log.info(`[limits] ${describeLimits(limits)}`);
  const host: TaskHost = { catalog, defaultCwd: values.cwd ?? process.cwd(), isTrusted: () => true };

  if (values.stdio) {
    const served = STREAM_SERVER_WIRE.serve(host, engine, { owner: 'stdio' });
    const transport = new StdioServerTransport();
    transport.onclose = () => {
      engine.dispose();
      process.exit(0);
    };
    await served.connect(transport);
    log.info('[stdio] Tasklane task server ready');
    return;
  }

  const port = parsePort(values.port);
  if (team) {
    const given = values['no-auth'] ? [] : (values.token ?? (process.env.TASKLANE_TOKEN ? [process.env.TASKLANE_TOKEN] : []));
    const fixed = tokenPrincipals(given);
    const fromDatabase = team.authenticate;
    const auth = values['no-auth'] ? {} : { authenticate: (token: string) => fromDatabase(token) ?? fixed(token) };
    if (!values['no-auth'] && given.length === 0 && team.tokenCount() === 0) {
      log.warn(`[store] ${describeDatabase(storeUrl!)} has no tokens yet: make one with node dist/server.js token create --name NAME --store …`);
    }
    await team.startQueue((task) => claimedStartOptions(host, engine, task));
    const running = await startHttpServer(host, engine, { port, ...auth, log, instructions: INSTRUCTIONS, beforeServing: team.beforeServing });
    serveUntilSignalled(running, engine, given, '', team.close);
    return;
  }
  const tokens = values['no-auth'] ? [] : values.token?.length ? values.token : [process.env.TASKLANE_TOKEN ?? generateToken()];
  const auth = tokens.length > 1 ? { authenticate: tokenPrincipals(tokens) } : { token: tokens[0] };
  const running = await startHttpServer(host, engine, { port, ...auth, log, instructions: INSTRUCTIONS });
  serveUntilSignalled(running, engine, tokens);
}

// Run as dist/server.js (or a test's own server), not when only imported.
if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`tasklane-server: ${error.message}\n`);
    process.exit(1);
  });
}
