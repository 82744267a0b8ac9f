/**
 * 1. Task round-trip overhead: create → completed → result of a trivial tool over the in-memory
 * transport, through TaskService + embedded server with the durable store on, against a raw plain
 * `tools/call` of the same tool on the same server (no TaskService, no store), and against the SDK
 * 1.x task runtime doing the same two requests. Every flow runs once per round (a fresh seeded order each round);
 * ratios are the median of per-round ratios.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { isTerminal } from '../src/core/taskStatus';
import { EMBEDDED_SERVER_ID } from '../src/mcp/embeddedServer';
import {
  type BenchConfig,
  type Figure,
  type Flow,
  deferred,
  fmtMs,
  measureRounds,
  median,
  pairedRatio,
  removeDir,
  rounded,
  summarize,
  tempDir,
} from './harness';
import { TARGETS, meets } from './targets';
import { type TasklaneSetup, createSdkServer, startTasklane } from './wiring';

/** Starts a task through the service and resolves when the store holds it terminal, with its result. */
function taskFlow(setup: TasklaneSetup, tool = 'echo'): () => Promise<void> {
  const waiting = new Map<string, () => void>();
  setup.store.onDidLifecycle((event) => {
    if (event.type === 'statusChanged' && isTerminal(event.to)) waiting.get(event.id)?.();
  });
  return async () => {
    const record = await setup.service.start({ serverId: EMBEDDED_SERVER_ID, tool, arguments: { text: 'hi' } });
    if (!isTerminal(setup.store.require(record.id).status)) {
      const done = deferred();
      waiting.set(record.id, done.resolve);
      await done.promise;
      waiting.delete(record.id);
    }
    const final = setup.store.require(record.id);
    if (final.status !== 'completed' || final.result === undefined) throw new Error(`task ended ${final.status} without a result`);
  };
}

function plainFlow(client: Client, tool: string): () => Promise<void> {
  return async () => {
    const result = await client.request({ method: 'tools/call', params: { name: tool, arguments: { text: 'hi' } } }, CallToolResultSchema);
    if (result.isError) throw new Error('plain call failed');
  };
}

