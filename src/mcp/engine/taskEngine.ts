import { randomUUID } from 'node:crypto';
import { Emitter, type Event } from '../../core/events';
import { Disposable, toDisposable } from '../../core/lifecycle';
import type { Wire } from '../wires/wire';
import type { Agent, JsonRpcErrorObject } from '../../core/taskRecord';
import { MAX_PRIORITY, MIN_PRIORITY } from '../../core/taskRecord';
import { type TaskStatus, isTerminal } from '../../core/taskStatus';
import { RpcCode, RpcError, toJsonRpcError } from '../rpcError';
import { type QueuePlace, Scheduler, type SchedulerLimits, UNLIMITED, describePlace, shortTaskId } from './scheduler';

/** The receiver-side view of a task, independent of the wire that carries it. */
export interface EngineTask {
  readonly taskId: string;
  readonly owner: string;
  readonly tool: string;
  readonly status: TaskStatus;
  readonly statusMessage?: string;
  readonly createdAt: string;
  readonly lastUpdatedAt: string;
  /** Granted retention in ms from creation; null = unlimited. */
  readonly ttl: number | null;
  readonly pollInterval: number;
  readonly outcome?: TaskOutcome;
  /** Questions waiting for the requestor, by key; keys are never reused within a task. */
  readonly inputRequests: ReadonlyMap<string, InputRequest>;
  /** The task wire that created the task, when the adapter said so. */
  readonly wire?: Wire;
  /** The client that asked for it (name and version from its handshake) and how it connected. */
  readonly agent?: Agent;
  /** The tool's arguments, so the host can show and re-run the work. */
  readonly arguments?: Record<string, unknown>;
  /** The task this one was started on behalf of (same owner). */
  readonly parentTaskId?: string;
  /** Higher runs first when work is queued; 0 when not given. */
  readonly priority?: number;
  /** Set while the task waits in the scheduler (status stays `working`). */
  readonly queue?: { readonly position: number; readonly size: number };
  /** The request's `_meta` as the client sent it, so the host can keep the task's metadata (intent, tags, custom keys…). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

export type TaskOutcome =
  { readonly kind: 'result'; readonly result: Record<string, unknown> } | { readonly kind: 'error'; readonly error: JsonRpcErrorObject };

export interface InputRequest {
  readonly method: string;
  readonly params: Record<string, unknown>;
}

export interface RunContext {
  readonly taskId: string;
  readonly signal: AbortSignal;
  status(message: string): void;
  /** Live output of the work, for hosts that show it (the wires relay it themselves, if at all). */
  output(chunk: string): void;
  /** Asks the requestor; the task is `input_required` while any question is open. */
  requestInput(request: InputRequest): Promise<unknown>;
}

export interface StartOptions {
  readonly owner: string;
  readonly tool: string;
  /** The wire the task was created on; recorded on the snapshot. */
  readonly wire?: Wire;
  readonly agent?: Agent;
  readonly arguments?: Record<string, unknown>;
  /** The request's `_meta`, kept on the task as given. */
  readonly meta?: Record<string, unknown>;
  readonly parentTaskId?: string;
  readonly priority?: number;
  /** Scheduling hints: not before this time (epoch ms), not before that task (same owner) is terminal. */
  readonly runAfter?: number;
  readonly afterTaskId?: string;
  /** Requested retention; clamped to the engine's maximum. */
  readonly ttl?: number;
  readonly timeBudgetMs?: number;
  /** Called when a question opens, so the wire can deliver it (2025-11-25 sends a request; the extension waits for a poll). */
  readonly deliverInput?: (taskId: string, key: string, request: InputRequest) => void;
  /** Maps the work's settled value to a terminal state and outcome (the wires disagree about `isError`). */
  readonly settle: (value: Record<string, unknown>) => { status: 'completed' | 'failed'; message?: string };
  readonly run: (context: RunContext) => Promise<Record<string, unknown>>;
}

export interface EngineOptions {
  readonly now?: () => number;
  /** Retention granted when none is requested; null or Infinity: unlimited. */
  readonly defaultTtlMs?: number | null;
  /** Upper bound on granted retention; null or Infinity: none. */
  readonly maxTtlMs?: number | null;
  readonly pollIntervalMs?: number;
  readonly pageSize?: number;
  /** Concurrency limits; unlimited when not given. */
  readonly scheduler?: SchedulerLimits;
}

/** The client name recorded when a client did not name itself. */
export const UNKNOWN_CLIENT = 'unknown client';

export { MAX_PRIORITY, MIN_PRIORITY };

export class TaskNotFoundError extends Error {
  override readonly name = 'TaskNotFoundError';
  constructor(readonly taskId: string) {
    super(`Task not found: ${taskId}`);
  }
}

