/**
 * 1 (both wires). Task round trip over loopback HTTP, on each task wire, against a plain
 * `tools/call` on the same endpoint and wire. One in-process HTTP server serves both wires over one
 * engine (as `npm run serve` does): 2025-11-25 sessions (TaskClientV1 over the SDK's Streamable HTTP
 * client) and the `io.modelcontextprotocol/tasks` extension on stateless 2026-07-28
 * (TaskClientV2). The client side is TaskService with the durable store, as in the extension.
 */
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { TaskStore } from '../src/core/taskStore';
import { isTerminal } from '../src/core/taskStatus';
import { TaskClientV1 } from '../src/mcp/client/taskClientV1';
import { TaskClientV2 } from '../src/mcp/client/taskClientV2';
import { TaskService } from '../src/mcp/client/taskService';
import type { TaskWireClient } from '../src/mcp/client/taskWire';
import { startHttpServer } from '../src/mcp/server/httpServer';
import { TaskEngine } from '../src/mcp/engine/taskEngine';
import { ToolCatalog } from '../src/mcp/server/toolCatalog';
import { type BenchConfig, type Figure, measureInterleaved, deferred, fmtMs, median, removeDir, rounded, summarize, tempDir } from './harness';
import { BENCH_TOOLS } from './wiring';

const SERVER_ID = 'bench-http';

interface Rig {
  readonly store: TaskStore;
  readonly service: TaskService;
  readonly client: TaskWireClient;
  /** Starts `tool` through TaskService; resolves when the store holds it terminal. */
  once(tool: string): Promise<void>;
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
    async once(tool) {
      const record = await service.start({ serverId: SERVER_ID, tool, arguments: { text: 'hi' } });
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
    { name: 'v1PlainViaService', once: () => v1.once('echo_sync') },
    { name: 'v1PlainRaw', once: () => v1Client.client.request({ method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } }, CallToolResultSchema) },
    { name: 'v2Task', once: () => v2.once('echo') },
    { name: 'v2PlainViaService', once: () => v2.once('echo_sync') },
  ];
  let samples: Map<string, number[]>;
  try {
    samples = await measureInterleaved(flows, { warmup, rounds, blocks: 5 });
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
  const stats = Object.fromEntries([...samples].map(([name, s]) => [name, rounded(summarize(s), 4)]));
  const raw = { unit: 'ms per round trip', transport: 'loopback HTTP', rounds: samples.get('v1Task')!.length, warmup, stats };
  const v1Ratio = m('v1Task') / m('v1PlainRaw');
  const v2Ratio = m('v2Task') / m('v2PlainViaService');
  return [
    {
      id: 'roundTrip.http.v1',
      figure: '1. Task round trip over HTTP, 2025-11-25 (median)',
      tasklane: `${fmtMs(m('v1Task'))} (TaskService, durable store)`,
      baseline: `plain tools/call ${fmtMs(m('v1PlainRaw'))} (through TaskService ${fmtMs(m('v1PlainViaService'))})`,
      ratio: v1Ratio,
      target: '≤ 2.2×',
      met: v1Ratio <= 2.2,
      note: `Loopback HTTP, one session, ${raw.rounds} round trips per flow. Against a plain call made through TaskService the same way: ${(m('v1Task') / m('v1PlainViaService')).toFixed(2)}×.`,
      raw,
    },
    {
      id: 'roundTrip.http.v2',
      figure: '1. Task round trip over HTTP, io.modelcontextprotocol/tasks (median)',
      tasklane: `${fmtMs(m('v2Task'))} (TaskService, durable store)`,
      baseline: `plain tools/call through TaskService ${fmtMs(m('v2PlainViaService'))}`,
      ratio: v2Ratio,
      target: '≤ 2.2×',
      met: v2Ratio <= 2.2,
      note: 'Stateless 2026-07-28 framing: the task is created by tools/call and its terminal snapshot (with the outcome inline) arrives on the subscriptions/listen stream or a tasks/get poll, whichever comes first. The plain call is a task-forbidden copy of the same tool (TaskClientV2 has no raw call API).',
      raw: { v2TaskMs: m('v2Task'), v2PlainViaServiceMs: m('v2PlainViaService') },
    },
  ];
}
