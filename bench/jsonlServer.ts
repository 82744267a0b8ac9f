/**
 * The baseline of bench/teamInstances.ts's store row: the standalone server's HTTP serving, engine,
 * tools and limits (as `dist/server.js --http`, the same flags), with every task it creates and
 * every change to it kept in Tasklane's JSON-lines task store (src/core/taskStore.ts: tasks.jsonl
 * in a temporary directory, one synchronous append per turn of the event loop, not fsynced).
 *
 * The standalone server itself has no JSON-lines store (without `--store` it keeps its tasks in
 * memory only); this is the closest real equivalent: the store the extension keeps its tasks in,
 * written through from the engine's events as the team store (durableTasks.ts) writes PostgreSQL.
 * Run as a child process: `node out/bench/jsonlServer.js --http --port 0 --token T [limits]`;
 * it prints "Tasklane task server on URL" as the server does.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { stderrLogger } from '../src/core/logger';
import { TaskStore } from '../src/core/taskStore';
import { isTerminal } from '../src/core/taskStatus';
import type { EngineTask } from '../src/mcp/engine/engineTask';
import { TaskEngine } from '../src/mcp/engine/taskEngine';
import { BUILTIN_TOOLS } from '../src/mcp/server/builtinTools';
import { parsePort, serveUntilSignalled } from '../src/mcp/server/cliHttp';
import { LIMIT_OPTIONS, limitsFromFlags } from '../src/mcp/server/cliLimits';
import { startHttpServer } from '../src/mcp/server/httpServer';
import { ToolCatalog } from '../src/mcp/server/toolCatalog';

/** Keeps each engine task in `store`: created as the engine creates it, then its status, then its outcome. */
function keepTasks(engine: TaskEngine, store: TaskStore): void {
  engine.onDidCreate((task) => {
    store.create(
      { serverId: 'standalone', tool: task.tool, arguments: task.arguments ?? {} },
      { id: task.taskId, taskId: task.taskId, createdAt: task.createdAt, statusMessage: task.statusMessage },
    );
  });
  engine.onDidChange((task: EngineTask) => {
    const kept = store.get(task.taskId);
    if (!kept || isTerminal(kept.status)) return;
    if (!isTerminal(task.status)) {
      store.setStatus(task.taskId, task.status, task.statusMessage, task.lastUpdatedAt);
      return;
    }
    const outcome = task.outcome?.kind === 'result' ? { result: task.outcome.result } : task.outcome?.kind === 'error' ? { error: task.outcome.error } : {};
    const terms = { grantedTtl: task.ttl ?? undefined, pollInterval: task.pollInterval };
    store.complete(task.taskId, task.status as 'completed' | 'failed' | 'cancelled', outcome, task.statusMessage, terms);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      http: { type: 'boolean' },
      port: { type: 'string' },
      token: { type: 'string', multiple: true },
      log: { type: 'string' },
      ...LIMIT_OPTIONS,
    },
  });
  const log = stderrLogger((values.log as 'info') ?? 'info');
  const limits = limitsFromFlags(
    values,
    BUILTIN_TOOLS.map((tool) => tool.name),
  );
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-jsonl-server-'));
  const store = new TaskStore({ directory, onProblem: (message) => log.warn(`[store] ${message}`) });
  const engine = new TaskEngine({ ...limits, limitPlainCalls: true });
  keepTasks(engine, store);
  const host = { catalog: new ToolCatalog(BUILTIN_TOOLS), defaultCwd: process.cwd(), isTrusted: () => true };
  const tokens = values.token ?? [];
  const running = await startHttpServer(host, engine, { port: parsePort(values.port), token: tokens[0], log });
  serveUntilSignalled(running, engine, tokens, ' (JSON-lines store)', async () => {
    store.dispose();
    fs.rmSync(directory, { recursive: true, force: true });
  });
}

main().catch((error: Error) => {
  process.stderr.write(`jsonlServer: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
