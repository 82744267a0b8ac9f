/**
 * Streamable HTTP framing of the stateless 2026-07-28 protocol (SEP-2243, SEP-2575): which
 * requests belong to it, the routing headers (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`
 * with the Base64 sentinel) checked against the body, HTTP status codes for JSON-RPC errors,
 * `subscriptions/listen` as a server-sent event stream, and a request's own notifications
 * (progress) streamed before its answer. The JSON-RPC itself is `TaskServerV2`'s.
 */
import type * as http from 'node:http';
import type { Logger } from '../../../core/logger';
import { RpcCode } from '../../rpcError';
import {
  META_KEYS,
  PROTOCOL_2026_07_28,
  type RequestId,
  RequestIdSchema,
  SESSION_ERA_VERSIONS,
  decodeHeaderValue,
  httpStatusFor,
  nameParamOf,
} from '../../wires/v2/protocol';
import { customHeaderMismatch } from './customHeaders';
import type { StreamSink } from './listenStreams';
import { type TaskServerV2 } from './taskServerV2';

/**
 * Whether a request without a session is for the stateless wire: it names a protocol version
 * that is not of the session era, in the header or in `_meta`. `initialize` from a 2025-11-25
 * client carries neither, so it still opens a session.
 */
export function isStatelessRequest(headers: http.IncomingHttpHeaders, body: unknown): boolean {
  const version = header(headers['mcp-protocol-version'])?.trim();
  if (version !== undefined && version !== '') return !SESSION_ERA_VERSIONS.includes(version);
  if (Array.isArray(body)) return false;
  const meta = (body as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta;
  const declared = meta && typeof meta === 'object' ? meta[META_KEYS.protocolVersion] : undefined;
  return typeof declared === 'string' && !SESSION_ERA_VERSIONS.includes(declared);
}

/** Whether a bodiless request (GET/DELETE) speaks the stateless wire. */
export function isStatelessHeader(headers: http.IncomingHttpHeaders): boolean {
  const version = header(headers['mcp-protocol-version'])?.trim();
  return version !== undefined && version !== '' && !SESSION_ERA_VERSIONS.includes(version);
}

export interface StatelessHttpContext {
  readonly principal: string;
  readonly log: Logger;
}

/** Answers one POSTed JSON-RPC message of the stateless wire. */
export async function handleStatelessPost(
  server: TaskServerV2,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: unknown,
  context: StatelessHttpContext,
): Promise<void> {
  const id = idOf(body);
  const problem = checkHeaders(req.headers, body, server);
  if (problem) return sendError(res, id, problem.code, problem.message);

  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort(new Error('The client closed the connection'));
  });
  // Notifications about the request (progress) turn the answer into an event stream that ends with the response.
  let streaming = false;
  const notify = (notification: object) => {
    if (res.writableEnded) return;
    if (!streaming) openEventStream(res);
    streaming = true;
    writeEvent(res, { jsonrpc: '2.0', ...notification });
  };
  const reply = await server.handle({
    message: body,
    principal: context.principal,
    protocolVersionHeader: header(req.headers['mcp-protocol-version'])?.trim(),
    signal: abort.signal,
    notify,
  });
  switch (reply.kind) {
    case 'accepted':
      res.writeHead(202).end();
      return;
    case 'response':
      if (!streaming) return sendJson(res, reply.status, reply.body, retryAfterHeader(reply.body));
      writeEvent(res, reply.body);
      res.end();
      return;
    case 'stream': {
      openEventStream(res);
      let open = true;
      const write = (message: object) => {
        if (open) writeEvent(res, message);
      };
      const sink: StreamSink = {
        send: write,
        end: (last) => {
          if (last) write(last);
          open = false;
          if (!res.writableEnded) res.end();
        },
      };
      const subscription = reply.open(sink);
      res.on('close', () => {
        open = false;
        subscription.dispose();
      });
      context.log.debug?.('[http] subscriptions/listen stream opened');
      return;
    }
  }
}

/** Answers a GET or DELETE on the stateless wire: there is no standalone stream and no session to end. */
export function rejectStatelessBodiless(res: http.ServerResponse): void {
  res.setHeader('Allow', 'POST');
  sendError(
    res,
    null,
    RpcCode.InvalidRequest,
    `Method not allowed: protocol ${PROTOCOL_2026_07_28} has no sessions and no standalone stream; POST each request (notifications come through subscriptions/listen)`,
    405,
  );
}

/** The routing headers, and a tool's custom `Mcp-Param-*` headers, must mirror the body (SEP-2243); a mismatch or a missing one is -32020 (T-S-51). */
function checkHeaders(headers: http.IncomingHttpHeaders, body: unknown, server: TaskServerV2): { code: number; message: string } | undefined {
  if (!isObject(body) || typeof body.method !== 'string') return undefined; // the dispatcher answers malformed envelopes
  const version = header(headers['mcp-protocol-version'])?.trim();
  if (!version) return { code: RpcCode.HeaderMismatch, message: 'Header mismatch: the MCP-Protocol-Version header is required' };
  if (!('id' in body)) return undefined; // notifications are accepted and ignored
  const method = header(headers['mcp-method']);
  if (method === undefined) return { code: RpcCode.HeaderMismatch, message: `Header mismatch: the Mcp-Method header is required (expected "${body.method}")` };
  if (method.trim() !== body.method)
    return { code: RpcCode.HeaderMismatch, message: `Header mismatch: Mcp-Method is "${method.trim()}" but the body's method is "${body.method}"` };
  const field = nameParamOf(body.method);
  const params = isObject(body.params) ? body.params : undefined;
  const expected = field ? params?.[field] : undefined;
  if (typeof expected !== 'string') return undefined; // params validation reports it
  const given = header(headers['mcp-name']);
  if (given === undefined)
    return { code: RpcCode.HeaderMismatch, message: `Header mismatch: the Mcp-Name header is required for ${body.method} (expected params.${field})` };
  const decoded = decodeHeaderValue(given.trim());
  if (decoded === undefined) return { code: RpcCode.HeaderMismatch, message: 'Header mismatch: Mcp-Name has a malformed =?base64?…?= value' };
  if (decoded !== expected) return { code: RpcCode.HeaderMismatch, message: `Header mismatch: Mcp-Name does not match params.${field}` };
  if (body.method !== 'tools/call') return undefined;
  const custom = customHeaderMismatch(headers, server.customHeaders(expected), params?.arguments);
  return custom ? { code: RpcCode.HeaderMismatch, message: `Header mismatch: ${custom}` } : undefined;
}

function openEventStream(res: http.ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive' });
  res.flushHeaders();
}

function writeEvent(res: http.ServerResponse, message: object): void {
  if (!res.writableEnded) res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
}

function sendError(res: http.ServerResponse, id: RequestId | null, code: number, message: string, status = httpStatusFor(code)): void {
  sendJson(res, status, { jsonrpc: '2.0', id, error: { code, message } });
}

function sendJson(res: http.ServerResponse, status: number, body: object, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
}

/** A rate-limited request (-32029, HTTP 429) also says in HTTP when to try again, in whole seconds. */
function retryAfterHeader(body: object): Record<string, string> {
  const error = (body as { error?: { code?: unknown; data?: { retryAfterMs?: unknown } } }).error;
  const ms = error?.data?.retryAfterMs;
  return error?.code === RpcCode.RateLimited && typeof ms === 'number' ? { 'Retry-After': String(Math.ceil(ms / 1000)) } : {};
}

function idOf(body: unknown): RequestId | null {
  if (!isObject(body)) return null;
  const parsed = RequestIdSchema.safeParse(body.id);
  return parsed.success ? parsed.data : null;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
