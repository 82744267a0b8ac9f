import { taskSnapshotOf } from './taskSnapshot';
import type { WireCheck } from './wireCheck';

/** A task that was `completed`, `failed` or `cancelled` never changes status again (T-S-07, both wires). */
export const checkTerminalStatus: WireCheck = (checked, memory) => {
  const snapshot = taskSnapshotOf(checked);
  const status = snapshot?.task.status;
  if (typeof status !== 'string') return undefined;
  const terminal = memory.terminalStatusOf(checked.taskId);
  if (terminal === undefined || terminal === status) return undefined;
  return { rule: 'T-S-07', text: `The task was already ${terminal}, and is now ${status}: a terminal status must never change.` };
};
