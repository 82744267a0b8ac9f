/**
 * A client for the `io.modelcontextprotocol/tasks` extension over Streamable HTTP in the
 * stateless 2026-07-28 framing, on `fetch`. The SDK 1.x `Client` cannot speak this era (its
 * transport refuses any protocol version after 2025-11-25 and it negotiates once, at
 * `initialize`), so this is our own small client, like the server side in `server/v2/`.
 *
 * Every request stands alone: it carries the protocol version, client info and client
 * capabilities (with the extension declared) in `_meta`, and the routing headers
 * `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name`. The server decides whether a
 * `tools/call` becomes a task; task state is read with `tasks/get` (polled by the host's shared
 * scheduler) or pushed through `subscriptions/listen`, questions are answered with
 * `tasks/update`, and the outcome is inline in the terminal snapshot (there is no result call).
 */
import { z } from 'zod';
import { type ElicitResult, ElicitResultSchema, type Implementation, type Tool, ToolSchema } from '@modelcontextprotocol/sdk/types.js';
import { Emitter } from '../../../core/events';
import { Disposable } from '../../../core/lifecycle';
import { type Logger, silentLogger } from '../../../core/logger';
import { JsonRpcErrorSchema, describeIssues } from '../../../core/taskRecord';
import { isTerminal } from '../../../core/taskStatus';
import { RpcCode, RpcError } from '../../rpcError';
import { META_KEYS, PROTOCOL_2026_07_28, TASKS_EXTENSION, encodeHeaderValue, nameParamOf } from '../../wires/v2/protocol';
import {
  DetailedTaskSchema,
  InputRequestsSchema,
  InvalidResponseError,
  TOOL_ERROR_STATUS,
  WIRE_V2,
  outcomeOf,
  parseCallToolResult,
  parseTask,
  resultTypeOf,
  toRemoteState,
} from '../../wires/v2/codec';
import type { RemoteInputRequest, RemoteOutcome, RemoteTaskState } from '../../wires/remoteTask';
import { type JsonRpcMessage, isObject, readSse, safeJson } from '../sseReader';
import { TASKLANE_CLIENT_INFO } from '../../identity';
import type { InputRequestEvent, StartOptions, StartResult, TaskWireClient } from '../taskWire';

/** What this client declares on every request: form elicitation (questions) and the tasks extension. */
export const CLIENT_CAPABILITIES_V2: Readonly<Record<string, unknown>> = Object.freeze({
  elicitation: { form: {} },
  extensions: { [TASKS_EXTENSION]: {} },
});

/** The only method a `CreateTaskResult` may answer today (T-C-10). */
const TASK_ELIGIBLE_METHODS: ReadonlySet<string> = new Set(['tools/call']);
/** Methods whose answer may be an MRTR `input_required` result (of those this client sends). */
const MRTR_METHODS: ReadonlySet<string> = new Set(['tools/call']);
const MAX_INPUT_ROUNDS = 16;
/** How many settled snapshots stay cached, so a late `awaitOutcome` still returns at once. */
const SETTLED_CACHE = 500;

export interface TaskClientV2Options {
  readonly url: string | URL;
  /** Bearer token, sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Extra headers on every request (never logged). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly clientInfo?: Implementation;
  /** Open `subscriptions/listen` for followed tasks when the server offers it (default true). */
  readonly notifications?: boolean;
  /** Timeout for requests other than `tools/call` and listen streams (default 60 s). */
  readonly requestTimeoutMs?: number;
  readonly log?: Logger;
  /** For tests: the `fetch` to use. */
  readonly fetch?: typeof fetch;
}