export class TaskTerminalError extends Error {
  override readonly name = 'TaskTerminalError';
  constructor(
    readonly taskId: string,
    readonly status: TaskStatus,
  ) {
    super(`Task ${taskId} is already ${status} and cannot be cancelled`);
  }
}

export class TimeBudgetError extends Error {
  override readonly name = 'TimeBudgetError';
  constructor(readonly budgetMs: number) {
    super(`Ran out of its time budget of ${budgetMs} ms`);
  }
}

export class TaskCancelledError extends Error {
  override readonly name = 'TaskCancelledError';
  constructor() {
    super('Task was cancelled');
  }
}

export class InvalidTaskCursorError extends Error {
  override readonly name = 'InvalidTaskCursorError';
  constructor() {
    super('Invalid cursor');
  }
}

interface OpenInput {
  readonly request: InputRequest;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

interface LiveTask {
  snapshot: EngineTask;
  readonly sequence: number;
  readonly abort: AbortController;
  readonly open: Map<string, OpenInput>;
  nextInputKey: number;
  budgetTimer?: ReturnType<typeof setTimeout>;
  readonly options: StartOptions;
}

export const DEFAULT_TTL_MS = 60 * 60 * 1000;
export const MAX_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_POLL_INTERVAL_MS = 1000;

/**
 * Runs task work and owns its state on the receiving side. Both task wires are adapters over
 * this: they translate requests into `start`/`get`/`waitForTerminal`/`list`/`cancel`/`answerInput`
 * and translate `onDidChange` into their notifications. Every lookup is scoped by `owner` (the
 * caller's authorization context): another owner's task is reported as not found.
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

  private readonly tasks = new Map<string, LiveTask>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private sequence = 0;
  private sweepTimer: ReturnType<typeof setInterval>;
  private readonly now: () => number;
  readonly defaultTtlMs: number | null;
  readonly maxTtlMs: number | null;
  readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly scheduler: Scheduler;

  constructor(options: EngineOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
    this.defaultTtlMs = finiteOrNull(options.defaultTtlMs === undefined ? DEFAULT_TTL_MS : options.defaultTtlMs);
    this.maxTtlMs = finiteOrNull(options.maxTtlMs === undefined ? MAX_TTL_MS : options.maxTtlMs);
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.pageSize = options.pageSize ?? 50;
    this.scheduler = new Scheduler(
      {
        start: (id) => {
          const task = this.tasks.get(id);
          if (task) this.launch(task);
        },
        placesChanged: (places) => this.showPlaces(places),
        prerequisiteFailed: (id, afterTaskId) => {
          const task = this.tasks.get(id);
          if (task) this.failPrerequisite(task, afterTaskId, this.tasks.get(afterTaskId)?.snapshot.status ?? 'failed');
        },
        now: () => this.now(),
        setTimer: (callback, ms) => {
          const timer = setTimeout(callback, ms);
          timer.unref?.();
          return timer;
        },
        clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      },
      options.scheduler ?? UNLIMITED,
    );
    this.sweepTimer = setInterval(() => this.sweepExpired(), 1000);
    this.sweepTimer.unref?.();
    this._register(
      toDisposable(() => {
        clearInterval(this.sweepTimer);
        for (const task of this.tasks.values()) this.stop(task, new TaskCancelledError());
        this.scheduler.dispose();
      }),
    );
  }

  /**
   * Creates the task (visible to `get` before this returns) and hands it to the scheduler, which
   * starts its work at once when a slot is free and the scheduling hints allow, or queues it.
   * An `afterTaskId` that is not one of the owner's tasks is refused with -32602.
   */
  start(options: StartOptions): EngineTask {
    const after = options.afterTaskId === undefined ? undefined : this.findOwned(options.owner, options.afterTaskId);
    if (options.afterTaskId !== undefined && !after) {
      throw new RpcError(RpcCode.InvalidParams, `Cannot run after task ${options.afterTaskId}: no such task (unknown, expired, or not yours)`);
    }
    const parent = options.parentTaskId === undefined ? undefined : this.findOwned(options.owner, options.parentTaskId);
    const at = this.iso();
    const taskId = randomUUID();
    const ttl = this.grantTtl(options.ttl);
    const task: LiveTask = {
      snapshot: {
        taskId,
        owner: options.owner,
        tool: options.tool,
        status: 'working',
        createdAt: at,
        lastUpdatedAt: at,
        ttl,
        pollInterval: this.pollIntervalMs,
        inputRequests: new Map(),
        priority: clampPriority(options.priority ?? 0),
        ...(options.wire ? { wire: options.wire } : {}),
        ...(options.agent ? { agent: options.agent } : {}),
        ...(options.arguments ? { arguments: options.arguments } : {}),
        ...(options.meta ? { meta: { ...options.meta } } : {}),
        // A parent of another owner is silently dropped: its existence must not leak.
        ...(parent ? { parentTaskId: parent.snapshot.taskId } : {}),
      },
      sequence: ++this.sequence,
      abort: new AbortController(),
      open: new Map(),
      nextInputKey: 1,
      options,
    };
    this.tasks.set(taskId, task);
    this._onDidCreate.fire(task.snapshot);
    if (after && isTerminal(after.snapshot.status) && after.snapshot.status !== 'completed') {
      // Decided already, but the creation result goes out first, as for any other change.
      const afterId = after.snapshot.taskId;
      setImmediate(() => this.failPrerequisite(task, afterId, after.snapshot.status));
      return task.snapshot;
    }
    this.scheduler.submit({
      id: taskId,
      tool: options.tool,
      priority: task.snapshot.priority ?? 0,
      runAfter: options.runAfter,
      afterTaskId: after && !isTerminal(after.snapshot.status) ? after.snapshot.taskId : undefined,
    });
    return task.snapshot;
  }

