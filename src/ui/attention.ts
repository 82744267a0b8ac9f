/**
 * What needs the person: questions waiting for an answer, and failures. A failure is *new* until
 * the person has seen it; the status bar turns red only while a new failure exists.
 *
 * The rule: a failed task counts as seen once its detail panel has shown it as failed (opened from
 * the tree, the palette, a notification, the status bar or a search; or already open when it
 * failed). Retrying, archiving or deleting it also ends its claim. A task stopped by a window
 * reload is never new: nothing went wrong with it. Pure (no `vscode`), so it is unit-tested.
 */
import { Emitter } from '../core/events';
import type { TaskRecord } from '../core/taskRecord';
import { isFailureNews, isOpenFailure } from '../core/taskRules';

/** Where the seen task ids are kept between sessions (the workspace's memento in the editor). */
export interface SeenStorage {
  get(): readonly string[];
  set(ids: readonly string[]): void;
}

export class SeenFailures {
  private readonly seen: Set<string>;
  /** Seen since the last batch: such a task may go within the batch on its way, and be in none of its sets. */
  private readonly seenSinceBatch = new Set<string>();
  private readonly changed = new Emitter<string>();
  /** Fires with a task's id when its failure became seen. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly storage: SeenStorage) {
    this.seen = new Set(storage.get());
  }

  /** A failure the person has not seen yet. */
  isNew(record: TaskRecord): boolean {
    return isFailureNews(record) && !this.seen.has(record.id);
  }

  /** Records that the person has seen this task's failure; false when there was nothing new to see. */
  markSeen(record: TaskRecord): boolean {
    if (!this.isNew(record)) return false;
    this.seen.add(record.id);
    this.seenSinceBatch.add(record.id);
    this.save();
    this.changed.fire(record.id);
    return true;
  }

  /** Forgets tasks that are no longer open failures, so the kept list stays as small as the Failed group. */
  prune(records: Iterable<TaskRecord>): void {
    const failed = new Set<string>();
    for (const record of records) if (isOpenFailure(record)) failed.add(record.id);
    let removed = false;
    for (const id of [...this.seen]) {
      if (!failed.has(id)) removed = this.seen.delete(id) || removed;
    }
    if (removed) this.save();
  }

  /** `prune` for the tasks a batch named: those of them that are gone or no longer open failures are forgotten. */
  pruneChanged(ids: Iterable<string>, get: (id: string) => TaskRecord | undefined): void {
    let removed = false;
    const marked = [...this.seenSinceBatch];
    this.seenSinceBatch.clear();
    for (const id of [...ids, ...marked]) {
      if (!this.seen.has(id)) continue;
      const record = get(id);
      if (record && isOpenFailure(record)) continue;
      removed = this.seen.delete(id) || removed;
    }
    if (removed) this.save();
  }

  dispose(): void {
    this.changed.dispose();
  }

  private save(): void {
    this.storage.set([...this.seen]);
  }
}