/** The server answered with an HTTP error that carried no JSON-RPC error. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What `server/discover` told us. */
export interface DiscoverResult {
  readonly supportedVersions: readonly string[];
  readonly capabilities: Record<string, unknown>;
  readonly serverInfo?: Implementation;
  readonly instructions?: string;
  readonly raw: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Schemas of what only a client reads (the task's are the codec's)

const DiscoverSchema = z.looseObject({
  supportedVersions: z.array(z.string()).optional(),
  capabilities: z.record(z.string(), z.unknown()).optional(),
  instructions: z.string().optional(),
});

const ListToolsSchema = z.looseObject({ tools: z.array(ToolSchema), nextCursor: z.string().optional() });

interface Waiter {
  readonly resolve: (state: RemoteTaskState) => void;
  readonly reject: (error: Error) => void;
}

/** A `TaskWireClient` for the extension wire. Call `discover()` (or `connect()`) before anything else. */
export class TaskClientV2 extends Disposable implements TaskWireClient {
  readonly wire = WIRE_V2;
  readonly toolErrorStatus = TOOL_ERROR_STATUS;
  readonly protocolVersion = PROTOCOL_2026_07_28;
  /** The extension has no `tasks/list`: a client keeps the IDs it was given. */
  readonly supportsList = false;
  readonly outcomeInSnapshot = true;
  private readonly _onDidReceiveStatus = this._register(new Emitter<RemoteTaskState>());
  readonly onDidReceiveStatus = this._onDidReceiveStatus.event;
  inputHandler: ((request: InputRequestEvent) => Promise<ElicitResult>) | undefined;

  private readonly url: string;
  private readonly fetch: typeof fetch;
  private readonly log: Logger;
  private readonly clientInfo: Implementation;
  private readonly requestTimeoutMs: number;
  private discovered: DiscoverResult | undefined;
  private tools: Tool[] | undefined;
  private nextId = 1;
  /** Latest snapshot per task (settled ones are kept in a bounded cache). */
  private readonly snapshots = new Map<string, RemoteTaskState>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** Open `subscriptions/listen` streams, by task. */
  private readonly streams = new Map<string, AbortController>();
  /** False once the server showed it has no `subscriptions/listen` for tasks: polling only. */
  private listenOffered: boolean;
  private readonly everything = new AbortController();

  constructor(private readonly options: TaskClientV2Options) {
    super();
    this.url = String(options.url);
    this.fetch = options.fetch ?? globalThis.fetch;
    this.log = options.log ?? silentLogger;
    this.clientInfo = options.clientInfo ?? TASKLANE_CLIENT_INFO;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.listenOffered = options.notifications ?? true;
  }

  /** Creates a client and reads the server's capabilities. */
  static async connect(options: TaskClientV2Options): Promise<TaskClientV2> {
    const client = new TaskClientV2(options);
    try {
      await client.discover();
      return client;
    } catch (error) {
      client.dispose();
      throw error;
    }
  }

  override dispose(): void {
    this.everything.abort(new Error('The client was disposed'));
    for (const stream of this.streams.values()) stream.abort();
    this.streams.clear();
    const waiting = [...this.waiters.values()].flatMap((set) => [...set]);
    this.waiters.clear();
    for (const waiter of waiting) waiter.reject(new Error('The client was disposed'));
    super.dispose();
  }

  get serverInfo(): Implementation | undefined {
    return this.discovered?.serverInfo;
  }

  get serverCapabilities(): Record<string, unknown> | undefined {
    return this.discovered?.capabilities;
  }

  /** Whether the server declared the extension in `server/discover`. */
  get supportsTasks(): boolean {
    const extensions = this.discovered?.capabilities.extensions;
    const value = isObject(extensions) ? extensions[TASKS_EXTENSION] : undefined;
    return isObject(value);
  }

  /** `server/discover`: the server's versions, capabilities and identity. */
  async discover(signal?: AbortSignal): Promise<DiscoverResult> {
    const raw = await this.request('server/discover', {}, { signal });
    const parsed = DiscoverSchema.safeParse(raw);
    if (!parsed.success) throw new InvalidResponseError(`Invalid server/discover result: ${describeIssues(parsed.error)}`);
    const meta = isObject(raw._meta) ? raw._meta : {};
    const info = meta[META_KEYS.serverInfo];
    this.discovered = {
      supportedVersions: parsed.data.supportedVersions ?? [],
      capabilities: parsed.data.capabilities ?? {},
      ...(isObject(info) && typeof info.name === 'string' && typeof info.version === 'string' ? { serverInfo: info as Implementation } : {}),
      ...(parsed.data.instructions !== undefined ? { instructions: parsed.data.instructions } : {}),
      raw,
    };
    return this.discovered;
  }

