import { randomUUID } from 'node:crypto';
import { Emitter, type Event } from './events';
import { Disposable, type IDisposable } from './lifecycle';
import { ExpiryAlarm, expiryOf } from './expiryAlarm';
import type { JournalRecovery } from './journal';
import type { LifecycleEvent } from './lifecycleEvents';
import {
  type JsonRpcErrorObject,
  type PendingInput,
  type TaskRecord,
  TaskRecordSchema,
  type TaskSpecInput,
  type TimelineEntry,
  parseOrThrow,
  parseTaskSpec,
  type NewTaskInit,
  newTaskRecord,
} from './taskRecord';
import { type TaskStatus, canTransition, isTerminal } from './taskStatus';
import { asImported } from './taskExport';
import { appendOutputTail, boundTimeline } from './recordLimits';
import type { StoreJournal, StoreJournalEntry } from './storeJournal';
import type { ResultReader } from './taskResult';
import { StoreOpening } from './storeOpening';
import { StoreResults } from './storeResults';
import { IllegalTransitionError, StoreLoadingError, type TaskPatch, type TaskStoreOptions, UnknownTaskError } from './storeTerms';

export { type TaskStoreOptions, type TaskPatch, STORE_LOADING_MESSAGE, StoreLoadingError, UnknownTaskError, IllegalTransitionError } from './storeTerms';

/** The store as views read it: records and their lifecycle events, never a write (writes go through `TaskActions`). */
export type TaskReader = Pick<TaskStore, 'get' | 'require' | 'all' | 'size' | 'onDidLifecycle' | 'readResult' | 'isOpen' | 'whenOpen' | 'afterOpen'>;

/**
 * The host's single source of truth for tasks: every view reads from here and listens to
 * `onDidLifecycle`. Records are immutable snapshots: each change replaces the object, so a
 * reference a caller holds never changes under it. With a directory, every change is also
 * journalled to disk (storeJournal.ts); large results go to side files (storeResults.ts).
 *
 * Opened later (`openLater`), the store starts empty and takes changes at once: a task created
 * before `open()` is announced as usual, kept through the open and written to disk by it. `open()`
 * reads the records, announces `opened`, then runs what waits for the whole store (`afterOpen`:
 * re-attaching unfinished tasks, retention), and only then settles `whenOpen()`.
 */
export class TaskStore extends Disposable implements ResultReader {
  private readonly _onDidLifecycle = this._register(new Emitter<LifecycleEvent>());
  readonly onDidLifecycle: Event<LifecycleEvent> = this._onDidLifecycle.event;

  private readonly records = new Map<string, TaskRecord>();
  /** Ids newest first; createdAt never changes, so only creation and removal invalidate it. */
  private sortedIds: string[] | undefined;
  private journal: StoreJournal | undefined;
  private readonly opening: StoreOpening;
  private readonly results: StoreResults;
  private readonly expiry: ExpiryAlarm;
  private readonly now: () => number;
  private _recovery: JournalRecovery = { badLines: 0, tornTail: false };

  constructor(private readonly options: TaskStoreOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
    const problem = (message: string, error?: Error) => this.problem(message, error);
    this.opening = new StoreOpening(options.directory, problem);
    this.results = new StoreResults(options.resultSideFileBytes, problem);
    this.expiry = this._register(
      new ExpiryAlarm(
        () => this.now(),
        () => this.sweepExpired(),
      ),
    );
    if (!options.openLater) {
      this.readRecords();
      this.opening.finish();
    }
  }

  /** What reading the file found wrong and recovered from (nothing until the store is open). */
  get recovery(): JournalRecovery {
    return this._recovery;
  }

  /** Whether the store has read its records (always, unless it was created with `openLater`). */
  get isOpen(): boolean {
    return this.opening.isOpen;
  }

  /** Settles once the store is open and what waited for it (`afterOpen`) has run; never rejects. */
  whenOpen(): Promise<void> {
    return this.opening.whenOpen();
  }