  /** The scheduler granted a slot: the time budget starts counting now, and the work on the next tick. */
  private launch(task: LiveTask): void {
    if (isTerminal(task.snapshot.status)) return;
    if (task.snapshot.queue) this.update(task, { queue: undefined, statusMessage: 'Started' });
    const { options } = task;
    const context: RunContext = {
      taskId: task.snapshot.taskId,
      signal: task.abort.signal,
      status: (message) => this.transition(task, task.snapshot.status, message),
      output: (chunk) => {
        if (!isTerminal(task.snapshot.status)) this._onDidOutput.fire({ taskId: task.snapshot.taskId, chunk });
      },
      requestInput: (request) => this.openInput(task, request, options.deliverInput),
    };
    if (options.timeBudgetMs) {
      const budget = options.timeBudgetMs;
      task.budgetTimer = setTimeout(() => task.abort.abort(new TimeBudgetError(budget)), budget);
    }
    // Start on the next tick so the creation result goes out before any work-driven change.
    setImmediate(() => {
      if (isTerminal(task.snapshot.status)) return;
      Promise.resolve()
        .then(() => options.run(context))
        .then(
          (value) => {
            const { status, message } = options.settle(value);
            this.finish(task, status, { kind: 'result', result: value }, message);
          },
          (error: unknown) => this.finishWithError(task, error),
        );
    });
  }

  /**
   * Shows each waiting task's place. Only a task whose position (or what it waits for) changed
   * is reported: when the queue merely grows or shrinks behind it, every task would otherwise be
   * reported on every arrival, n² changes for n queued tasks. Its snapshot still gets the new size.
   */
  private showPlaces(places: ReadonlyMap<string, QueuePlace>): void {
    // One moment for the whole batch: they all moved at once (and formatting dates is the cost here).
    const at = this.iso();
    for (const [taskId, place] of places) {
      const task = this.tasks.get(taskId);
      if (!task || isTerminal(task.snapshot.status)) continue;
      const change = { queue: { position: place.position, size: place.size }, statusMessage: describePlace(place) };
      const previous = task.snapshot.queue;
      const onlySizeChanged =
        previous !== undefined && previous.position === place.position && task.snapshot.statusMessage === describePlace({ ...place, size: previous.size });
      if (onlySizeChanged) task.snapshot = { ...task.snapshot, ...change, lastUpdatedAt: at };
      else this.update(task, change, at);
    }
  }

  private failPrerequisite(task: LiveTask, afterTaskId: string, status: TaskStatus): void {
    const message = `Did not run: task ${shortTaskId(afterTaskId)}, which it was to run after, ${status === 'cancelled' ? 'was cancelled' : 'failed'}`;
    this.finish(task, 'failed', { kind: 'result', result: { content: [{ type: 'text', text: message }], isError: true } }, message);
  }

  /** Applies new concurrency limits at once; raising one starts queued work straight away. */
  configureScheduler(limits: SchedulerLimits): void {
    this.scheduler.configure(limits);
  }

  /**
   * Editor privilege: changes any task's priority. A queued task moves at once (and every task
   * whose place changes is reported); a running or finished one keeps its place.
   */
  setPriority(taskId: string, priority: number): EngineTask {
    const task = this.findAny(taskId);
    if (!task) throw new TaskNotFoundError(taskId);
    const clamped = clampPriority(priority);
    if (clamped !== task.snapshot.priority) {
      this.update(task, { priority: clamped });
      this.scheduler.setPriority(taskId, clamped);
    }
    return task.snapshot;
  }