  /** A liveness probe: 2026-07-28 has no `ping`, so this asks `server/discover` again. */
  async ping(): Promise<void> {
    await this.discover();
  }

  async listTools(): Promise<Tool[]> {
    if (this.tools) return this.tools;
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const raw = await this.request('tools/list', cursor ? { cursor } : {});
      const page = ListToolsSchema.safeParse(raw);
      if (!page.success) throw new InvalidResponseError(`Invalid tools/list result: ${describeIssues(page.error)}`);
      tools.push(...(page.data.tools as Tool[]));
      cursor = page.data.nextCursor;
    } while (cursor);
    this.tools = tools;
    return tools;
  }

  /**
   * `tools/call` with the extension declared: the answer is a plain result (`complete`, or no
   * `resultType` from an older server) or a task (`task`) (T-C-09, T-C-15). MRTR
   * `input_required` answers are put to the host's `inputHandler` and the call is retried with
   * the answers (and the server's `requestState`, echoed byte for byte). `options.ttl` and
   * `preferTask` have no meaning here: the server decides, and chooses the TTL.
   */
  async start(tool: string, args: Record<string, unknown>, options: StartOptions = {}): Promise<StartResult> {
    let inputResponses: Record<string, unknown> | undefined;
    let requestState: string | undefined;
    for (let round = 0; ; round++) {
      const params: Record<string, unknown> = {
        name: tool,
        arguments: args,
        ...(options.meta && Object.keys(options.meta).length ? { _meta: options.meta } : {}),
        ...(inputResponses ? { inputResponses } : {}),
        ...(requestState !== undefined ? { requestState } : {}),
      };
      let result: Record<string, unknown>;
      try {
        result = await this.request('tools/call', params, { signal: options.signal, noTimeout: true });
      } catch (error) {
        // The server's JSON-RPC answer to the call is its outcome; transport trouble is not.
        if (error instanceof RpcError) return { kind: 'result', outcome: { error: error.toJSON() } };
        throw error;
      }
      const kind = resultTypeOf(result);
      if (kind === 'complete') return { kind: 'result', outcome: { result: parseCallToolResult(result) } };
      if (kind === 'task') {
        const task = parseTask(result, 'tools/call');
        // A task may be created already finished; a CreateTaskResult carries no outcome, so read it.
        if (isTerminal(task.status)) return { kind: 'task', task: await this.get(task.taskId) };
        this.observe(task, false);
        return { kind: 'task', task };
      }
      if (round + 1 >= MAX_INPUT_ROUNDS)
        throw new InvalidResponseError(`The server kept asking for input: ${MAX_INPUT_ROUNDS} input_required rounds for one tools/call`);
      const parsed = InputRequestsSchema.safeParse(result.inputRequests);
      if (!parsed.success || Object.keys(parsed.data).length === 0)
        throw new InvalidResponseError('An input_required result must carry a non-empty inputRequests object');
      inputResponses = {};
      for (const [key, request] of Object.entries(parsed.data)) {
        inputResponses[key] = await this.askHost({ method: request.method, params: request.params ?? {} }, options.ref);
      }
      requestState = typeof result.requestState === 'string' ? result.requestState : undefined;
    }
  }

  /** `tasks/get`: the task's snapshot, with its questions or outcome inline. */
  async get(taskId: string): Promise<RemoteTaskState> {
    const state = parseTask(await this.request('tasks/get', { taskId }), 'tasks/get');
    if (state.taskId !== taskId) throw new InvalidResponseError(`tasks/get for ${taskId} answered with task ${state.taskId}`);
    this.observe(state, false);
    return state;
  }

