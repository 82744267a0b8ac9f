import type { JsonRpcErrorObject, TaskRecord } from './taskRecord';

/**
 * How a task reads when the window reloaded (or the editor closed) while its work ran inside the
 * extension host: the work ended with the window, through no fault of the task. Written in one
 * place (the task service, when it reopens the store) and recognised here, so the status bar can
 * tell such an ending from a new failure.
 */
export const RELOAD_INTERRUPTION = {
  /** The error recorded on the task. */
  // -32603 is JSON-RPC "internal error" (RpcCode.InternalError; core does not import the wire layer).
  error: { code: -32603, message: 'Stopped when the window reloaded' } satisfies JsonRpcErrorObject,
  /** The status message the views show. */
  statusMessage: 'Stopped when the window reloaded: its work ran inside the window and ended with it. Retry to start it again.',
} as const;

/**
 * How a task reads when the editor closed after asking a server to start it and before the server
 * answered, and the server, asked again on reconnect, lists no such task: the start never reached it.
 */
export const UNANSWERED_START = {
  error: { code: -32603, message: 'Did not start: the editor closed before the server answered' } satisfies JsonRpcErrorObject,
  statusMessage: 'Did not start: the editor closed before the server answered. Retry to run it.',
} as const;

/** Whether the task ended because the window reloaded while it ran or started (not a failure of its own). */
export function endedByReload(record: Pick<TaskRecord, 'status' | 'error'>): boolean {
  if (record.status !== 'failed') return false;
  const message = record.error?.message;
  return message === RELOAD_INTERRUPTION.error.message || message === UNANSWERED_START.error.message;
}
