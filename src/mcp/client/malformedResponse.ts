import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { RpcCode } from '../rpcError';

/**
 * SDK 1.x drops a response it cannot classify (a `result` that is not an object, an `error`
 * without a numeric code, neither of them) as an "unknown message": the request it answers then
 * waits for its timeout, a minute by default. A response that names a request's id is turned
 * into an error for that request instead, so the caller hears at once that the server broke the
 * protocol.
 */
export function answerableResponse(message: JSONRPCMessage): JSONRPCMessage {
  const raw = message as Record<string, unknown>;
  if ('method' in raw || !('id' in raw)) return message;
  const id = raw.id;
  if (typeof id !== 'string' && typeof id !== 'number') return message;
  if ('result' in raw && isPlainObject(raw.result)) return message;
  const error = raw.error as Record<string, unknown> | undefined;
  if (!('result' in raw) && isPlainObject(error) && Number.isInteger(error.code) && typeof error.message === 'string') return message;
  const what = 'result' in raw ? `a result that is ${describe(raw.result)}` : 'error' in raw ? 'a malformed error' : 'neither a result nor an error';
  return { jsonrpc: '2.0', id, error: { code: RpcCode.InternalError, message: `The server sent an invalid response: ${what}` } } as JSONRPCMessage;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
