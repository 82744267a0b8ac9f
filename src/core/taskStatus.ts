/** The five task states both MCP task wires share. */
export const TASK_STATUSES = ['working', 'input_required', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

export function isTerminal(status: TaskStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/**
 * The spec's state machine: `working ⇄ input_required`, both may end in any terminal state,
 * and a terminal state is absorbing (T-S-06, T-S-07). A no-op "transition" to the same
 * non-terminal state is allowed so status messages can be updated.
 */
export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  if (isTerminal(from)) return false;
  return from !== to || !isTerminal(to);
}

export function canCancel(status: TaskStatus): boolean {
  return !isTerminal(status);
}

/** Failed and cancelled work can be attempted again; a completed task is done. */
export function canRetry(status: TaskStatus): boolean {
  return status === 'failed' || status === 'cancelled';
}
