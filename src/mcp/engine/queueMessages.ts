/**
 * What a task's status message says about the scheduler: its place in the queue, that it left it,
 * or that it never ran. The scheduler knows only ids and places; these are the words every wire
 * and the host's views show for them, so they live in one place next to the scheduler.
 */
import type { TaskStatus } from '../../core/taskStatus';
import type { QueuePlace } from './scheduler';

/** The status message of a task that waited in the queue and got its slot. */
export const STARTED_MESSAGE = 'Started';

/** The status message of a task waiting in the scheduler. */
export function describePlace(place: QueuePlace): string {
  if (place.reason === 'time' && place.until !== undefined) return `Waiting until ${clockTime(place.until)}`;
  if (place.reason === 'task' && place.afterTaskId !== undefined) return `Waiting for task ${shortTaskId(place.afterTaskId)}`;
  return `Queued (${place.position} of ${place.size})`;
}

/** Why a task that was to run after another never ran: that one ended without success. */
export function prerequisiteFailedMessage(afterTaskId: string, status: TaskStatus): string {
  return `Did not run: task ${shortTaskId(afterTaskId)}, which it was to run after, ${status === 'cancelled' ? 'was cancelled' : 'failed'}`;
}

/** How a waiting task names the task it waits for. */
function shortTaskId(taskId: string): string {
  return taskId.slice(0, 8);
}

/** Local wall-clock time; seconds only when the moment is not on the minute. */
function clockTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  const minutes = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return date.getSeconds() === 0 ? minutes : `${minutes}:${pad(date.getSeconds())}`;
}
