/**
 * Idempotency keys (`dev.tasklane/idempotencyKey`): which live task each owner's key names. A
 * start that carries a key an owner already holds gets that task back instead of a new one, so a
 * requestor that retries a start (a lost response, a restarted agent) never runs the work twice.
 * A key is held from the start until the task ends: after that it is free, and the next start
 * with it is new work. Keys are per owner, so one owner's key never reaches another's task.
 */
export class IdempotencyKeys {
  /** (owner, key) → task id, only while that task is unfinished. */
  private readonly held = new Map<string, string>();
  /** task id → its entry in `held`, so the end of a task frees its key in O(1). */
  private readonly byTask = new Map<string, string>();

  /** The task id this owner's key names, if the key is held. */
  find(owner: string, key: string): string | undefined {
    return this.held.get(entryOf(owner, key));
  }

  /** Holds the key for the task until `release(taskId)`. */
  claim(owner: string, key: string, taskId: string): void {
    const entry = entryOf(owner, key);
    this.held.set(entry, taskId);
    this.byTask.set(taskId, entry);
  }

  /** Frees the key the task holds, if any: its work ended (or it is gone). */
  release(taskId: string): void {
    const entry = this.byTask.get(taskId);
    if (entry === undefined) return;
    this.byTask.delete(taskId);
    if (this.held.get(entry) === taskId) this.held.delete(entry);
  }

  get size(): number {
    return this.held.size;
  }
}

// JSON, so no two (owner, key) pairs share an entry whatever characters either holds.
function entryOf(owner: string, key: string): string {
  return JSON.stringify([owner, key]);
}
