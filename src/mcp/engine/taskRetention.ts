/**
 * How long the engine keeps a task. TTL is retention, not a timeout (time budgets are the
 * timeout): unfinished work (queued, running or waiting for input) is kept however long it takes,
 * and a finished task is kept for its granted retention counted from its end. The TTL a task
 * reports (ms from creation, as both wires define it) says so: while the work runs it keeps moving
 * on, and at the end it becomes the run time plus the retention. Only an optional ceiling on
 * unfinished work ends a task for its age, and then it fails with a message that says why. An
 * expired task answers "not found" on every wire; the engine sweeps it.
 */
import { formatDuration } from '../../core/taskDetails';
import { isTerminal } from '../../core/taskStatus';
import type { EngineTask } from './engineTask';

export const DEFAULT_TTL_MS = 60 * 60 * 1000;
export const MAX_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * Unfinished work's reported expiry is moved on while at least this far ahead, however short its
 * retention: the sweep that moves it runs once a second, and a requestor must never see a running
 * task's `createdAt + ttl` pass.
 */
export const MIN_LEAD_MS = 5_000;

export interface RetentionLimits {
  /** Retention granted when none is requested; null or Infinity: unlimited. */
  readonly defaultTtlMs?: number | null;
  /** Upper bound on granted retention; null or Infinity: none. */
  readonly maxTtlMs?: number | null;
  /**
   * Longest a task may stay unfinished, from its creation; past it the task fails and its work is
   * stopped. null, Infinity or not given: no limit (time budgets and cancel end work).
   */
  readonly maxUnfinishedMs?: number | null;
}

export class TaskRetention {
  readonly defaultTtlMs: number | null;
  readonly maxTtlMs: number | null;
  readonly maxUnfinishedMs: number | null;

  constructor(
    limits: RetentionLimits,
    private readonly now: () => number,
  ) {
    this.defaultTtlMs = finiteOrNull(limits.defaultTtlMs === undefined ? DEFAULT_TTL_MS : limits.defaultTtlMs);
    this.maxTtlMs = finiteOrNull(limits.maxTtlMs === undefined ? MAX_TTL_MS : limits.maxTtlMs);
    this.maxUnfinishedMs = finiteOrNull(limits.maxUnfinishedMs ?? null);
  }

  /** The retention granted for a request: at least 1 s, at most the maximum; null when unlimited. Also the task's first TTL. */
  grant(requested: number | undefined): number | null {
    const wanted = requested === undefined ? this.defaultTtlMs : Math.max(requested, 1000);
    if (wanted === null) return this.maxTtlMs;
    return this.maxTtlMs === null ? wanted : Math.min(wanted, this.maxTtlMs);
  }

  /**
   * The TTL unfinished work reports from now on, or undefined while the one it reports still
   * holds: once less than half its lead (the retention, at least MIN_LEAD_MS) is left, the expiry
   * moves to a full lead from now. It never passes the point where the ceiling would end the work
   * and the retention would run out after it.
   */
  extendedTtl(task: Pick<EngineTask, 'createdAt' | 'ttl'>, retention: number | null): number | undefined {
    if (task.ttl === null || retention === null) return undefined;
    const created = Date.parse(task.createdAt);
    const now = this.now();
    const lead = Math.max(retention, MIN_LEAD_MS);
    if (created + task.ttl - now >= lead / 2) return undefined;
    const extended = now - created + lead;
    const longest = this.maxUnfinishedMs === null ? Infinity : this.maxUnfinishedMs + retention;
    const ttl = Math.min(extended, longest);
    return ttl > task.ttl ? ttl : undefined;
  }

  /** The TTL of a task whose work ends now: how long it ran, plus the retention. */
  ttlAtEnd(task: Pick<EngineTask, 'createdAt'>, retention: number | null): number | null {
    return retention === null ? null : Math.max(0, this.now() - Date.parse(task.createdAt)) + retention;
  }

  /** A finished task whose retention has run out. Unfinished work never expires. */
  isExpired(task: Pick<EngineTask, 'createdAt' | 'ttl' | 'status'>): boolean {
    return isTerminal(task.status) && task.ttl !== null && Date.parse(task.createdAt) + task.ttl <= this.now();
  }

  /** Why unfinished work that has passed the ceiling ends; undefined when it may go on. */
  overrun(task: Pick<EngineTask, 'createdAt' | 'status'>): string | undefined {
    if (this.maxUnfinishedMs === null || isTerminal(task.status)) return undefined;
    if (Date.parse(task.createdAt) + this.maxUnfinishedMs > this.now()) return undefined;
    return `Ended: the task ran longer than this server allows (${formatDuration(this.maxUnfinishedMs)})`;
  }
}

function finiteOrNull(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : value;
}
