/**
 * 5. Event storm: 1,000 status events per second across 200 tasks for 3 s, through
 * `ChangeCoalescer` (the UI's 100 ms) into a fake tree that counts refreshes and reads each changed
 * task back from the store, as the real tree does. Checks that every task's final state reached
 * the tree.
 */
import { ChangeCoalescer } from '../src/core/changeCoalescer';
import type { TaskChanges } from '../src/core/lifecycleEvents';
import { TaskStore } from '../src/core/taskStore';
import { type TaskStatus } from '../src/core/taskStatus';
import { TARGETS, meets } from './targets';
import { type BenchConfig, type Figure, fmtNum, now, removeDir, round, sleep, tempDir } from './harness';
import { UI_COALESCE_MS_FOR_BENCH } from './uiConstants';

/** Stands in for the Tasks view: one refresh per batch; remembers what it last showed per task. */
class FakeTree {
  refreshes = 0;
  /** Task ids handed to refreshes (a task in a batch counts once). */
  deliveries = 0;
  readonly shown = new Map<string, { status: TaskStatus; statusMessage?: string; lastUpdatedAt: string }>();
  readonly refreshTimes: number[] = [];

  constructor(private readonly store: TaskStore) {}

  refresh(changes: TaskChanges): void {
    this.refreshes++;
    this.refreshTimes.push(now());
    for (const id of [...changes.added, ...changes.updated]) {
      this.deliveries++;
      const r = this.store.get(id);
      if (r) this.shown.set(id, { status: r.status, statusMessage: r.statusMessage, lastUpdatedAt: r.lastUpdatedAt });
    }
    for (const id of changes.removed) this.shown.delete(id);
  }
}