  /** Editor privilege: any owner's task, or undefined when unknown or expired. */
  peek(taskId: string): EngineTask | undefined {
    return this.findAny(taskId)?.snapshot;
  }

  /** Editor privilege: every live task of every owner, oldest first. */
  all(): EngineTask[] {
    return [...this.tasks.values()].filter((task) => !this.isExpired(task.snapshot)).map((task) => task.snapshot);
  }

  /** Editor privilege: cancels any owner's task; a queued one leaves the queue at once. */
  cancelAny(taskId: string, message?: string): EngineTask {
    const task = this.findAny(taskId);
    if (!task) throw new TaskNotFoundError(taskId);
    return this.cancel(task.snapshot.owner, taskId, message);
  }

  /** The tasks started on behalf of this one. */
  childrenOf(taskId: string): EngineTask[] {
    return this.all().filter((task) => task.parentTaskId === taskId);
  }

  private findAny(taskId: string): LiveTask | undefined {
    const task = this.tasks.get(taskId);
    return task && !this.isExpired(task.snapshot) ? task : undefined;
  }

  private findOwned(owner: string, taskId: string): LiveTask | undefined {
    const task = this.findAny(taskId);
    return task && task.snapshot.owner === owner ? task : undefined;
  }

  private requireOwned(owner: string, taskId: string): LiveTask {
    const task = this.findOwned(owner, taskId);
    if (!task) throw new TaskNotFoundError(taskId);
    return task;
  }

  /** The owner's task, or undefined (unknown, expired, or another owner's: the same answer). */
  peekOwned(owner: string, taskId: string): EngineTask | undefined {
    return this.findOwned(owner, taskId)?.snapshot;
  }

  /** The retention granted for a request: at least 1 s, at most the maximum; null when unlimited. */
  grantTtl(requested: number | undefined): number | null {
    const wanted = requested === undefined ? this.defaultTtlMs : Math.max(requested, 1000);
    if (wanted === null) return this.maxTtlMs;
    return this.maxTtlMs === null ? wanted : Math.min(wanted, this.maxTtlMs);
  }

  get(owner: string, taskId: string): EngineTask {
    return this.requireOwned(owner, taskId).snapshot;
  }

