/**
 * The 2025-11-25 tasks utility on the wire, for both sides: the schemas (every 2025-11-25 task
 * type and schema Tasklane takes from `@modelcontextprotocol/sdk` 1.x comes through this file; the
 * 2.x SDK removed the task runtime, so this is the one place to change when the SDK moves on), and
 * the mapping between an engine task, the wire `Task`, and the host's `RemoteTaskState`, and the
 * related-task `_meta` that ties a message to its task. `taskServerV1.ts` and `taskMethods.ts`
 * encode with it; `taskClientV1.ts` decodes with it (and tags what it answers as a receiver).
 */
import { z } from 'zod';
import { type CallToolResult, ListTasksResultSchema, TaskSchema, type Task as WireTaskV1 } from '@modelcontextprotocol/sdk/types.js';
import { META, SPEC_META } from '../../../core/meta';
import type { JsonRpcErrorObject } from '../../../core/taskRecord';
import type { EngineTask } from '../../engine/engineTask';
import { RpcError, toJsonRpcError } from '../../rpcError';
import { agentFromMeta, agentMeta } from '../agentMeta';
import { callFromMeta, callMeta } from '../callMeta';
import { inputRequestsFromMeta, inputRequestsMeta } from '../inputRequestsMeta';
import { queuePlaceFromMeta, withQueueMeta } from '../queueMeta';
import type { RemoteTaskState } from '../remoteTask';
import { stepsFromMeta } from '../stepsMeta';

export {
  CancelTaskRequestSchema,
  CancelTaskResultSchema,
  CreateTaskResultSchema,
  GetTaskPayloadRequestSchema,
  GetTaskRequestSchema,
  GetTaskResultSchema,
  ListTasksRequestSchema,
  ListTasksResultSchema,
  TaskStatusNotificationSchema,
  TaskSchema,
} from '@modelcontextprotocol/sdk/types.js';
export type { CreateTaskResult, Task as WireTaskV1, ToolExecution } from '@modelcontextprotocol/sdk/types.js';

export const WIRE_V1 = '2025-11-25';

/** How a task whose tool returned a result with `isError` ends on this wire: failed. */
export const TOOL_ERROR_STATUS = 'failed';

// ---------------------------------------------------------------------------------------------
// Encoding (the side that owns the task)

/** The wire form of a task (2025-11-25 `Task`): `ttl` is always present, null when unlimited (T-S-09). */
export function toWireTask(task: EngineTask): WireTaskV1 {
  return {
    taskId: task.taskId,
    status: task.status,
    ...(task.statusMessage !== undefined ? { statusMessage: task.statusMessage } : {}),
    createdAt: task.createdAt,
    lastUpdatedAt: task.lastUpdatedAt,
    ttl: task.ttl,
    pollInterval: task.pollInterval,
  };
}

/**
 * A `tasks/list` item: the task, with its owner and machine (agentMeta.ts), the call that made
 * it (callMeta.ts) and, for a `reader` other than its owner, its open questions
 * (inputRequestsMeta.ts) in a `_meta` of its own
 * when the server records them (a list carries many tasks, so the list result's `_meta` cannot),
 * never the queue place or steps, which only ride on what encloses a single task.
 */
export function toWireListItem(task: EngineTask, reader?: string): WireTaskV1 {
  const meta = { ...agentMeta(task), ...callMeta(task), ...inputRequestsMeta(task, reader) };
  return Object.keys(meta).length > 0 ? ({ ...toWireTask(task), _meta: meta } as WireTaskV1) : toWireTask(task);
}

/** `ListTasksResult` as our client reads it: the SDK's, keeping each item's `_meta` (the SDK's `Task` schema drops it). */
export const ListTasksWithMetaResultSchema = ListTasksResultSchema.extend({
  tasks: z.array(TaskSchema.extend({ _meta: z.record(z.string(), z.unknown()).optional() })),
});

/**
 * `GetTaskResult`/`CancelTaskResult` (`Result & Task`): the task plus its queue place in the
 * result's `_meta`, and its open questions when `reader` is not its owner (inputRequestsMeta.ts).
 */
export function toWireTaskResult(task: EngineTask, reader?: string): Record<string, unknown> {
  return { ...toWireTask(task), ...withQueueMeta(task, inputRequestsMeta(task, reader)) };
}

