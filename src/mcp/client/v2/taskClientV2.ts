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
 * The HTTP framing is statelessHttpTransport.ts, the push channel listenStreams.ts, and what a
 * task, an error or a result type looks like on the wire is the codec's (wires/v2/codec.ts).
 */
import { z } from 'zod';
import {
  type CreateMessageResult,
  CreateMessageResultSchema,
  type ElicitResult,
  ElicitResultSchema,
  type Implementation,
  type Tool,
  ToolSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { Emitter } from '../../../core/events';
import { Disposable, type IDisposable } from '../../../core/lifecycle';
import { type Logger, silentLogger } from '../../../core/logger';
import { describeIssues } from '../../../core/taskRecord';
import { isTerminal } from '../../../core/taskStatus';
import { RpcCode, RpcError } from '../../rpcError';
import { INPUT_RESPONSE_SCHEMAS, META_KEYS, PROTOCOL_2026_07_28, TASKS_EXTENSION } from '../../wires/v2/protocol';
import {
  InvalidResponseError,
  TOOL_ERROR_STATUS,
  WIRE_V2,
  outcomeOf,
  parseCallToolResult,
  parseTask,
  parseTaskNotification,
  resultTypeOf,
} from '../../wires/v2/codec';
import type { RemoteOutcome, RemoteTaskState } from '../../wires/remoteTask';
import { TASKLANE_CLIENT_INFO } from '../../identity';
import { FollowedTasks } from './followedTasks';
import { answerInputRound } from './inputRound';
import { ListenStreams } from './listenStreams';
import { type JsonRpcMessage, isObject } from '../sseReader';
import { StatelessHttpTransport } from './statelessHttpTransport';
import { type WireObserver, observingFetch } from '../wireTap';
import {
  type InputRequestEvent,
  SamplingDeclinedError,
  type SamplingRequestEvent,
  type StartOptions,
  type StartResult,
  type TaskInputResponse,
  type TaskWireClient,
  samplingDeclinedError,
} from '../taskWire';

/**
 * What this client declares on every request: form elicitation (questions), sampling (each request
 * is put to the host, which asks the user, as on the 2025-11-25 wire) and the tasks extension.
 */
export const CLIENT_CAPABILITIES_V2: Readonly<Record<string, unknown>> = Object.freeze({
  elicitation: { form: {} },
  sampling: {},
  extensions: { [TASKS_EXTENSION]: {} },
});

const MAX_INPUT_ROUNDS = 16;
/** What an answer to a key the client has not seen asked may be. */
const ANY_ANSWER = z.union([ElicitResultSchema, CreateMessageResultSchema]);
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
  samplingHandler: ((request: SamplingRequestEvent) => Promise<CreateMessageResult>) | undefined;

  private readonly log: Logger;
  private readonly http: StatelessHttpTransport;
  private readonly streams: ListenStreams;
  private discovered: DiscoverResult | undefined;
  private tools: Tool[] | undefined;
  private readonly followed = new FollowedTasks(SETTLED_CACHE);

  constructor(options: TaskClientV2Options) {
    super();
    this.log = options.log ?? silentLogger;
    this.http = new StatelessHttpTransport({
      url: String(options.url),
      token: options.token,
      headers: options.headers,
      clientInfo: options.clientInfo ?? TASKLANE_CLIENT_INFO,
      clientCapabilities: CLIENT_CAPABILITIES_V2,
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
      fetch: options.fetch ?? globalThis.fetch,
      onNotification: (message) => this.onNotification(message),
    });
    this.streams = new ListenStreams(this.http, this.log, options.notifications ?? true, (message) => this.onNotification(message));
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
    this.http.close(new Error('The client was disposed'));
    this.streams.closeAll();
    this.followed.rejectAll(new Error('The client was disposed'));
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
    const raw = await this.http.request('server/discover', {}, { signal });
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
      const raw = await this.http.request('tools/list', cursor ? { cursor } : {});
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
   * `input_required` questions are put to the host's `inputHandler`, sampling requests to its
   * `samplingHandler`, and the call is retried with the answers (and the server's `requestState`,
   * echoed byte for byte). A declined sampling request ends the call there, with the reason as its
   * error: the server is not waiting for an answer, so nothing is retried. `options.ttl` and
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
        result = await this.http.request('tools/call', params, { signal: options.signal, noTimeout: true });
      } catch (error) {
        // The server's JSON-RPC answer to the call is its outcome; transport trouble is not.
        if (error instanceof RpcError) return { kind: 'result', outcome: { error: error.toJSON() } };
        throw error;
      }
      const kind = resultTypeOf(result);
      if (kind === 'complete') return { kind: 'result', outcome: { result: parseCallToolResult(result) } };
      if (kind === 'task') {
        const task = parseTask(result, 'tools/call');
        // A task may be created already finished. A CreateTaskResult carries no outcome, so read it,
        // unless the server put it in anyway (a result or error beside the task's fields).
        if (isTerminal(task.status) && !carriesOutcome(task)) return { kind: 'task', task: await this.get(task.taskId) };
        this.observe(task, false);
        return { kind: 'task', task };
      }
      if (round + 1 >= MAX_INPUT_ROUNDS)
        throw new InvalidResponseError(`The server kept asking for input: ${MAX_INPUT_ROUNDS} input_required rounds for one tools/call`);
      try {
        inputResponses = await answerInputRound(result.inputRequests, this, options.ref);
      } catch (error) {
        if (error instanceof SamplingDeclinedError) return { kind: 'result', outcome: { error: samplingDeclinedError(error) } };
        throw error;
      }
      requestState = typeof result.requestState === 'string' ? result.requestState : undefined;
    }
  }

  /** `tasks/get`: the task's snapshot, with its questions or outcome inline. */
  async get(taskId: string): Promise<RemoteTaskState> {
    const state = parseTask(await this.http.request('tasks/get', { taskId }), 'tasks/get');
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
    const known = this.followed.latest(taskId);
    if (known && isTerminal(known.status)) return Promise.resolve(outcomeOf(known));
    const ended = this.followed.waitForEnd(taskId, signal, () => this.streams.close(taskId));
    if (!signal.aborted) this.streams.open(taskId);
    return ended.then(outcomeOf);
  }

  /** `tasks/cancel`: an acknowledgement only. The task may still end in any state; keep following it (T-CS-09). */
  async cancel(taskId: string): Promise<undefined> {
    await this.http.request('tasks/cancel', { taskId });
    return undefined;
  }

  /**
   * `tasks/update` with one answer. Only a key the latest snapshot lists as outstanding may be
   * answered (T-C-13): a key the task no longer asks is refused here, before anything is sent. The
   * answer must fit what the key asks (an `ElicitResult`, a `CreateMessageResult`).
   */
  async answer(taskId: string, key: string, response: TaskInputResponse): Promise<void> {
    const known = this.followed.latest(taskId);
    if (known && !(known.inputRequests && key in known.inputRequests)) {
      throw new Error(`The task no longer asks "${key}": it was answered, or the server moved on.`);
    }
    const method = known?.inputRequests?.[key]?.method;
    const schema = (method && INPUT_RESPONSE_SCHEMAS[method]) || ANY_ANSWER;
    const parsed = schema.safeParse(response);
    if (!parsed.success) throw new Error(`Invalid answer: ${describeIssues(parsed.error)}`);
    await this.http.request('tasks/update', { taskId, inputResponses: { [key]: parsed.data } });
  }

  list(): Promise<{ tasks: RemoteTaskState[]; nextCursor?: string }> {
    return Promise.reject(new RpcError(RpcCode.MethodNotFound, `tasks/list does not exist in the ${TASKS_EXTENSION} extension`));
  }

  /** Every request and listen stream goes through one `fetch`: the tap wraps it (status and headers included). */
  tapWire(observe: WireObserver): IDisposable {
    return this.http.tapFetch((inner) => observingFetch(inner, observe));
  }

  /** The headers of one request (exposed for tests). */
  headersFor(method: string, params: Record<string, unknown>): Record<string, string> {
    return this.http.headersFor(method, params);
  }

  // -------------------------------------------------------------------------------------------
  // Task state

  /** Records a snapshot; terminal ones reach the host before waiters resolve, so it finishes from the snapshot. */
  private observe(state: RemoteTaskState, pushed: boolean): void {
    if (!this.followed.record(state)) return;
    if (pushed || isTerminal(state.status)) this._onDidReceiveStatus.fire(state);
    if (!isTerminal(state.status)) return;
    this.streams.close(state.taskId);
    this.followed.settle(state);
  }

  private onNotification(message: JsonRpcMessage): void {
    if (message.method !== 'notifications/tasks') return;
    const decoded = parseTaskNotification(message.params);
    if ('problem' in decoded) {
      this.log.warn(`[v2] ignored a malformed notifications/tasks: ${decoded.problem}`);
      return;
    }
    this.observe(decoded.state, true);
  }
}

/** Whether a terminal snapshot says how the task ended: its result or error (a cancelled task has neither). */
function carriesOutcome(state: RemoteTaskState): boolean {
  return state.status === 'cancelled' || state.result !== undefined || state.error !== undefined;
}
