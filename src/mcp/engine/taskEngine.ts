import { Emitter, type Event } from '../../core/events';
import { Disposable, toDisposable } from '../../core/lifecycle';
import { clampPriority } from '../../core/taskRecord';
import { isTerminal } from '../../core/taskStatus';
import { toJsonRpcError } from '../rpcError';
import { type EngineTask, type OwnTasks, type StartOptions, type TaskOutcome, changedSnapshot } from './engineTask';
import { TaskCancelledError, TaskNotFoundError, TaskTerminalError, TimeBudgetError } from './engineErrors';
import type { LiveTask, LiveTaskHost } from './liveTask';
import { TaskTable } from './taskTable';
import { TaskWaiters } from './taskWaiters';
import { STARTED_MESSAGE } from './queueMessages';
import type { SchedulerLimits } from './scheduler';
import { EngineQueue } from './engineQueue';
import { TaskRetention } from './taskRetention';
import { CreationBuckets } from './creationRate';
import { PlainCallSlots, type ReleaseSlot, type SlotRequest } from './plainCallSlots';
import { IdempotencyKeys } from './idempotencyKeys';
import { TaskOutputs } from './taskOutputs';
import { ownTasksOf } from './ownTasks';
import { TaskSweep } from './taskSweep';
import { DEFAULT_POLL_INTERVAL_MS, type EngineOptions } from './engineOptions';
import { SharedTasks } from './sharedTasks';
import { TaskStarts } from './taskStarts';

export { DEFAULT_POLL_INTERVAL_MS, type EngineOptions } from './engineOptions';

/**
 * Runs task work and owns its state on the receiving side. Both task wires are adapters over
 * this: they translate requests into `start`/`get`/`waitForTerminal`/`list`/`cancel`/`answerInput`
 * and translate `onDidChange` into their notifications. Every lookup is scoped by `owner` (the
 * caller's authorization context): another owner's task is reported as not found.
 * Beside it: its options (engineOptions.ts), the vocabulary it shares with the wires (engineTask.ts),
 * one task's running work (liveTask.ts), retention (taskRetention.ts) and its sweep (taskSweep.ts),
 * a tool's view of its caller's tasks (ownTasks.ts), the scheduler as tasks see it (engineQueue.ts),
 * how a task comes to exist (taskStarts.ts).
 */
export class TaskEngine extends Disposable {
  private readonly _onDidChange = this._register(new Emitter<EngineTask>());
  readonly onDidChange: Event<EngineTask> = this._onDidChange.event;
  /** Fired once per task as `start` creates it; no wire listens, so the creation result still goes out first. */
  private readonly _onDidCreate = this._register(new Emitter<EngineTask>());
  readonly onDidCreate: Event<EngineTask> = this._onDidCreate.event;
  private readonly _onDidOutput = this._register(new Emitter<{ readonly taskId: string; readonly chunk: string }>());
  /** Live output of running work; not part of any snapshot. */
  readonly onDidOutput: Event<{ readonly taskId: string; readonly chunk: string }> = this._onDidOutput.event;

  /** How every task's work reports back; one for all, the task names itself. */
  private readonly liveTaskHost: LiveTaskHost = {
    // Work this engine gave up (sharedTasks.ts `relinquish`) no longer speaks for its task.
    update: (task, change) => {
      if (!task.runsElsewhere) this.update(task, change);
    },
    output: (taskId, chunk) => {
      this.outputs.append(taskId, chunk);
      this._onDidOutput.fire({ taskId, chunk });
    },
  };
  private readonly waiters = new TaskWaiters();
  private readonly keys = new IdempotencyKeys();
  private readonly outputs = new TaskOutputs();
  private sequence = 0;
  private sweepTimer: ReturnType<typeof setInterval>;
  private readonly now: () => number;
  private readonly retention: TaskRetention;
  readonly pollIntervalMs: number;
  private readonly table: TaskTable;
  private readonly queue: EngineQueue;
  private readonly creations: CreationBuckets | undefined;
  private readonly plainCalls: PlainCallSlots;
  private readonly sweep: TaskSweep;
  private readonly starts: TaskStarts;
  /** The shared store's word on tasks: another instance's work, or the end of ours decided elsewhere (sharedTasks.ts). */
  readonly shared: SharedTasks;

