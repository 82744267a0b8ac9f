import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CallToolRequest,
  CallToolRequestSchema,
  CallToolResultSchema,
  ErrorCode,
  McpError,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type RequestHandler = (request: unknown, extra: Extra) => Promise<unknown>;

/**
 * Serves `tools/call` with its request validated once. SDK 1.x's `Server` parses a `tools/call`
 * twice (once when the request arrives, once more in its tools/call wrapper) and then checks the
 * answer against its schema, which for a task is the `CreateTaskResult` this server has just built
 * itself. Here the request is parsed once (a bad one throws the schema's own error, which
 * `answerBadParamsAsInvalidParams` turns into -32602 as before), and a tool's own result is still
 * checked, as the SDK did, since tools are not this file's to trust.
 */
export function serveToolCallsOnce(server: Server, handler: (request: CallToolRequest, extra: Extra) => Promise<Record<string, unknown>>): void {
  // Registered the ordinary way first, so the SDK checks the capability and knows the method.
  server.setRequestHandler(CallToolRequestSchema, handler);
  const handlers = (server as unknown as { _requestHandlers?: Map<string, RequestHandler> })._requestHandlers;
  if (!(handlers instanceof Map)) return;
  handlers.set('tools/call', async (request, extra) => {
    const parsed = CallToolRequestSchema.safeParse(request);
    if (!parsed.success) throw parsed.error;
    const result = await handler(parsed.data, extra);
    if (parsed.data.params.task) return result;
    const checked = CallToolResultSchema.safeParse(result);
    if (!checked.success) throw new McpError(ErrorCode.InvalidParams, `Invalid tools/call result: ${checked.error.message}`);
    return checked.data;
  });
}
