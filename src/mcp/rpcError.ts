import type { JsonRpcErrorObject } from '../core/taskRecord';
import { stripRpcPrefix } from '../core/rpcErrorText';

/** JSON-RPC error codes used by the task wires. */
export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  HeaderMismatch: -32020,
  MissingRequiredClientCapability: -32021,
  /** Ours (implementation-defined range): a caller created tasks faster than the server allows; `data.retryAfterMs` says when to try again. */
  RateLimited: -32029,
} as const;

/**
 * A JSON-RPC error, thrown by a wire, the engine or a tool (the task then ends `failed` with it).
 * It goes on the wire exactly as written: the SDK's own `McpError` prefixes its
 * message with "MCP error <code>:", which would change what `tasks/result` must repeat verbatim.
 */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }

  toJSON(): { code: number; message: string; data?: unknown } {
    return { code: this.code, message: this.message, ...(this.data === undefined ? {} : { data: this.data }) };
  }
}

/** A task the caller may not see, on either wire: unknown, expired, or another owner's (-32602, never "forbidden"). */
export function taskNotFound(taskId: string): RpcError {
  return new RpcError(RpcCode.InvalidParams, `Task not found: ${taskId} (unknown, expired, or not yours)`);
}

/** A thrown value as a JSON-RPC error object: codes from the thrower are kept, anything else is internal. */
export function toJsonRpcError(error: unknown): JsonRpcErrorObject {
  if (error && typeof error === 'object' && 'code' in error && typeof (error as { code: unknown }).code === 'number') {
    const { code, message, data } = error as { code: number; message?: string; data?: unknown };
    return { code, message: stripRpcPrefix(String(message ?? 'Error')), ...(data === undefined ? {} : { data }) };
  }
  return { code: RpcCode.InternalError, message: error instanceof Error ? error.message : String(error) };
}
