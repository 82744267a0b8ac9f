/**
 * Every target the benchmarks judge against, fixed before anything is measured. Nothing here may
 * read a measurement: a target computed from the run it judges can always be met. Each target is
 * compared with the figure's `value` (in the figure's unit), or with its `ratio` when `of` says so.
 */
export interface Target {
  /** What is compared: the figure's value, or its ratio to the baseline. */
  readonly of: 'value' | 'ratio';
  readonly op: '<=' | '>=' | '==';
  readonly value: number;
  /** As the table prints it. */
  readonly text: string;
}

export const atMost = (value: number, text: string, of: Target['of'] = 'value'): Target => ({ of, op: '<=', value, text });
export const atLeast = (value: number, text: string): Target => ({ of: 'value', op: '>=', value, text });

/** From the performance issue (task round trips, activation, UI cost) and the benchmarks' first version (the rest). */
export const TARGETS = {
  /** Tasklane's task round trip ÷ the SDK 1.x task runtime's, same transport (in memory). */
  roundTripVsSdk: atMost(1.0, '≤ 1.0× SDK', 'ratio'),
  /** Task round trip ÷ a raw plain tools/call on the same wire and transport (loopback HTTP). */
  roundTripHttp: atMost(2.2, '≤ 2.2× raw plain', 'ratio'),
  completionToStoreP99Ms: atMost(5, '≤ 5 ms p99'),
  /** The UI's 100 ms coalescing delay, plus 10 ms for a late timer: a fixed number, not the run's store latency. */
  completionToUiP99Ms: atMost(110, '≤ 110 ms p99 (100 ms coalescing + 10 ms)'),
  pollIntervalMs: atMost(1000, '≤ 1000 ms p99 (pollInterval)'),
  storeTasksPerSecond: atLeast(5000, '≥ 5,000 tasks/s'),
  /** Reopening the store: a versioned snapshot trusted cheaply, the journal's tail still validated. */
  reopen10kMs: atMost(80, '≤ 80 ms'),
  reopen100kMs: atMost(800, '≤ 800 ms'),
  /** Heap per idle task at 100,000 tasks (large results live in side files, not in memory). */
  heapPerRecordBytes: atMost(1024, '≤ 1 KB'),
  /** Enqueueing 10,000 tasks behind a full scheduler, each with a correct "Queued k of n". */
  queueEnqueue10kMs: atMost(200, '≤ 200 ms'),
  /** History search at 100,000 tasks: the first search, and the same search again. */
  historySearchFirstMs: atMost(200, '≤ 200 ms'),
  historySearchRepeatMs: atMost(20, '≤ 20 ms'),
  uiBatch10kMs: atMost(2, '≤ 2 ms'),
  uiBatch100kMs: atMost(10, '≤ 10 ms'),
  stormRefreshesPerSecond: atMost(10.5, '≤ 10/s (10.5 allows the trailing flush)'),
  stormTasksWrong: { of: 'value', op: '==', value: 0, text: '0 tasks wrong, nothing dropped' } as Target,
  pollTimersAlive: atMost(1, '1 shared timer'),
  pollFailingVsNaive: atMost(0.7, '≤ 0.7× naive', 'ratio'),
  bundleBytes: atMost(1024 * 1024, '≤ 1 MB minified'),
  activationMs: atMost(50, '≤ 50 ms'),
  /** Wire capture on for the server ÷ off, same round trip (the wire-view issue). */
  wireCaptureOn: atMost(1.1, 'capture on costs ≤ 10 % of the round trip', 'ratio'),
  /** Capture off for the server (the capture objects built) ÷ no capture at all: no tap in the path. */
  wireCaptureOff: atMost(1.03, 'capture off ≈ 0 (≤ 3 %, the noise)', 'ratio'),
  /**
   * Several instances on one PostgreSQL (the team issue): short tasks/s through one instance with the
   * team store ÷ the same server keeping its tasks in a JSON-lines store on the same machine.
   */
  teamStoreVsJsonl: { of: 'ratio', op: '>=', value: 0.5, text: 'the team store costs at most half (≥ 0.5× the JSON-lines store)' } as Target,
  /** Tasks/s through two instances on one database ÷ through one, the same total client load. */
  teamTwoVsOne: { of: 'ratio', op: '>=', value: 1.3, text: '≥ 1.3× one instance' } as Target,
  /** A change on instance A to the event on a `subscriptions/listen` stream on instance B, p99. */
  teamFollowAcrossP99Ms: atMost(20, '≤ 20 ms p99'),
  /** SIGKILL of the instance running a task (default 10 s lease) to another instance answering "worker lost". */
  teamFailoverMs: atMost(15_000, '≤ 15 s'),
  /** A queued task of the team's queue, from its creation answered to an instance's claim committed, median (the team issue's goal). */
  teamClaimP50Ms: atMost(10, '≤ 10 ms p50'),
} as const satisfies Record<string, Target>;

/** Whether `figure` meets `target`. */
export function meets(target: Target, figure: { value: number; ratio?: number }): boolean {
  const x = target.of === 'ratio' ? figure.ratio : figure.value;
  if (x === undefined || !Number.isFinite(x)) return false;
  return target.op === '<=' ? x <= target.value : target.op === '>=' ? x >= target.value : x === target.value;
}
