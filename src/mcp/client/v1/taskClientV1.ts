import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type CallToolResult,
  CallToolResultSchema,
  CreateMessageRequestSchema,
  type CreateMessageResult,
  ElicitRequestSchema,
  type ElicitResult,
  type Implementation,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { Emitter } from '../../../core/events';
import { Disposable, type IDisposable, toDisposable } from '../../../core/lifecycle';
import {
  CancelTaskResultSchema,
  CreateTaskResultSchema,
  GetTaskResultSchema,
  ListTasksWithMetaResultSchema,
  TaskStatusNotificationSchema,
  TOOL_ERROR_STATUS,
  WIRE_V1,
  fromStatusNotificationParams,
  fromWireTask,
  outcomeErrorOf,
  relatedTaskIdOf,
  toCreateTaskResult,
  withRelatedTask,
} from '../../wires/v1/codec';
import { RpcCode, RpcError, toJsonRpcError } from '../../rpcError';
import { TaskEngine } from '../../engine/taskEngine';
import { serveTaskMethodsV1 } from '../../wires/v1/taskMethods';
import { TASK_UPDATE_METHOD_V1, TaskUpdateResultV1Schema } from '../../wires/v1/taskUpdate';
import { SamplingDeclinedError, samplingDeclinedError } from '../taskWire';
import type { InputRequestEvent, SamplingRequestEvent, StartOptions, StartResult, TaskInputResponse, TaskWireClient, TransportFailure } from '../taskWire';
import type { RemoteOutcome, RemoteTaskState } from '../../wires/remoteTask';
import { answerableResponse } from '../malformedResponse';
import { TASKLANE_CLIENT_INFO } from '../../identity';
import { type WireObserver, observingFetch, tapStreamTransport } from '../wireTap';

/** The one requestor of this connection's receiver tasks: the server we are connected to. */
const RECEIVER_OWNER = 'server';
const RECEIVER_TASK_METHODS = new Set(['elicitation/create', 'sampling/createMessage']);
export const RECEIVER_TASK_CAPABILITY = { list: {}, cancel: {}, requests: { elicitation: { create: {} }, sampling: { createMessage: {} } } };

/** Long enough for any task; `setTimeout` cannot go higher. */
const NO_TIMEOUT = 2 ** 31 - 1;

/** A client connection speaking the 2025-11-25 tasks utility, over any SDK transport. */
export class TaskClientV1 extends Disposable implements TaskWireClient {
  readonly wire = WIRE_V1;
  readonly toolErrorStatus = TOOL_ERROR_STATUS;
  readonly client: Client;
  private readonly _onDidReceiveStatus = this._register(new Emitter<RemoteTaskState>());
  readonly onDidReceiveStatus = this._onDidReceiveStatus.event;
  private readonly _onDidTransportFail = this._register(new Emitter<TransportFailure>());
  readonly onDidTransportFail = this._onDidTransportFail.event;
  private tools: Tool[] | undefined;
  /** Tasks the server asked us to run (task-augmented elicitation and sampling). */
  private readonly receiver = this._register(new TaskEngine());
  inputHandler: ((request: InputRequestEvent) => Promise<ElicitResult>) | undefined;
  samplingHandler: ((request: SamplingRequestEvent) => Promise<CreateMessageResult>) | undefined;
  private transport: Transport | undefined;

