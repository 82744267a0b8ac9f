/**
 * The `io.modelcontextprotocol/tasks` extension over the stateless 2026-07-28 protocol: a small
 * JSON-RPC dispatcher, transport-agnostic (the HTTP framing lives in statelessHttp.ts). Every
 * request is validated with zod, carries the client's capabilities in `_meta`, and is answered
 * on its own, with no session. The work runs in the same `TaskEngine` as the 2025-11-25 wire,
 * so one process serves both; this file only validates, routes and translates. Tools run in
 * toolCallsV2.ts, `subscriptions/listen` streams are kept in listenStreams.ts.
 */
import { z } from 'zod';
import type { Implementation } from '@modelcontextprotocol/sdk/types.js';
import type { IDisposable } from '../../../core/lifecycle';
import { type Agent, describeIssues } from '../../../core/taskRecord';
import { isTerminal } from '../../../core/taskStatus';
import { RpcCode, RpcError, taskNotFound, toJsonRpcError } from '../../rpcError';
import type { TaskEngine } from '../../engine/taskEngine';
import { type EngineTask, agentFromClient } from '../../engine/engineTask';
import { TaskNotFoundError, TaskTerminalError } from '../../engine/engineErrors';
import { TASKLANE_SERVER_INFO } from '../../identity';
import { WIRE_V2, toDetailedTask } from '../../wires/v2/codec';
import { withQueueMeta } from '../../wires/queueMeta';
import type { TaskHost } from '../toolCatalog';
import { type ExtraHandler, type ExtraMethod, type ExtraMrtr, extraCapabilities } from '../serverExtras';
import { type StreamReply, ListenStreams } from './listenStreams';
import { type CustomHeader, customHeadersOf } from './customHeaders';
import { gatherInput, parseInputResponse } from './mrtr';
import { type RequestContext, ToolCallsV2 } from './toolCallsV2';
import {
  BaseParamsSchema,
  CallToolParamsSchema,
  CancelTaskParamsSchema,
  type ClientCapabilities,
  DiscoverParamsSchema,
  GetTaskParamsSchema,
  JsonRpcNotificationSchema,
  JsonRpcRequestSchema,
  ListToolsParamsSchema,
  ListenParamsSchema,
  META_KEYS,
  PROTOCOL_2026_07_28,
  type RequestId,
  RequestIdSchema,
  SUPPORTED_VERSIONS,
  TASKS_EXTENSION,
  UNSUPPORTED_PROTOCOL_VERSION,
  UpdateTaskParamsSchema,
  declaresTasks,
  httpStatusFor,
  tasksExtensionRequired,
} from '../../wires/v2/protocol';

export interface TaskServerV2Options {
  readonly serverInfo?: Implementation;
  readonly instructions?: string;
  /** How callers reach us, recorded with the agent on every task (e.g. "http stateless"). */
  readonly connection?: string | ((call: V2Call) => string | undefined);
}

/** One incoming message and what the transport knows about it. */
export interface V2Call {
  /** The parsed JSON body. */
  readonly message: unknown;
  /** The authorization context: tasks are visible only to the principal that created them (T-S-46). */
  readonly principal: string;
  /** The `MCP-Protocol-Version` header, when the transport has headers; it must match `_meta`. */
  readonly protocolVersionHeader?: string;
  /** Aborted when the caller goes away (a synchronous tool call is then stopped). */
  readonly signal?: AbortSignal;
  /** Sends a notification about this request before its answer (the transport streams it), when the transport can. */
  readonly notify?: (notification: { method: string; params: Record<string, unknown> }) => void;
}

export type V2Reply =
  | { readonly kind: 'response'; readonly status: number; readonly body: JsonRpcResponse }
  /** A notification: nothing to answer (HTTP 202). */
  | { readonly kind: 'accepted' }
  /** `subscriptions/listen`: a stream of notifications, opened by the transport. */
  | StreamReply;

export type JsonRpcResponse =
  | { jsonrpc: '2.0'; id: RequestId; result: Record<string, unknown> }
  | { jsonrpc: '2.0'; id: RequestId | null; error: { code: number; message: string; data?: unknown } };