export async function run(config: BenchConfig): Promise<Figure[]> {
  const durableDir = tempDir('roundtrip');
  const durable = await startTasklane({ directory: durableDir });
  const memory = await startTasklane();
  const sdk = createSdkServer();
  const sdkClient = await sdk.connectClient();

  const flows: Flow[] = [
    { name: 'tasklaneTask', once: taskFlow(durable) },
    { name: 'tasklanePlain', once: plainFlow(durable.client.client, 'echo') },
    // The same tool called without a task, but through TaskService and the durable store.
    { name: 'tasklanePlainViaService', once: taskFlow(durable, 'echo_sync') },
    { name: 'tasklaneTaskMemoryStore', once: taskFlow(memory) },
    {
      // The wire alone on Tasklane's server: tools/call{task} then tasks/result, no TaskService, no store.
      name: 'tasklaneWireOnly',
      once: async () => {
        const client = durable.client.client;
        const created = await client.request({ method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' }, task: {} } }, CreateTaskResultSchema);
        const result = await client.request({ method: 'tasks/result', params: { taskId: created.task.taskId } }, CallToolResultSchema);
        if (result.isError) throw new Error('task failed');
      },
    },
    {
      name: 'sdkCallToolStream',
      once: async () => {
        let sawResult = false;
        for await (const message of sdkClient.experimental.tasks.callToolStream({ name: 'echo_task', arguments: { text: 'hi' } }, CallToolResultSchema, {
          task: { ttl: 60_000 },
        })) {
          if (message.type === 'error') throw message.error;
          if (message.type === 'result') sawResult = true;
        }
        if (!sawResult) throw new Error('no result');
      },
    },
    {
      name: 'sdkCreateThenResult',
      once: async () => {
        const created = await sdkClient.request(
          { method: 'tools/call', params: { name: 'echo_task', arguments: { text: 'hi' }, task: { ttl: 60_000 } } },
          CreateTaskResultSchema,
        );
        await sdkClient.experimental.tasks.getTaskResult(created.task.taskId, CallToolResultSchema);
      },
    },
    { name: 'sdkPlain', once: plainFlow(sdkClient, 'echo') },
  ];

  let samples: Map<string, number[]>;
  try {
    samples = await measureRounds(flows, { warmup: config.warmup, rounds: config.rounds });
  } finally {
    durable.dispose();
    memory.dispose();
    await sdkClient.close();
    await sdk.close();
  }
  const journal = path.join(durableDir, 'tasks.jsonl');
  const journalBytes = fs.existsSync(journal) ? fs.statSync(journal).size : 0;
  removeDir(durableDir);

  const stats = Object.fromEntries([...samples].map(([name, s]) => [name, rounded(summarize(s), 4)]));
  const m = (name: string) => median(samples.get(name)!);
  const pair = (a: string, b: string) => pairedRatio(samples.get(a)!, samples.get(b)!);
  const task = m('tasklaneTask');
  const plain = m('tasklanePlain');
  const sdkStream = m('sdkCallToolStream');
  const sdkTwo = m('sdkCreateThenResult');
  const sdkPlain = m('sdkPlain');
  const taskSamples = samples.get('tasklaneTask')!;
  const tenth = Math.max(1, Math.floor(taskSamples.length / 10));
  const drift = { firstTenthMedianMs: median(taskSamples.slice(0, tenth)), lastTenthMedianMs: median(taskSamples.slice(-tenth)) };
  const vsPlain = pair('tasklaneTask', 'tasklanePlain');
  const vsSdk = pair('tasklaneTask', 'sdkCreateThenResult');
  const pairs = {
    taskVsRawPlain: vsPlain,
    taskVsSdkCreateThenResult: vsSdk,
    taskVsSdkCallToolStream: pair('tasklaneTask', 'sdkCallToolStream'),
    sdkCreateThenResultVsSdkPlain: pair('sdkCreateThenResult', 'sdkPlain'),
    wireOnlyVsRawPlain: pair('tasklaneWireOnly', 'tasklanePlain'),
    memoryStoreTaskVsRawPlain: pair('tasklaneTaskMemoryStore', 'tasklanePlain'),
    taskVsPlainViaService: pair('tasklaneTask', 'tasklanePlainViaService'),
  };
  const raw = {
    unit: 'ms per round trip',
    roundsPerFlow: taskSamples.length,
    warmupPerFlow: config.warmup,
    order: 'every flow once per round, order shuffled each round (seeded); ratios are medians of per-round ratios',
    stats,
    pairedRatios: rounded(pairs, 4),
    drift,
    durableJournalBytes: journalBytes,
  };
  const target = TARGETS.roundTripVsSdk;

  return [
    {
      id: 'roundTrip.memory.vsRawPlain',
      figure: '1. Task round trip vs raw plain tools/call, in-memory, 2025-11-25 (median of paired ratios)',
      value: task,
      unit: 'ms',
      tasklane: `${fmtMs(task)} (TaskService, durable store, appends not fsynced)`,
      baselineValue: plain,
      baseline: `${fmtMs(plain)} raw plain tools/call, same server and transport (no TaskService, no store)`,
      ratio: vsPlain,
      target: null,
      note:
        `Reported, not judged: the in-memory transport is judged against the SDK's task runtime (next row); the ≤ 2.2× raw-plain target applies over HTTP, on each wire. ` +
        `Task = TaskService.start → tools/call{task} → tasks/result → store.complete (3 journal appends), ${taskSamples.length} rounds. ` +
        `Breakdown (paired ratios to the raw plain call): wire alone on Tasklane's server (tools/call{task} + tasks/result, no TaskService/store) ${pairs.wireOnlyVsRawPlain.toFixed(2)}×; ` +
        `+ TaskService, store in memory ${pairs.memoryStoreTaskVsRawPlain.toFixed(2)}×; + durable journal ${vsPlain.toFixed(2)}×. ` +
        `Against a plain call made through TaskService + durable store: ${pairs.taskVsPlainViaService.toFixed(2)}×. ` +
        `Drift over the run: first-tenth median ${fmtMs(drift.firstTenthMedianMs)}, last-tenth ${fmtMs(drift.lastTenthMedianMs)}.`,
      raw,
    },
    {
      id: 'roundTrip.memory.vsSdk',
      figure: '1. Task round trip vs the SDK task runtime, in-memory (median of paired ratios)',
      value: task,
      unit: 'ms',
      tasklane: `${fmtMs(task)} (TaskService, durable store)`,
      baselineValue: sdkTwo,
      baseline: `SDK McpServer + InMemoryTaskStore, tools/call{task} + tasks/result: ${fmtMs(sdkTwo)} (${pairs.sdkCreateThenResultVsSdkPlain.toFixed(2)}× its plain ${fmtMs(sdkPlain)})`,
      ratio: vsSdk,
      target,
      met: meets(target, { value: task, ratio: vsSdk }),
      note: `Like for like: both sides send tools/call{task} then tasks/result over an in-memory transport. The SDK task stores its result inside createTask (instant work) and has no persistence; Tasklane keeps the durable store. Against the SDK's callToolStream (create + tasks/get + tasks/result, ${fmtMs(sdkStream)}): ${pairs.taskVsSdkCallToolStream.toFixed(2)}×.`,
      raw: { sdkCreateThenResultMs: sdkTwo, sdkStreamMs: sdkStream, sdkPlainMs: sdkPlain, pairedRatios: raw.pairedRatios },
    },
  ];
}