  /**
   * Runs `run` once the store is open: at once if it is, else right after `opened` is announced
   * and before `whenOpen()` settles, so nothing else can act on the store in between. Disposing
   * the result before then cancels it.
   */
  afterOpen(run: () => void): IDisposable {
    return this.opening.afterOpen(run);
  }

  /**
   * Reads the records from disk (a store created with `openLater`), keeping every change made
   * since construction, and announces `opened`. A file that cannot be read leaves the store in
   * memory only, and it opens all the same. Calling it again does nothing.
   */
  open(): void {
    if (!this.opening.canOpen) return;
    this.readRecords();
    this._onDidLifecycle.fire({ type: 'opened', count: this.records.size });
    this.opening.finish();
  }

  get size(): number {
    return this.records.size;
  }

  get(id: string): TaskRecord | undefined {
    return this.records.get(id);
  }

  require(id: string): TaskRecord {
    const record = this.records.get(id);
    if (!record) throw new UnknownTaskError(id);
    return record;
  }

  /** Every record, newest first. */
  all(): readonly TaskRecord[] {
    this.sortedIds ??= [...this.records.values()].sort(newestFirst).map((r) => r.id);
    return this.sortedIds.map((id) => this.records.get(id)!);
  }

  /**
   * The task's whole result, from the record or its side file (taskResult.ts). Throws
   * `ResultUnavailableError`, with a message for people, when a side file is gone or damaged.
   */
  readResult(record: TaskRecord): unknown {
    return this.results.readResult(record);
  }

  /** Records a new task in `working` state. `spec` is validated; bad input throws a readable error. */
  create(spec: TaskSpecInput, init: Partial<NewTaskInit> = {}): TaskRecord {
    const record = newTaskRecord(parseTaskSpec(spec), { ...init, id: init.id ?? randomUUID() }, this.isoNow());
    if (this.records.has(record.id)) throw new Error(`A task with id "${record.id}" already exists`);
    this.records.set(record.id, record);
    this.sortedIds = undefined;
    this.write({ op: 'put', task: record });
    this._onDidLifecycle.fire({ type: 'created', id: record.id, task: record });
    return record;
  }

  /**
   * Moves a task to `status`, with an optional message. Illegal moves (out of a terminal state)
   * throw; the same status again just updates the message.
   */
  setStatus(id: string, status: TaskStatus, message?: string, at: string = this.isoNow()): TaskRecord {
    const current = this.require(id);
    if (current.status === status && message === current.statusMessage) return current;
    if (!canTransition(current.status, status)) {
      throw new IllegalTransitionError(`Task ${id} is ${current.status} and cannot become ${status}`);
    }
    const entry: TimelineEntry = current.status === status ? { at, message } : { at, status, message };
    const next = this.apply(current, { status, statusMessage: message, lastUpdatedAt: at }, entry);
    if (current.status !== status) {
      this._onDidLifecycle.fire({ type: 'statusChanged', id, from: current.status, to: status, message });
    } else if (message !== undefined) {
      this._onDidLifecycle.fire({ type: 'message', id, message });
    } else {
      // The message was cleared: no message to announce, but the record changed all the same.
      this._onDidLifecycle.fire({ type: 'updated', id });
    }
    return next;
  }

