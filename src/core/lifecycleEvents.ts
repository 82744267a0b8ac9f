import type { TaskRecord } from './taskRecord';
import type { TaskStatus } from './taskStatus';

/** Every change the store makes is announced as exactly one of these, in order. */
export type LifecycleEvent =
  | { readonly type: 'created'; readonly id: string; readonly task: TaskRecord }
  | { readonly type: 'statusChanged'; readonly id: string; readonly from: TaskStatus; readonly to: TaskStatus; readonly message?: string }
  | { readonly type: 'message'; readonly id: string; readonly message: string }
  | { readonly type: 'output'; readonly id: string; readonly chunk: string }
  | { readonly type: 'resultStored'; readonly id: string }
  | { readonly type: 'updated'; readonly id: string }
  | { readonly type: 'archived'; readonly id: string }
  | { readonly type: 'removed'; readonly id: string }
  /**
   * The store has read its records from disk, after it was created empty (opening is kept off the
   * activation path): every reader takes the whole store again. Fired once, before any other event.
   */
  | { readonly type: 'opened'; readonly count: number };

/** The events about one task (all but `opened`). */
export type TaskLifecycleEvent = Exclude<LifecycleEvent, { type: 'opened' }>;

/** A coalesced batch: which tasks appeared, changed or went away since the last batch. */
export interface TaskChanges {
  readonly added: ReadonlySet<string>;
  readonly updated: ReadonlySet<string>;
  readonly removed: ReadonlySet<string>;
  /** The store was opened in this batch: read every task again; the sets name only later changes. */
  readonly reset?: boolean;
  /** How many lifecycle events this batch stands for. */
  readonly eventCount: number;
}
