import type { TaskChanges } from '../core/lifecycleEvents';
import type { PendingInput, TaskRecord } from '../core/taskRecord';
import { canRetryTask, isOpenFailure, needsAttention } from '../core/taskRules';
import { insertSorted, removeSorted } from './sortedList';

/**
 * What the Tasks view's badge, the `when`-clause keys and the status bar count, kept from the
 * batches of changes: each task's part (a set of flags, its open questions, whether it is a new
 * failure) is remembered, and a batch takes back the old part and adds the new one of the tasks
 * it names only, so a batch costs what it touches, not the size of the store. No `vscode`, so the
 * benchmarks time it and the tests check it in plain Node. (The status bar's words are
 * `summarize`, in statusSummary.ts.)
 */
export interface TaskSource {
  all(): readonly TaskRecord[];
  get(id: string): TaskRecord | undefined;
}

export interface ContextKeyValues {
  readonly hasTasks: boolean;
  readonly hasRunning: boolean;
  readonly hasRetryable: boolean;
  readonly hasFailed: boolean;
  readonly hasFinished: boolean;
  readonly hasCompleted: boolean;
  readonly hasInputRequired: boolean;
}

/** The oldest open question of a task the status bar counts. */
export interface OpenQuestion {
  readonly id: string;
  readonly key: string;
  readonly params: PendingInput['params'];
}

/** The flags a task can raise; each is counted. */
const FLAG = {
  attention: 1 << 0,
  // The `when`-clause keys look at every task that is not archived.
  shown: 1 << 1,
  running: 1 << 2,
  retryable: 1 << 3,
  failed: 1 << 4,
  finished: 1 << 5,
  completed: 1 << 6,
  input: 1 << 7,
  // The status bar looks at the tasks that are neither archived nor imported (an imported copy runs nowhere: it is history).
  live: 1 << 8,
  liveWorking: 1 << 9,
  liveNeedsInput: 1 << 10,
  liveFailed: 1 << 11,
  liveNewFailure: 1 << 12,
} as const;
const FLAG_COUNT = 13;

/** A question in the order the status bar answers them: oldest first; on a tie, the newest task's, then its first. */
interface QuestionEntry extends OpenQuestion {
  readonly at: string;
  readonly createdAt: string;
  readonly index: number;
}

/** A new failure in the order the status bar shows them: last changed first; on a tie, the newest task. */
interface FailureEntry {
  readonly id: string;
  readonly at: string;
  readonly createdAt: string;
}

interface Part {
  readonly flags: number;
  readonly questions: readonly QuestionEntry[];
  readonly failure: FailureEntry | undefined;
}

export class TaskTally {
  private readonly parts = new Map<string, Part>();
  private readonly counts = new Array<number>(FLAG_COUNT).fill(0);
  private readonly questions: QuestionEntry[] = [];
  private readonly failures: FailureEntry[] = [];

  constructor(
    private readonly source: TaskSource,
    private readonly isNewFailure: (record: TaskRecord) => boolean,
  ) {
    this.reset();
  }

  /** A tally of a list of records (for one-off summaries and tests). */
  static of(records: readonly TaskRecord[], isNewFailure: (record: TaskRecord) => boolean): TaskTally {
    const byId = new Map(records.map((record) => [record.id, record]));
    return new TaskTally({ all: () => records, get: (id) => byId.get(id) }, isNewFailure);
  }

  /** Counts every task again (the store was opened, or on demand). */
  reset(): void {
    this.parts.clear();
    this.counts.fill(0);
    this.questions.length = 0;
    this.failures.length = 0;
    for (const record of this.source.all()) this.refresh(record.id);
  }

  /** Takes a batch: the tasks it names are counted again; a batch that opened the store counts everything again. */
  apply(changes: TaskChanges): void {
    if (changes.reset) return this.reset();
    for (const ids of [changes.added, changes.updated, changes.removed]) for (const id of ids) this.refresh(id);
  }

  /**
   * Counts a task again after whether its failure is new changed. A task no batch has brought yet
   * is left to its batch: counted now, it would stay counted if it went within that same batch
   * (a task that comes and goes in one batch is in none of its sets).
   */
  refreshSeen(id: string): void {
    if (this.parts.has(id)) this.refresh(id);
  }

