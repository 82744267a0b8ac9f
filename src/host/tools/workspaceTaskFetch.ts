// No `vscode` here (the caller passes VS Code's call in), so the waiting is tested in plain Node.
import { type Clock, TimeoutError, realClock, withTimeout } from '../../mcp/client/clock';

/**
 * How long VS Code may take to list the workspace's tasks. It asks every task provider (npm, gulp,
 * other extensions), and one that hangs would otherwise hold the tool, or the New Task form, forever.
 */
export const FETCH_TASKS_TIMEOUT_MS = 15_000;

export interface FetchTasksOptions {
  /** Ends the wait at once (the tool's task was cancelled or ran out of time). */
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly clock?: Clock;
}

/**
 * What `fetchTasks` (VS Code's `tasks.fetchTasks`) gives, or a rejection: a plain sentence once
 * `timeoutMs` pass, the signal's reason as soon as it aborts.
 */
export async function fetchTasksWithin<T>(fetchTasks: () => PromiseLike<T>, options: FetchTasksOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? FETCH_TASKS_TIMEOUT_MS;
  options.signal?.throwIfAborted();
  try {
    return await withTimeout(Promise.resolve(fetchTasks()), timeoutMs, options.clock ?? realClock, "listing the workspace's tasks", options.signal);
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    throw new Error(
      `VS Code did not list the workspace's tasks within ${formatSeconds(timeoutMs)}: a task provider (an extension) may be stuck. Try again, or run the task from VS Code.`,
    );
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