  /** Resolves once the task is terminal; rejects if it disappears or `signal` aborts. */
  async waitForTerminal(owner: string, taskId: string, signal?: AbortSignal): Promise<EngineTask> {
    for (;;) {
      const task = this.get(owner, taskId);
      if (isTerminal(task.status)) return task;
      await new Promise<void>((resolve, reject) => {
        const set = this.waiters.get(taskId) ?? new Set();
        this.waiters.set(taskId, set);
        const wake = () => {
          set.delete(wake);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          set.delete(wake);
          reject(signal?.reason ?? new Error('aborted'));
        };
        set.add(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  /** One page of `owner`'s tasks, oldest first; the cursor is opaque to callers. */
  list(owner: string, cursor?: string): { tasks: EngineTask[]; nextCursor?: string } {
    const after = cursor === undefined ? 0 : decodeSequenceCursor(cursor);
    const page: LiveTask[] = [];
    let more = false;
    for (const task of this.tasks.values()) {
      if (task.sequence <= after || task.snapshot.owner !== owner || this.isExpired(task.snapshot)) continue;
      if (page.length === this.pageSize) {
        more = true;
        break;
      }
      page.push(task);
    }
    const last = page[page.length - 1];
    return { tasks: page.map((t) => t.snapshot), nextCursor: more && last ? encodeSequenceCursor(last.sequence) : undefined };
  }

  /** Marks the task cancelled before returning and stops its work. Terminal tasks are refused. */
  cancel(owner: string, taskId: string, message = 'Cancelled by request'): EngineTask {
    const task = this.requireOwned(owner, taskId);
    if (isTerminal(task.snapshot.status)) throw new TaskTerminalError(taskId, task.snapshot.status);
    this.finish(task, 'cancelled', undefined, message);
    this.stop(task, new TaskCancelledError());
    return task.snapshot;
  }

  /** Delivers an answer to an open question. Unknown or already answered keys are ignored. */
  answerInput(owner: string, taskId: string, key: string, response: unknown): boolean {
    const task = this.requireOwned(owner, taskId);
    const open = task.open.get(key);
    if (!open) return false;
    task.open.delete(key);
    this.syncInputs(task);
    open.resolve(response);
    return true;
  }

  /** Fails an open question (e.g. the requestor could not be asked). */
  failInput(taskId: string, key: string, error: Error): void {
    const task = this.tasks.get(taskId);
    const open = task?.open.get(key);
    if (!task || !open) return;
    task.open.delete(key);
    this.syncInputs(task);
    open.reject(error);
  }

  /** Removes tasks whose TTL ran out; they then answer "not found". */
  sweepExpired(): number {
    let removed = 0;
    for (const [id, task] of this.tasks) {
      if (this.isExpired(task.snapshot)) {
        this.stop(task, new TaskCancelledError());
        this.tasks.delete(id);
        this.scheduler.ended(id, task.snapshot.status === 'completed');
        this.wake(id);
        removed++;
      }
    }
    return removed;
  }

  private openInput(task: LiveTask, request: InputRequest, deliver: StartOptions['deliverInput']): Promise<unknown> {
    if (isTerminal(task.snapshot.status)) return Promise.reject(new TaskCancelledError());
    const key = `input-${task.nextInputKey++}`;
    return new Promise((resolve, reject) => {
      task.open.set(key, { request, resolve, reject });
      this.syncInputs(task);
      deliver?.(task.snapshot.taskId, key, request);
    });
  }

  private syncInputs(task: LiveTask): void {
    if (isTerminal(task.snapshot.status)) return;
    const inputRequests = new Map([...task.open].map(([key, open]) => [key, open.request]));
    const status: TaskStatus = inputRequests.size > 0 ? 'input_required' : 'working';
    const message =
      status === 'input_required' ? 'Waiting for input' : task.snapshot.status === 'input_required' ? 'Input received' : task.snapshot.statusMessage;
    this.update(task, { status, statusMessage: message, inputRequests });
  }

  private transition(task: LiveTask, status: TaskStatus, message?: string): void {
    if (isTerminal(task.snapshot.status)) return;
    this.update(task, { status, statusMessage: message });
  }

  private finish(task: LiveTask, status: 'completed' | 'failed' | 'cancelled', outcome: TaskOutcome | undefined, message?: string): void {
    // Terminal states are absorbing: a late result after cancel is dropped (T-S-20).
    if (isTerminal(task.snapshot.status)) return;
    clearTimeout(task.budgetTimer);
    this.update(task, { status, statusMessage: message, outcome, inputRequests: new Map(), queue: undefined });
    for (const open of task.open.values()) open.reject(new TaskCancelledError());
    task.open.clear();
    // Frees its slot or queue place, and lets what waited for it run (or fail with it).
    this.scheduler.ended(task.snapshot.taskId, status === 'completed');
  }

  private finishWithError(task: LiveTask, error: unknown): void {
    const reason = task.abort.signal.reason;
    if (reason instanceof TimeBudgetError && (error === reason || error instanceof TimeBudgetError)) {
      this.finish(task, 'failed', { kind: 'result', result: { content: [{ type: 'text', text: reason.message }], isError: true } }, reason.message);
      return;
    }
    const rpc = toJsonRpcError(error);
    this.finish(task, 'failed', { kind: 'error', error: rpc }, rpc.message);
  }

  private stop(task: LiveTask, reason: Error): void {
    clearTimeout(task.budgetTimer);
    if (!task.abort.signal.aborted) task.abort.abort(reason);
  }

  private update(task: LiveTask, change: Partial<EngineTask>, at = this.iso()): void {
    const next: { -readonly [K in keyof EngineTask]: EngineTask[K] } = { ...task.snapshot, ...change, lastUpdatedAt: at };
    // Absent, not undefined: snapshots are spread into wire objects and compared.
    if (next.queue === undefined) delete next.queue;
    task.snapshot = next;
    this._onDidChange.fire(task.snapshot);
    if (isTerminal(task.snapshot.status)) this.wake(task.snapshot.taskId);
  }

  private wake(taskId: string): void {
    const set = this.waiters.get(taskId);
    if (!set) return;
    this.waiters.delete(taskId);
    for (const wake of set) wake();
  }

  private isExpired(task: EngineTask): boolean {
    return task.ttl !== null && Date.parse(task.createdAt) + task.ttl <= this.now();
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}

function clampPriority(priority: number): number {
  return Math.max(MIN_PRIORITY, Math.min(MAX_PRIORITY, Math.round(priority)));
}

function finiteOrNull(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : value;
}

function encodeSequenceCursor(sequence: number): string {
  return Buffer.from(`tl:${sequence}`).toString('base64url');
}

function decodeSequenceCursor(cursor: string): number {
  const match = /^tl:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || encodeSequenceCursor(Number(match[1])) !== cursor) throw new InvalidTaskCursorError();
  return Number(match[1]);
}