  constructor(clientInfo: Implementation = TASKLANE_CLIENT_INFO) {
    super();
    // Sampling is declared so servers can ask; each request is put to the host, which asks the user.
    // Both may come as tasks: a person may take a while to answer (T-C-07).
    this.client = new Client(clientInfo, { capabilities: { elicitation: { form: {} }, sampling: {}, tasks: RECEIVER_TASK_CAPABILITY } });
    this.client.onclose = () => this._onDidTransportFail.fire({ kind: 'closed' });
    this.client.onerror = (error) => this._onDidTransportFail.fire({ kind: 'error', error });
    this.client.setNotificationHandler(TaskStatusNotificationSchema, (notification) =>
      this._onDidReceiveStatus.fire(fromStatusNotificationParams(notification.params)),
    );
    this.client.setRequestHandler(ElicitRequestSchema, (request) =>
      this.receive(request.params, async (taskId) => {
        if (!this.inputHandler) return { action: 'decline' };
        return this.inputHandler({ taskId, method: 'elicitation/create', params: request.params });
      }),
    );
    this.client.setRequestHandler(CreateMessageRequestSchema, (request) =>
      this.receive(request.params, async (taskId) => {
        try {
          if (!this.samplingHandler) throw new SamplingDeclinedError('this Tasklane host offers no language model');
          return await this.samplingHandler({ taskId, params: request.params });
        } catch (error) {
          if (error instanceof SamplingDeclinedError) {
            const declined = samplingDeclinedError(error);
            throw new RpcError(declined.code, declined.message);
          }
          throw error;
        }
      }),
    );
    // As the receiver of task-augmented elicitation and sampling, this side serves tasks/* too.
    serveTaskMethodsV1(this.client, this.receiver, () => RECEIVER_OWNER);
  }

  /**
   * Serves a server's elicitation or sampling request. Asked as a task (`params.task`), it answers
   * at once with the created task and does the work in the background (T-C-07, receiver rules);
   * otherwise it answers when the work is done. Either way the answer keeps the related-task
   * metadata of the server's task it belongs to (T-C-08).
   */
  private async receive(
    params: { task?: { ttl?: number }; _meta?: Record<string, unknown> },
    work: (relatedTaskId: string | undefined) => Promise<Record<string, unknown>>,
  ): Promise<never> {
    const relatedTaskId = relatedTaskIdOf(params._meta);
    const tagged = (result: Record<string, unknown>) => (relatedTaskId ? withRelatedTask(result, relatedTaskId) : result);
    if (!params.task) return tagged(await work(relatedTaskId)) as never;
    const created = this.receiver.start({
      owner: RECEIVER_OWNER,
      wire: WIRE_V1,
      tool: 'input',
      ttl: params.task.ttl,
      settle: () => ({ status: 'completed' }),
      run: async () => tagged(await work(relatedTaskId)),
    });
    return toCreateTaskResult(created) as never;
  }

  async connect(transport: Transport): Promise<void> {
    this.transport = transport;
    await this.client.connect(transport);
    const receive = transport.onmessage;
    if (receive) transport.onmessage = (message, extra) => receive(answerableResponse(message), extra);
    // We take tasks only for elicitation and sampling, so any other task-augmented request to us must
    // be served normally with its `task` ignored (T-S-02). The SDK would refuse it; drop the field first.
    const deliver = transport.onmessage;
    if (deliver) {
      transport.onmessage = (message, extra) => {
        const params = (message as { method?: unknown; params?: { task?: unknown } }).params;
        const method = (message as { method?: unknown }).method;
        if (
          'method' in message &&
          'id' in message &&
          params &&
          typeof params === 'object' &&
          'task' in params &&
          !RECEIVER_TASK_METHODS.has(method as string)
        ) {
          const { task: _ignored, ...rest } = params;
          void _ignored;
          return deliver({ ...message, params: rest } as typeof message, extra);
        }
        return deliver(message, extra);
      };
    }
  }

  /**
   * Over HTTP the tap is the transport's `fetch` (so status and headers are seen): SDK 1.x's
   * `StreamableHTTPClientTransport` takes a `fetch` option but reads it from a private field at
   * every request, which is swapped here and put back. Over any other transport it is the
   * transport's `send` and `onmessage`.
   */
  tapWire(observe: WireObserver): IDisposable {
    const transport = this.transport;
    if (!transport) throw new Error('The client is not connected');
    if (transport instanceof StreamableHTTPClientTransport) {
      const fields = transport as unknown as { _fetch?: typeof fetch };
      const plain = fields._fetch;
      const tapped = observingFetch(plain ?? ((input, init) => fetch(input, init)), observe);
      fields._fetch = tapped;
      return toDisposable(() => {
        if (fields._fetch === tapped) fields._fetch = plain;
      });
    }
    return tapStreamTransport(transport, transport instanceof InMemoryTransport ? 'memory' : 'stdio', observe);
  }

