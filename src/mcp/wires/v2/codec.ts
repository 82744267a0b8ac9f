/**
 * The `io.modelcontextprotocol/tasks` extension's task on the wire, for both sides: the schemas a
 * client accepts from a server, the encoding of an engine task (`Task`, `DetailedTask`) that
 * `server/v2/taskServerV2.ts` sends, and the decoding into the host's `RemoteTaskState` (and of a
 * server's errors and result types) that `client/v2/taskClientV2.ts` reads. The framing
 * (envelope, `_meta` keys, headers) is `protocol.ts`; the client's HTTP side is
 * `client/v2/statelessHttpTransport.ts`.
 */
import { z } from 'zod';
import { type CallToolResult, CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { JsonRpcErrorSchema, describeIssues } from '../../../core/taskRecord';
import { TASK_STATUSES } from '../../../core/taskStatus';
import type { EngineTask } from '../../engine/engineTask';
import { RpcCode, RpcError } from '../../rpcError';
import { agentFromMeta } from '../agentMeta';
import { queuePlaceFromMeta } from '../queueMeta';
import { stepsFromMeta } from '../stepsMeta';
import type { RemoteOutcome, RemoteTaskState, TerminalStatus } from '../remoteTask';
import { TASKS_EXTENSION } from './protocol';

export const WIRE_V2 = TASKS_EXTENSION;

/** How a task whose tool returned a result with `isError` ends on this wire: completed (T-S-41); `failed` is for JSON-RPC errors only. */
export const TOOL_ERROR_STATUS = 'completed';

/** The server answered with something the protocol does not allow (T-C-10, malformed results). */
export class InvalidResponseError extends Error {
  override readonly name = 'InvalidResponseError';
  readonly code = RpcCode.InternalError;
}

// ---------------------------------------------------------------------------------------------
// Schemas (what a client accepts from a server)

export const ResultTypeSchema = z.enum(['complete', 'input_required', 'task']);

/** The only method a `CreateTaskResult` may answer today (T-C-10). */
const TASK_ELIGIBLE_METHODS: ReadonlySet<string> = new Set(['tools/call']);
/** Methods whose answer may be an MRTR `input_required` result (of those a client sends). */
const MRTR_METHODS: ReadonlySet<string> = new Set(['tools/call']);

export const TaskFieldsSchema = z.looseObject({
  taskId: z.string().min(1),
  status: z.enum(TASK_STATUSES),
  statusMessage: z.string().optional(),
  createdAt: z.string(),
  lastUpdatedAt: z.string(),
  // Required by the extension; a server that leaves it out is read as "unlimited" rather than refused.
  ttlMs: z.number().nullable().optional(),
  pollIntervalMs: z.number().nonnegative().optional(),
});

export const InputRequestSchema = z.looseObject({ method: z.string().min(1), params: z.record(z.string(), z.unknown()).optional() });
export const InputRequestsSchema = z.record(z.string(), InputRequestSchema);

export const DetailedTaskSchema = TaskFieldsSchema.extend({
  inputRequests: InputRequestsSchema.optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: JsonRpcErrorSchema.optional(),
});

// ---------------------------------------------------------------------------------------------
// Encoding (the side that owns the task)

/** A task's common fields on this wire (flat; `ttlMs`/`pollIntervalMs`, never the legacy names). */
export function toTaskFields(task: EngineTask): Record<string, unknown> {
  return {
    taskId: task.taskId,
    status: task.status,
    ...(task.statusMessage !== undefined ? { statusMessage: task.statusMessage } : {}),
    createdAt: task.createdAt,
    lastUpdatedAt: task.lastUpdatedAt,
    ttlMs: task.ttl,
    pollIntervalMs: task.pollInterval,
  };
}

/** `DetailedTask`: the common fields plus what the status carries (T-S-32). */
export function toDetailedTask(task: EngineTask): Record<string, unknown> {
  const fields = toTaskFields(task);
  switch (task.status) {
    case 'input_required':
      return {
        ...fields,
        inputRequests: Object.fromEntries([...task.inputRequests].map(([key, request]) => [key, { method: request.method, params: request.params }])),
      };
    case 'completed':
      // The result is what the tools/call would have returned, and every 2026-07-28 result says its resultType.
      return { ...fields, result: { ...(task.outcome?.kind === 'result' ? task.outcome.result : { content: [] }), resultType: 'complete' } };
    case 'failed': {
      const outcome = task.outcome;
      if (outcome?.kind === 'error') return { ...fields, error: outcome.error };
      // A task the 2025-11-25 wire failed with a tool result (or one that ran out of time): `failed` must carry a JSON-RPC error here.
      const message = task.statusMessage ?? 'The task failed';
      return { ...fields, error: { code: RpcCode.InternalError, message, ...(outcome?.kind === 'result' ? { data: { result: outcome.result } } : {}) } };
    }
    default:
      return fields;
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding (the side that follows the task)

/** `resultType`, where a missing one (an older server) means `complete` (T-C-15); an unknown one is an invalid response. */
export function resultTypeOf(result: Record<string, unknown>): 'complete' | 'input_required' | 'task' {
  if (result.resultType === undefined) return 'complete';
  const parsed = ResultTypeSchema.safeParse(result.resultType);
  if (!parsed.success) throw new InvalidResponseError(`Unknown resultType ${JSON.stringify(result.resultType)}`);
  return parsed.data;
}

/** `resultType`, checked against what `method` may answer: a task only for a task-eligible request (T-C-10), MRTR only where it exists. */
export function checkResultType(method: string, result: Record<string, unknown>): 'complete' | 'input_required' | 'task' {
  const kind = resultTypeOf(result);
  if (kind === 'task' && !TASK_ELIGIBLE_METHODS.has(method))
    throw new InvalidResponseError(`${method} was answered with a CreateTaskResult (resultType "task"), which only tools/call may return`);
  if (kind === 'input_required' && !MRTR_METHODS.has(method))
    throw new InvalidResponseError(`${method} was answered with an input_required result, which it cannot be`);
  return kind;
}

/** The `error` of a JSON-RPC response to `method`, as the `RpcError` callers catch; a malformed one is an `InvalidResponseError`. */
export function decodeRpcError(error: unknown, method: string, httpStatus: number): RpcError | InvalidResponseError {
  const parsed = JsonRpcErrorSchema.safeParse(error);
  if (!parsed.success) return new InvalidResponseError(`${method}: malformed JSON-RPC error (HTTP ${httpStatus})`);
  return new RpcError(parsed.data.code, parsed.data.message, parsed.data.data);
}

export function parseCallToolResult(result: Record<string, unknown>): CallToolResult {
  const { resultType: _resultType, ...rest } = result;
  const parsed = CallToolResultSchema.safeParse(rest);
  if (!parsed.success) throw new InvalidResponseError(`Invalid CallToolResult: ${describeIssues(parsed.error as unknown as z.ZodError)}`);
  return parsed.data as CallToolResult;
}

export function parseTask(result: Record<string, unknown>, method: string): RemoteTaskState {
  const parsed = DetailedTaskSchema.safeParse(result);
  if (!parsed.success) throw new InvalidResponseError(`Invalid task in the ${method} result: ${describeIssues(parsed.error)}`);
  return toRemoteState(parsed.data, result._meta);
}

/**
 * `notifications/tasks` params as the host's state, or the reason they are not a task (a stray
 * notification is dropped, not fatal). A `completed` task whose `result` is not a `CallToolResult` throws.
 */
export function parseTaskNotification(params: unknown): { readonly state: RemoteTaskState } | { readonly problem: string } {
  const parsed = DetailedTaskSchema.safeParse(params);
  if (!parsed.success) return { problem: describeIssues(parsed.error) };
  return { state: toRemoteState(parsed.data, (params as { _meta?: unknown } | undefined)?._meta) };
}

/** `meta`: the result's or notification's `_meta`, where a Tasklane server reports the queue place, the steps, and (team servers) the owner and machine. */
export function toRemoteState(task: z.infer<typeof DetailedTaskSchema>, meta?: unknown): RemoteTaskState {
  let result: CallToolResult | undefined;
  if (task.status === 'completed' && task.result !== undefined) result = parseCallToolResult(task.result);
  const queue = queuePlaceFromMeta(meta);
  const steps = stepsFromMeta(meta);
  const agent = agentFromMeta(meta);
  return {
    ...(queue ? { queue } : {}),
    ...(steps ? { steps } : {}),
    ...(agent ? { agent } : {}),
    taskId: task.taskId,
    status: task.status,
    ...(task.statusMessage !== undefined ? { statusMessage: task.statusMessage } : {}),
    createdAt: task.createdAt,
    lastUpdatedAt: task.lastUpdatedAt,
    ttl: task.ttlMs ?? null,
    ...(task.pollIntervalMs !== undefined ? { pollInterval: task.pollIntervalMs } : {}),
    ...(task.status === 'input_required' && task.inputRequests
      ? {
          inputRequests: Object.fromEntries(
            Object.entries(task.inputRequests).map(([key, request]) => [key, { method: request.method, params: request.params ?? {} }]),
          ),
        }
      : {}),
    ...(result ? { result } : {}),
    ...(task.status === 'failed' && task.error ? { error: task.error } : {}),
  };
}

/** The outcome a terminal snapshot carries. `completed` without `result` or `failed` without `error` are filled in, not lost. */
export function outcomeOf(state: RemoteTaskState): RemoteOutcome {
  const status = state.status as TerminalStatus;
  if (status === 'completed') return { status, result: state.result ?? { content: [] } };
  if (status === 'failed') return { status, error: state.error ?? { code: RpcCode.InternalError, message: state.statusMessage ?? 'The task failed' } };
  return { status, error: { code: RpcCode.InternalError, message: state.statusMessage ?? 'The task was cancelled' } };
}
