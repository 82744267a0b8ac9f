/**
 * The stateless 2026-07-28 protocol framing and the `io.modelcontextprotocol/tasks` extension,
 * as zod schemas and constants. Everything that arrives on the new wire is parsed with these
 * before any handler sees it; nothing here depends on an SDK (no npm package ships this wire).
 */
import { z } from 'zod';
import { CreateMessageResultSchema, ElicitResultSchema, ListRootsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { RpcCode, RpcError } from '../../rpcError';

export const PROTOCOL_2026_07_28 = '2026-07-28';
/** Session-era revisions: a request naming one of these is not for the stateless wire. */
export const SESSION_ERA_VERSIONS: readonly string[] = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];
/** What `server/discover` lists: the stateless revision, and 2025-11-25 through `initialize` on the same endpoint. */
export const SUPPORTED_VERSIONS: readonly string[] = [PROTOCOL_2026_07_28, '2025-11-25'];

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

export const META_KEYS = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

/** Unknown protocol version (SEP-2575): HTTP 400, `data: { supported, requested }`. */
export const UNSUPPORTED_PROTOCOL_VERSION = -32022;

// ---------------------------------------------------------------------------------------------
// Envelope

export const RequestIdSchema = z.union([z.string(), z.number().int()]);
export type RequestId = z.infer<typeof RequestIdSchema>;

/** A JSON-RPC 2.0 request: the only message a client sends on this wire that needs an answer. */
export const JsonRpcRequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: RequestIdSchema,
  method: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type JsonRpcRequest = z.infer<typeof JsonRpcRequestSchema>;

/** A JSON-RPC 2.0 notification (no id): accepted and ignored on this wire. */
export const JsonRpcNotificationSchema = z.object({
  jsonrpc: z.literal('2.0'),
  method: z.string().min(1),
  params: z.record(z.string(), z.unknown()).optional(),
});

// ---------------------------------------------------------------------------------------------
// Per-request metadata (SEP-2575): the client's capabilities travel on every request.

const JsonObject = z.record(z.string(), z.unknown());

export const ClientCapabilitiesSchema = z.looseObject({
  elicitation: JsonObject.optional(),
  sampling: JsonObject.optional(),
  roots: JsonObject.optional(),
  experimental: z.record(z.string(), JsonObject).optional(),
  extensions: z.record(z.string(), JsonObject).optional(),
});
export type ClientCapabilities = z.infer<typeof ClientCapabilitiesSchema>;

export const RequestMetaSchema = z.looseObject({
  [META_KEYS.protocolVersion]: z.string(),
  [META_KEYS.clientCapabilities]: ClientCapabilitiesSchema,
  [META_KEYS.clientInfo]: z.looseObject({ name: z.string(), version: z.string() }).optional(),
});
export type RequestMeta = z.infer<typeof RequestMetaSchema>;

/** Params of every request on this wire: `_meta` is required, the rest is per method. */
export const BaseParamsSchema = z.looseObject({ _meta: RequestMetaSchema });

// ---------------------------------------------------------------------------------------------
// Method params

export const TaskIdSchema = z.string().min(1).max(512);

export const DiscoverParamsSchema = BaseParamsSchema;
export const ListToolsParamsSchema = BaseParamsSchema.extend({ cursor: z.string().optional() });

/** `tools/call`: MRTR answers (`inputResponses`, `requestState`) may ride along; a legacy `task` param is ignored (T-S-49). */
export const CallToolParamsSchema = BaseParamsSchema.extend({
  name: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()).optional(),
  inputResponses: z.record(z.string(), z.unknown()).optional(),
  requestState: z.string().optional(),
});

export const GetTaskParamsSchema = BaseParamsSchema.extend({ taskId: TaskIdSchema });
export const CancelTaskParamsSchema = BaseParamsSchema.extend({ taskId: TaskIdSchema });
/** Each response is checked against the question it answers once we know which one that is. */
export const UpdateTaskParamsSchema = BaseParamsSchema.extend({ taskId: TaskIdSchema, inputResponses: z.record(z.string(), z.unknown()) });

export const SubscriptionFilterSchema = z.looseObject({
  toolsListChanged: z.boolean().optional(),
  promptsListChanged: z.boolean().optional(),
  resourcesListChanged: z.boolean().optional(),
  resourceSubscriptions: z.array(z.string()).optional(),
  taskIds: z.array(TaskIdSchema).max(1000).optional(),
});
export const ListenParamsSchema = BaseParamsSchema.extend({ notifications: SubscriptionFilterSchema });

/** What an answer to each kind of input request must look like. */
export const INPUT_RESPONSE_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  'elicitation/create': ElicitResultSchema,
  'sampling/createMessage': CreateMessageResultSchema,
  'roots/list': ListRootsResultSchema,
};

/** The client capability a kind of input request needs. */
export const INPUT_CAPABILITY: Readonly<Record<string, 'elicitation' | 'sampling' | 'roots'>> = {
  'elicitation/create': 'elicitation',
  'sampling/createMessage': 'sampling',
  'roots/list': 'roots',
};

// ---------------------------------------------------------------------------------------------
// Helpers

export function declaresTasks(capabilities: ClientCapabilities): boolean {
  const value = capabilities.extensions?.[TASKS_EXTENSION];
  return typeof value === 'object' && value !== null;
}

export function missingCapability(required: Record<string, unknown>, what: string): RpcError {
  return new RpcError(RpcCode.MissingRequiredClientCapability, `Missing required client capability: ${what}`, { requiredCapabilities: required });
}

export function tasksExtensionRequired(why: string): RpcError {
  return missingCapability(
    { extensions: { [TASKS_EXTENSION]: {} } },
    `${why} needs the ${TASKS_EXTENSION} extension declared in this request's _meta["${META_KEYS.clientCapabilities}"].extensions`,
  );
}

/** Which params field a method's `Mcp-Name` header mirrors (SEP-2243, and SEP-2663 for `tasks/*`). */
export function nameParamOf(method: string): 'name' | 'uri' | 'taskId' | undefined {
  switch (method) {
    case 'tools/call':
    case 'prompts/get':
      return 'name';
    case 'resources/read':
      return 'uri';
    case 'tasks/get':
    case 'tasks/update':
    case 'tasks/cancel':
      return 'taskId';
    default:
      return undefined;
  }
}

/**
 * A header value as the client meant it: `=?base64?<b64>?=` is Base64 of UTF-8 (strict: canonical
 * padding and alphabet, else undefined); anything else is literal.
 */
export function decodeHeaderValue(value: string): string | undefined {
  if (!(value.startsWith('=?base64?') && value.endsWith('?=') && value.length >= 11)) return value;
  const encoded = value.slice('=?base64?'.length, -2);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.toString('base64') !== encoded) return undefined;
  const text = new TextDecoder('utf-8', { fatal: true });
  try {
    return text.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Encodes a value for an MCP header: literal when it is plain visible ASCII without edge spaces, else the Base64 sentinel. */
export function encodeHeaderValue(value: string): string {
  if (/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value) && !(value.startsWith('=?base64?') && value.endsWith('?='))) return value;
  return `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** HTTP status for a JSON-RPC error on the stateless wire. */
export function httpStatusFor(code: number): number {
  if (code === RpcCode.MethodNotFound) return 404;
  if (code === RpcCode.InternalError) return 500;
  if (code === RpcCode.RateLimited) return 429;
  return 400;
}