  override dispose(): void {
    void this.client.close();
    super.dispose();
  }

  get serverInfo(): Implementation | undefined {
    return this.client.getServerVersion();
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  get supportsTasks(): boolean {
    return this.client.getServerCapabilities()?.tasks?.requests?.tools?.call !== undefined;
  }

  get supportsList(): boolean {
    return this.client.getServerCapabilities()?.tasks?.list !== undefined;
  }

  async listTools(): Promise<Tool[]> {
    if (this.tools) return this.tools;
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.listTools(cursor ? { cursor } : undefined);
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    this.tools = tools;
    return tools;
  }

  async start(tool: string, args: Record<string, unknown>, options: StartOptions): Promise<StartResult> {
    const definition = (await this.listTools()).find((t) => t.name === tool);
    if (!definition) throw new RpcError(RpcCode.InvalidParams, `The server has no tool named "${tool}"`);
    const asTask = shouldAugment(this.supportsTasks, definition.execution?.taskSupport, options.preferTask ?? true);
    const params = { name: tool, arguments: args, ...(options.meta && Object.keys(options.meta).length ? { _meta: options.meta } : {}) };
    if (!asTask) {
      const result = await this.client.request({ method: 'tools/call', params }, CallToolResultSchema, { timeout: NO_TIMEOUT }).then(
        (value) => ({ result: value as CallToolResult }),
        (error) => ({ error: toJsonRpcError(error) }),
      );
      return { kind: 'result', outcome: result };
    }
    const created = await this.client.request(
      { method: 'tools/call', params: { ...params, task: options.ttl ? { ttl: options.ttl } : {} } },
      CreateTaskResultSchema,
    );
    return { kind: 'task', task: fromWireTask(created.task, created._meta) };
  }

  async get(taskId: string): Promise<RemoteTaskState> {
    const result = await this.client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
    return fromWireTask(result, result._meta);
  }

  async awaitOutcome(taskId: string, signal: AbortSignal): Promise<RemoteOutcome> {
    // SDK 1.x never removes its abort listener from a request's signal, so aborting the caller's
    // signal after the answer came would still send notifications/cancelled. Link through a
    // per-call signal and unlink once the call settles.
    const call = new AbortController();
    const onAbort = () => call.abort(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await this.client.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema, {
        signal: call.signal,
        timeout: NO_TIMEOUT,
      });
      return { result: result as CallToolResult };
    } catch (error) {
      if (signal.aborted) throw error;
      const outcome = outcomeErrorOf(error);
      if (outcome) return { error: outcome };
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async cancel(taskId: string): Promise<RemoteTaskState | undefined> {
    const result = await this.client.request({ method: 'tasks/cancel', params: { taskId } }, CancelTaskResultSchema);
    return fromWireTask(result, result._meta);
  }

  /**
   * Answers a question a team server shows in `dev.tasklane/inputRequests` (another principal's
   * task, seen as the board): the questions of this session's own tasks come as requests instead.
   */
  async answer(taskId: string, key: string, response: TaskInputResponse): Promise<void> {
    await this.client.request({ method: TASK_UPDATE_METHOD_V1, params: { taskId, inputResponses: { [key]: response } } }, TaskUpdateResultV1Schema);
  }

  async list(cursor?: string): Promise<{ tasks: RemoteTaskState[]; nextCursor?: string }> {
    // The cursor goes back exactly as received (T-C-05).
    const page = await this.client.request({ method: 'tasks/list', params: cursor === undefined ? {} : { cursor } }, ListTasksWithMetaResultSchema);
    return { tasks: page.tasks.map(({ _meta, ...task }) => fromWireTask(task, _meta)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }
}

/**
 * Whether a call carries `params.task`: never without the server capability (T-C-01) or for a
 * forbidden/unannotated tool (T-C-02), always for a required one (T-C-03).
 */
export function shouldAugment(serverSupportsTasks: boolean, taskSupport: string | undefined, preferTask: boolean): boolean {
  if (!serverSupportsTasks) return false;
  if (taskSupport === 'required') return true;
  if (taskSupport === 'optional') return preferTask;
  return false;
}
