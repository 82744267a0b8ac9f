/**
 * 1 (both wires). Task round trip over loopback HTTP, on each task wire, against a plain
 * `tools/call` on the same endpoint and wire. One in-process HTTP server serves both wires over one
 * engine (as `npm run serve` does): 2025-11-25 sessions (TaskClientV1 over the SDK's Streamable HTTP
 * client) and the `io.modelcontextprotocol/tasks` extension on stateless 2026-07-28
 * (TaskClientV2). The client side is TaskService with the durable store, as in the extension.
 * Baseline per wire: a raw plain `tools/call` through that wire's client alone (no TaskService, no
 * store), over the same transport; ratios are medians of per-round ratios.
 */
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { TaskStore } from '../src/core/taskStore';
import { isTerminal } from '../src/core/taskStatus';
import { TaskClientV1 } from '../src/mcp/client/v1/taskClientV1';
import { TaskClientV2 } from '../src/mcp/client/v2/taskClientV2';
import { TaskService } from '../src/mcp/client/taskService';
import type { TaskWireClient } from '../src/mcp/client/taskWire';
import { startHttpServer } from '../src/mcp/server/httpServer';
import { TaskEngine } from '../src/mcp/engine/taskEngine';
import { ToolCatalog } from '../src/mcp/server/toolCatalog';
import { type BenchConfig, type Figure, deferred, fmtMs, measureRounds, median, pairedRatio, removeDir, rounded, summarize, tempDir } from './harness';
import { TARGETS, meets } from './targets';
import { BENCH_TOOLS } from './wiring';

const SERVER_ID = 'bench-http';

interface Rig {
  readonly store: TaskStore;
  readonly service: TaskService;
  readonly client: TaskWireClient;
  /** Starts `tool` through TaskService; resolves when the store holds it terminal. */
  once(tool: string, args?: Record<string, unknown>): Promise<void>;
  dispose(): void;
}

function rig(client: TaskWireClient, directory: string): Rig {
  const store = new TaskStore({ directory });
  const service = new TaskService(store);
  const registration = service.addServer({ id: SERVER_ID, name: 'bench HTTP server', kind: 'http', durable: true, client });
  const waiting = new Map<string, () => void>();
  store.onDidLifecycle((event) => {
    if (event.type === 'statusChanged' && isTerminal(event.to)) waiting.get(event.id)?.();
  });
  return {
    store,
    service,
    client,
    async once(tool, args = { text: 'hi' }) {
      const record = await service.start({ serverId: SERVER_ID, tool, arguments: args });
      if (!isTerminal(store.require(record.id).status)) {
        const done = deferred();
        waiting.set(record.id, done.resolve);
        await done.promise;
        waiting.delete(record.id);
      }
      const final = store.require(record.id);
      if (final.status !== 'completed' || final.result === undefined) throw new Error(`${tool} ended ${final.status} without a result`);
    },
    dispose() {
      registration.dispose();
      service.dispose();
      store.dispose();
    },
  };
}