export async function run(config: BenchConfig): Promise<Figure[]> {
  const dir = tempDir('storm');
  const store = new TaskStore({ directory: dir });
  const tasks = config.stormTasks;
  const ids: string[] = [];
  for (let i = 0; i < tasks; i++) ids.push(store.create({ serverId: 'tasklane', tool: 'run_command', arguments: { command: `job ${i}` } }).id);

  let lifecycleEvents = 0;
  store.onDidLifecycle(() => lifecycleEvents++);
  let naiveRefreshes = 0;
  store.onDidLifecycle(() => naiveRefreshes++); // a tree that refreshes on every event, for comparison
  const coalescer = new ChangeCoalescer(store.onDidLifecycle, UI_COALESCE_MS_FOR_BENCH);
  const tree = new FakeTree(store);
  let batchedEvents = 0;
  coalescer.onDidChange((changes) => {
    batchedEvents += changes.eventCount;
    tree.refresh(changes);
  });
  await sleep(UI_COALESCE_MS_FOR_BENCH * 2);
  const before = { refreshes: tree.refreshes, events: lifecycleEvents, naive: naiveRefreshes, batched: batchedEvents };
  tree.refreshTimes.length = 0;

  // The storm: events paced at `rate` per second, in 10 ms slices, round-robin over the tasks.
  const rate = config.stormRate;
  const durationMs = config.stormSeconds * 1000;
  let emitted = 0;
  let next = 0;
  const t0 = now();
  let busyMs = 0;
  while (now() - t0 < durationMs) {
    const due = Math.min(Math.floor(((now() - t0) / 1000) * rate), Math.floor((durationMs / 1000) * rate));
    const b0 = now();
    while (emitted < due) {
      const id = ids[next++ % tasks];
      const current = store.require(id).status;
      // Alternate working ⇄ input_required, with a message that changes each time.
      store.setStatus(id, current === 'working' ? 'input_required' : 'working', `step ${emitted}`);
      emitted++;
    }
    busyMs += now() - b0;
    await sleep(10);
  }
  // The end of the storm: every task reaches a final state in the same burst.
  const finals: Record<string, TaskStatus> = {};
  ids.forEach((id, i) => {
    const status = (['completed', 'failed', 'cancelled'] as const)[i % 3];
    store.complete(id, status, status === 'cancelled' ? {} : { result: { content: [{ type: 'text', text: `done ${i}` }] } }, `final ${i}`);
    finals[id] = status;
  });
  const stormEnd = now();
  await sleep(UI_COALESCE_MS_FOR_BENCH * 3);
  const elapsedS = (stormEnd - t0) / 1000;

  const refreshes = tree.refreshes - before.refreshes;
  const events = lifecycleEvents - before.events;
  const naive = naiveRefreshes - before.naive;
  // Refresh rate over the storm (the trailing flush after the final burst is counted too).
  const refreshesPerSecond = refreshes / elapsedS;
  let wrong = 0;
  for (const id of ids) {
    const shown = tree.shown.get(id);
    const actual = store.require(id);
    if (!shown || shown.status !== finals[id] || shown.lastUpdatedAt !== actual.lastUpdatedAt || shown.statusMessage !== actual.statusMessage) wrong++;
  }
  const accounted = batchedEvents - before.batched;
  // Shortest gap between two refreshes: the coalescer promises at most one batch per delay.
  let minGap = Infinity;
  for (let i = 1; i < tree.refreshTimes.length; i++) minGap = Math.min(minGap, tree.refreshTimes[i] - tree.refreshTimes[i - 1]);

  coalescer.dispose();
  store.dispose();
  removeDir(dir);

  const raw = {
    tasks,
    targetRate: rate,
    seconds: round(elapsedS, 3),
    statusEventsEmitted: emitted,
    achievedEventsPerSecond: round(emitted / ((stormEnd - t0) / 1000), 1),
    lifecycleEvents: events,
    eventsAccountedInBatches: accounted,
    refreshes,
    refreshesPerSecond: round(refreshesPerSecond, 2),
    deliveries: tree.deliveries,
    naiveRefreshes: naive,
    minGapBetweenRefreshesMs: round(minGap, 2),
    tasksWithWrongFinalState: wrong,
    storeBusyMsPerSecond: round(busyMs / elapsedS, 2),
  };
  return [
    {
      id: 'storm.refreshes',
      figure: '5. Event storm: tree refreshes per second',
      value: refreshesPerSecond,
      unit: 'refreshes/s',
      tasklane: `${fmtNum(refreshesPerSecond)}/s (${refreshes} refreshes, ${fmtNum(tree.deliveries)} task deliveries)`,
      baselineValue: naive / elapsedS,
      baseline: `refresh per event: ${fmtNum(naive / elapsedS)}/s`,
      ratio: refreshes / naive,
      target: TARGETS.stormRefreshesPerSecond,
      met: meets(TARGETS.stormRefreshesPerSecond, { value: refreshesPerSecond }) && minGap >= UI_COALESCE_MS_FOR_BENCH - 2,
      note: `${emitted} status events at ${raw.achievedEventsPerSecond}/s over ${tasks} tasks for ${raw.seconds} s, then all ${tasks} tasks finished in one burst; durable store on. Shortest gap between refreshes ${raw.minGapBetweenRefreshesMs} ms. Store + journal time: ${raw.storeBusyMsPerSecond} ms per second of storm.`,
      raw,
    },
    {
      id: 'storm.nothingDropped',
      figure: '5. Event storm: final state delivered for every task',
      value: wrong,
      unit: 'tasks with a wrong final state',
      tasklane: `${tasks - wrong}/${tasks} tasks correct; ${fmtNum(accounted)}/${fmtNum(events)} events accounted`,
      baselineValue: tasks,
      baseline: `${tasks} tasks`,
      ratio: (tasks - wrong) / tasks,
      target: TARGETS.stormTasksWrong,
      met: meets(TARGETS.stormTasksWrong, { value: wrong }) && accounted === events,
      raw: { tasksWithWrongFinalState: wrong, eventsAccountedInBatches: accounted, lifecycleEvents: events },
    },
  ];
}