  /**
   * Stores the final outcome and moves to the matching terminal status in one step; `terms` are
   * what the server said last about the task's retention, polling and steps, kept in the same change.
   */
  complete(
    id: string,
    status: 'completed' | 'failed' | 'cancelled',
    outcome: { result?: unknown; error?: JsonRpcErrorObject },
    message?: string,
    terms: Pick<TaskPatch, 'grantedTtl' | 'pollInterval' | 'queue' | 'steps'> = {},
    /** When it ended, if it ended before this editor heard of it (a team task listed finished); else now. */
    at = this.isoNow(),
  ): TaskRecord {
    const current = this.require(id);
    if (!canTransition(current.status, status)) {
      throw new IllegalTransitionError(`Task ${id} is already ${current.status}`);
    }
    // An ended task has no start in flight: whatever its server said last, there is nothing left to look for.
    const noIntent = current.startIntent ? { startIntent: undefined } : {};
    const next = this.apply(
      current,
      {
        ...terms,
        status,
        statusMessage: message,
        lastUpdatedAt: at,
        ...this.results.keep(current, outcome.result),
        error: outcome.error,
        pendingInput: [],
        ...noIntent,
      },
      { at, status, message },
    );
    if (outcome.result !== undefined || outcome.error !== undefined) this._onDidLifecycle.fire({ type: 'resultStored', id });
    this._onDidLifecycle.fire({ type: 'statusChanged', id, from: current.status, to: status, message });
    return next;
  }

  /** The outcome of a finished task recorded without one (`lacksListedOutcome`), fetched later; never replaces an outcome. */
  fillOutcome(id: string, outcome: { result?: unknown; error?: JsonRpcErrorObject }): TaskRecord {
    const current = this.require(id);
    if (!isTerminal(current.status) || current.result !== undefined || current.resultFile !== undefined || current.error !== undefined) return current;
    const next = this.apply(current, { ...this.results.keep(current, outcome.result), error: outcome.error });
    this._onDidLifecycle.fire({ type: 'resultStored', id });
    return next;
  }

  update(id: string, patch: TaskPatch): TaskRecord {
    const next = this.apply(this.require(id), patch);
    this._onDidLifecycle.fire({ type: 'updated', id });
    return next;
  }

  addPendingInput(id: string, input: PendingInput): TaskRecord {
    const current = this.require(id);
    return this.update(id, { pendingInput: [...current.pendingInput.filter((p) => p.key !== input.key), input] });
  }

  removePendingInput(id: string, key: string): TaskRecord {
    const current = this.require(id);
    return this.update(id, { pendingInput: current.pendingInput.filter((p) => p.key !== key) });
  }

  appendOutput(id: string, chunk: string): void {
    const current = this.require(id);
    if (!chunk) return;
    this.replace({ ...current, output: appendOutputTail(current.output, chunk) });
    this.write({ op: 'out', id, chunk });
    this._onDidLifecycle.fire({ type: 'output', id, chunk });
  }

  archive(id: string): TaskRecord {
    const current = this.require(id);
    if (current.archived) return current;
    const next = this.apply(current, { archived: true, archivedAt: this.isoNow() });
    this._onDidLifecycle.fire({ type: 'archived', id });
    return next;
  }

  /** Marks a task kept by the retention policy whatever its age (or lets it go again). */
  setPinned(id: string, pinned: boolean): TaskRecord {
    const current = this.require(id);
    if (current.pinned === pinned) return current;
    const next = this.apply(current, { pinned });
    this._onDidLifecycle.fire({ type: 'updated', id });
    return next;
  }

  unarchive(id: string): TaskRecord {
    const current = this.require(id);
    if (!current.archived) return current;
    const next = this.apply(current, { archived: false, archivedAt: undefined });
    this._onDidLifecycle.fire({ type: 'updated', id });
    return next;
  }

  /**
   * Adds records read from an export, for inspection. All are validated before any is added (a
   * bad one adds none); an id already taken gets a fresh one, and links between the imported
   * records follow. They are marked `imported` and are never followed on any server.
   */
  importRecords(records: readonly unknown[]): TaskRecord[] {
    // Which ids are taken is known only once the records are read.
    if (!this.opening.isOpen) throw new StoreLoadingError();
    const valid = records.map((record, index) => parseOrThrow(TaskRecordSchema, record, `task ${index + 1}`));
    const imported = asImported(valid, (id) => this.records.has(id), randomUUID).map((record) =>
      record.result === undefined ? record : { ...record, ...this.results.keep(record, record.result) },
    );
    for (const record of imported) {
      this.records.set(record.id, record);
      this.write({ op: 'put', task: record });
    }
    this.sortedIds = undefined;
    for (const record of imported) this._onDidLifecycle.fire({ type: 'created', id: record.id, task: record });
    return imported;
  }

