import { type CheckedMessage, isV1, objectOf } from './wireCheck';

/**
 * The task a received message carries, where each wire puts it: 2025-11-25 nests it under `task`
 * in a `CreateTaskResult` and sends it flat in `tasks/get`, `tasks/cancel` and status
 * notifications; the extension sends it flat in a `CreateTaskResult` (`resultType: "task"`),
 * `tasks/get` and `notifications/tasks`.
 */
export function taskSnapshotOf(checked: CheckedMessage): { readonly task: Record<string, unknown>; readonly created: boolean } | undefined {
  const { message, method, kind } = checked;
  if (kind === 'notification' || kind === 'event') {
    const params = objectOf(message.params);
    if (!params) return undefined;
    if (method === 'notifications/tasks/status' || method === 'notifications/tasks') return { task: params, created: false };
    return undefined;
  }
  if (kind !== 'response') return undefined;
  const result = objectOf(message.result);
  if (!result) return undefined;
  if (isV1(checked)) {
    if (method === 'tools/call') {
      const task = objectOf(result.task);
      return task ? { task, created: true } : undefined;
    }
    return method === 'tasks/get' || method === 'tasks/cancel' ? { task: result, created: false } : undefined;
  }
  if (method === 'tools/call') {
    return result.resultType === 'task' ? { task: result, created: true } : undefined;
  }
  return method === 'tasks/get' ? { task: result, created: false } : undefined;
}
