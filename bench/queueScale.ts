/**
 * Queue at scale: 10,000 tasks enqueued through the real engine behind a full scheduler
 * (maxConcurrent 1, its one slot held by work that never finishes), then a sample of their places
 * read back the way the wires read them (`peek`, a `list` page) and checked: each must say
 * "Queued k of n" with the right k and n. Baseline, same run: the same engine with no limit, so
 * every task starts and nothing queues (the cost of creating tasks alone). A plain sorted array
 * taking the same inserts is reported too, as the raw cost of keeping an order.
 * BENCH_QUEUE_TASKS sets the number of tasks (to measure a slower scheduler at a smaller size).
 */

import { Scheduler } from '../src/mcp/engine/scheduler';
import { TaskEngine } from '../src/mcp/engine/taskEngine';
import type { StartOptions } from '../src/mcp/engine/engineTask';
import { TARGETS, meets } from './targets';
import { type BenchConfig, type Figure, fmtMs, median, now, round, summarize } from './harness';

const OWNER = 'bench';

/** A tool that never finishes: the slot it takes stays taken. */
function neverEnding(priority: number): StartOptions {
  return { owner: OWNER, tool: 'hold', priority, settle: () => ({ status: 'completed' }), run: () => new Promise(() => undefined) };
}

interface Round {
  readonly enqueueMs: number;
  readonly readMs: number;
  readonly events: number;
  readonly wrong: number;
}

/** One engine, `n` tasks behind a full (or absent) limit; the places of `sample` of them read and checked. */
function enqueueRound(n: number, maxConcurrent: number, sample: number): Round {
  const engine = new TaskEngine({ scheduler: { maxConcurrent, toolLimits: {} }, pageSize: 50 });
  let events = 0;
  const subscription = engine.onDidChange(() => events++);
  try {
    if (maxConcurrent !== Infinity) engine.start(neverEnding(0));
    const ids: string[] = [];
    const t0 = now();
    for (let i = 0; i < n; i++) ids.push(engine.start(neverEnding(0)).taskId);
    const t1 = now();
    let wrong = 0;
    if (maxConcurrent !== Infinity) {
      const step = Math.max(1, Math.floor(n / sample));
      for (let i = 0; i < n; i += step) {
        const task = engine.peek(ids[i]);
        if (task?.queue?.position !== i + 1 || task.queue.size !== n || task.statusMessage !== `Queued (${i + 1} of ${n})`) wrong++;
      }
      // The first page as tasks/list gives it: the running task, then the first queued ones.
      const page = engine.list(OWNER).tasks.slice(1);
      page.forEach((task, i) => {
        if (task.queue?.position !== i + 1 || task.queue.size !== n) wrong++;
      });
    }
    const t2 = now();
    return { enqueueMs: t1 - t0, readMs: t2 - t1, events, wrong };
  } finally {
    subscription.dispose();
    engine.dispose();
  }
}

/** The scheduler alone, with a host that does nothing: its share of the engine's figure. */
function schedulerRound(n: number, sample: number): number {
  const scheduler = new Scheduler(
    {
      start: () => undefined,
      placesChanged: () => undefined,
      prerequisiteFailed: () => undefined,
      now: Date.now,
      setTimer: () => undefined,
      clearTimer: () => undefined,
    },
    { maxConcurrent: 1, toolLimits: {} },
  );
  const t0 = now();
  for (let i = 0; i <= n; i++) scheduler.submit({ id: `t${i}`, tool: 'hold', priority: 0 });
  for (let i = 1; i <= n; i += Math.max(1, Math.floor(n / sample))) scheduler.place(`t${i}`);
  return now() - t0;
}

/** The same inserts into a plain sorted array (binary search and splice), by priority then arrival. */
function sortedArrayRound(n: number): number {
  const order: { priority: number; arrival: number }[] = [];
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const entry = { priority: 0, arrival: i };
    let low = 0;
    let high = order.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const other = order[mid];
      if (other.priority > entry.priority || (other.priority === entry.priority && other.arrival < entry.arrival)) low = mid + 1;
      else high = mid;
    }
    order.splice(low, 0, entry);
  }
  return now() - t0;
}

export async function run(config: BenchConfig): Promise<Figure[]> {
  const n = Number(process.env.BENCH_QUEUE_TASKS) || 10_000;
  const rounds = config.quick ? 3 : 7;
  const sample = 200;
  const queued: Round[] = [];
  const unqueued: Round[] = [];
  const sortedArray: number[] = [];
  const schedulerAlone: number[] = [];
  // Warm-up, then alternate the two so a busy moment on the machine hits both.
  enqueueRound(Math.min(n, 1000), 1, sample);
  enqueueRound(Math.min(n, 1000), Infinity, sample);
  for (let r = 0; r < rounds; r++) {
    queued.push(enqueueRound(n, 1, sample));
    unqueued.push(enqueueRound(n, Infinity, sample));
    sortedArray.push(sortedArrayRound(n));
    schedulerAlone.push(schedulerRound(n, sample));
    // Let the started (never-ending) work of the unlimited engine be dropped between rounds.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const totals = queued.map((r) => r.enqueueMs + r.readMs);
  const value = median(totals);
  const baselineValue = median(unqueued.map((r) => r.enqueueMs));
  const wrong = queued.reduce((sum, r) => sum + r.wrong, 0);
  const target = TARGETS.queueEnqueue10kMs;
  const met = wrong === 0 && meets(target, { value });
  return [
    {
      id: 'queue.enqueue10k',
      figure: `Queue: ${n.toLocaleString('en')} tasks enqueued behind a full scheduler, places read back (median of ${rounds})`,
      value,
      unit: 'ms',
      tasklane: `${fmtMs(value)} (${fmtMs(median(queued.map((r) => r.enqueueMs)))} enqueue + ${fmtMs(median(queued.map((r) => r.readMs)))} reading ${sample} places)`,
      baselineValue,
      baseline: `${fmtMs(baselineValue)} the same tasks with no limit (nothing queued)`,
      ratio: value / baselineValue,
      target,
      met,
      note: `${wrong} places wrong in ${rounds} rounds; ${median(queued.map((r) => r.events))} change events per round (one per task: a place is read, not pushed); the scheduler alone takes ${fmtMs(median(schedulerAlone))} for them and the reads, a plain sorted array ${fmtMs(median(sortedArray))} for the inserts.`,
      raw: {
        n,
        rounds,
        totalMs: summarize(totals),
        enqueueMs: queued.map((r) => round(r.enqueueMs)),
        readMs: queued.map((r) => round(r.readMs)),
        eventsPerRound: queued.map((r) => r.events),
        wrongPlaces: wrong,
        unqueuedEnqueueMs: unqueued.map((r) => round(r.enqueueMs)),
        sortedArrayMs: sortedArray.map((ms) => round(ms)),
        schedulerAloneMs: schedulerAlone.map((ms) => round(ms)),
      },
    },
  ];
}