const REMOVED_METHODS: Readonly<Record<string, string>> = {
  initialize:
    "initialize does not exist in protocol 2026-07-28: call server/discover and send capabilities in every request's _meta (2025-11-25 clients: send initialize without the 2026-07-28 protocol version)",
  ping: 'ping was removed in protocol 2026-07-28',
  'logging/setLevel': 'logging/setLevel was removed in protocol 2026-07-28: send _meta["io.modelcontextprotocol/logLevel"] per request',
  'resources/subscribe': 'resources/subscribe was removed in protocol 2026-07-28: use subscriptions/listen',
  'resources/unsubscribe': 'resources/unsubscribe was removed in protocol 2026-07-28: use subscriptions/listen',
  'tasks/result': `tasks/result does not exist in the ${TASKS_EXTENSION} extension: the result or error is inline in tasks/get`,
  'tasks/list': `tasks/list does not exist in the ${TASKS_EXTENSION} extension: keep the task IDs you were given`,
};

/** Lists and reads whose results carry caching hints (SEP-2549); nothing here may be cached by another principal. */
const CACHEABLE_EXTRAS: ReadonlySet<string> = new Set(['prompts/list', 'resources/list', 'resources/templates/list', 'resources/read']);
const NOT_CACHED = { ttlMs: 0, cacheScope: 'private' };

/**
 * The dispatcher. One instance per process (or per HTTP server), shared by every caller on the
 * new wire; it holds no per-client state except open `subscriptions/listen` streams.
 */
export class TaskServerV2 implements IDisposable {
  /** The task wire this adapter speaks; recorded on every task it creates. */
  readonly wire = WIRE_V2;
  private readonly serverInfo: Implementation;
  private readonly toolCalls: ToolCallsV2;
  private readonly streams: ListenStreams;
  private headersByTool: Map<string, readonly CustomHeader[]> | undefined;

  constructor(
    private readonly host: TaskHost,
    private readonly engine: TaskEngine,
    private readonly options: TaskServerV2Options = {},
  ) {
    this.serverInfo = options.serverInfo ?? TASKLANE_SERVER_INFO;
    this.toolCalls = new ToolCallsV2(host, engine);
    this.streams = new ListenStreams(engine);
  }

