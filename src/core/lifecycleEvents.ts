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
  | { readonly type: 'removed'; readonly id: string };

/** A coalesced batch: which tasks appeared, changed or went away since the last batch. */
export interface TaskChanges {
  readonly added: ReadonlySet<string>;
  readonly updated: ReadonlySet<string>;
  readonly removed: ReadonlySet<string>;
  /** How many lifecycle events this batch stands for. */
  readonly eventCount: number;
}
