/**
 * How long the engine keeps a task: the retention (TTL) it grants for a request, and when a
 * granted one has run out. An expired task answers "not found" on every wire; the engine sweeps it.
 */
import type { EngineTask } from './engineTask';

export const DEFAULT_TTL_MS = 60 * 60 * 1000;
export const MAX_TTL_MS = 24 * 60 * 60 * 1000;

export interface RetentionLimits {
  /** Retention granted when none is requested; null or Infinity: unlimited. */
  readonly defaultTtlMs?: number | null;
  /** Upper bound on granted retention; null or Infinity: none. */
  readonly maxTtlMs?: number | null;
}

export class TaskRetention {
  readonly defaultTtlMs: number | null;
  readonly maxTtlMs: number | null;

  constructor(
    limits: RetentionLimits,
    private readonly now: () => number,
  ) {
    this.defaultTtlMs = finiteOrNull(limits.defaultTtlMs === undefined ? DEFAULT_TTL_MS : limits.defaultTtlMs);
    this.maxTtlMs = finiteOrNull(limits.maxTtlMs === undefined ? MAX_TTL_MS : limits.maxTtlMs);
  }

  /** The retention granted for a request: at least 1 s, at most the maximum; null when unlimited. */
  grant(requested: number | undefined): number | null {
    const wanted = requested === undefined ? this.defaultTtlMs : Math.max(requested, 1000);
    if (wanted === null) return this.maxTtlMs;
    return this.maxTtlMs === null ? wanted : Math.min(wanted, this.maxTtlMs);
  }

  isExpired(task: Pick<EngineTask, 'createdAt' | 'ttl'>): boolean {
    return task.ttl !== null && Date.parse(task.createdAt) + task.ttl <= this.now();
  }
}

function finiteOrNull(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : value;
}
