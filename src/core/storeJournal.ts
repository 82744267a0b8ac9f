/**
 * The task store on disk: every change to a record is one entry in an append-only journal
 * (tasks.jsonl), replayed when the store opens and compacted to a snapshot (one entry per task,
 * under a header with its checksum) once the log has grown well past the last one. The store keeps
 * the records in memory and decides what changes; this decides how the changes are kept. The file
 * mechanics (torn lines, atomic rewrites, the snapshot's header, a failing disk) are journal.ts's;
 * a snapshot record's layout is snapshotRecord.ts's.
 */
import * as path from 'node:path';
import { Journal, type JournalRecovery } from './journal';
import { appendOutputTail, boundTimeline } from './recordLimits';
import { SnapshotDecoder } from './snapshotRecord';
import { type TaskRecord, TaskRecordSchema, type TimelineEntry } from './taskRecord';

export const STORE_FILE = 'tasks.jsonl';
/** The layout of a snapshot's entries (one `put` line per record, read by snapshotRecord.ts); a reader trusts only its own. */
export const SNAPSHOT_FORMAT = 1;
/** Tail entries past which an open compacts at once: every record they touch is checked in full on each open. */
const TAIL_ENTRIES_TO_COMPACT = 1000;

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
      SNAPSHOT_FORMAT,
    );
  }

  /**
   * Replays the file into the records. The records of an intact snapshot are checked in one cheap
   * pass as they are read (snapshotRecord.ts); every record the tail after it touches, and every
   * record of a file without a trusted snapshot, is checked against `TaskRecordSchema` once
   * replayed. Bad entries and records are skipped and reported, and the file is then rewritten
   * from what was kept (after a backup); a file that cannot be read at all throws.
   */
  load(): JournalRecovery {
    const journal = this.journal;
    const decoder = new SnapshotDecoder();
    const { entries, recovery, fromSnapshot } = journal.read((value, trusted) => {
      if (!trusted) return value as StoreJournalEntry;
      const task = (value as Partial<StoreJournalEntry>)?.op === 'put' ? decoder.decode((value as { task?: unknown }).task) : undefined;
      if (task) this.records.set(task.id, task);
      return task && SNAPSHOT_RECORD;
    });
    /** Records that entries outside the snapshot put or changed: checked in full below. */
    const unchecked = new Set<string>();
    let invalid = 0;
    for (let i = fromSnapshot; i < entries.length; i++) {
      const entry = entries[i];
      if (!entry || typeof entry !== 'object') {
        invalid++;
        continue;
      }
      switch (entry.op) {
        case 'put':
          if (entry.task && typeof entry.task === 'object') {
            this.records.set(entry.task.id, entry.task);
            unchecked.add(entry.task.id);
          } else invalid++;
          break;
        case 'patch': {
          const current = this.records.get(entry.id);
          if (!current) break;
          const next = { ...current, ...entry.set };
          for (const key of entry.unset ?? []) delete (next as Record<string, unknown>)[key];
          if (entry.tl) next.timeline = boundTimeline([...(current.timeline ?? []), entry.tl]);
          this.records.set(entry.id, next);
          unchecked.add(entry.id);
          break;
        }
        case 'out': {
          const current = this.records.get(entry.id);
          if (current) {
            this.records.set(entry.id, { ...current, output: appendOutputTail(current.output, entry.chunk) });
            unchecked.add(entry.id);
          }
          break;
        }
        case 'del':
          this.records.delete(entry.id);
          break;
        default:
          invalid++;
      }
    }
    for (const id of unchecked) {
      const record = this.records.get(id);
      if (!record) continue;
      const parsed = TaskRecordSchema.safeParse(record);
      if (parsed.success) this.records.set(id, parsed.data);
      else {
        this.records.delete(id);
        invalid++;
      }
    }
    const total = { ...recovery, badLines: recovery.badLines + invalid };
    if (total.badLines > 0 || total.tornTail || total.untrustedSnapshot) {
      // Bad records inside valid JSON, or a snapshot that failed its check: back the file up before the compaction below rewrites it.
      const backupPath = total.backupPath ?? (invalid > 0 || total.untrustedSnapshot ? journal.backup(new Date(this.now())) : undefined);
      const parts = [];
      if (total.untrustedSnapshot)
        parts.push(
          `its snapshot could not be trusted (${total.untrustedSnapshot}), so every entry was checked one by one (the original file is saved as ${backupPath})`,
        );
      if (total.badLines > 0)
        parts.push(`${total.badLines} unreadable entr${total.badLines === 1 ? 'y was' : 'ies were'} skipped (the original file is saved as ${backupPath})`);
      if (total.tornTail) parts.push('an incomplete last write was dropped');
      this.problem(`Tasklane recovered its task store: ${parts.join('; ')}. ${this.records.size} tasks were kept.`);
      this.compact();
      return { ...total, backupPath };
    }
    this.compactedSize = journal.size;
    const tail = entries.length - fromSnapshot;
    // A store without a snapshot (written by an earlier version, or never compacted) gets one now, so the next open reads it fast.
    if ((fromSnapshot === 0 && tail > 0) || tail > TAIL_ENTRIES_TO_COMPACT) this.compact();
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

/** What a snapshot line leaves in the entries: its record is already in place, checked. */
const SNAPSHOT_RECORD = Object.freeze({ op: 'snapshot' }) as unknown as StoreJournalEntry;
