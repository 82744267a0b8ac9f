/**
 * Callers parked until a task ends or disappears (`TaskEngine.waitForTerminal`). They re-read the
 * task after each wake-up, so this only has to wake everyone parked on an id, once, and let an
 * abort signal unpark one early.
 */
export class TaskWaiters {
  private readonly parked = new Map<string, Set<() => void>>();

  /** Resolves at the next `wake(taskId)`; rejects with the signal's reason if it aborts first. */
  next(taskId: string, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // An aborted signal fires no more 'abort' events: parking here would never end.
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      const set = this.parked.get(taskId) ?? new Set();
      this.parked.set(taskId, set);
      const wake = () => {
        set.delete(wake);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        set.delete(wake);
        // Nothing is kept for an id no one waits on any more.
        if (set.size === 0 && this.parked.get(taskId) === set) this.parked.delete(taskId);
        reject(signal?.reason ?? new Error('aborted'));
      };
      set.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** How many tasks someone is parked on. */
  get size(): number {
    return this.parked.size;
  }

  wake(taskId: string): void {
    const set = this.parked.get(taskId);
    if (!set) return;
    this.parked.delete(taskId);
    for (const wake of set) wake();
  }
}