  /** Removes many records at once (retention); ids that are already gone are skipped. */
  removeMany(ids: Iterable<string>): number {
    const removed: string[] = [];
    for (const id of ids) {
      const record = this.records.get(id);
      if (!record) continue;
      this.records.delete(id);
      this.results.drop(record);
      removed.push(id);
      this.write({ op: 'del', id });
    }
    // Listeners read the store: every record is gone before the first of them hears of it.
    if (removed.length > 0) this.sortedIds = undefined;
    for (const id of removed) this._onDidLifecycle.fire({ type: 'removed', id });
    return removed.length;
  }

  remove(id: string): void {
    const record = this.require(id);
    this.records.delete(id);
    this.results.drop(record);
    this.sortedIds = undefined;
    this.write({ op: 'del', id });
    this._onDidLifecycle.fire({ type: 'removed', id });
  }

  /**
   * Marks finished records whose granted TTL has run out. They have left the protocol (the server
   * may have deleted them) but stay visible here, with their results, until archived. An unfinished
   * record never expires here (see `expiryOf`).
   */
  sweepExpired(now: number = this.now()): string[] {
    const expired: string[] = [];
    for (const record of this.records.values()) {
      const expiresAt = expiryOf(record);
      if (!record.expired && expiresAt !== undefined && expiresAt <= now) {
        this.update(record.id, { expired: true });
        expired.push(record.id);
      }
    }
    this.expiry.reset(this.records.values());
    return expired;
  }

  /** Writes everything pending to disk now. */
  flush(): void {
    this.journal?.flush();
  }

  /** Rewrites the journal as one entry per task. */
  compact(): void {
    this.journal?.compact();
  }

  override dispose(): void {
    // Tasks created before the store opened are on disk only once it has: open now rather than lose them.
    if (this.opening.hasEarlyWrites) this.readRecords();
    this.journal?.close();
    // Whoever waits for the open is not left hanging: the store they find is closed.
    this.opening.close();
    super.dispose();
  }

  /** Reads the journal into the records (keeping those created before the open; storeOpening.ts), then opens the side files. */
  private readRecords(): void {
    const { journal, recovery } = this.opening.readJournal(this.records, () => this.now());
    this.journal = journal;
    this._recovery = recovery;
    if (journal && this.options.directory) this.results.open(this.options.directory, this.records.values());
    this.sortedIds = undefined;
    this.expiry.reset(this.records.values());
  }

  private apply(current: TaskRecord, set: Partial<TaskRecord>, entry?: TimelineEntry): TaskRecord {
    const next: TaskRecord = { ...current, ...set };
    if (entry) next.timeline = boundTimeline([...current.timeline, entry]);
    this.replace(next);
    // JSON drops undefined values, so a field cleared in memory must be named to stay cleared on reload.
    const unset = Object.keys(set).filter((key) => set[key as keyof TaskRecord] === undefined);
    this.write({ op: 'patch', id: current.id, set, tl: entry, ...(unset.length > 0 ? { unset } : {}) });
    // A finished record starts to count towards its expiry.
    if ('grantedTtl' in set || 'status' in set) this.expiry.consider(next);
    return next;
  }

  private replace(next: TaskRecord): void {
    this.records.set(next.id, next);
  }

  private write(entry: StoreJournalEntry): void {
    if (this.journal) this.journal.append(entry);
    else this.opening.keepEarly(entry);
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  private problem(message: string, error?: Error): void {
    this.options.onProblem?.(message, error);
  }
}

function newestFirst(a: TaskRecord, b: TaskRecord): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
