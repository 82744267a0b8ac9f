import { z } from 'zod';
import { META, SPEC_META } from '../../core/meta';
import { SchedulingHintsSchema, describeIssues } from '../../core/taskRecord';
import { isTerminal } from '../../core/taskStatus';
import { RpcCode, RpcError } from '../rpcError';
import type { EngineTask, StartOptions } from './taskEngine';
import { MAX_PRIORITY, MIN_PRIORITY } from './taskEngine';

/** What a `tools/call`'s `_meta` asks of the scheduler, in the engine's terms. */
export type CallHints = Pick<StartOptions, 'priority' | 'runAfter' | 'afterTaskId' | 'parentTaskId'>;

const PrioritySchema = z.number().int().min(MIN_PRIORITY).max(MAX_PRIORITY);
const RelatedTaskSchema = z.object({ taskId: z.string() });
const ParentTaskIdSchema = z.string().min(1);

/**
 * Reads priority, scheduling hints and the parent task from a `tools/call`'s `_meta`, the same
 * on both wires. Malformed hints are -32602. The parent is our own key when given, else the task
 * named by the spec's related-task key when that task is still running: work started on behalf
 * of a running task is its child. `lookup` is scoped to the caller, so other owners' tasks stay
 * invisible (the engine drops a parent it cannot see, and refuses an after-task it cannot see).
 */
export function readCallHints(meta: Record<string, unknown> | undefined, lookup: (taskId: string) => EngineTask | undefined): CallHints {
  if (!meta) return {};
  const hints: { -readonly [K in keyof CallHints]: CallHints[K] } = {};

  if (meta[META.priority] !== undefined) {
    const priority = PrioritySchema.safeParse(meta[META.priority]);
    if (!priority.success) throw invalid(META.priority, `an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}`, priority.error);
    hints.priority = priority.data;
  }

  if (meta[META.scheduling] !== undefined) {
    const scheduling = SchedulingHintsSchema.safeParse(meta[META.scheduling]);
    if (!scheduling.success) throw invalid(META.scheduling, '{ runAfter?: ISO 8601 date, afterTaskId?: task id }', scheduling.error);
    if (scheduling.data.runAfter !== undefined) hints.runAfter = Date.parse(scheduling.data.runAfter);
    if (scheduling.data.afterTaskId !== undefined) hints.afterTaskId = scheduling.data.afterTaskId;
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

function invalid(key: string, expected: string, error: z.ZodError): RpcError {
  return new RpcError(RpcCode.InvalidParams, `Invalid _meta["${key}"]: expected ${expected} (${describeIssues(error)})`);
}
