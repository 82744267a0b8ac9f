/**
 * The host's core in a child process, for the SIGKILL soak: the same TaskStore, EmbeddedServer and
 * TaskService the extension wires in `activate`, plus a connection to an external Tasklane server
 * over HTTP for remote tasks. It is not the VS Code extension host: only what the extension host
 * runs of ours, without the editor around it.
 *
 * It reports on stdout, one JSON line each, only what is already written to the store file
 * (`store.flush()` first), so the parent can hold the store to everything it was told.
 * Usage: node soakHost.js <storeDir> <remoteUrl> <token> <seed> [--settle]
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { TaskRecord } from '../../../../src/core/taskRecord';
import { TaskStore } from '../../../../src/core/taskStore';
import { isTerminal } from '../../../../src/core/taskStatus';
import { connectHttpServer } from '../../../../src/mcp/client/connectServer';
import { TaskService } from '../../../../src/mcp/client/taskService';
import { mayStillRunMessage } from '../../../../src/mcp/client/unansweredStarts';
import { EMBEDDED_SERVER_ID, EmbeddedServer } from '../../../../src/mcp/embeddedServer';
import { BUILTIN_TOOLS } from '../../../../src/mcp/server/builtinTools';
import { defineTool, type ToolDefinition } from '../../../../src/mcp/server/tools/toolDefinition';
import { waitFor } from '../../helpers/waitFor';

/** How an unanswered start on a server that cannot list its tasks begins to read (before the server's name). */
export const MAY_STILL_RUN = mayStillRunMessage('').split(' on ')[0];

export const REMOTE_SERVER_ID = 'remote';

/** What the parent learns about a record. */
export interface SoakRecord {
  readonly id: string;
  readonly serverId: string;
  readonly status: TaskRecord['status'];
  readonly statusMessage?: string;
  readonly taskId?: string;
  readonly retriedAs?: string;
  readonly retryOf?: string;
  readonly seed?: string;
  /** The first text of the result: what the parent checks the seed against. */
  readonly resultText?: string;
  readonly resultDigest?: string;
}

export type SoakMessage =
  | { t: 'opened'; records: SoakRecord[]; tornTail: boolean; badLines: number }
  | { t: 'reattached'; records: SoakRecord[] }
  | { t: 'ready'; records: SoakRecord[] }
  | { t: 'created'; record: SoakRecord }
  | { t: 'adopted'; record: SoakRecord }
  | { t: 'terminal'; record: SoakRecord }
  | { t: 'retried'; from: string; to: string }
  | { t: 'settled'; records: SoakRecord[] }
  | { t: 'problem'; message: string };

/**
 * Streams output while it runs: many small journal writes, and now and then large ones (256 KiB
 * lines, which also make the store compact often), so kills land in the middle of writes.
 */
