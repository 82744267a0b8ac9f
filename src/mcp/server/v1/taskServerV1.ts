import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CreateMessageResultSchema,
  ElicitResultSchema,
  type Implementation,
  ListToolsRequestSchema,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { randomUUID } from 'node:crypto';
import { setLongTimeout } from '../../../core/longTimer';
import { DisposableStore, type IDisposable } from '../../../core/lifecycle';
import { isTerminal } from '../../../core/taskStatus';
import { serveTaskMethodsV1 } from '../../wires/v1/taskMethods';
import { TOOL_ERROR_STATUS, WIRE_V1, relatedTaskMeta, toCreateTaskResult, toStatusNotificationParams, withRelatedTask } from '../../wires/v1/codec';
import { RpcCode, RpcError } from '../../rpcError';
import type { Agent } from '../../../core/taskRecord';
import { readCallHints } from '../callHints';
import { type PreparedCall, type TaskHost, runTool } from '../toolCatalog';
import type { TaskEngine } from '../../engine/taskEngine';
import { type EngineTask, agentFromClient } from '../../engine/engineTask';
import { TimeBudgetError } from '../../engine/engineErrors';
import type { ToolContext } from '../tools/toolDefinition';
import { answerBadParamsAsInvalidParams } from '../invalidParams';
import { describeToolError } from '../describeToolError';
import { TASKLANE_SERVER_INFO } from '../../identity';
import { extraCapabilities } from '../serverExtras';
import { serveExtrasV1 } from './serveExtrasV1';
import { serveToolCallsOnce } from './toolCallsOnce';
import { serveTaskUpdateV1 } from './taskUpdateV1';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface TaskServerOptions {
  readonly serverInfo?: Implementation;
  /** The authorization context a request belongs to; tasks are visible only within it. Default: this connection. */
  readonly ownerOf?: (extra: Extra) => string;
  /** How often (at most) live output is pushed to the requestor, in ms. */
  readonly outputFlushMs?: number;
  /** How the client reached us, recorded with the agent on every task it creates (e.g. "editor", "http session 1f3a9c0e"). */
  readonly connection?: string | ((extra: Extra) => string | undefined);
}

/** The tasks capability this server declares (T-S-01): list, cancel and task-augmented tools/call. */
export const SERVER_TASK_CAPABILITY = { list: {}, cancel: {}, requests: { tools: { call: {} } } };

/**
 * One MCP server connection speaking the 2025-11-25 tasks utility over any SDK transport.
 * The work itself runs in the shared `TaskEngine`; this file only translates the wire.
 */