  /**
   * Resolves when this client sees the task terminal (a `tasks/get` answer or a notification),
   * with the outcome inline in that snapshot. It sends no request of its own: polling is the
   * host's (the extension has no `tasks/result`, which is -32601 on this wire). While it waits it
   * keeps a `subscriptions/listen` stream open for the task when the server offers one.
   */
  awaitOutcome(taskId: string, signal: AbortSignal): Promise<RemoteOutcome> {
    const known = this.snapshots.get(taskId);
    if (known && isTerminal(known.status)) return Promise.resolve(outcomeOf(known));
    return new Promise<RemoteOutcome>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason ?? new Error('Aborted'));
      let set = this.waiters.get(taskId);
      if (!set) this.waiters.set(taskId, (set = new Set()));
      const waiter: Waiter = {
        resolve: (state) => {
          signal.removeEventListener('abort', onAbort);
          resolve(outcomeOf(state));
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = () => {
        set.delete(waiter);
        if (set.size === 0) {
          this.waiters.delete(taskId);
          this.closeStream(taskId);
        }
        reject(signal.reason ?? new Error('Aborted'));
      };
      set.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
      this.openStream(taskId);
    });
  }

  /** `tasks/cancel`: an acknowledgement only. The task may still end in any state; keep following it (T-CS-09). */
  async cancel(taskId: string): Promise<undefined> {
    await this.request('tasks/cancel', { taskId });
    return undefined;
  }

  /**
   * `tasks/update` with one answer. Only a key the latest snapshot lists as outstanding may be
   * answered (T-C-13): a key the task no longer asks is refused here, before anything is sent.
   */
  async answer(taskId: string, key: string, response: ElicitResult): Promise<void> {
    const known = this.snapshots.get(taskId);
    if (known && !(known.inputRequests && key in known.inputRequests)) {
      throw new Error(`The task no longer asks "${key}": it was answered, or the server moved on.`);
    }
    const parsed = ElicitResultSchema.safeParse(response);
    if (!parsed.success) throw new Error(`Invalid answer: ${describeIssues(parsed.error)}`);
    await this.request('tasks/update', { taskId, inputResponses: { [key]: parsed.data } });
  }

  list(): Promise<{ tasks: RemoteTaskState[]; nextCursor?: string }> {
    return Promise.reject(new RpcError(RpcCode.MethodNotFound, `tasks/list does not exist in the ${TASKS_EXTENSION} extension`));
  }

  // -------------------------------------------------------------------------------------------
  // Framing

  /** The headers of one request (exposed for tests). */
  headersFor(method: string, params: Record<string, unknown>): Record<string, string> {
    const headers: Record<string, string> = {
      // Header names are case-insensitive: lower-case the caller's so ours replace theirs, never join them.
      ...Object.fromEntries(Object.entries(this.options.headers ?? {}).map(([key, value]) => [key.toLowerCase(), value])),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': PROTOCOL_2026_07_28,
      'mcp-method': method,
    };
    const field = nameParamOf(method);
    const name = field ? params[field] : undefined;
    if (typeof name === 'string') headers['mcp-name'] = encodeHeaderValue(name);
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    return headers;
  }

  /** A request body: `_meta` carries the protocol version, client info and capabilities (T-C-11); caller keys cannot override them. */
  private bodyFor(id: number, method: string, params: Record<string, unknown>): Record<string, unknown> {
    const callerMeta = isObject(params._meta) ? params._meta : {};
    return {
      jsonrpc: '2.0',
      id,
      method,
      params: {
        ...params,
        _meta: {
          ...callerMeta,
          [META_KEYS.protocolVersion]: PROTOCOL_2026_07_28,
          [META_KEYS.clientInfo]: this.clientInfo,
          [META_KEYS.clientCapabilities]: CLIENT_CAPABILITIES_V2,
        },
      },
    };
  }

  /** Sends one request and returns its result, checked against what the method may answer. */
  private async request(
    method: string,
    params: Record<string, unknown>,
    options: { signal?: AbortSignal; noTimeout?: boolean } = {},
  ): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const signals = [
      this.everything.signal,
      ...(options.signal ? [options.signal] : []),
      ...(options.noTimeout ? [] : [AbortSignal.timeout(this.requestTimeoutMs)]),
    ];
    const signal = AbortSignal.any(signals);
    const response = await this.fetch(this.url, {
      method: 'POST',
      headers: this.headersFor(method, params),
      body: JSON.stringify(this.bodyFor(id, method, params)),
      signal,
    });
    const message = await this.readResponse(response, id, method);
    if (message.error !== undefined) {
      const error = JsonRpcErrorSchema.safeParse(message.error);
      if (!error.success) throw new InvalidResponseError(`${method}: malformed JSON-RPC error (HTTP ${response.status})`);
      throw new RpcError(error.data.code, error.data.message, error.data.data);
    }
    if (!isObject(message.result)) throw new InvalidResponseError(`${method}: the result is not an object`);
    const result = message.result;
    const kind = resultTypeOf(result);
    // A task is only ever the answer to a task-eligible request (T-C-10); MRTR only to the methods that have it.
    if (kind === 'task' && !TASK_ELIGIBLE_METHODS.has(method))
      throw new InvalidResponseError(`${method} was answered with a CreateTaskResult (resultType "task"), which only tools/call may return`);
    if (kind === 'input_required' && !MRTR_METHODS.has(method))
      throw new InvalidResponseError(`${method} was answered with an input_required result, which it cannot be`);
    return result;
  }

  /** The JSON-RPC response to request `id`: a JSON body, or the matching message of an SSE stream. */
  private async readResponse(response: Response, id: number, method: string): Promise<JsonRpcMessage> {
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('text/event-stream')) {
      for await (const message of readSse(response)) {
        if (message.id === id && ('result' in message || 'error' in message)) return message;
        if (message.id === undefined && typeof message.method === 'string') this.onNotification(message);
      }
      throw new InvalidResponseError(`${method}: the event stream ended without an answer (HTTP ${response.status})`);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!isObject(body) || (!('result' in body) && !('error' in body))) {
      if (!response.ok)
        throw new HttpStatusError(
          response.status,
          `${method}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${text ? `: ${text.slice(0, 200)}` : ''}`,
        );
      throw new InvalidResponseError(`${method}: the answer is not a JSON-RPC response (HTTP ${response.status})`);
    }
    // Authentication trouble is the transport's, whatever JSON-RPC error the body dresses it in.
    if (response.status === 401 || response.status === 403) {
      const detail = isObject(body.error) && typeof body.error.message === 'string' ? body.error.message : response.statusText;
      throw new HttpStatusError(response.status, `${method}: HTTP ${response.status}${detail ? ` ${detail}` : ''}`);
    }
    const message = body as JsonRpcMessage;
    if ('result' in message && message.id !== id) throw new InvalidResponseError(`${method}: the answer has id ${JSON.stringify(message.id)}, not ${id}`);
    return message;
  }

  // -------------------------------------------------------------------------------------------
  // Task state

  /** Records a snapshot; terminal ones reach the host before waiters resolve, so it finishes from the snapshot. */
  private observe(state: RemoteTaskState, pushed: boolean): void {
    const previous = this.snapshots.get(state.taskId);
    if (previous && isTerminal(previous.status)) return;
    if (previous && state.lastUpdatedAt < previous.lastUpdatedAt) return;
    this.snapshots.delete(state.taskId);
    this.snapshots.set(state.taskId, state);
    if (pushed || isTerminal(state.status)) this._onDidReceiveStatus.fire(state);
    if (!isTerminal(state.status)) return;
    this.closeStream(state.taskId);
    const waiting = this.waiters.get(state.taskId);
    this.waiters.delete(state.taskId);
    for (const waiter of waiting ?? []) waiter.resolve(state);
    this.trimSettled();
  }

  private trimSettled(): void {
    let settled = 0;
    for (const state of this.snapshots.values()) if (isTerminal(state.status)) settled++;
    for (const [taskId, state] of this.snapshots) {
      if (settled <= SETTLED_CACHE) break;
      if (isTerminal(state.status)) {
        this.snapshots.delete(taskId);
        settled--;
      }
    }
  }

  private onNotification(message: JsonRpcMessage): void {
    if (message.method !== 'notifications/tasks') return;
    const parsed = DetailedTaskSchema.safeParse(message.params);
    if (!parsed.success) {
      this.log.warn(`[v2] ignored a malformed notifications/tasks: ${describeIssues(parsed.error)}`);
      return;
    }
    this.observe(toRemoteState(parsed.data, (message.params as { _meta?: unknown } | undefined)?._meta), true);
  }

  /**
   * Opens `subscriptions/listen` for one task (a long-lived SSE POST) when the server offers it.
   * Anything else (an error, a plain JSON answer, a refusal to acknowledge the task) closes it
   * silently: polling stays the source of truth.
   */
  private openStream(taskId: string): void {
    if (!this.listenOffered || this.streams.has(taskId) || this.everything.signal.aborted) return;
    const controller = new AbortController();
    this.streams.set(taskId, controller);
    const params = { notifications: { taskIds: [taskId] } };
    const id = this.nextId++;
    const run = async () => {
      const response = await this.fetch(this.url, {
        method: 'POST',
        headers: this.headersFor('subscriptions/listen', params),
        body: JSON.stringify(this.bodyFor(id, 'subscriptions/listen', params)),
        signal: AbortSignal.any([controller.signal, this.everything.signal]),
      });
      if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
        const text = await response.text().catch(() => '');
        const code = (safeJson(text) as { error?: { code?: unknown } } | undefined)?.error?.code;
        // No such method (or no notifications for tasks): stop trying for every task.
        if (code === RpcCode.MethodNotFound || response.status === 404 || response.status === 405) this.listenOffered = false;
        this.log.debug(`[v2] subscriptions/listen not available (HTTP ${response.status}); polling only`);
        return;
      }
      for await (const message of readSse(response)) {
        if (message.method === 'notifications/subscriptions/acknowledged') {
          const agreed = (message.params as { notifications?: { taskIds?: unknown } } | undefined)?.notifications?.taskIds;
          if (!Array.isArray(agreed) || !agreed.includes(taskId)) {
            this.log.debug(`[v2] the server did not agree to notifications for task ${taskId}; polling only`);
            return;
          }
        } else if (typeof message.method === 'string') {
          this.onNotification(message);
        } else if (message.id === id) {
          return; // the server ended the subscription
        }
      }
    };
    run()
      .catch((error: Error) => {
        if (!controller.signal.aborted && !this.everything.signal.aborted) this.log.debug(`[v2] listen stream for ${taskId} ended: ${error.message}`);
      })
      .finally(() => {
        controller.abort();
        if (this.streams.get(taskId) === controller) this.streams.delete(taskId);
      });
  }

  private closeStream(taskId: string): void {
    const stream = this.streams.get(taskId);
    if (!stream) return;
    this.streams.delete(taskId);
    stream.abort();
  }

  /** One MRTR question, put to the host like any other (T-C-12): we only declared elicitation. */
  private async askHost(request: RemoteInputRequest, ref: string | undefined): Promise<unknown> {
    if (request.method !== 'elicitation/create') {
      throw new InvalidResponseError(`The server asked for ${request.method}, which this client did not declare`);
    }
    if (!this.inputHandler) return { action: 'decline' };
    const answer = await this.inputHandler({
      method: 'elicitation/create',
      params: request.params as InputRequestEvent['params'],
      ...(ref !== undefined ? { ref } : {}),
    });
    return ElicitResultSchema.parse(answer);
  }
}
