import { isTerminal } from '../../../core/taskStatus';
import type { RemoteTaskState } from '../../wires/remoteTask';

interface Waiter {
  readonly resolve: (state: RemoteTaskState) => void;
  readonly reject: (error: Error) => void;
}

/**
 * What a client that is told of its tasks' states (answers to `tasks/get`, pushed notifications)
 * knows of them: the latest snapshot of each, and the callers waiting for one to end. A terminal
 * snapshot is final and an older one than the latest is dropped. Settled snapshots stay, a
 * bounded number of them, so a late wait still ends at once.
 */
export class FollowedTasks {
  /** Latest snapshot per task, oldest first (settled ones are kept in a bounded cache). */
  private readonly snapshots = new Map<string, RemoteTaskState>();
  private readonly waiters = new Map<string, Set<Waiter>>();

  /** `settledCache`: how many settled snapshots stay. */
  constructor(private readonly settledCache: number) {}

  latest(taskId: string): RemoteTaskState | undefined {
    return this.snapshots.get(taskId);
  }

  /** Records a snapshot; false when it changes nothing (the task had already ended, or the snapshot is older). */
  record(state: RemoteTaskState): boolean {
    const previous = this.snapshots.get(state.taskId);
    if (previous && isTerminal(previous.status)) return false;
    if (previous && state.lastUpdatedAt < previous.lastUpdatedAt) return false;
    this.snapshots.delete(state.taskId);
    this.snapshots.set(state.taskId, state);
    return true;
  }

  /** Ends the waits for a task with its terminal snapshot. */
  settle(state: RemoteTaskState): void {
    const waiting = this.waiters.get(state.taskId);
    this.waiters.delete(state.taskId);
    for (const waiter of waiting ?? []) waiter.resolve(state);
    this.trimSettled();
  }

  /**
   * Resolves with the task's terminal snapshot once `settle` has it; rejects when `signal` aborts.
   * `onAbandoned` runs when the last caller waiting for the task gives up.
   */
  waitForEnd(taskId: string, signal: AbortSignal, onAbandoned: () => void): Promise<RemoteTaskState> {
    return new Promise<RemoteTaskState>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason ?? new Error('Aborted'));
      let set = this.waiters.get(taskId);
      if (!set) this.waiters.set(taskId, (set = new Set()));
      const waiter: Waiter = {
        resolve: (state) => {
          signal.removeEventListener('abort', onAbort);
          resolve(state);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = () => {
        set.delete(waiter);
        if (set.size === 0) {
          this.waiters.delete(taskId);
          onAbandoned();
        }
        reject(signal.reason ?? new Error('Aborted'));
      };
      set.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Ends every wait with `error` (the client is going away). */
  rejectAll(error: Error): void {
    const waiting = [...this.waiters.values()].flatMap((set) => [...set]);
    this.waiters.clear();
    for (const waiter of waiting) waiter.reject(error);
  }

  private trimSettled(): void {
    let settled = 0;
    for (const state of this.snapshots.values()) if (isTerminal(state.status)) settled++;
    for (const [taskId, state] of this.snapshots) {
      if (settled <= this.settledCache) break;
      if (isTerminal(state.status)) {
        this.snapshots.delete(taskId);
        settled--;
      }
    }
  }
}