const chatterTool = defineTool({
  name: 'chatter',
  title: 'Chatter',
  description: 'Writes output lines for a while, then completes with a result naming its seed.',
  inputSchema: z.object({ seed: z.string(), durationMs: z.number().int().min(0), lineBytes: z.number().int().min(1) }),
  annotations: { readOnlyHint: true, idempotentHint: true },
  taskSupport: 'optional',
  async run({ seed, durationMs, lineBytes }, context) {
    const until = Date.now() + durationMs;
    let line = 0;
    while (Date.now() < until) {
      if (context.signal.aborted) throw context.signal.reason;
      context.output(`${seed} line ${line++} ${'.'.repeat(lineBytes)}\n`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { content: [{ type: 'text', text: `chatter ${seed}` }] };
  },
});

export function summarize(record: TaskRecord): SoakRecord {
  const args = record.arguments as { seed?: string; message?: string } | undefined;
  const result = record.result as { content?: Array<{ type: string; text?: string }> } | undefined;
  return {
    id: record.id,
    serverId: record.serverId,
    status: record.status,
    statusMessage: record.statusMessage,
    taskId: record.taskId,
    retriedAs: record.retriedAs,
    retryOf: record.retryOf,
    seed: args?.seed ?? args?.message,
    resultText: result?.content?.find((c) => c.type === 'text')?.text,
    resultDigest:
      record.result === undefined && record.error === undefined
        ? undefined
        : createHash('sha256')
            .update(JSON.stringify([record.result, record.error]))
            .digest('hex')
            .slice(0, 16),
  };
}

async function main(): Promise<void> {
  const [dir, url, token, seedText, mode] = process.argv.slice(2);
  const settle = mode === '--settle';
  let random = Number(seedText) >>> 0 || 1;
  const next = () => (random = (Math.imul(random, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const send = (message: SoakMessage) => process.stdout.write(JSON.stringify(message) + '\n');

  const store = new TaskStore({ directory: dir, onProblem: (message) => send({ t: 'problem', message }) });
  send({ t: 'opened', records: store.all().map(summarize), tornTail: store.recovery.tornTail, badLines: store.recovery.badLines });

  const adopted = new Set<string>();
  store.onDidLifecycle((event) => {
    if (event.type === 'opened') return;
    const record = store.get(event.id);
    if (!record) return;
    if (event.type === 'created') {
      store.flush();
      send({ t: 'created', record: summarize(record) });
    } else if (event.type === 'updated' && record.taskId && !adopted.has(record.id)) {
      adopted.add(record.id);
      store.flush();
      send({ t: 'adopted', record: summarize(record) });
    } else if (event.type === 'statusChanged' && isTerminal(event.to)) {
      store.flush();
      send({ t: 'terminal', record: summarize(record) });
    }
  });

  const embedded = await EmbeddedServer.start({ defaultCwd: dir, tools: [...BUILTIN_TOOLS, chatterTool as unknown as ToolDefinition] });
  const service = new TaskService(store);
  service.addServer(embedded.entry);
  store.flush();
  send({ t: 'reattached', records: store.all().map(summarize) });

  const remote = await connectHttpServer(url, { token });
  service.addServer({ id: REMOTE_SERVER_ID, name: 'Tasklane over HTTP', kind: 'http', durable: true, client: remote.client });
  store.flush();
  send({ t: 'ready', records: store.all().map(summarize) });

  // Interrupted tasks are retryable: retry a couple each time round, as a user would.
  const interrupted = store.all().filter((r) => r.status === 'failed' && /Stopped when the window reloaded/.test(r.statusMessage ?? '') && !r.retriedAs);
  for (const record of interrupted.slice(0, 2)) {
    const retry = await service.retry(record.id);
    send({ t: 'retried', from: record.id, to: retry.id });
  }

  if (settle) {
    // The parent gives this run 60 s in all and reports a run that does not settle in time. A start
    // the server never answered, on a server that cannot list its tasks, stays "may still be
    // running" until someone cancels it: as a user would, cancel those (it ends in Tasklane only).
    const cancelled = new Set<string>();
    await waitFor(
      () => {
        for (const record of store.all()) {
          if (isTerminal(record.status) || record.taskId || !record.statusMessage?.startsWith(MAY_STILL_RUN) || cancelled.has(record.id)) continue;
          cancelled.add(record.id);
          void service.cancel(record.id).catch((error: unknown) => send({ t: 'problem', message: `cancelling ${record.id}: ${String(error)}` }));
        }
        return store.all().every((r) => isTerminal(r.status));
      },
      { what: 'every task to end', timeoutMs: 60_000, intervalMs: 50 },
    );
    store.flush();
    send({ t: 'settled', records: store.all().map(summarize) });
    service.dispose();
    embedded.dispose();
    store.dispose();
    process.exit(0);
  }

  // Work until killed: chattering embedded tasks, remote waits, now and then a cancel.
  let counter = 0;
  for (;;) {
    const running = store.all().filter((r) => !isTerminal(r.status));
    const roll = next();
    const seed = `${seedText}-${counter++}`;
    if (running.length < 30 && roll < 0.6) {
      void service.start({
        serverId: EMBEDDED_SERVER_ID,
        tool: 'chatter',
        arguments: { seed, durationMs: 100 + Math.floor(next() * 1500), lineBytes: next() < 0.2 ? 256 * 1024 : 200 },
      });
    } else if (running.length < 30 && roll < 0.85) {
      void service.start({ serverId: REMOTE_SERVER_ID, tool: 'wait', arguments: { durationMs: 300 + Math.floor(next() * 2500), message: seed } });
    } else if (running.length > 0 && roll < 0.9) {
      const victim = running[Math.floor(next() * running.length)];
      if (victim.taskId) void service.cancel(victim.id).catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stdout.write(JSON.stringify({ t: 'problem', message: `soak host crashed: ${error.stack ?? error.message}` }) + '\n');
    process.exit(1);
  });
}
