import { z } from 'zod';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import { describeIssues } from '../../../core/taskRecord';
import {
  CancelTaskRequestSchema,
  GetTaskPayloadRequestSchema,
  GetTaskRequestSchema,
  ListTasksRequestSchema,
  toTaskPayload,
  toWireListItem,
  toWireTaskResult,
} from './codec';
import { RpcCode, RpcError, taskNotFound } from '../../rpcError';
import type { TaskEngine } from '../../engine/taskEngine';
import { InvalidTaskCursorError, TaskNotFoundError, TaskTerminalError } from '../../engine/engineErrors';

/** What a request handler gets from the SDK that these methods use (Server and Client alike). */
export interface TaskRequestExtra {
  readonly requestId: RequestId;
  readonly signal: AbortSignal;
  readonly sessionId?: string;
  readonly authInfo?: { clientId?: string };
}

/** The SDK `Protocol` side (a Server, or a Client acting as receiver) the handlers are registered on. */
export interface TaskMethodHost {
  // The SDK's own signature is generic over its schema types; handlers here validate for themselves.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  setRequestHandler(schema: any, handler: (request: any, extra: any) => any): void;
}

/**
 * Serves `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel` of the 2025-11-25 utility
 * from a task engine, for whichever side is the receiver: the server for tool calls, or the
 * client for task-augmented elicitation and sampling. Returns the pending `tasks/result` calls per
 * task, so requests issued for a task can travel on their stream.
 */
export function serveTaskMethodsV1(host: TaskMethodHost, engine: TaskEngine, ownerOf: (extra: TaskRequestExtra) => string): Map<string, Set<RequestId>> {
  const resultWaiters = new Map<string, Set<RequestId>>();

  handle(host, GetTaskRequestSchema, (request, extra) => {
    const reader = ownerOf(extra);
    return toWireTaskResult(
      lookup(() => engine.get(reader, request.params.taskId)),
      reader,
    );
  });

  handle(host, GetTaskPayloadRequestSchema, async (request, extra) => {
    const { taskId } = request.params;
    const owner = ownerOf(extra);
    lookup(() => engine.get(owner, taskId));
    const waiting = resultWaiters.get(taskId) ?? new Set();
    resultWaiters.set(taskId, waiting);
    waiting.add(extra.requestId);
    try {
      return toTaskPayload(await lookup(() => engine.waitForTerminal(owner, taskId, extra.signal)));
    } finally {
      waiting.delete(extra.requestId);
      if (waiting.size === 0) resultWaiters.delete(taskId);
    }
  });

  handle(host, ListTasksRequestSchema, (request, extra) => {
    try {
      const reader = ownerOf(extra);
      const page = engine.list(reader, request.params?.cursor);
      return { tasks: page.tasks.map((task) => toWireListItem(task, reader)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    } catch (error) {
      if (error instanceof InvalidTaskCursorError)
        throw new RpcError(RpcCode.InvalidParams, 'Invalid cursor: pass back a nextCursor from tasks/list unchanged');
      throw error;
    }
  });

  handle(host, CancelTaskRequestSchema, (request, extra) => {
    const reader = ownerOf(extra);
    return toWireTaskResult(
      lookup(() => engine.cancel(reader, request.params.taskId)),
      reader,
    );
  });

  return resultWaiters;
}

function lookup<T>(fn: () => T): T {
  try {
    const value = fn();
    if (value instanceof Promise) return value.catch(translateLookupError) as T;
    return value;
  } catch (error) {
    return translateLookupError(error);
  }
}

function translateLookupError(error: unknown): never {
  if (error instanceof TaskNotFoundError) throw taskNotFound(error.taskId);
  if (error instanceof TaskTerminalError) throw new RpcError(RpcCode.InvalidParams, error.message);
  throw error;
}

/**
 * Registers a handler whose params are validated here rather than by the SDK: the SDK turns a
 * schema mismatch into -32603, but malformed params are the caller's fault and must be -32602.
 */
export function handle<S extends z.ZodType<{ method: string; params?: unknown }>>(
  host: TaskMethodHost,
  schema: S,
  handler: (request: z.infer<S>, extra: TaskRequestExtra) => Record<string, unknown> | Promise<Record<string, unknown>>,
): void {
  const method = (schema as unknown as z.ZodObject<{ method: z.ZodLiteral<string> }>).shape.method.value;
  const lenient = z.object({ method: z.literal(method) }).passthrough();
  host.setRequestHandler(lenient, ((request: unknown, extra: TaskRequestExtra) => {
    const parsed = schema.safeParse(request);
    if (!parsed.success) throw new RpcError(RpcCode.InvalidParams, `Invalid params for ${method}: ${describeIssues(parsed.error as z.ZodError)}`);
    return handler(parsed.data, extra);
  }) as never);
}
