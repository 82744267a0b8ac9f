/**
 * The optional details a person can give a new task besides its arguments: why (intent), how
 * urgent (priority) and how long it may run (time budget, typed as "10m" or "90s"). They travel
 * as the task's `_meta` (`dev.tasklane/intent`, `…/priority`, `…/resourceLimits`).
 */
import { PRIORITY_RULE, type TaskSpecInput, isValidPriority } from './taskRecord';

export interface TaskDetails {
  readonly intent?: string;
  readonly priority?: number;
  readonly timeBudgetMs?: number;
}

export type Parsed<T> = { readonly ok: true; readonly value: T | undefined } | { readonly ok: false; readonly error: string };

/** Longer budgets are refused: a week is already more than any single piece of work should take. */
export const MAX_TIME_BUDGET_MS = 7 * 24 * 60 * 60 * 1000;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const UNIT_WORDS: readonly (readonly [RegExp, string])[] = [
  [/^(ms|msecs?|milliseconds?)$/, 'ms'],
  [/^(s|secs?|seconds?)$/, 's'],
  [/^(m|mins?|minutes?)$/, 'm'],
  [/^(h|hrs?|hours?)$/, 'h'],
  [/^(d|days?)$/, 'd'],
];
const PART = /(\d+(?:\.\d+)?)\s*([a-z]+)/gy;

/**
 * Reads a duration a person typed: "90s", "10m", "1h 30m", "1.5h", "2 hours". Empty means none.
 * A bare number is refused: "10" could be seconds or minutes.
 */
export function parseDuration(text: string): Parsed<number> {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '') return { ok: true, value: undefined };
  if (/^\d+(\.\d+)?$/.test(trimmed)) return { ok: false, error: `Add a unit: ${trimmed}s, ${trimmed}m or ${trimmed}h` };
  let total = 0;
  let at = 0;
  const compact = trimmed.replace(/\s*,\s*|\s+and\s+/g, ' ');
  PART.lastIndex = 0;
  while (at < compact.length) {
    while (compact[at] === ' ') at++;
    if (at >= compact.length) break;
    PART.lastIndex = at;
    const match = PART.exec(compact);
    const unit = match && UNIT_WORDS.find(([pattern]) => pattern.test(match[2]!))?.[1];
    if (!match || !unit) return { ok: false, error: 'Write a duration like 90s, 10m or 1h 30m' };
    total += Number(match[1]) * UNIT_MS[unit]!;
    at = PART.lastIndex;
  }
  const ms = Math.round(total);
  if (ms <= 0) return { ok: false, error: 'A time budget must be longer than zero' };
  if (ms > MAX_TIME_BUDGET_MS) return { ok: false, error: 'A time budget can be at most 7 days' };
  return { ok: true, value: ms };
}

/** A duration in the words `parseDuration` reads back: 5_400_000 → "1h 30m". */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let left = Math.round(ms);
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const count = Math.floor(left / UNIT_MS[unit]!);
    if (count > 0) parts.push(`${count}${unit}`);
    left -= count * UNIT_MS[unit]!;
  }
  if (left > 0 || parts.length === 0) parts.push(`${left}ms`);
  return parts.join(' ');
}

/** A priority typed as a whole number from MIN_PRIORITY to MAX_PRIORITY. Empty means none (0). */
export function parsePriority(text: string): Parsed<number> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: undefined };
  const value = Number(trimmed.replace(/^\+/, ''));
  if (!/^[+-]?\d+$/.test(trimmed) || !isValidPriority(value)) {
    return { ok: false, error: `A priority is ${PRIORITY_RULE}` };
  }
  return { ok: true, value };
}

/** The part of a task's spec the details fill in; nothing for details left out. */
export function specOfDetails(details: TaskDetails): Pick<TaskSpecInput, 'intent' | 'priority' | 'resourceLimits'> {
  return {
    ...(details.intent?.trim() ? { intent: details.intent.trim() } : {}),
    ...(details.priority !== undefined ? { priority: details.priority } : {}),
    ...(details.timeBudgetMs !== undefined ? { resourceLimits: { timeBudgetMs: details.timeBudgetMs } } : {}),
  };
}
