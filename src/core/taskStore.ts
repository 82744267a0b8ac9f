import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Emitter, type Event } from './events';
import { Disposable, toDisposable } from './lifecycle';
import { Journal, type JournalRecovery } from './journal';
import type { LifecycleEvent } from './lifecycleEvents';
import {
  type JsonRpcErrorObject,
  type PendingInput,
  type TaskRecord,
  TaskRecordSchema,
  type TaskSpecInput,
  TaskSpecSchema,
  type TimelineEntry,
  parseOrThrow,
} from './taskRecord';
import { type TaskStatus, canTransition } from './taskStatus';
import { asImported } from './taskExport';
import { appendOutputTail, boundTimeline } from './recordLimits';

export const STORE_FILE = 'tasks.jsonl';

export interface TaskStoreOptions {
  /** Directory to persist into; without one the store lives in memory only. */
  readonly directory?: string;
  readonly now?: () => number;
  /** Told about anything the user should know: a recovered file, a failing disk. */
  readonly onProblem?: (message: string, error?: Error) => void;
}

/** Fields a caller may change besides status, output and results, which have their own methods. */
export type TaskPatch = Partial<
  Pick<
    TaskRecord,
    'taskId' | 'wire' | 'statusMessage' | 'grantedTtl' | 'pollInterval' | 'retriedAs' | 'pendingInput' | 'expired' | 'tags' | 'priority' | 'queue'
  >
>;

type JournalEntry =
  | { op: 'put'; task: TaskRecord }
  | { op: 'patch'; id: string; set: Partial<TaskRecord>; tl?: TimelineEntry; unset?: string[] }
  | { op: 'out'; id: string; chunk: string }
  | { op: 'del'; id: string };

export class UnknownTaskError extends Error {
  override readonly name = 'UnknownTaskError';
  constructor(readonly id: string) {
    super(`No task with id "${id}"`);
  }
}

export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
}

/**
 * The host's single source of truth for tasks: every view reads from here and listens to
 * `onDidLifecycle`. Records are immutable snapshots: each change replaces the object, so a
 * reference a caller holds never changes under it.
 */
/** The store as views read it: records and their lifecycle events, never a write (writes go through `TaskActions`). */
export type TaskReader = Pick<TaskStore, 'get' | 'require' | 'all' | 'size' | 'onDidLifecycle'>;

export class TaskStore extends Disposable {
  private readonly _onDidLifecycle = this._register(new Emitter<LifecycleEvent>());
  readonly onDidLifecycle: Event<LifecycleEvent> = this._onDidLifecycle.event;

  private readonly records = new Map<string, TaskRecord>();
  /** Ids newest first; createdAt never changes, so only creation and removal invalidate it. */
  private sortedIds: string[] | undefined;
  private readonly journal: Journal | undefined;
  private compactedSize = 0;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the armed expiry timer fires (Infinity: none armed). */
  private expiryDueAt = Infinity;
  private readonly now: () => number;
  readonly recovery: JournalRecovery = { badLines: 0, tornTail: false };

