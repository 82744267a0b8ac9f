import { type WireCheck, isV1, objectOf, relatedTaskIdOf } from './wireCheck';

/**
 * The `tasks/result` answer ties itself to its task: `_meta["io.modelcontextprotocol/related-task"]`
 * names the task (T-S-13, 2025-11-25). (A request the server sends on a task's behalf without it
 * cannot be told from a plain one, so T-S-14 is not checked here.)
 */
export const checkRelatedTask: WireCheck = (checked) => {
  if (!isV1(checked) || checked.method !== 'tasks/result' || checked.kind !== 'response') return undefined;
  const meta = objectOf(objectOf(checked.message.result)?._meta);
  const related = relatedTaskIdOf(meta);
  if (related === checked.taskId) return undefined;
  return {
    rule: 'T-S-13',
    text:
      related === undefined
        ? 'The tasks/result answer has no `_meta["io.modelcontextprotocol/related-task"]`: it must name the task it belongs to.'
        : `The tasks/result answer names task ${related} in its related-task \`_meta\`, not ${checked.taskId}.`,
  };
};
