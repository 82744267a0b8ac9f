/**
 * Wire capture's cost on a task round trip (TaskService → tools/call{task} → tasks/result → store),
 * paired in one run: with no capture objects at all, with them built but capture off for the
 * server (no tap in the path: should cost nothing), and with capture on (every message attributed,
 * checked, redacted and kept in the task's log, written debounced beside a durable store). In
 * memory (the embedded pair) and over loopback HTTP (2025-11-25 session, tapped at `fetch`).
 */
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { isTerminal } from '../src/core/taskStatus';
import { TaskStore } from '../src/core/taskStore';
import { WireLogStore } from '../src/core/wireLogStore';
import { TaskService } from '../src/mcp/client/taskService';
import type { TaskWireClient } from '../src/mcp/client/taskWire';
import { TaskClientV1 } from '../src/mcp/client/v1/taskClientV1';
import { WireCaptureManager } from '../src/mcp/client/wireCaptureManager';
import { EMBEDDED_SERVER_ID, EmbeddedServer } from '../src/mcp/embeddedServer';
import { TaskEngine } from '../src/mcp/engine/taskEngine';
import { startHttpServer } from '../src/mcp/server/httpServer';
import { ToolCatalog } from '../src/mcp/server/toolCatalog';
import { type BenchConfig, type Figure, deferred, fmtMs, measureRounds, median, pairedRatio, removeDir, rounded, summarize, tempDir } from './harness';
import { TARGETS, meets } from './targets';
import { BENCH_TOOLS } from './wiring';

type Capture = 'none' | 'off' | 'on';

interface Rig {
  once(): Promise<void>;
  dispose(): void;
}

function rig(serverId: string, client: TaskWireClient, kind: 'embedded' | 'http', capture: Capture, directory: string): Rig {
  const store = new TaskStore({ directory });
  const service = new TaskService(store);
  const registration = service.addServer({ id: serverId, name: serverId, kind, durable: kind === 'http', client });
  const logs = capture === 'none' ? undefined : new WireLogStore({ directory, lifecycle: store.onDidLifecycle });
  const manager = logs ? new WireCaptureManager(service, store, logs, { isCaptured: () => capture === 'on' }) : undefined;
  const waiting = new Map<string, () => void>();
  store.onDidLifecycle((event) => {
    if (event.type === 'statusChanged' && isTerminal(event.to)) waiting.get(event.id)?.();
  });
  return {
    async once() {
      const record = await service.start({ serverId, tool: 'echo', arguments: { text: 'hi' } });
      if (!isTerminal(store.require(record.id).status)) {
        const done = deferred();
        waiting.set(record.id, done.resolve);
        await done.promise;
        waiting.delete(record.id);
      }
      if (store.require(record.id).status !== 'completed') throw new Error('task did not complete');
      if (capture === 'on' && !logs!.readWireLog(record.id)) throw new Error('capture on, but no wire log');
    },
    dispose() {
      manager?.dispose();
      logs?.dispose();
      registration.dispose();
      service.dispose();
      store.dispose();
    },
  };
}

export async function run(config: BenchConfig): Promise<Figure[]> {
  const captures: Capture[] = ['none', 'off', 'on'];
  const dirs: string[] = [];
  const rigs = new Map<string, Rig>();
  const embeddeds: EmbeddedServer[] = [];
  const engine = new TaskEngine();
  const server = await startHttpServer({ catalog: new ToolCatalog(BENCH_TOOLS), defaultCwd: process.cwd(), isTrusted: () => true }, engine);
  const httpClients: TaskClientV1[] = [];
  try {
    for (const capture of captures) {
      const embedded = await EmbeddedServer.start({ defaultCwd: process.cwd(), tools: BENCH_TOOLS });
      embeddeds.push(embedded);
      const memoryDir = tempDir(`wire-mem-${capture}`);
      dirs.push(memoryDir);
      rigs.set(`memory.${capture}`, rig(EMBEDDED_SERVER_ID, embedded.client, 'embedded', capture, memoryDir));
      const client = new TaskClientV1();
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      httpClients.push(client);
      const httpDir = tempDir(`wire-http-${capture}`);
      dirs.push(httpDir);
      rigs.set(`http.${capture}`, rig('bench-http', client, 'http', capture, httpDir));
    }
    const rounds = Math.max(60, Math.floor(config.rounds / 4));
    const warmup = Math.max(30, Math.floor(config.warmup / 4));
    const samples = await measureRounds(
      [...rigs].map(([name, r]) => ({ name, once: () => r.once() })),
      { warmup, rounds },
    );
    const m = (name: string) => median(samples.get(name)!);
    const pair = (a: string, b: string) => pairedRatio(samples.get(a)!, samples.get(b)!);
    const stats = Object.fromEntries([...samples].map(([name, s]) => [name, rounded(summarize(s), 4)]));
    const figures: Figure[] = [];
    for (const transport of ['memory', 'http'] as const) {
      const onRatio = pair(`${transport}.on`, `${transport}.off`);
      const offRatio = pair(`${transport}.off`, `${transport}.none`);
      const label = transport === 'memory' ? 'in-memory' : 'loopback HTTP, 2025-11-25';
      figures.push(
        {
          id: `wireCapture.${transport}.on`,
          figure: `Wire capture on vs off, task round trip, ${label} (median of paired ratios)`,
          value: m(`${transport}.on`),
          unit: 'ms',
          tasklane: `${fmtMs(m(`${transport}.on`))} capture on`,
          baselineValue: m(`${transport}.off`),
          baseline: `${fmtMs(m(`${transport}.off`))} capture off`,
          ratio: onRatio,
          target: TARGETS.wireCaptureOn,
          met: meets(TARGETS.wireCaptureOn, { value: m(`${transport}.on`), ratio: onRatio }),
          note: `Every message of the task attributed, checked, redacted and kept; the log written debounced beside a durable store. ${rounds} rounds.`,
          raw: { stats, rounds, warmup },
        },
        {
          id: `wireCapture.${transport}.off`,
          figure: `Wire capture off vs no capture at all, task round trip, ${label} (median of paired ratios)`,
          value: m(`${transport}.off`),
          unit: 'ms',
          tasklane: `${fmtMs(m(`${transport}.off`))} capture off (objects built, no tap)`,
          baselineValue: m(`${transport}.none`),
          baseline: `${fmtMs(m(`${transport}.none`))} no capture objects`,
          ratio: offRatio,
          target: TARGETS.wireCaptureOff,
          met: meets(TARGETS.wireCaptureOff, { value: m(`${transport}.off`), ratio: offRatio }),
          note: 'With capture off for the server nothing is in its path; the difference is the noise of the run.',
          raw: { stats, rounds, warmup },
        },
      );
    }
    return figures;
  } finally {
    for (const r of rigs.values()) r.dispose();
    for (const client of httpClients) client.dispose();
    for (const embedded of embeddeds) embedded.dispose();
    await server.close();
    engine.dispose();
    for (const dir of dirs) removeDir(dir);
  }
}
