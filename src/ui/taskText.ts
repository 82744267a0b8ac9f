// What the views say about a task, as plain text (no `vscode` here, so the rules are tested in plain Node).
import type { TaskRecord } from '../core/taskRecord';
import { type TaskStatus, isTerminal } from '../core/taskStatus';
import { canAnswer, canCancelTask, canChangePriority, canPutAway, canRetryTask, isQueued } from '../core/taskRules';
import { shorten } from '../core/taskTitle';

/** How each status looks, everywhere in the UI. */
export const STATUS_LOOK: Record<TaskStatus, { label: string; group: string; icon: string; color: string; order: number }> = {
  input_required: { label: 'Needs input', group: 'Needs input', icon: 'question', color: 'charts.yellow', order: 0 },
  working: { label: 'Running', group: 'Running', icon: 'sync~spin', color: 'charts.blue', order: 1 },
  failed: { label: 'Failed', group: 'Failed', icon: 'error', color: 'testing.iconFailed', order: 2 },
  completed: { label: 'Completed', group: 'Completed', icon: 'pass', color: 'testing.iconPassed', order: 3 },
  cancelled: { label: 'Cancelled', group: 'Cancelled', icon: 'circle-slash', color: 'disabledForeground', order: 4 },
};

/** A task's row title, as every view shows it (the rule is in core). */
export { taskLabel } from '../core/taskTitle';

/** `contextValue` for menus: `task:<status>` plus the actions that apply, matched by `when` regexes. */
export function contextValueOf(record: TaskRecord): string {
  let value = `task:${record.status}`;
  // An imported task is a read-only copy: nothing to cancel, retry or answer.
  if (record.imported) value += ':imported';
  else {
    if (canCancelTask(record)) value += ':cancelable';
    if (canRetryTask(record)) value += ':retryable';
    if (canAnswer(record)) value += ':input';
    if (isQueued(record)) value += ':queued';
    if (canChangePriority(record)) value += ':prioritizable';
  }
  if (isTerminal(record.status)) value += ':finished';
  // Archive and Delete: finished work, and any imported copy (it runs nowhere, whatever its status).
  if (canPutAway(record)) value += ':putaway';
  if (record.pinned) value += ':pinned';
  if (record.archived) value += ':archived';
  return value;
}

/** "2", or "2 of 3" when the task has a retry policy (its attempts in all). */
export function attemptText(record: Pick<TaskRecord, 'attempt' | 'retry'>): string {
  return record.retry ? `${record.attempt} of ${record.retry.attempts}` : String(record.attempt);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Time a running task has been at it, compact and to the second: "42s", "3m 05s", "1h 02m". */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay ? date.toLocaleTimeString() : date.toLocaleString();
}

/** How long a status message may be in a row's description; the tooltip and the panel have all of it. */
const DESCRIPTION_MESSAGE_CHARS = 60;

/**
 * A tree row's description: the task's live state, most telling first, because a default-width
 * sidebar shows only its start. Running work: its place in the queue, or the time it has run and
 * its last output line. Finished work: its attempt, its last message ("exit 3", "1 of 3 tests
 * failed") and how long it took. The status itself is the row's icon (and its group).
 */
export function taskDescription(record: TaskRecord, now: number = Date.now()): string {
  return describeAt(descriptionParts(record), now);
}

/** A task's description split at the clock: when the elapsed time it shows started (if it shows one), and the rest. */
export interface DescriptionParts {
  readonly startedMs: number | undefined;
  readonly rest: string;
}

/** What `taskDescription` says apart from the clock, so a row can be kept and only its elapsed time made again as it runs. */
export function descriptionParts(record: TaskRecord): DescriptionParts {
  const parts: string[] = [];
  const started = Date.parse(record.createdAt);
  if (isQueued(record) && record.queue) parts.push(`Queued ${record.queue.position} of ${record.queue.size}`);
  const ticks = !isQueued(record) && !isTerminal(record.status);
  if (record.attempt > 1) parts.push(`attempt ${attemptText(record)}`);
  if (record.statusMessage && !isQueued(record)) parts.push(shorten(record.statusMessage, DESCRIPTION_MESSAGE_CHARS));
  if (isTerminal(record.status)) parts.push(formatDuration(Date.parse(record.lastUpdatedAt) - started));
  if (record.expired) parts.push('expired');
  if (record.imported) parts.push('imported');
  if (record.pinned) parts.push('pinned');
  return { startedMs: ticks ? started : undefined, rest: parts.join(' · ') };
}

/**
 * The clock readings over which `describeAt` gives the same text, [from, until): forever when no
 * elapsed time shows; else the second (the minute, past an hour) `formatElapsed` shows.
 */
export function describedSpan(parts: DescriptionParts, now: number): { readonly from: number; readonly until: number } {
  if (parts.startedMs === undefined) return { from: -Infinity, until: Infinity };
  const elapsed = now - parts.startedMs;
  if (elapsed < 1000) return { from: -Infinity, until: parts.startedMs + 1000 };
  const step = elapsed >= 3_600_000 ? 60_000 : 1000;
  const from = parts.startedMs + Math.floor(elapsed / step) * step;
  return { from, until: from + step };
}

/** The description at a given time. */
export function describeAt(parts: DescriptionParts, now: number): string {
  if (parts.startedMs === undefined) return parts.rest;
  const elapsed = formatElapsed(now - parts.startedMs);
  return parts.rest ? `${elapsed} · ${parts.rest}` : elapsed;
}

/** Whether a row's description changes with the clock alone (it shows elapsed time). */
export function descriptionTicks(record: TaskRecord): boolean {
  return !isTerminal(record.status) && !isQueued(record);
}

export function truncate(text: string, max: number): string {
  return shorten(text, max);
}
