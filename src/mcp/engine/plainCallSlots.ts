/**
 * Plain (non-task) tool calls under the same limits as tasks: each takes a creation-rate token
 * and waits in the scheduler's queue for a slot, beside the tasks, without being a task. It is
 * never listed nor reported; it only counts, so that a caller cannot get round the limits by not
 * asking for a task.
 */
import { randomUUID } from 'node:crypto';
import type { CreationBuckets } from './creationRate';
import { TaskCancelledError } from './engineErrors';
import type { Scheduler } from './scheduler';

export interface SlotRequest {
  /** Whose call it is (as a task's owner): counts against the per-principal limit and creation rate. */
  readonly owner: string;
  readonly tool: string;
  /** Aborting while waiting leaves the queue and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Frees the slot; later calls do nothing. */
export type ReleaseSlot = () => void;

const PREFIX = 'plain:';

export class PlainCallSlots {
  private readonly waiting = new Map<string, { readonly grant: () => void; readonly refuse: (reason: unknown) => void }>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly creations: CreationBuckets | undefined,
  ) {}

  /** Whether a scheduler entry is one of these rather than a task. */
  static owns(id: string): boolean {
    return id.startsWith(PREFIX);
  }

  /**
   * Resolves when the call may run; throws -32029 (nothing queued) when the owner is over its
   * creation rate. `counted`: its token was taken already (from a bucket shared with other engines).
   */
  acquire(request: SlotRequest, { counted = false } = {}): Promise<ReleaseSlot> {
    const { signal } = request;
    if (signal?.aborted) return Promise.reject(signal.reason);
    try {
      if (!counted) this.creations?.admit(request.owner, 'call');
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const id = PREFIX + randomUUID();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.scheduler.ended(id, true);
    };
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const onAbort = () => {
        if (!this.waiting.delete(id)) return;
        release();
        reject(signal!.reason);
      };
      this.waiting.set(id, {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        refuse: (reason) => {
          signal?.removeEventListener('abort', onAbort);
          reject(reason);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      // Registered first: the scheduler may grant the slot within `submit`.
      this.scheduler.submit({ id, tool: request.tool, principal: request.owner, priority: 0 });
    });
  }

  /** The scheduler's go-ahead for one of these. */
  start(id: string): void {
    const waiter = this.waiting.get(id);
    this.waiting.delete(id);
    waiter?.grant();
  }

  /** Calls still waiting when the engine goes away are refused, as its tasks are cancelled. */
  dispose(): void {
    for (const waiter of this.waiting.values()) waiter.refuse(new TaskCancelledError());
    this.waiting.clear();
  }
}
