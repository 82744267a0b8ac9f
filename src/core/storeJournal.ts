/**
 * The task store on disk: every change to a record is one entry in an append-only journal
 * (tasks.jsonl), replayed when the store opens and compacted to one entry per task once the log
 * has grown well past its last snapshot. The store keeps the records in memory and decides what
 * changes; this decides how the changes are kept. The file mechanics (torn lines, atomic
 * rewrites, a failing disk) are journal.ts's.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Journal, type JournalRecovery } from './journal';
import { appendOutputTail, boundTimeline } from './recordLimits';
import { type TaskRecord, TaskRecordSchema, type TimelineEntry } from './taskRecord';

export const STORE_FILE = 'tasks.jsonl';

/** One change to the records: a whole record, some of its fields (and a timeline entry), output, or a removal. */
export type StoreJournalEntry =
  | { op: 'put'; task: TaskRecord }
  | { op: 'patch'; id: string; set: Partial<TaskRecord>; tl?: TimelineEntry; unset?: string[] }
  | { op: 'out'; id: string; chunk: string }
  | { op: 'del'; id: string };

export class StoreJournal {
  private readonly journal: Journal;
  private compactedSize = 0;

  constructor(
    directory: string,
    /** The store's own records: replay fills them in, compaction writes them out. */
    private readonly records: Map<string, TaskRecord>,
    private readonly now: () => number,
    private readonly problem: (message: string, error?: Error) => void,
  ) {
    this.journal = new Journal(
      path.join(directory, STORE_FILE),
      (error) => problem(`Tasklane could not save task changes to ${directory}: ${error.message}. Changes are kept in memory.`, error),
      () => this.entriesForSnapshot(),
    );
  }

  /**
   * Replays the file into the records. Bad entries are skipped and reported, and the file is then
   * rewritten from what was kept (after a backup); a file that cannot be read at all throws.
   */
  load(): JournalRecovery {
    const journal = this.journal;
    const { entries, recovery } = journal.read((value) => value as StoreJournalEntry);
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

  append(entry: StoreJournalEntry): void {
    this.journal.append(entry);
    this.maybeCompact();
  }

  /** Writes everything pending to disk now. */
  flush(): void {
    this.journal.flush();
    this.maybeCompact();
  }

  /** Rewrites the journal as one entry per task. */
  compact(): void {
    try {
      this.journal.rewrite(this.entriesForSnapshot());
      this.compactedSize = this.journal.size;
    } catch (error) {
      // A disk that already refuses appends was reported once; its every compaction failing is no news.
      if (!this.journal.failing) this.problem(`Tasklane could not compact its task store: ${(error as Error).message}`, error as Error);
    }
  }

  close(): void {
    this.journal.close();
  }

  private maybeCompact(): void {
    // Compact when the log has grown well past the last snapshot: keeps reloads fast and the file small.
    if (this.journal.size > Math.max(4 << 20, this.compactedSize * 3)) this.compact();
  }

  private *entriesForSnapshot(): Iterable<StoreJournalEntry> {
    for (const task of this.records.values()) yield { op: 'put', task };
  }
}