export async function run(config: BenchConfig): Promise<Figure[]> {
  const engine = new TaskEngine();
  const server = await startHttpServer({ catalog: new ToolCatalog(BENCH_TOOLS), defaultCwd: process.cwd(), isTrusted: () => true }, engine);
  const dirs = [tempDir('http-v1'), tempDir('http-v2')];
  const v1Client = new TaskClientV1();
  await v1Client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  const v2Client = await TaskClientV2.connect({ url: server.url });
  const v1 = rig(v1Client, dirs[0]);
  const v2 = rig(v2Client, dirs[1]);
  const rounds = Math.max(100, Math.floor(config.rounds / 4));
  const warmup = Math.max(50, Math.floor(config.warmup / 4));
  const flows: { name: string; once: () => Promise<unknown> }[] = [
    { name: 'v1Task', once: () => v1.once('echo') },
    // Raw: the wire client alone (the SDK Client under TaskClientV1), no TaskService, no store.
    {
      name: 'v1PlainRaw',
      once: () => v1Client.client.request({ method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } }, CallToolResultSchema),
    },
    { name: 'v1PlainViaService', once: () => v1.once('echo_sync') },
    // A task whose work waits on a timer: it stays a task, and its end comes on the listen stream (or a poll).
    // Before v2Task, so what it leaves behind (the stream's close) lands on a task flow, not on a raw baseline.
    { name: 'v2TaskDeferred', once: () => v2.once('work', { ms: 0 }) },
    { name: 'v2Task', once: () => v2.once('echo') },
    // Raw: TaskClientV2's own tools/call of a task-forbidden copy (the server answers with the result), no TaskService, no store.
    { name: 'v2PlainRaw', once: () => v2PlainRaw(v2Client) },
    { name: 'v2PlainViaService', once: () => v2.once('echo_sync') },
  ];
  let samples: Map<string, number[]>;
  try {
    samples = await measureRounds(flows, { warmup, rounds });
  } finally {
    v1.dispose();
    v2.dispose();
    v1Client.dispose();
    v2Client.dispose();
    await server.close();
    engine.dispose();
    dirs.forEach(removeDir);
  }
  const m = (name: string) => median(samples.get(name)!);
  const pair = (a: string, b: string) => pairedRatio(samples.get(a)!, samples.get(b)!);
  const stats = Object.fromEntries([...samples].map(([name, s]) => [name, rounded(summarize(s), 4)]));
  const pairs = {
    v1TaskVsRawPlain: pair('v1Task', 'v1PlainRaw'),
    v1TaskVsPlainViaService: pair('v1Task', 'v1PlainViaService'),
    v2TaskVsRawPlain: pair('v2Task', 'v2PlainRaw'),
    v2TaskVsPlainViaService: pair('v2Task', 'v2PlainViaService'),
    v2DeferredTaskVsRawPlain: pair('v2TaskDeferred', 'v2PlainRaw'),
  };
  const raw = {
    unit: 'ms per round trip',
    transport: 'loopback HTTP',
    rounds: samples.get('v1Task')!.length,
    warmup,
    order: 'every flow once per round, order shuffled each round (seeded)',
    stats,
    pairedRatios: rounded(pairs, 4),
  };
  const target = TARGETS.roundTripHttp;
  const wire = (id: 'v1' | 'v2', label: string, rawWhat: string, note: string): Figure => {
    const ratio = pairs[`${id}TaskVsRawPlain`];
    return {
      id: `roundTrip.http.${id}`,
      figure: `1. Task round trip over HTTP, ${label} (median of paired ratios)`,
      value: m(`${id}Task`),
      unit: 'ms',
      tasklane: `${fmtMs(m(`${id}Task`))} (TaskService, durable store, appends not fsynced)`,
      baselineValue: m(`${id}PlainRaw`),
      baseline: `raw plain tools/call ${fmtMs(m(`${id}PlainRaw`))} (${rawWhat}; no TaskService, no store)`,
      ratio,
      target,
      met: meets(target, { value: m(`${id}Task`), ratio }),
      note: `${note} ${raw.rounds} rounds, each flow once per round. For reference, a plain call made through TaskService + durable store: ${fmtMs(m(`${id}PlainViaService`))}; the task costs ${pairs[`${id}TaskVsPlainViaService`].toFixed(2)}× that.`,
      raw: {
        taskMs: m(`${id}Task`),
        rawPlainMs: m(`${id}PlainRaw`),
        plainViaServiceMs: m(`${id}PlainViaService`),
        ...(id === 'v1' ? { all: raw } : { deferredTaskMs: m('v2TaskDeferred'), pairedRatios: raw.pairedRatios }),
      },
    };
  };
  return [
    wire(
      'v1',
      '2025-11-25',
      'the SDK Client of TaskClientV1, same session',
      'Loopback HTTP, one session: the task is tools/call{task} + a tasks/result held open until it ends.',
    ),
    wire(
      'v2',
      'io.modelcontextprotocol/tasks',
      "TaskClientV2's tools/call of a task-forbidden copy of the tool",
      `Stateless 2026-07-28 framing: echo completes within the turn its task starts, so the server answers the tools/call with its result (the server decides per request whether a call becomes a task). A task whose work waits on a timer (work, 0 ms) stays a task, ended by its terminal snapshot on its subscriptions/listen stream or a tasks/get poll: ${fmtMs(m('v2TaskDeferred'))}, ${pairs.v2DeferredTaskVsRawPlain.toFixed(2)}× the raw plain call.`,
    ),
  ];
}

/** A plain tools/call on the extension wire through the wire client alone. */
async function v2PlainRaw(client: TaskClientV2): Promise<void> {
  const answer = await client.start('echo_sync', { text: 'hi' });
  if (answer.kind !== 'result' || answer.outcome.error)
    throw new Error(`raw plain call on the extension wire did not return a result: ${JSON.stringify(answer)}`);
}
