import { z } from 'zod';
import { META, SPEC_META } from '../../core/meta';
import { describeIssues } from '../../core/taskRecord';
import { InvalidTaskMetaError, type TaskMetaFields, taskFieldsOf } from '../../core/taskMeta';
import { isTerminal } from '../../core/taskStatus';
import { RpcCode, RpcError } from '../rpcError';
import type { EngineTask, StartOptions } from '../engine/engineTask';

/** What a `tools/call`'s `_meta` asks of the scheduler, in the engine's terms. */
export type CallHints = Pick<StartOptions, 'priority' | 'runAfter' | 'afterTaskId' | 'parentTaskId' | 'idempotencyKey'>;

const RelatedTaskSchema = z.object({ taskId: z.string() });
const ParentTaskIdSchema = z.string().min(1);
/** Long enough for a UUID, a hash or a caller's own composite key; short enough to keep per task. */
export const MAX_IDEMPOTENCY_KEY_CHARS = 256;
const IdempotencyKeySchema = z.string().min(1).max(MAX_IDEMPOTENCY_KEY_CHARS);

/**
 * Reads priority, scheduling hints, the idempotency key and the parent task from a `tools/call`'s `_meta`, the same
 * on both wires. Any malformed Tasklane field (not only these hints) is -32602, so a task is never
 * created with metadata the host cannot record. The parent is our own key when given, else the task
 * named by the spec's related-task key when that task is still running: work started on behalf
 * of a running task is its child. `lookup` is scoped to the caller, so other owners' tasks stay
 * invisible (the engine drops a parent it cannot see, and refuses an after-task it cannot see).
 */
export function readCallHints(meta: Record<string, unknown> | undefined, lookup: (taskId: string) => EngineTask | undefined): CallHints {
  if (!meta) return {};
  const hints: { -readonly [K in keyof CallHints]: CallHints[K] } = {};

  const fields = readTaskFields(meta);
  if (fields.priority !== undefined) hints.priority = fields.priority;
  if (fields.scheduling?.runAfter !== undefined) hints.runAfter = Date.parse(fields.scheduling.runAfter);
  if (fields.scheduling?.afterTaskId !== undefined) hints.afterTaskId = fields.scheduling.afterTaskId;

  if (meta[META.idempotencyKey] !== undefined) {
    const key = IdempotencyKeySchema.safeParse(meta[META.idempotencyKey]);
    if (!key.success) throw invalid(META.idempotencyKey, `a string of 1 to ${MAX_IDEMPOTENCY_KEY_CHARS} characters`, key.error);
    hints.idempotencyKey = key.data;
  }

  if (meta[META.parentTaskId] !== undefined) {
    const parent = ParentTaskIdSchema.safeParse(meta[META.parentTaskId]);
    if (!parent.success) throw invalid(META.parentTaskId, 'a task id', parent.error);
    hints.parentTaskId = parent.data;
  } else {
    const related = RelatedTaskSchema.safeParse(meta[SPEC_META.relatedTask]);
    const task = related.success ? lookup(related.data.taskId) : undefined;
    if (task && !isTerminal(task.status)) hints.parentTaskId = task.taskId;
  }
  return hints;
}

/** Every Tasklane field in `_meta`, checked by the one mapping the host records them with; a value that does not fit is -32602. */
function readTaskFields(meta: Record<string, unknown>): TaskMetaFields {
  try {
    return taskFieldsOf(meta);
  } catch (error) {
    if (error instanceof InvalidTaskMetaError) throw new RpcError(RpcCode.InvalidParams, error.message);
    throw error;
  }
}

function invalid(key: string, expected: string, error: z.ZodError): RpcError {
  return new RpcError(RpcCode.InvalidParams, `Invalid _meta["${key}"]: expected ${expected} (${describeIssues(error)})`);
}
