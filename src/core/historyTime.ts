/**
 * The time filters of the history search, `since:` and `before:`, against the time a task was
 * created. A value is a duration back from now (`30m`, `1h`, `2d`, `1w`, or several: `1h30m`) or a
 * local date or date and time (`2026-12-01`, `2026-12-06T10:00`). A duration is kept as a duration
 * and resolved against the clock at each search, so the same typed query finds less as time passes.
 */

/** A point in time a query names: `ago` milliseconds before the search runs, or an instant. */
export type TimeBound = { readonly ago: number } | { readonly at: number };

/** The creation times a query lets through, resolved at one instant (epoch milliseconds, both ends optional). */
export interface TimeWindow {
  /** Created at or after. */
  readonly from?: number;
  /** Created strictly before. */
  readonly until?: number;
}

export const TIME_FIELDS = ['since', 'before'] as const;
export type TimeField = (typeof TIME_FIELDS)[number];

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** The plain error shown in the search box for a value neither form reads. */
export function timeValueError(field: TimeField): string {
  return `${field}: expects a duration like 1h or a date like 2026-12-01`;
}

/** Reads a `since:`/`before:` value; undefined when it is neither a duration nor a valid date. */
export function parseTimeBound(value: string): TimeBound | undefined {
  const text = value.trim().toLowerCase();
  if (/^(\d+[smhdw])+$/.test(text)) {
    let ago = 0;
    for (const [, amount, unit] of text.matchAll(/(\d+)([smhdw])/g)) ago += Number(amount) * UNIT_MS[unit];
    return Number.isSafeInteger(ago) ? { ago } : undefined;
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})(?:t(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!date) return undefined;
  const [year, month, day, hour, minute, second] = date.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  // Local time, as a person reads a clock; the Date constructor rolls 2026-02-30 over, so check it did not.
  const at = new Date(year, month - 1, day, hour, minute, second);
  const exact = at.getFullYear() === year && at.getMonth() === month - 1 && at.getDate() === day && at.getHours() === hour && at.getMinutes() === minute;
  return exact && second < 60 ? { at: at.getTime() } : undefined;
}

/** The instant a bound names when the search runs at `now`. */
export function resolveBound(bound: TimeBound, now: number): number {
  return 'ago' in bound ? now - bound.ago : bound.at;
}

/** The window of creation times `since` and `before` allow at `now`. */
export function timeWindow(since: TimeBound | undefined, before: TimeBound | undefined, now: number): TimeWindow {
  return { from: since && resolveBound(since, now), until: before && resolveBound(before, now) };
}

export function isOpenWindow(window: TimeWindow): boolean {
  return window.from === undefined && window.until === undefined;
}

/** Whether a task created at `createdAt` (epoch milliseconds) falls in the window. */
export function inWindow(createdAt: number, window: TimeWindow): boolean {
  if (window.from !== undefined && !(createdAt >= window.from)) return false;
  if (window.until !== undefined && !(createdAt < window.until)) return false;
  return true;
}

/** Every time `inner` lets through, `outer` lets through too. */
export function windowWithin(inner: TimeWindow, outer: TimeWindow): boolean {
  const fromOk = outer.from === undefined || (inner.from !== undefined && inner.from >= outer.from);
  const untilOk = outer.until === undefined || (inner.until !== undefined && inner.until <= outer.until);
  return fromOk && untilOk;
}
