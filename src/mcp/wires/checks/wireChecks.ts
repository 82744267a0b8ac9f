import type { WireFlag } from '../../../core/wireLog';
import { checkRelatedTask } from './relatedTaskCheck';
import { checkTaskErrorCode } from './taskErrorCodeCheck';
import { checkTaskTimestamps } from './taskTimestampsCheck';
import { checkTaskTtl } from './taskTtlCheck';
import { checkTerminalStatus } from './terminalStatusCheck';
import type { CheckedMessage, TaskMemory, WireCheck } from './wireCheck';

export type { CheckedMessage, TaskMemory } from './wireCheck';
export { taskSnapshotOf } from './taskSnapshot';
export { relatedTaskIdOf } from './wireCheck';

/** Every check a received message goes through, one concern each. */
const WIRE_CHECKS: readonly WireCheck[] = [checkTaskTtl, checkTaskTimestamps, checkTerminalStatus, checkRelatedTask, checkTaskErrorCode];

/** The checklist rules a peer's message breaks (none for a message Tasklane sent). */
export function flagsOf(checked: CheckedMessage, memory: TaskMemory): WireFlag[] {
  const flags: WireFlag[] = [];
  for (const check of WIRE_CHECKS) {
    const flag = check(checked, memory);
    if (flag) flags.push(flag);
  }
  return flags;
}
