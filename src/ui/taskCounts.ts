import type { TaskRecord } from '../core/taskRecord';
import { canRetryTask, isOpenFailure, needsAttention } from '../core/taskRules';

/**
 * What the Tasks view's badge and the `when`-clause keys count on each batch of changes, without
 * `vscode`, so the benchmarks can time it in plain Node. (The status bar's numbers are
 * `summarizeTasks`, in statusSummary.ts.)
 */
export interface TaskSource {
  all(): readonly TaskRecord[];
}

/** The Tasks view's badge: how many tasks need attention. */
export function attentionCount(store: TaskSource): number {
  return store.all().filter(needsAttention).length;
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

/** The values of the `when`-clause keys that depend on the tasks. */
export function contextKeyValues(store: TaskSource): ContextKeyValues {
  let running = false;
  let retryable = false;
  let failed = false;
  let finished = false;
  let completed = false;
  let input = false;
  let any = false;
  for (const record of store.all()) {
    if (record.archived) continue;
    any = true;
    if (record.status === 'working' || record.status === 'input_required') running = true;
    if (canRetryTask(record)) retryable = true;
    if (isOpenFailure(record)) failed = true;
    if (record.status === 'completed') completed = true;
    if (record.status === 'completed' || record.status === 'failed' || record.status === 'cancelled') finished = true;
    if (record.pendingInput.length > 0) input = true;
  }
  return {
    hasTasks: any,
    hasRunning: running,
    hasRetryable: retryable,
    hasFailed: failed,
    hasFinished: finished,
    hasCompleted: completed,
    hasInputRequired: input,
  };
}