  constructor(private readonly options: EngineOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
    this.retention = new TaskRetention(options, () => this.now());
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.table = new TaskTable(this.retention, options.pageSize ?? 50, (task) => this.queue.placeNow(task), options.seesEveryTask);
    this.creations = options.creationRate ? new CreationBuckets(options.creationRate, () => this.now()) : undefined;
    this.queue = new EngineQueue(
      {
        table: this.table,
        now: () => this.now(),
        iso: () => this.iso(),
        launch: (task) => this.launch(task),
        startPlainCall: (id) => this.plainCalls.start(id),
        fail: (task, message) => this.failWithText(task, message),
        update: (task, change, at) => this.update(task, change, at),
      },
      options.scheduler,
    );
    this.plainCalls = new PlainCallSlots(this.queue.scheduler, this.creations);
    this.starts = new TaskStarts({
      options,
      table: this.table,
      retention: this.retention,
      keys: this.keys,
      creations: this.creations,
      queue: this.queue,
      liveTaskHost: this.liveTaskHost,
      pollIntervalMs: this.pollIntervalMs,
      nextSequence: () => ++this.sequence,
      iso: () => this.iso(),
      created: (task) => this._onDidCreate.fire(task),
      fail: (task, message) => this.failWithText(task, message),
    });
    this.sweep = new TaskSweep({
      table: this.table,
      retention: this.retention,
      outputs: this.outputs,
      keys: this.keys,
      scheduler: this.queue.scheduler,
      waiters: this.waiters,
      fail: (task, message) => this.failWithText(task, message),
      update: (task, change) => this.update(task, change),
    });
    this.shared = new SharedTasks({
      table: this.table,
      liveTaskHost: this.liveTaskHost,
      nextSequence: () => ++this.sequence,
      replace: (task, snapshot) => this.announce(task, snapshot),
      release: (task) => this.release(task),
      launch: (task) => this.launch(task),
      machine: options.machine,
    });
    this.sweepTimer = setInterval(() => {
      this.sweepExpired();
      this.creations?.forgetRested();
    }, 1000);
    this.sweepTimer.unref?.();
    this._register(
      toDisposable(() => {
        clearInterval(this.sweepTimer);
        for (const task of this.table.entries()) task.stop(new TaskCancelledError());
        this.plainCalls.dispose();
        this.queue.scheduler.dispose();
      }),
    );
  }

  /**
   * Creates the task (visible to `get` before this returns) and hands it to the scheduler (or the
   * team's queue). An `afterTaskId` not of the owner's tasks is -32602; over the creation rate,
   * -32029, nothing created; an unfinished task holding the idempotency key is returned instead.
   */
  start(options: StartOptions): EngineTask {
    return this.starts.start(options);
  }

  /**
   * `start` as the wires call it: with a store shared by several engines (`options.admission`),
   * the key and the rate hold across all of them (sharedAdmission.ts); without one, `start`.
   */
  begin(options: StartOptions): Promise<EngineTask> {
    return this.starts.begin(options);
  }

  /** A plain (non-task) call's turn under the same limits as tasks (plainCallSlots.ts); call the returned function when done. */
  async acquireSlot(request: SlotRequest): Promise<ReleaseSlot> {
    if (!this.options.limitPlainCalls) return () => undefined;
    const admission = this.options.admission;
    if (!admission) return this.plainCalls.acquire(request);
    if (request.signal?.aborted) throw request.signal.reason;
    // The token comes from the store's bucket (or this engine's, when the store cannot be asked).
    await this.starts.admitShared(admission, request.owner, 'call');
    return this.plainCalls.acquire(request, { counted: true });
  }

  /** The scheduler granted a slot: the time budget starts counting now, and the work on the next tick. */
  private launch(task: LiveTask): void {
    if (task.isTerminal) return;
    if (task.snapshot.queue) this.update(task, { queue: undefined, statusMessage: STARTED_MESSAGE });
    const { options } = task;
    const context = task.runContext();
    task.startBudget();
    // Start on the next tick so the creation result goes out before any work-driven change.
    setImmediate(() => {
      if (task.isTerminal || task.runsElsewhere) return;
      Promise.resolve()
        .then(() => options.run(context))
        .then(
          (value) => {
            if (task.runsElsewhere) return;
            const { status, message } = options.settle(value);
            this.finish(task, status, { kind: 'result', result: value }, message);
          },
          (error: unknown) => {
            if (!task.runsElsewhere) this.finishWithError(task, error);
          },
        );
    });
  }

  /** Applies new concurrency limits at once; raising one starts queued work straight away. */
  configureScheduler(limits: SchedulerLimits): void {
    this.queue.scheduler.configure(limits);
  }

  /**
   * Editor privilege: changes any task's priority. A queued task moves at once (and every task
   * whose place changes is reported); a running or finished one keeps its place.
   */
  setPriority(taskId: string, priority: number): EngineTask {
    const task = this.table.findAny(taskId);
    if (!task) throw new TaskNotFoundError(taskId);
    const clamped = clampPriority(priority);
    if (clamped !== task.snapshot.priority) {
      this.update(task, { priority: clamped });
      this.queue.scheduler.setPriority(taskId, clamped);
    }
    return task.snapshot;
  }

  /** Editor privilege: any owner's task, or undefined when unknown or expired. */
  peek(taskId: string): EngineTask | undefined {
    return this.table.findAny(taskId)?.snapshot;
  }

  /** Editor privilege: every live task of every owner, oldest first. */
  all(): EngineTask[] {
    return this.table.live();
  }

  /** Editor privilege: cancels any owner's task; a queued one leaves the queue at once. */
  cancelAny(taskId: string, message?: string): EngineTask {
    const task = this.table.findAny(taskId);
    if (!task) throw new TaskNotFoundError(taskId);
    return this.cancel(task.snapshot.owner, taskId, message);
  }

