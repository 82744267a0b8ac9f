import { type IDisposable, toDisposable } from './lifecycle';
import type { JournalRecovery } from './journal';
import type { TaskRecord } from './taskRecord';
import { StoreJournal, type StoreJournalEntry } from './storeJournal';

/** What reading the journal gave the store: the journal to append to (none if the file could not be read) and what was recovered. */
export interface OpenedJournal {
  readonly journal: StoreJournal | undefined;
  readonly recovery: JournalRecovery;
}

/**
 * The task store's open, which may come after its construction (`openLater`): whether the records
 * have been read, the changes made before that (written after the file's records when it is read),
 * what waits for the whole store (`afterOpen`) and the promise that settles once that has run.
 * TaskStore owns one and announces `opened` between `readJournal` and `finish`.
 */
export class StoreOpening {
  private opened = false;
  private closed = false;
  /** Changes made before the records were read, written after them when the store opens. */
  private earlyWrites: StoreJournalEntry[] = [];
  /** What runs once the store is open (see `afterOpen`), in the order it was asked for. */
  private readonly hooks = new Set<() => void>();
  private readonly settled: Promise<void>;
  private settle!: () => void;

  constructor(
    /** Where the records are read from; without one the store lives in memory and keeps no early writes. */
    private readonly directory: string | undefined,
    private readonly problem: (message: string, error?: Error) => void,
  ) {
    this.settled = new Promise((resolve) => (this.settle = resolve));
  }

  /** Whether the records have been read. */
  get isOpen(): boolean {
    return this.opened;
  }

  /** Whether `open()` still has something to do: not yet open, and not closed. */
  get canOpen(): boolean {
    return !this.opened && !this.closed;
  }

  /** Whether changes made before the open are waiting to be written (they would be lost by a close without reading). */
  get hasEarlyWrites(): boolean {
    return !this.opened && this.earlyWrites.length > 0;
  }

  /** Settles once the store is open and what waited for it has run, or once it is closed; never rejects. */
  whenOpen(): Promise<void> {
    return this.settled;
  }

  /**
   * Runs `run` once the store is open: at once if it is, else in `finish()`, right after `opened`
   * is announced and before `whenOpen()` settles, so nothing else can act on the store in between.
   * Disposing the result before then cancels it.
   */
  afterOpen(run: () => void): IDisposable {
    if (this.opened) {
      run();
      return toDisposable(() => undefined);
    }
    const hook = () => run();
    this.hooks.add(hook);
    return toDisposable(() => this.hooks.delete(hook));
  }

  /** Keeps a journal entry written while there is no journal, if the store is yet to read its file. */
  keepEarly(entry: StoreJournalEntry): void {
    if (!this.opened && this.directory) this.earlyWrites.push(entry);
  }

  /**
   * Marks the store open and reads the journal into `records`. The records created before (in a
   * store opened later) are set aside and put back after, and their journal entries written after
   * the file's. Without a directory there is nothing to read.
   */
  readJournal(records: Map<string, TaskRecord>, now: () => number): OpenedJournal {
    this.opened = true;
    const writes = this.earlyWrites;
    this.earlyWrites = [];
    const directory = this.directory;
    if (!directory) return { journal: undefined, recovery: { badLines: 0, tornTail: false } };
    const early = [...records.values()];
    records.clear();
    const journal = new StoreJournal(directory, records, now, this.problem);
    let opened: OpenedJournal;
    try {
      opened = { journal, recovery: journal.load() };
    } catch (error) {
      // An unreadable store must not stop the extension, nor be overwritten: run in memory only.
      this.problem(`Tasklane could not read its task store in ${directory}: ${(error as Error).message}. Tasks are kept in memory only.`, error as Error);
      opened = { journal: undefined, recovery: { badLines: 0, tornTail: false } };
    }
    for (const record of early) records.set(record.id, record);
    for (const entry of writes) opened.journal?.append(entry);
    return opened;
  }

  /** Runs what waited for the open (a hook that throws is reported, the others still run), then settles `whenOpen()`. */
  finish(): void {
    for (const hook of [...this.hooks]) {
      try {
        hook();
      } catch (error) {
        this.problem(`Tasklane could not finish opening its task store: ${(error as Error).message}`, error as Error);
      }
    }
    this.hooks.clear();
    this.settle();
  }

  /** The store is closed: nothing waits for an open any more, and whoever waits for it is not left hanging. */
  close(): void {
    this.closed = true;
    this.hooks.clear();
    this.settle();
  }
}
