/**
 * The `io.modelcontextprotocol/tasks` extension over the stateless 2026-07-28 protocol: a small
 * JSON-RPC dispatcher, transport-agnostic (the HTTP framing lives in statelessHttp.ts). Every
 * request is validated with zod, carries the client's capabilities in `_meta`, and is answered
 * on its own, with no session. The work runs in the same `TaskEngine` as the 2025-11-25 wire,
 * so one process serves both; this file only translates.
 */
import { randomUUID } from 'node:crypto';
import { type z } from 'zod';
import type { CallToolResult, ElicitRequest, ElicitResult, Implementation } from '@modelcontextprotocol/sdk/types.js';
import { ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { DisposableStore, type IDisposable, toDisposable } from '../../../core/lifecycle';
import { type Agent, describeIssues } from '../../../core/taskRecord';
import { isTerminal } from '../../../core/taskStatus';
import { RpcCode, RpcError, taskNotFound, toJsonRpcError } from '../../rpcError';
import {
  type EngineTask,
  type InputRequest,
  type TaskEngine,
  TaskNotFoundError,
  TaskTerminalError,
  TimeBudgetError,
  UNKNOWN_CLIENT,
} from '../../engine/taskEngine';
import { TASKLANE_SERVER_INFO } from '../../identity';
import { describeToolError } from '../describeToolError';
import { readCallHints } from '../callHints';
import { TOOL_ERROR_STATUS, WIRE_V2, toDetailedTask, toTaskFields } from '../../wires/v2/codec';
import { withQueueMeta } from '../../wires/queueMeta';
import { type PreparedCall, type TaskHost, runTool } from '../toolCatalog';
import { type MrtrToolContext, isMrtrTool } from '../tools/mrtr';
import {
  BaseParamsSchema,
  CallToolParamsSchema,
  CancelTaskParamsSchema,
  type ClientCapabilities,
  DiscoverParamsSchema,
  GetTaskParamsSchema,
  INPUT_CAPABILITY,
  INPUT_RESPONSE_SCHEMAS,
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
  missingCapability,
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
}

export interface StreamSink {
  send(message: object): void;
  /** Ends the stream, optionally with a last message. */
  end(last?: object): void;
}

export type V2Reply =
  | { readonly kind: 'response'; readonly status: number; readonly body: JsonRpcResponse }
  /** A notification: nothing to answer (HTTP 202). */
  | { readonly kind: 'accepted' }
  /** `subscriptions/listen`: a stream of notifications, opened by the transport. */
  | { readonly kind: 'stream'; open(sink: StreamSink): IDisposable };

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

/**
 * The dispatcher. One instance per process (or per HTTP server), shared by every caller on the
 * new wire; it holds no per-client state except open `subscriptions/listen` streams.
 */
export class TaskServerV2 implements IDisposable {
  /** The task wire this adapter speaks; recorded on every task it creates. */
  readonly wire = WIRE_V2;
  private readonly serverInfo: Implementation;
  private readonly streams = new Set<StreamSink>();

  constructor(
    private readonly host: TaskHost,
    private readonly engine: TaskEngine,
    private readonly options: TaskServerV2Options = {},
  ) {
    this.serverInfo = options.serverInfo ?? TASKLANE_SERVER_INFO;
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
      const context: RequestContext = { owner: call.principal, capabilities, signal: call.signal, agent: this.agentOf(call, meta[META_KEYS.clientInfo]) };

      switch (method) {
        case 'server/discover':
          parse(DiscoverParamsSchema, params, method);
          return ok(id, this.discover());
        case 'tools/list':
          parse(ListToolsParamsSchema, params, method);
          return ok(id, { tools: this.listTools(), ttlMs: 0, cacheScope: 'private', resultType: 'complete' });
        case 'tools/call':
          return ok(id, await this.callTool(parse(CallToolParamsSchema, params, method), context));
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
          return this.listen(id as RequestId, context.owner, notifications.taskIds);
        }
        default:
          throw new RpcError(RpcCode.MethodNotFound, `Method not found: ${REMOVED_METHODS[method] ?? method}`);
      }
    } catch (error) {
      return fail(id, error);
    }
  }

  /** `server/discover`: what this server offers. No legacy `tasks` capability here (T-S-50). */
  discover(): Record<string, unknown> {
    return {
      supportedVersions: [...SUPPORTED_VERSIONS],
      capabilities: { tools: {}, extensions: { [TASKS_EXTENSION]: {} } },
      ...(this.options.instructions ? { instructions: this.options.instructions } : {}),
      ttlMs: 0,
      cacheScope: 'private',
      resultType: 'complete',
      _meta: { [META_KEYS.serverInfo]: this.serverInfo },
    };
  }

  /** The tool list without `execution.taskSupport`: on this wire the server alone decides what becomes a task. */
  listTools(): Record<string, unknown>[] {
    return this.host.catalog.list().map(({ execution: _execution, ...tool }) => tool);
  }

  private async callTool(params: z.infer<typeof CallToolParamsSchema>, context: RequestContext): Promise<Record<string, unknown>> {
    const call = this.host.catalog.prepare(params.name, params.arguments, params._meta as Record<string, unknown>);
    const declared = declaresTasks(context.capabilities);
    // A legacy params.task is ignored (T-S-49): the tool and the client's declaration decide.
    if (call.tool.taskSupport === 'required' && !declared) throw tasksExtensionRequired(`Tool ${call.tool.name} runs only as a task, so calling it`);

    // MRTR first (T-SS-13): a task is created only once every question asked up front has an answer.
    let inputResponses: Record<string, unknown> | undefined;
    if (isMrtrTool(call.tool)) {
      const gathered = gatherInput(call.tool.inputRequests(call.args), params.inputResponses ?? {}, context.capabilities);
      if ('inputRequests' in gathered) return { resultType: 'input_required', inputRequests: gathered.inputRequests };
      inputResponses = gathered.answers;
    }

    if (declared && call.tool.taskSupport !== 'forbidden') {
      const created = this.startTask(call, context, inputResponses, params._meta as Record<string, unknown>);
      return { ...toTaskFields(created), resultType: 'task', ...withQueueMeta(created) };
    }
    const result = await this.runSync(call, context, inputResponses);
    return { ...result, resultType: 'complete' };
  }

  private startTask(
    call: PreparedCall,
    request: RequestContext,
    inputResponses: Record<string, unknown> | undefined,
    meta: Record<string, unknown>,
  ): EngineTask {
    return this.engine.start({
      owner: request.owner,
      tool: call.tool.name,
      arguments: call.args,
      meta,
      wire: WIRE_V2,
      agent: request.agent,
      ...readCallHints(meta, (taskId) => this.engine.peekOwned(request.owner, taskId)),
      timeBudgetMs: call.limits.timeBudgetMs,
      settle: (value) => ({ status: value.isError ? TOOL_ERROR_STATUS : 'completed', message: value.isError ? describeToolError(value) : undefined }),
      run: (context) => {
        const toolContext: MrtrToolContext = {
          taskId: context.taskId,
          signal: context.signal,
          limits: call.limits,
          defaultCwd: this.host.defaultCwd,
          status: (message) => context.status(message),
          // No output channel on this wire: progress and logging are not carried for tasks (T-S-43); the host may still show it.
          output: (chunk) => context.output(chunk),
          elicit: async (params) => {
            if (!request.capabilities.elicitation)
              throw missingCapability(
                { elicitation: {} },
                'the task needs to ask a question (elicitation), and the request that created it did not declare elicitation',
              );
            return ElicitResultSchema.parse(
              await context.requestInput({ method: 'elicitation/create', params: params as Record<string, unknown> }),
            ) as ElicitResult;
          },
          ...(inputResponses ? { inputResponses } : {}),
        };
        return runTool(this.host, call, toolContext) as Promise<Record<string, unknown>>;
      },
    });
  }

  private async runSync(call: PreparedCall, request: RequestContext, inputResponses: Record<string, unknown> | undefined): Promise<CallToolResult> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = call.limits.timeBudgetMs
      ? setTimeout(() => controller.abort(new TimeBudgetError(call.limits.timeBudgetMs!)), call.limits.timeBudgetMs)
      : undefined;
    const context: MrtrToolContext = {
      signal: controller.signal,
      limits: call.limits,
      defaultCwd: this.host.defaultCwd,
      status: () => undefined,
      output: () => undefined,
      elicit: (_params: ElicitRequest['params']): Promise<ElicitResult> =>
        Promise.reject(
          new RpcError(
            RpcCode.InvalidRequest,
            `Tool ${call.tool.name} asked a question mid-call; on 2026-07-28 that needs a task: declare the ${TASKS_EXTENSION} extension`,
          ),
        ),
      ...(inputResponses ? { inputResponses } : {}),
    };
    try {
      return await runTool(this.host, call, context);
    } catch (error) {
      const reason = controller.signal.reason;
      if (reason instanceof TimeBudgetError) return { content: [{ type: 'text', text: reason.message }], isError: true };
      throw error;
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Who is calling: the client info each request carries (there is no handshake), and how it reached us. */
  private agentOf(call: V2Call, info: { name: string; version: string } | undefined): Agent | undefined {
    const connection = typeof this.options.connection === 'function' ? this.options.connection(call) : this.options.connection;
    if (!info && connection === undefined) return undefined;
    return { name: info?.name ?? UNKNOWN_CLIENT, ...(info?.version ? { version: info.version } : {}), ...(connection !== undefined ? { connection } : {}) };
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
      if (!request) continue;
      const schema = INPUT_RESPONSE_SCHEMAS[request.method];
      const parsed = schema ? schema.safeParse(value) : { success: true as const, data: value };
      if (!parsed.success)
        throw new RpcError(
          RpcCode.InvalidParams,
          `Invalid params: inputResponses["${key}"] is not a valid answer to ${request.method}: ${describeIssues(parsed.error)}`,
        );
      answers.push([key, parsed.data]);
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

  private listen(id: RequestId, owner: string, taskIds: readonly string[] | undefined): V2Reply {
    return {
      kind: 'stream',
      open: (sink) => {
        const subscriptionId = randomUUID();
        const tag = { [META_KEYS.subscriptionId]: subscriptionId };
        const watched = new Set<string>();
        const snapshots: EngineTask[] = [];
        for (const taskId of new Set(taskIds ?? [])) {
          try {
            snapshots.push(this.engine.get(owner, taskId));
            watched.add(taskId);
          } catch {
            // Unknown, expired or not yours: simply not acknowledged.
          }
        }
        const disposables = new DisposableStore();
        let ended = false;
        const finish = () => {
          if (ended) return;
          ended = true;
          this.streams.delete(sink);
          disposables.dispose();
          sink.end({ jsonrpc: '2.0', id, result: { resultType: 'complete', _meta: tag } });
        };
        this.streams.add(sink);
        disposables.add(toDisposable(() => this.streams.delete(sink)));
        // We agree only to task notifications: this server never changes its lists.
        sink.send({
          jsonrpc: '2.0',
          method: 'notifications/subscriptions/acknowledged',
          params: { notifications: taskIds ? { taskIds: [...watched] } : {}, _meta: tag },
        });
        const notify = (task: EngineTask) =>
          sink.send({ jsonrpc: '2.0', method: 'notifications/tasks', params: { ...toDetailedTask(task), ...withQueueMeta(task, tag) } });
        for (const task of snapshots) {
          notify(task);
          if (isTerminal(task.status)) watched.delete(task.taskId);
        }
        disposables.add(
          this.engine.onDidChange((task) => {
            if (!watched.has(task.taskId) || task.owner !== owner) return;
            notify(task);
            if (isTerminal(task.status)) {
              watched.delete(task.taskId);
              if (watched.size === 0) finish();
            }
          }),
        );
        // Asked only about tasks, all of them already over (or none known): nothing more will come.
        if (taskIds !== undefined && watched.size === 0) finish();
        return toDisposable(() => {
          ended = true;
          this.streams.delete(sink);
          disposables.dispose();
        });
      },
    };
  }

  dispose(): void {
    for (const sink of [...this.streams]) sink.end();
    this.streams.clear();
  }
}

interface RequestContext {
  readonly owner: string;
  readonly capabilities: ClientCapabilities;
  readonly signal?: AbortSignal;
  readonly agent?: Agent;
}

function gatherInput(
  requests: Record<string, InputRequest>,
  responses: Record<string, unknown>,
  capabilities: ClientCapabilities,
): { inputRequests: Record<string, InputRequest> } | { answers: Record<string, unknown> } {
  const missing: Record<string, InputRequest> = {};
  const answers: Record<string, unknown> = {};
  for (const [key, request] of Object.entries(requests)) {
    if (key in responses) {
      const schema = INPUT_RESPONSE_SCHEMAS[request.method];
      const parsed = schema ? schema.safeParse(responses[key]) : { success: true as const, data: responses[key] };
      if (!parsed.success)
        throw new RpcError(
          RpcCode.InvalidParams,
          `Invalid params: inputResponses["${key}"] is not a valid answer to ${request.method}: ${describeIssues(parsed.error)}`,
        );
      answers[key] = parsed.data;
    } else {
      missing[key] = request;
    }
  }
  if (Object.keys(missing).length === 0) return { answers };
  const needed: Record<string, object> = {};
  for (const request of Object.values(missing)) {
    const capability = INPUT_CAPABILITY[request.method];
    if (capability && !capabilities[capability]) needed[capability] = {};
  }
  if (Object.keys(needed).length)
    throw missingCapability(needed, `this call needs to ask the client (${Object.keys(needed).join(', ')}), and the request did not declare it`);
  return { inputRequests: missing };
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