  /** The tasks started on behalf of this one. */
  childrenOf(taskId: string): EngineTask[] {
    return this.all().filter((task) => task.parentTaskId === taskId);
  }

  /** Whether `owner` sees `task` through the wires (taskTable.ts `sees`): for what follows changes rather than looking tasks up. */
  sees(owner: string, task: EngineTask): boolean {
    return this.table.sees(owner, task);
  }

  /** The owner's task, or undefined (unknown, expired, or another owner's: the same answer). */
  peekOwned(owner: string, taskId: string): EngineTask | undefined {
    return this.table.findOwned(owner, taskId)?.snapshot;
  }

  get(owner: string, taskId: string): EngineTask {
    return this.table.requireOwned(owner, taskId).snapshot;
  }

  /** Resolves once the task is terminal; rejects if it disappears or `signal` aborts. */
  async waitForTerminal(owner: string, taskId: string, signal?: AbortSignal): Promise<EngineTask> {
    for (;;) {
      const task = this.get(owner, taskId);
      if (isTerminal(task.status)) return task;
      await this.waiters.next(taskId, signal);
    }
  }

  /** The owner's tasks as a tool that reads them sees them (ownTasks.ts). */
  ownedBy(owner: string): OwnTasks {
    return ownTasksOf(owner, this, this.table, this.outputs);
  }

  /** How many tasks callers are parked on in `waitForTerminal` now (a cancelled wait leaves nothing behind). */
  get parkedWaiters(): number {
    return this.waiters.size;
  }

  /** One page of `owner`'s tasks, oldest first; the cursor is opaque to callers and good only for this owner on this engine. */
  list(owner: string, cursor?: string): { tasks: EngineTask[]; nextCursor?: string } {
    return this.table.page(owner, cursor);
  }

  /** Marks the task cancelled before returning and stops its work. Terminal tasks are refused. */
  cancel(owner: string, taskId: string, message = 'Cancelled by request'): EngineTask {
    const task = this.table.requireOwned(owner, taskId);
    if (task.isTerminal) throw new TaskTerminalError(taskId, task.snapshot.status);
    this.finish(task, 'cancelled', undefined, message);
    task.stop(new TaskCancelledError());
    return task.snapshot;
  }

  /** Delivers an answer to an open question. Unknown or already answered keys are ignored. */
  answerInput(owner: string, taskId: string, key: string, response: unknown): boolean {
    return this.table.requireOwned(owner, taskId).answerInput(key, response);
  }

  /** Fails an open question (e.g. the requestor could not be asked). */
  failInput(taskId: string, key: string, error: Error): void {
    this.table.raw(taskId)?.failInput(key, error);
  }

  /** Once a second: keeps unfinished work alive, and removes finished tasks whose retention ran out (they then answer "not found"). */
  sweepExpired(): number {
    return this.sweep.run();
  }

  private finish(task: LiveTask, status: 'completed' | 'failed' | 'cancelled', outcome: TaskOutcome | undefined, message?: string): void {
    // Terminal states are absorbing: a late result after cancel is dropped (T-S-20).
    if (task.isTerminal) return;
    // Retention counts from the end of the work.
    const ttl = this.retention.ttlAtEnd(task.snapshot, task.retention);
    this.update(task, { status, statusMessage: message, outcome, inputRequests: new Map(), queue: undefined, ttl });
    this.release(task);
  }

  /** What an ended task held: its budget, its idempotency key, its open questions, its slot or queue place. */
  private release(task: LiveTask): void {
    task.endBudget();
    // The key is free again: the next start with it is new work.
    this.keys.release(task.snapshot.taskId);
    task.rejectInputs();
    // Frees its slot or queue place, and lets what waited for it run (or fail with it).
    this.queue.scheduler.ended(task.snapshot.taskId, task.snapshot.status === 'completed');
  }

  private finishWithError(task: LiveTask, error: unknown): void {
    const reason = task.abort.signal.reason;
    if (reason instanceof TimeBudgetError && (error === reason || error instanceof TimeBudgetError)) return this.failWithText(task, reason.message);
    const rpc = toJsonRpcError(error);
    this.finish(task, 'failed', { kind: 'error', error: rpc }, rpc.message);
  }

  /** A failure of the work, not of the protocol: the task fails with a tool error result that says why. */
  private failWithText(task: LiveTask, message: string): void {
    this.finish(task, 'failed', { kind: 'result', result: { content: [{ type: 'text', text: message }], isError: true } }, message);
  }

  private update(task: LiveTask, change: Partial<EngineTask>, at = this.iso()): void {
    if (!('queue' in change)) this.queue.placeNow(task);
    this.announce(task, changedSnapshot(task.snapshot, change, at));
  }

  private announce(task: LiveTask, snapshot: EngineTask): void {
    task.snapshot = snapshot;
    this._onDidChange.fire(snapshot);
    if (task.isTerminal) this.waiters.wake(snapshot.taskId);
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}
