/**
 * The store's one expiry timer, armed for the earliest moment a record's granted TTL runs out,
 * so records are marked expired on time without polling. One timer, not one per record: a store
 * holds thousands, and most of them have expired or never will.
 */
import type { IDisposable } from './lifecycle';
import { MAX_TIMER_MS } from './longTimer';
import type { TaskRecord } from './taskRecord';
import { isTerminal } from './taskStatus';

/**
 * When a finished record's TTL runs out (epoch ms); undefined when it has none or an unlimited one,
 * and while the task is unfinished: a server may keep running work past the TTL it first granted
 * (TTL is retention, not a timeout), and a task its server no longer knows is ended by its follower.
 */
export function expiryOf(record: Pick<TaskRecord, 'createdAt' | 'grantedTtl' | 'status'>): number | undefined {
  if (record.grantedTtl === null || record.grantedTtl === undefined || !isTerminal(record.status)) return undefined;
  return Date.parse(record.createdAt) + record.grantedTtl;
}

export class ExpiryAlarm implements IDisposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the armed timer fires (Infinity: none armed). */
  private dueAt = Infinity;

  constructor(
    private readonly now: () => number,
    private readonly ring: () => void,
  ) {}

  /** Arms for the earliest expiry among the records not yet expired; with none, disarms. */
  reset(records: Iterable<TaskRecord>): void {
    clearTimeout(this.timer);
    let next: number | undefined;
    for (const record of records) {
      const expiresAt = expiryOf(record);
      if (!record.expired && expiresAt !== undefined && (next === undefined || expiresAt < next)) next = expiresAt;
    }
    this.dueAt = Infinity;
    if (next === undefined) return;
    this.arm(next);
  }

  /**
   * One record's TTL or status changed: re-arm only if it expires before the armed timer (a full
   * rescan per change is O(n)). A timer that fires early is harmless: the sweep rescans and re-arms.
   */
  consider(record: TaskRecord): void {
    const expiresAt = expiryOf(record);
    if (!record.expired && expiresAt !== undefined && expiresAt < this.dueAt) this.arm(expiresAt);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }

  private arm(expiresAt: number): void {
    clearTimeout(this.timer);
    // setTimeout overflows past ~24.8 days; re-check then instead.
    const delay = Math.min(Math.max(0, expiresAt - this.now()), MAX_TIMER_MS);
    this.dueAt = this.now() + delay;
    this.timer = setTimeout(this.ring, delay);
    this.timer.unref?.();
  }
}
