/**
 * What a person may do to a task, and what needs them: one function per rule, so the tree's menus,
 * the palette, the detail panel, the status bar and the badge always agree.
 */
import { EMBEDDED_SERVER_ID } from './embeddedServer';
import { endedByReload } from './reloadInterruption';
import type { TaskRecord } from './taskRecord';
import { canCancel, canRetry, isTerminal } from './taskStatus';

/** Still running, or a failed attempt whose automatic retry waits (cancelling stops it); not an imported read-only copy. */
export function canCancelTask(record: TaskRecord): boolean {
  return (canCancel(record.status) || isRetryWaiting(record)) && !record.imported;
}

/** A failed attempt whose automatic retry waits to start (retryPolicy.ts). */
export function isRetryWaiting(record: TaskRecord): boolean {
  return record.retryDue !== undefined && record.status === 'failed';
}

/** A failed or cancelled attempt that has not been retried yet (retry the latest attempt), and not an imported copy. */
export function canRetryTask(record: TaskRecord): boolean {
  return canRetry(record.status) && !record.retriedAs && !record.imported;
}

/** Any finished task can run again as a new task of its own, unless it is an imported copy. */
export function canRunAgain(record: TaskRecord): boolean {
  return isTerminal(record.status) && !record.imported;
}

/**
 * Another principal's work, listed from a team server the editor sees as its board: running it
 * again (Retry, Run Again) starts the person's own new task with its tool and arguments, so it is
 * asked first every time, and never done on its own (no automatic retry).
 */
export function runsAgainOnlyWhenAsked(record: Pick<TaskRecord, 'teamListed'>): boolean {
  return record.teamListed === true;
}

/**
 * A team task that had already finished when the board listed it, recorded without its outcome
 * (listing does not fetch results): its result or error is fetched when the person opens it.
 */
export function lacksListedOutcome(record: TaskRecord): boolean {
  const ended = record.status === 'completed' || record.status === 'failed';
  return record.teamListed === true && ended && record.result === undefined && record.resultFile === undefined && record.error === undefined;
}

/** A question of this task waits for an answer. */
export function canAnswer(record: TaskRecord): boolean {
  return record.pendingInput.length > 0 && !record.imported;
}

/** Priority reorders the embedded server's queue: only its unfinished tasks have one to change. */
export function canChangePriority(record: TaskRecord): boolean {
  return !isTerminal(record.status) && record.serverId === EMBEDDED_SERVER_ID && !record.imported;
}

/**
 * Only finished work is archived or deleted: running work is cancelled first. An imported copy runs
 * nowhere (and cannot be cancelled), so it is put away whatever status it was exported in.
 */
export function canPutAway(record: TaskRecord): boolean {
  return isTerminal(record.status) || record.imported;
}

/** Waiting in the server's scheduler: accepted, `working`, but not started yet. */
export function isQueued(record: TaskRecord): boolean {
  return record.queue !== undefined && record.status === 'working';
}

/** A failed task still in view: not retried (nor about to be, automatically), archived or imported. */
export function isOpenFailure(record: TaskRecord): boolean {
  return record.status === 'failed' && !record.retriedAs && !record.retryDue && !record.archived && !record.imported;
}

/**
 * A question waits, or a failure has not been retried or put away. An imported copy never needs
 * anything, nor does another principal's team task (a board sees the whole team's work: its
 * failures are there to look at, not counted in the badge or told as news).
 */
export function needsAttention(record: TaskRecord): boolean {
  if (record.archived || record.imported || record.teamListed) return false;
  return record.status === 'input_required' || isOpenFailure(record);
}

/**
 * A failure to tell the person about: the automatic retry chain, if any, has given up (no retry
 * waits and no later attempt runs), and it is no reload's doing. A failed attempt whose retry
 * waits is no news yet: its own status message counts down to the retry.
 */
export function isFailureNews(record: TaskRecord): boolean {
  // isOpenFailure already leaves out a failure whose retry waits (`retryDue`) or was retried (`retriedAs`).
  return isOpenFailure(record) && !endedByReload(record) && !record.teamListed;
}