/** `CreateTaskResult`: the task, with its queue place in the result's `_meta`. */
export function toCreateTaskResult(task: EngineTask): Record<string, unknown> {
  return { task: toWireTask(task), ...withQueueMeta(task) };
}

/** `notifications/tasks/status` params: the task, its queue place, and live output gathered since the last one. */
export function toStatusNotificationParams(task: EngineTask, output?: string): Record<string, unknown> {
  return { ...toWireTask(task), ...withQueueMeta(task, output ? { [META.output]: output } : {}) };
}

/**
 * What `tasks/result` answers for a terminal task: the tool's result (tagged with the task), or
 * the original JSON-RPC error, thrown (T-S-11). The spec defines no payload for a cancelled task;
 * that is said as a tool error the caller can show.
 */
export function toTaskPayload(task: EngineTask): Record<string, unknown> {
  const outcome = task.outcome;
  if (outcome?.kind === 'error') throw new RpcError(outcome.error.code, outcome.error.message, outcome.error.data);
  if (outcome?.kind === 'result') return withRelatedTask(outcome.result as CallToolResult, task.taskId);
  return { content: [{ type: 'text', text: task.statusMessage ?? 'The task was cancelled.' }], isError: true, _meta: relatedTaskMeta(task.taskId) };
}

/** The `_meta` entry that ties a message (a result, a request, a notification) to the task it belongs to (T-S-14, T-C-08). */
export function relatedTaskMeta(taskId: string): Record<string, unknown> {
  return { [SPEC_META.relatedTask]: { taskId } };
}

/** `message` with the related-task entry added to its `_meta`, whose other entries stay. */
export function withRelatedTask<T extends { _meta?: unknown }>(message: T, taskId: string): T & { _meta: Record<string, unknown> } {
  return { ...message, _meta: { ...((message._meta as object | undefined) ?? {}), ...relatedTaskMeta(taskId) } };
}

// ---------------------------------------------------------------------------------------------
// Decoding (the side that follows the task)

/**
 * `meta`: the enclosing result's or notification's `_meta` (or a list item's own), for a Tasklane
 * server's queue place, steps, owner and machine, and the questions a team server shows a board.
 */
export function fromWireTask(task: WireTaskV1, meta?: unknown): RemoteTaskState {
  const inputRequests = task.status === 'input_required' ? inputRequestsFromMeta(meta) : undefined;
  const queue = queuePlaceFromMeta(meta);
  const steps = stepsFromMeta(meta);
  const agent = agentFromMeta(meta);
  const call = callFromMeta(meta);
  return {
    ...(call ? { call } : {}),
    ...(queue ? { queue } : {}),
    ...(steps ? { steps } : {}),
    ...(agent ? { agent } : {}),
    ...(inputRequests ? { inputRequests } : {}),
    taskId: task.taskId,
    status: task.status,
    ...(task.statusMessage !== undefined ? { statusMessage: task.statusMessage } : {}),
    createdAt: task.createdAt,
    lastUpdatedAt: task.lastUpdatedAt,
    ttl: task.ttl ?? null,
    ...(task.pollInterval !== undefined ? { pollInterval: task.pollInterval } : {}),
  };
}

/** A `notifications/tasks/status`, with the live output a Tasklane server puts in its `_meta`. */
export function fromStatusNotificationParams(params: unknown): RemoteTaskState {
  const { _meta, ...task } = params as WireTaskV1 & { _meta?: Record<string, unknown> };
  const output = _meta?.[META.output];
  return { ...fromWireTask(task as WireTaskV1, _meta), ...(typeof output === 'string' ? { output } : {}) };
}

/** The task a message's `_meta` says it belongs to, if any. */
export function relatedTaskIdOf(meta: Record<string, unknown> | undefined): string | undefined {
  const related = meta?.[SPEC_META.relatedTask] as { taskId?: unknown } | undefined;
  return typeof related?.taskId === 'string' ? related.taskId : undefined;
}

/**
 * The outcome a failed `tasks/result` call carries: the original request's JSON-RPC error comes
 * back as this call's error (T-S-11). `undefined` for errors of the call itself (the SDK's
 * connection-closed -32000 and request-timeout -32001, or anything without a code).
 */
export function outcomeErrorOf(error: unknown): JsonRpcErrorObject | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  if (typeof code !== 'number' || code === -32000 || code === -32001) return undefined;
  return toJsonRpcError(error);
}
