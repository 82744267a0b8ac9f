import { RpcCode } from '../../rpcError';
import { type WireCheck, isV1, objectOf } from './wireCheck';

/** What a task method may fail with besides -32602: an internal failure (T-S-23). */
const ALSO_ALLOWED = new Set<number>([RpcCode.InvalidParams, RpcCode.InternalError]);

/**
 * A task method refused for its task id answers -32602: an unknown or invalid id on
 * `tasks/get|result|cancel` (2025-11-25: T-S-21; the extension's `tasks/get`: T-S-37), a cancel of
 * a finished task (T-S-18). Anything else but an internal error (-32603) is the wrong code.
 * (`tasks/result` is left out: it answers a failed task with that task's own error, T-S-11.)
 */
export const checkTaskErrorCode: WireCheck = (checked, memory) => {
  if (checked.kind !== 'error') return undefined;
  const code = objectOf(checked.message.error)?.code;
  if (typeof code !== 'number' || ALSO_ALLOWED.has(code)) return undefined;
  const terminal = memory.terminalStatusOf(checked.taskId);
  if (isV1(checked)) {
    if (checked.method === 'tasks/cancel' && terminal !== undefined)
      return { rule: 'T-S-18', text: `tasks/cancel of a ${terminal} task answered ${code}: it must be -32602 (Invalid params).` };
    if (checked.method === 'tasks/get' || checked.method === 'tasks/cancel')
      return { rule: 'T-S-21', text: `${checked.method} failed with ${code}: an unknown or invalid task id must be -32602 (Invalid params).` };
    return undefined;
  }
  if (checked.method === 'tasks/get')
    return { rule: 'T-S-37', text: `tasks/get failed with ${code}: an unknown, invalid or expired task id must be -32602 (Invalid params).` };
  return undefined;
};