export function createTaskServerV1(host: TaskHost, engine: TaskEngine, options: TaskServerOptions = {}): { server: Server; dispose(): void } {
  const server = new Server(options.serverInfo ?? TASKLANE_SERVER_INFO, {
    capabilities: { tools: { listChanged: false }, tasks: SERVER_TASK_CAPABILITY, ...extraCapabilities(host.extras, 'session') },
    instructions:
      'Tasklane runs long work as MCP tasks: shell commands (run_command), timed waits (wait) and questions to the user (ask); wait_for_tasks and tail_task tell you when your tasks end and what they print.',
  });
  // Without an authorization context, tasks are bound to this connection: no other caller can see them (T-S-24/25).
  const connectionOwner = `connection:${randomUUID()}`;
  const ownerOf = options.ownerOf ?? (() => connectionOwner);
  const disposables = new DisposableStore();
  const mine = new Set<string>();
  const output = new OutputRelay(options.outputFlushMs ?? 100, (taskId, text) => notifyStatus(taskId, text));
  disposables.add(output);

  const snapshots = new Map<string, EngineTask>();
  const notifyStatus = (taskId: string, text?: string) => {
    const task = snapshots.get(taskId);
    if (!task) return;
    server.notification({ method: 'notifications/tasks/status', params: toStatusNotificationParams(task, text) } as ServerNotification).catch(() => undefined);
  };

  disposables.add(
    engine.onDidChange((task) => {
      if (!mine.has(task.taskId)) return;
      snapshots.set(task.taskId, task);
      // Output gathered so far rides along, so it is never reported after the status that ended it.
      notifyStatus(task.taskId, output.take(task.taskId));
      if (isTerminal(task.status)) {
        // Nothing changes after the end: stop tracking the task on this connection.
        snapshots.delete(task.taskId);
        mine.delete(task.taskId);
      }
    }),
  );

  server.setRequestHandler(ListToolsRequestSchema, (request) => ({ tools: host.catalog.page(request.params?.cursor) }));
  serveExtrasV1(server, host.extras, ownerOf as (extra: unknown) => string);

  serveToolCallsOnce(server, async (request, extra) => {
    const { name, arguments: args, task, _meta } = request.params;
    const call = host.catalog.prepare(name, args, _meta as Record<string, unknown> | undefined);
    if (task) {
      if (call.tool.taskSupport === 'forbidden') {
        throw new RpcError(RpcCode.MethodNotFound, `Tool ${name} does not support task execution (execution.taskSupport is "forbidden")`);
      }
      const created = await startTask(call, extra, task.ttl, _meta as Record<string, unknown> | undefined);
      return toCreateTaskResult(created);
    }
    if (call.tool.taskSupport === 'required') {
      throw new RpcError(RpcCode.MethodNotFound, `Tool ${name} must be called as a task (execution.taskSupport is "required"): add params.task`);
    }
    // A plain call counts against the same limits as a task (one that only reads tasks excepted): it may wait here for its turn.
    const release = call.tool.observesTasks ? () => undefined : await engine.acquireSlot({ owner: ownerOf(extra), tool: call.tool.name, signal: extra.signal });
    try {
      return await runTool(host, call, syncContext(call, extra, _meta?.progressToken));
    } finally {
      release();
    }
  });

  /** The client's name and version from its initialize handshake, and how it connected. */
  function agentOf(extra: Extra): Agent | undefined {
    const info = server.getClientVersion();
    const connection = typeof options.connection === 'function' ? options.connection(extra) : options.connection;
    return agentFromClient(info, connection);
  }

  const resultWaiters = serveTaskMethodsV1(server, engine, ownerOf as (extra: unknown) => string);
  serveTaskUpdateV1(server, engine, ownerOf as (extra: unknown) => string);

  async function startTask(call: PreparedCall, extra: Extra, ttl: number | undefined, meta: Record<string, unknown> | undefined): Promise<EngineTask> {
    const owner = ownerOf(extra);
    const progressToken = meta?.progressToken as string | number | undefined;
    let progress = 0;
    const created = await engine.begin({
      owner,
      wire: WIRE_V1,
      tool: call.tool.name,
      arguments: call.args,
      ...(meta ? { meta } : {}),
      ttl,
      agent: agentOf(extra),
      ...readCallHints(meta, (taskId) => engine.peekOwned(owner, taskId)),
      timeBudgetMs: call.limits.timeBudgetMs,
      settle: (value) => ({ status: value.isError ? TOOL_ERROR_STATUS : 'completed', message: value.isError ? describeToolError(value) : undefined }),
      deliverInput: (taskId, key, request) => void sendInput(owner, taskId, key, request),
      run: (context) =>
        runTool(host, call, {
          taskId: context.taskId,
          signal: context.signal,
          limits: call.limits,
          defaultCwd: host.defaultCwd,
          status: (message) => {
            context.status(message);
            if (progressToken !== undefined) {
              server
                .notification({
                  method: 'notifications/progress',
                  params: { progressToken, progress: ++progress, message, _meta: relatedTaskMeta(context.taskId) },
                })
                .catch(() => undefined);
            }
          },
          output: (chunk) => {
            context.output(chunk);
            output.append(context.taskId, chunk);
          },
          steps: context.steps && ((steps) => context.steps?.(steps)),
          elicit: async (params) =>
            ElicitResultSchema.parse(await context.requestInput({ method: 'elicitation/create', params: params as Record<string, unknown> })),
        }) as Promise<Record<string, unknown>>,
    });
    mine.add(created.taskId);
    snapshots.set(created.taskId, created);
    return created;
  }

  /**
   * Sends a task's question to the requestor, tagged with the task (T-S-14), on a waiting
   * tasks/result stream when there is one. Whoever answers first wins: when the question closes
   * otherwise (a board answered it with `dev.tasklane/tasks/update`, or the task ended), the
   * request is withdrawn (notifications/cancelled), so the session is not left asking.
   */
  async function sendInput(owner: string, taskId: string, key: string, request: { method: string; params: Record<string, unknown> }) {
    const closed = new AbortController();
    const watch = engine.onDidChange((task) => {
      if (task.taskId === taskId && !task.inputRequests.has(key)) closed.abort(new Error(`Question ${key} was answered elsewhere, or its task ended`));
    });
    try {
      if (request.method === 'elicitation/create' && !server.getClientCapabilities()?.elicitation) {
        throw new RpcError(RpcCode.InvalidRequest, 'The client does not support elicitation, so the question cannot be asked');
      }
      const relatedRequestId = [...(resultWaiters.get(taskId) ?? [])][0];
      const params = withRelatedTask(request.params, taskId);
      const answer = await server.request({ method: request.method, params } as ServerRequest, ElicitResultSchema, {
        relatedRequestId,
        timeout: 2 ** 31 - 1,
        signal: closed.signal,
      });
      // Before answering: the change the answer makes must not withdraw the request it answers.
      watch.dispose();
      engine.answerInput(owner, taskId, key, answer);
    } catch (error) {
      if (!closed.signal.aborted) engine.failInput(taskId, key, error as Error);
    } finally {
      watch.dispose();
    }
  }

  /** A plain call's context: its status lines become progress notifications on the call's own stream when the caller sent a progress token. */
  function syncContext(call: PreparedCall, extra: Extra, progressToken: string | number | undefined): ToolContext {
    const controller = new AbortController();
    let progress = 0;
    extra.signal.addEventListener('abort', () => controller.abort(extra.signal.reason), { once: true });
    if (call.limits.timeBudgetMs) {
      const timer = setLongTimeout(() => controller.abort(new TimeBudgetError(call.limits.timeBudgetMs!)), call.limits.timeBudgetMs);
      controller.signal.addEventListener('abort', () => timer.clear(), { once: true });
    }
    return {
      signal: controller.signal,
      limits: call.limits,
      defaultCwd: host.defaultCwd,
      status: (message) => {
        if (progressToken === undefined) return;
        extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: ++progress, message } }).catch(() => undefined);
      },
      output: () => undefined,
      tasks: engine.ownedBy(ownerOf(extra)),
      elicit: (params) => extra.sendRequest({ method: 'elicitation/create', params }, ElicitResultSchema),
      // On the call's own stream, like elicitation; the SDK refuses it when the client did not declare sampling.
      sample: (params) => extra.sendRequest({ method: 'sampling/createMessage', params }, CreateMessageResultSchema),
      // The SDK drops a message below the level this session set with logging/setLevel.
      ...(host.extras?.logging
        ? { log: (level, data) => void server.sendLoggingMessage({ level, logger: call.tool.name, data }, extra.sessionId).catch(() => undefined) }
        : {}),
    };
  }

  answerBadParamsAsInvalidParams(server);
  const dispose = () => {
    disposables.dispose();
    void server.close();
  };
  return { server, dispose };
}

/** Collects live output per task and hands it on in batches, at most once per `intervalMs`. */
class OutputRelay implements IDisposable {
  private readonly buffers = new Map<string, string>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly intervalMs: number,
    private readonly deliver: (taskId: string, text: string) => void,
  ) {}

  append(taskId: string, chunk: string): void {
    this.buffers.set(taskId, (this.buffers.get(taskId) ?? '') + chunk);
    if (!this.timers.has(taskId)) {
      this.timers.set(
        taskId,
        setTimeout(() => {
          const text = this.take(taskId);
          if (text) this.deliver(taskId, text);
        }, this.intervalMs),
      );
    }
  }

  /** Removes and returns what is buffered for the task. */
  take(taskId: string): string | undefined {
    clearTimeout(this.timers.get(taskId));
    this.timers.delete(taskId);
    const text = this.buffers.get(taskId);
    this.buffers.delete(taskId);
    return text;
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.buffers.clear();
  }
}
