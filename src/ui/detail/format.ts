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

/** A wire message's time after the task's creation, to the millisecond: `+1.204 s`, `+2 m 05.310 s`, `+1 h 02 m 05 s`; `−0.012 s` just before it. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '−' : '+';
  const value = Math.abs(Math.round(ms));
  if (value < 60_000) return `${sign}${(value / 1000).toFixed(3)} s`;
  const minutes = Math.floor(value / 60_000);
  if (minutes < 60) return `${sign}${minutes} m ${pad(Math.floor((value % 60_000) / 1000))}.${String(value % 1000).padStart(3, '0')} s`;
  return `${sign}${Math.floor(minutes / 60)} h ${pad(minutes % 60)} m ${pad(Math.floor((value % 60_000) / 1000))} s`;
}

/** A wire message's clock time in the local zone, to the millisecond: `14:05:09.204`. */
export function formatClock(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, '0')}`;
}

/** What the Wire section says about the messages the log's bounds dropped: `42 earlier messages (118.0 KB) not kept`. */
export function describeDropped(dropped: { messages: number; bytes: number }): string {
  return `${dropped.messages} earlier message${dropped.messages === 1 ? '' : 's'} (${formatBytes(dropped.bytes)}) not kept`;
}

/** What the Wire section says about a message cut to keep the log bounded. */
export function describeCut(bytes: number, keptBytes: number): string {
  return `Cut: ${formatBytes(keptBytes)} of ${formatBytes(bytes)} kept`;
}