  constructor(private readonly options: TaskStoreOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
    if (options.directory) {
      this.journal = new Journal(
        path.join(options.directory, STORE_FILE),
        (error) => this.problem(`Tasklane could not save task changes to ${options.directory}: ${error.message}. Changes are kept in memory.`, error),
        () => this.entriesForSnapshot(),
      );
      try {
        this.recovery = this.load(this.journal);
      } catch (error) {
        // An unreadable store must not stop the extension, nor be overwritten: run in memory only.
        this.journal = undefined;
        this.problem(
          `Tasklane could not read its task store in ${options.directory}: ${(error as Error).message}. Tasks are kept in memory only.`,
          error as Error,
        );
      }
    }
    this._register(toDisposable(() => clearTimeout(this.expiryTimer)));
    this.scheduleExpirySweep();
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

  /** Records a new task in `working` state. `spec` is validated; bad input throws a readable error. */
  create(
    spec: TaskSpecInput,
    init: { id?: string; taskId?: string; wire?: TaskRecord['wire']; statusMessage?: string; attempt?: number; retryOf?: string } = {},
  ): TaskRecord {
    const valid = parseOrThrow(TaskSpecSchema, spec, 'task');
    const at = this.isoNow();
    const record: TaskRecord = {
      ...valid,
      id: init.id ?? randomUUID(),
      taskId: init.taskId,
      wire: init.wire,
      status: 'working',
      statusMessage: init.statusMessage,
      createdAt: at,
      lastUpdatedAt: at,
      attempt: init.attempt ?? 1,
      retryOf: init.retryOf,
      pendingInput: [],
      timeline: [{ at, status: 'working', message: init.statusMessage }],
      expired: false,
      archived: false,
      pinned: false,
      imported: false,
    };
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

  /** Stores the final outcome and moves to the matching terminal status in one step. */
  complete(id: string, status: 'completed' | 'failed' | 'cancelled', outcome: { result?: unknown; error?: JsonRpcErrorObject }, message?: string): TaskRecord {
    const current = this.require(id);
    if (!canTransition(current.status, status)) {
      throw new IllegalTransitionError(`Task ${id} is already ${current.status}`);
    }
    const at = this.isoNow();
    const next = this.apply(
      current,
      { status, statusMessage: message, lastUpdatedAt: at, result: outcome.result, error: outcome.error, pendingInput: [] },
      { at, status, message },
    );
    if (outcome.result !== undefined || outcome.error !== undefined) this._onDidLifecycle.fire({ type: 'resultStored', id });
    this._onDidLifecycle.fire({ type: 'statusChanged', id, from: current.status, to: status, message });
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
    const valid = records.map((record, index) => parseOrThrow(TaskRecordSchema, record, `task ${index + 1}`));
    const imported = asImported(valid, (id) => this.records.has(id), randomUUID);
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
      if (!this.records.delete(id)) continue;
      removed.push(id);
      this.write({ op: 'del', id });
    }
    // Listeners read the store: every record is gone before the first of them hears of it.
    if (removed.length > 0) this.sortedIds = undefined;
    for (const id of removed) this._onDidLifecycle.fire({ type: 'removed', id });
    return removed.length;
  }

  remove(id: string): void {
    this.require(id);
    this.records.delete(id);
    this.sortedIds = undefined;
    this.write({ op: 'del', id });
    this._onDidLifecycle.fire({ type: 'removed', id });
  }

  /**
   * Marks records whose granted TTL has run out. They have left the protocol (the server may
   * have deleted them) but stay visible here, with their results, until archived.
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
    this.scheduleExpirySweep();
    return expired;
  }

  /** Writes everything pending to disk now. */
  flush(): void {
    this.journal?.flush();
    this.maybeCompact();
  }

  /** Rewrites the journal as one entry per task. */
  compact(): void {
    if (!this.journal) return;
    try {
      this.journal.rewrite(this.entriesForSnapshot());
      this.compactedSize = this.journal.size;
    } catch (error) {
      // A disk that already refuses appends was reported once; its every compaction failing is no news.
      if (!this.journal.failing) this.problem(`Tasklane could not compact its task store: ${(error as Error).message}`, error as Error);
    }
  }

  override dispose(): void {
    this.journal?.close();
    super.dispose();
  }

  private *entriesForSnapshot(): Iterable<JournalEntry> {
    for (const task of this.records.values()) yield { op: 'put', task };
  }

  private apply(current: TaskRecord, set: Partial<TaskRecord>, entry?: TimelineEntry): TaskRecord {
    const next: TaskRecord = { ...current, ...set };
    if (entry) next.timeline = boundTimeline([...current.timeline, entry]);
    this.replace(next);
    // JSON drops undefined values, so a field cleared in memory must be named to stay cleared on reload.
    const unset = Object.keys(set).filter((key) => set[key as keyof TaskRecord] === undefined);
    this.write({ op: 'patch', id: current.id, set, tl: entry, ...(unset.length > 0 ? { unset } : {}) });
    // One record's TTL changed: re-arm only if it expires before the armed timer (a full rescan per change is O(n)).
    // A timer that fires early is harmless: the sweep rescans and re-arms.
    if ('grantedTtl' in set) {
      const expiresAt = expiryOf(next);
      if (!next.expired && expiresAt !== undefined && expiresAt < this.expiryDueAt) this.armExpiry(expiresAt);
    }
    return next;
  }

  private replace(next: TaskRecord): void {
    this.records.set(next.id, next);
  }

  private write(entry: JournalEntry): void {
    if (!this.journal) return;
    this.journal.append(entry);
    this.maybeCompact();
  }

  private maybeCompact(): void {
    if (!this.journal) return;
    // Compact when the log has grown well past the last snapshot: keeps reloads fast and the file small.
    if (this.journal.size > Math.max(4 << 20, this.compactedSize * 3)) this.compact();
  }

  private load(journal: Journal): JournalRecovery {
    const { entries, recovery } = journal.read((value) => value as JournalEntry);
    let invalid = 0;
    for (const entry of entries) {
      if (!entry || typeof entry !== 'object') {
        invalid++;
        continue;
      }
      switch (entry.op) {
        case 'put':
          if (entry.task && typeof entry.task === 'object') this.records.set(entry.task.id, entry.task);
          else invalid++;
          break;
        case 'patch': {
          const current = this.records.get(entry.id);
          if (!current) break;
          const next = { ...current, ...entry.set };
          for (const key of entry.unset ?? []) delete (next as Record<string, unknown>)[key];
          if (entry.tl) next.timeline = boundTimeline([...(current.timeline ?? []), entry.tl]);
          this.records.set(entry.id, next);
          break;
        }
        case 'out': {
          const current = this.records.get(entry.id);
          if (current) this.records.set(entry.id, { ...current, output: appendOutputTail(current.output, entry.chunk) });
          break;
        }
        case 'del':
          this.records.delete(entry.id);
          break;
        default:
          invalid++;
      }
    }
    for (const [id, record] of this.records) {
      const parsed = TaskRecordSchema.safeParse(record);
      if (parsed.success) this.records.set(id, parsed.data);
      else {
        this.records.delete(id);
        invalid++;
      }
    }
    const total = { ...recovery, badLines: recovery.badLines + invalid };
    if (total.badLines > 0 || total.tornTail) {
      let backupPath = total.backupPath;
      if (!backupPath && invalid > 0) {
        // Bad records inside valid JSON: back the file up before the compaction below rewrites it.
        backupPath = `${journal.file}.corrupt-${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}`;
        fs.copyFileSync(journal.file, backupPath);
      }
      const parts = [];
      if (total.badLines > 0)
        parts.push(`${total.badLines} unreadable entr${total.badLines === 1 ? 'y was' : 'ies were'} skipped (the original file is saved as ${backupPath})`);
      if (total.tornTail) parts.push('an incomplete last write was dropped');
      this.problem(`Tasklane recovered its task store: ${parts.join('; ')}. ${this.records.size} tasks were kept.`);
      this.compact();
      return { ...total, backupPath };
    }
    this.compactedSize = journal.size;
    if (entries.length > this.records.size * 2 + 100) this.compact();
    return total;
  }

  private scheduleExpirySweep(): void {
    clearTimeout(this.expiryTimer);
    let next: number | undefined;
    for (const record of this.records.values()) {
      const expiresAt = expiryOf(record);
      if (!record.expired && expiresAt !== undefined && (next === undefined || expiresAt < next)) next = expiresAt;
    }
    this.expiryDueAt = Infinity;
    if (next === undefined) return;
    this.armExpiry(next);
  }

  private armExpiry(expiresAt: number): void {
    clearTimeout(this.expiryTimer);
    // setTimeout overflows past ~24.8 days; re-check then instead.
    const delay = Math.min(Math.max(0, expiresAt - this.now()), 2 ** 31 - 1);
    this.expiryDueAt = this.now() + delay;
    this.expiryTimer = setTimeout(() => this.sweepExpired(), delay);
    this.expiryTimer.unref?.();
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

function expiryOf(record: TaskRecord): number | undefined {
  if (record.grantedTtl === null || record.grantedTtl === undefined) return undefined;
  return Date.parse(record.createdAt) + record.grantedTtl;
}
