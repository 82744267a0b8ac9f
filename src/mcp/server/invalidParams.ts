import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

type RequestHandler = (request: unknown, extra: unknown) => Promise<unknown>;

/**
 * SDK 1.x checks a request's params against its schema before the handler runs and, when they do
 * not fit, throws the schema's own error, which carries no JSON-RPC code: the client gets
 * -32603 Internal error for what JSON-RPC calls -32602 Invalid params. This re-labels exactly
 * those failures; a handler's own errors pass through untouched.
 */
export function answerBadParamsAsInvalidParams(server: Server): void {
  const handlers = (server as unknown as { _requestHandlers?: Map<string, RequestHandler> })._requestHandlers;
  if (!(handlers instanceof Map)) return;
  for (const [method, handler] of handlers) {
    handlers.set(method, async (request, extra) => {
      try {
        return await handler(request, extra);
      } catch (error) {
        if (isSchemaError(error)) throw new McpError(ErrorCode.InvalidParams, `Invalid params for ${method}: ${summarize(error)}`);
        throw error;
      }
    });
  }
}

function isSchemaError(error: unknown): error is { issues: Array<{ path?: unknown[]; message?: string }> } {
  // zod 3 and zod 4 (classic or core) name their errors differently; all carry `issues`.
  return error instanceof Error && /ZodError/.test(error.name) && Array.isArray((error as { issues?: unknown }).issues);
}

function summarize(error: { issues: Array<{ path?: unknown[]; message?: string }> }): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${(issue.path ?? []).join('.') || '(root)'}: ${issue.message ?? 'invalid'}`)
    .join('; ');
}