  /** Counts one task again (after it changed, or after whether its failure is new changed). */
  refresh(id: string): void {
    const old = this.parts.get(id);
    if (old) {
      this.count(old.flags, -1);
      for (const question of old.questions) removeSorted(this.questions, question, oldestQuestionFirst);
      if (old.failure) removeSorted(this.failures, old.failure, latestFailureFirst);
      this.parts.delete(id);
    }
    const record = this.source.get(id);
    if (!record) return;
    const part = this.partOf(record);
    this.parts.set(id, part);
    this.count(part.flags, 1);
    for (const question of part.questions) insertSorted(this.questions, question, oldestQuestionFirst);
    if (part.failure) insertSorted(this.failures, part.failure, latestFailureFirst);
  }

  /** The Tasks view's badge: how many tasks need attention. */
  get attention(): number {
    return this.counted('attention');
  }

  /** The values of the `when`-clause keys that depend on the tasks. */
  get contextKeys(): ContextKeyValues {
    return {
      hasTasks: this.counted('shown') > 0,
      hasRunning: this.counted('running') > 0,
      hasRetryable: this.counted('retryable') > 0,
      hasFailed: this.counted('failed') > 0,
      hasFinished: this.counted('finished') > 0,
      hasCompleted: this.counted('completed') > 0,
      hasInputRequired: this.counted('input') > 0,
    };
  }

  /** The status bar's numbers: tasks neither archived nor imported. */
  get live(): { readonly total: number; readonly running: number; readonly needsInput: number; readonly failed: number; readonly newFailures: number } {
    return {
      total: this.counted('live'),
      running: this.counted('liveWorking'),
      needsInput: this.counted('liveNeedsInput'),
      failed: this.counted('liveFailed'),
      newFailures: this.counted('liveNewFailure'),
    };
  }

  /** The question the status bar answers first: the oldest one waiting. */
  get oldestQuestion(): OpenQuestion | undefined {
    return this.questions[0];
  }

  /** The new failure the status bar shows: the one that changed last. */
  get latestNewFailure(): string | undefined {
    return this.failures[0]?.id;
  }

  private counted(flag: keyof typeof FLAG): number {
    return this.counts[Math.log2(FLAG[flag])];
  }

  private count(flags: number, delta: number): void {
    for (let bit = 0; bit < FLAG_COUNT; bit++) if (flags & (1 << bit)) this.counts[bit] += delta;
  }

  private partOf(record: TaskRecord): Part {
    let flags = needsAttention(record) ? FLAG.attention : 0;
    if (!record.archived) {
      flags |= FLAG.shown;
      if (record.status === 'working' || record.status === 'input_required') flags |= FLAG.running;
      if (canRetryTask(record)) flags |= FLAG.retryable;
      if (isOpenFailure(record)) flags |= FLAG.failed;
      if (record.status === 'completed' || record.status === 'failed' || record.status === 'cancelled') flags |= FLAG.finished;
      if (record.status === 'completed') flags |= FLAG.completed;
      if (record.pendingInput.length > 0) flags |= FLAG.input;
    }
    if (record.archived || record.imported) return { flags, questions: [], failure: undefined };
    flags |= FLAG.live;
    let failure: FailureEntry | undefined;
    if (record.status === 'working') flags |= FLAG.liveWorking;
    else if (record.status === 'input_required') flags |= FLAG.liveNeedsInput;
    else if (isOpenFailure(record)) {
      flags |= FLAG.liveFailed;
      if (this.isNewFailure(record)) {
        flags |= FLAG.liveNewFailure;
        failure = { id: record.id, at: record.lastUpdatedAt, createdAt: record.createdAt };
      }
    }
    const questions = record.pendingInput.map((pending, index) => ({
      id: record.id,
      key: pending.key,
      params: pending.params,
      at: pending.at,
      createdAt: record.createdAt,
      index,
    }));
    return { flags, questions, failure };
  }
}

function oldestQuestionFirst(a: QuestionEntry, b: QuestionEntry): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return newestTaskFirst(a, b) || a.index - b.index;
}

function latestFailureFirst(a: FailureEntry, b: FailureEntry): number {
  if (a.at !== b.at) return a.at > b.at ? -1 : 1;
  return newestTaskFirst(a, b);
}

/** The store's order: newest first, ids breaking ties. */
function newestTaskFirst(a: { readonly id: string; readonly createdAt: string }, b: { readonly id: string; readonly createdAt: string }): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
