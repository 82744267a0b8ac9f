/**
 * The task store's vocabulary, for its callers: how a store is made, what a caller may patch, and
 * the errors its changes throw. The store itself is taskStore.ts, which re-exports all of this.
 */
import type { TaskRecord } from './taskRecord';

export interface TaskStoreOptions {
  /** Directory to persist into; without one the store lives in memory only. */
  readonly directory?: string;
  readonly now?: () => number;
  /** Told about anything the user should know: a recovered file, a failing disk. */
  readonly onProblem?: (message: string, error?: Error) => void;
  /**
   * Results larger than this many bytes (their JSON) go to a side file next to the store instead
   * of the record (`tasklane.results.sideFileThresholdKB`); read at each completion. Only with a directory.
   */
  readonly resultSideFileBytes?: () => number;
  /**
   * Start empty and read the directory's records only when `open()` is called (off the activation
   * path); the store then announces `opened`. Without it the store has read them when constructed.
   */
  readonly openLater?: boolean;
}

/** What a change that needs the whole store says while the store is still reading its records. */
export const STORE_LOADING_MESSAGE = 'Tasklane is still loading its tasks; try again in a moment.';

export class StoreLoadingError extends Error {
  override readonly name = 'StoreLoadingError';
  constructor() {
    super(STORE_LOADING_MESSAGE);
  }
}

/** Fields a caller may change besides status, output and results, which have their own methods. */
export type TaskPatch = Partial<Pick<TaskRecord, ServerSideField | HostSideField>>;
/** What the server's answers settle: the task's id, its terms, its place in the queue, its steps, who owns it and where it runs (`context`). */
type ServerSideField = 'taskId' | 'startIntent' | 'wire' | 'grantedTtl' | 'pollInterval' | 'queue' | 'steps' | 'context';
type HostSideField = 'statusMessage' | 'retriedAs' | 'pendingInput' | 'expired' | 'tags' | 'priority' | 'retryDue';

export class UnknownTaskError extends Error {
  override readonly name = 'UnknownTaskError';
  constructor(readonly id: string) {
    super(`No task with id "${id}"`);
  }
}

export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
}