  async handle(call: V2Call): Promise<V2Reply> {
    const { message } = call;
    const id = idOf(message);
    try {
      if (Array.isArray(message)) throw new RpcError(RpcCode.InvalidRequest, 'Invalid Request: JSON-RPC batches are not supported');
      if (isObject(message) && !('id' in message) && JsonRpcNotificationSchema.safeParse(message).success) return { kind: 'accepted' };
      const request = JsonRpcRequestSchema.safeParse(message);
      if (!request.success) throw new RpcError(RpcCode.InvalidRequest, `Invalid Request: ${describeIssues(request.error)}`);
      const { method } = request.data;
      const params = request.data.params ?? {};

      const base = BaseParamsSchema.safeParse(params);
      if (!base.success) {
        throw new RpcError(
          RpcCode.InvalidParams,
          `Invalid params: every request needs _meta with "${META_KEYS.protocolVersion}" and "${META_KEYS.clientCapabilities}" (${describeIssues(base.error)})`,
        );
      }
      const meta = base.data._meta;
      const version = meta[META_KEYS.protocolVersion];
      if (call.protocolVersionHeader !== undefined && call.protocolVersionHeader !== version) {
        throw new RpcError(RpcCode.HeaderMismatch, `Header mismatch: MCP-Protocol-Version is "${call.protocolVersionHeader}" but _meta says "${version}"`);
      }
      if (version !== PROTOCOL_2026_07_28) {
        const hint = SUPPORTED_VERSIONS.includes(version) ? ` (${version} is served through an initialize session)` : '';
        throw new RpcError(UNSUPPORTED_PROTOCOL_VERSION, `Unsupported protocol version: ${version}${hint}`, {
          supported: [...SUPPORTED_VERSIONS],
          requested: version,
        });
      }
      const capabilities = meta[META_KEYS.clientCapabilities];
      const context: RequestContext = {
        owner: call.principal,
        capabilities,
        signal: call.signal,
        agent: this.agentOf(call, meta[META_KEYS.clientInfo]),
        progress: progressReporter(meta.progressToken, call.notify),
      };

      switch (method) {
        case 'server/discover':
          parse(DiscoverParamsSchema, params, method);
          return ok(id, this.discover());
        case 'tools/list': {
          const { cursor } = parse(ListToolsParamsSchema, params, method);
          return ok(id, { tools: this.listTools(cursor), ttlMs: 0, cacheScope: 'private', resultType: 'complete' });
        }
        case 'tools/call':
          return ok(id, await this.toolCalls.call(parse(CallToolParamsSchema, params, method), context));
        case 'tasks/get': {
          const { taskId } = parse(GetTaskParamsSchema, params, method);
          requireTasks(capabilities, method);
          const task = this.lookup(context.owner, taskId);
          return ok(id, { ...toDetailedTask(task), resultType: 'complete', ...withQueueMeta(task) });
        }
        case 'tasks/update': {
          const { taskId, inputResponses } = parse(UpdateTaskParamsSchema, params, method);
          requireTasks(capabilities, method);
          this.update(context.owner, taskId, inputResponses);
          return ok(id, { resultType: 'complete' });
        }
        case 'tasks/cancel': {
          const { taskId } = parse(CancelTaskParamsSchema, params, method);
          requireTasks(capabilities, method);
          this.cancel(context.owner, taskId);
          return ok(id, { resultType: 'complete' });
        }
        case 'subscriptions/listen': {
          const { notifications } = parse(ListenParamsSchema, params, method);
          if (notifications.taskIds !== undefined) requireTasks(capabilities, 'subscriptions/listen with notifications.taskIds');
          return this.streams.open(id as RequestId, context.owner, notifications.taskIds);
        }
        default: {
          const handler = Object.hasOwn(REMOVED_METHODS, method) ? undefined : this.extraHandler(method);
          if (!handler) throw new RpcError(RpcCode.MethodNotFound, `Method not found: ${REMOVED_METHODS[method] ?? method}`);
          const result = await handler(params, { owner: context.owner, capabilities, mrtr: extraMrtr(params, capabilities) });
          return ok(id, { resultType: 'complete', ...(CACHEABLE_EXTRAS.has(method) ? NOT_CACHED : {}), ...result });
        }
      }
    } catch (error) {
      return fail(id, error);
    }
  }

  /** `server/discover`: what this server offers. No legacy `tasks` capability here (T-S-50). */
  discover(): Record<string, unknown> {
    return {
      supportedVersions: [...SUPPORTED_VERSIONS],
      capabilities: { tools: {}, ...extraCapabilities(this.host.extras, 'stateless'), extensions: { [TASKS_EXTENSION]: {} } },
      ...(this.options.instructions ? { instructions: this.options.instructions } : {}),
      ttlMs: 0,
      cacheScope: 'private',
      resultType: 'complete',
      _meta: { [META_KEYS.serverInfo]: this.serverInfo },
    };
  }

  /** The tool list without `execution.taskSupport`: on this wire the server alone decides what becomes a task. Any cursor is -32602. */
  listTools(cursor?: string): Record<string, unknown>[] {
    return this.host.catalog.page(cursor).map(({ execution: _execution, ...tool }) => tool);
  }

  /** The arguments a tool mirrors in `Mcp-Param-*` headers (none for an unknown tool: the call fails on its own). */
  customHeaders(toolName: string): readonly CustomHeader[] {
    this.headersByTool ??= new Map(this.host.catalog.list().map((tool) => [tool.name, customHeadersOf(tool.inputSchema)]));
    return this.headersByTool.get(toolName) ?? [];
  }

  /** The host's handler for a method beyond tools and tasks (prompts, resources, …), if it has one. */
  private extraHandler(method: string): ExtraHandler | undefined {
    const handlers = this.host.extras?.handlers;
    return handlers && Object.hasOwn(handlers, method) ? handlers[method as ExtraMethod] : undefined;
  }

