import type { JsonRpcErrorObject } from './taskRecord';

/**
 * What JSON-RPC error codes mean, in words a person reads (lower case: they start or continue a
 * sentence). The codes themselves are protocol detail and are not shown as the explanation.
 */
const MEANINGS: Readonly<Record<number, string>> = {
  [-32700]: 'the server could not read the request',
  [-32600]: 'the server did not accept the request',
  [-32601]: 'the server does not offer this operation',
  [-32602]: "the server did not accept the request's parameters",
  [-32603]: 'the server hit an internal error',
  [-32020]: "the request's headers did not match its body",
  [-32021]: 'the server needs a capability this client did not declare',
};

/** JSON-RPC's own names for its errors: a message that only repeats the name adds nothing. */
const GENERIC_MESSAGES = new Set(['parse error', 'invalid request', 'method not found', 'invalid params', 'internal error', 'error', 'server error']);

export interface PlainRpcError {
  /** A sentence saying what went wrong, e.g. "The server hit an internal error". */
  readonly meaning: string;
  /** The server's own message, without SDK prefixes; empty when it only repeated the code's name. */
  readonly message: string;
  /** The numeric code, for those who want the detail. */
  readonly code: number;
}

/** The SDK writes "MCP error <code>: " (sometimes twice) in front of messages; the code travels separately. */
export function stripRpcPrefix(message: string): string {
  return message.replace(/^(MCP error -?\d+: )+/, '');
}

/** A JSON-RPC error in plain words: what it means and what the server said. */
export function plainRpcError(error: Pick<JsonRpcErrorObject, 'code' | 'message'>): PlainRpcError {
  const known = MEANINGS[error.code];
  const meaning = known ?? (error.code >= -32099 && error.code <= -32000 ? 'the server reported an error' : 'the request failed');
  const message = stripRpcPrefix(error.message).trim();
  return { meaning: capitalize(meaning), message: GENERIC_MESSAGES.has(message.toLowerCase().replace(/\.$/, '')) ? '' : message, code: error.code };
}

/** One line: "The server hit an internal error: disk full". */
export function describeRpcError(error: Pick<JsonRpcErrorObject, 'code' | 'message'>): string {
  const plain = plainRpcError(error);
  return plain.message ? `${plain.meaning}: ${plain.message}` : plain.meaning;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
