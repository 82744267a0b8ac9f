/** Pure formatting helpers shared by the detail panel (host) and its webview. No imports. */

export const STATUS_LABELS = {
  working: 'Working',
  input_required: 'Needs input',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
} as const satisfies Record<string, string>;

/** `1h 02m`, `3m 07s`, `12.3s`, `450ms`. Negative values count as zero. */
export function formatDuration(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 1000) return `${Math.round(value)}ms`;
  if (value < 60_000) return `${(Math.floor(value / 100) / 10).toFixed(1)}s`;
  const totalSeconds = Math.floor(value / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return `${days}d ${pad(hours)}h`;
  if (hours > 0) return `${hours}h ${pad(minutes)}m`;
  return `${minutes}m ${pad(seconds)}s`;
}

/** A countdown that ticks every second: `59:59`, `1:02:03`, `2d 03h`. */
export function formatCountdown(ms: number): string {
  const totalSeconds = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return `${days}d ${pad(hours)}h`;
  if (hours > 0) return `${hours}:${pad(minutes)}:${pad(seconds)}`;
  return `${minutes}:${pad(seconds)}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** What the page says about a result's size: "12.0 KB", or "Showing the first 256.0 KB of 50.0 MB" when it was cut. */
export function describeResultSize(size: { bytes: number; shownBytes: number | null }): string {
  return size.shownBytes === null ? formatBytes(size.bytes) : `Showing the first ${formatBytes(size.shownBytes)} of ${formatBytes(size.bytes)}`;
}

/** The last `max` characters of `text`. */
export function tailOf(text: string, max: number): string {
  return text.length <= max ? text : text.slice(text.length - max);
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** What the page says about how long history keeps a finished task (see `retentionOutlook`). */
export function describeKept(
  retention: { kind: 'pinned' } | { kind: 'until'; until: string; days: number; maxTasks: number } | { kind: 'count'; maxTasks: number } | { kind: 'always' },
  now: number,
  formatDay: (at: Date) => string = (at) => at.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' }),
): string {
  switch (retention.kind) {
    case 'pinned':
      return 'Pinned: kept until you unpin it';
    case 'until': {
      const until = new Date(retention.until);
      const days = `${retention.days} day${retention.days === 1 ? '' : 's'}`;
      if (until.getTime() <= now) return `Due for removal: finished more than ${days} ago`;
      return `Until ${formatDay(until)} (${days})`;
    }
    case 'count':
      return `Until history passes ${retention.maxTasks} finished tasks`;
    case 'always':
      return 'Always (history keeps every task)';
  }
}