  /** Who is calling: the client info each request carries (there is no handshake), and how it reached us. */
  private agentOf(call: V2Call, info: { name: string; version: string } | undefined): Agent | undefined {
    const connection = typeof this.options.connection === 'function' ? this.options.connection(call) : this.options.connection;
    return agentFromClient(info, connection);
  }

  private lookup(owner: string, taskId: string): EngineTask {
    try {
      return this.engine.get(owner, taskId);
    } catch (error) {
      if (error instanceof TaskNotFoundError) throw taskNotFound(taskId);
      throw error;
    }
  }

  /** Answers outstanding questions. Unknown, answered or superseded keys are ignored (T-SS-15); a malformed answer to an open one is -32602. */
  private update(owner: string, taskId: string, responses: Record<string, unknown>): void {
    const task = this.lookup(owner, taskId);
    if (isTerminal(task.status)) return;
    const answers: [string, unknown][] = [];
    for (const [key, value] of Object.entries(responses)) {
      const request = task.inputRequests.get(key);
      if (request) answers.push([key, parseInputResponse(key, request, value)]);
    }
    for (const [key, value] of answers) this.engine.answerInput(owner, taskId, key, value);
  }

  /** Cooperative cancel: an empty ack, also for a task that already ended (the extension mandates no error there). */
  private cancel(owner: string, taskId: string): void {
    const task = this.lookup(owner, taskId);
    if (isTerminal(task.status)) return;
    try {
      this.engine.cancel(owner, taskId);
    } catch (error) {
      if (!(error instanceof TaskTerminalError)) throw error;
    }
  }

  dispose(): void {
    this.streams.dispose();
  }
}

/** MRTR for a request beside `tools/call` (`prompts/get`, `resources/read`): its `inputResponses` against the handler's questions. */
function extraMrtr(params: Record<string, unknown>, capabilities: ClientCapabilities): ExtraMrtr {
  return {
    gather(requests) {
      const sent = InputResponsesSchema.safeParse(params.inputResponses ?? {});
      if (!sent.success) throw new RpcError(RpcCode.InvalidParams, `Invalid params: inputResponses must be an object (${describeIssues(sent.error)})`);
      const gathered = gatherInput(requests, sent.data, capabilities);
      return 'answers' in gathered ? { answers: gathered.answers } : { inputRequired: { resultType: 'input_required', inputRequests: gathered.inputRequests } };
    },
  };
}

const InputResponsesSchema = z.record(z.string(), z.unknown());

/** Status lines as `notifications/progress` for the request, when it sent a progress token and the transport can stream. */
function progressReporter(token: unknown, notify: V2Call['notify']): ((message: string) => void) | undefined {
  if (!notify || (typeof token !== 'string' && typeof token !== 'number')) return undefined;
  let progress = 0;
  return (message) => notify({ method: 'notifications/progress', params: { progressToken: token, progress: ++progress, message } });
}

function requireTasks(capabilities: ClientCapabilities, what: string): void {
  if (!declaresTasks(capabilities)) throw tasksExtensionRequired(what);
}

function parse<S extends z.ZodType>(schema: S, params: unknown, method: string): z.infer<S> {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new RpcError(RpcCode.InvalidParams, `Invalid params for ${method}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function ok(id: RequestId | null, result: Record<string, unknown>): V2Reply {
  return { kind: 'response', status: 200, body: { jsonrpc: '2.0', id: id as RequestId, result } };
}

function fail(id: RequestId | null, error: unknown): V2Reply {
  const rpc = error instanceof RpcError ? error.toJSON() : error instanceof TaskNotFoundError ? taskNotFound(error.taskId).toJSON() : toJsonRpcError(error);
  return { kind: 'response', status: httpStatusFor(rpc.code), body: { jsonrpc: '2.0', id, error: rpc } };
}

function idOf(message: unknown): RequestId | null {
  if (!isObject(message)) return null;
  const parsed = RequestIdSchema.safeParse(message.id);
  return parsed.success ? parsed.data : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
