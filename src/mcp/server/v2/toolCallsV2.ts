/**
 * `tools/call` on the 2026-07-28 wire: the MRTR round, then either a task in the shared engine
 * (when the client declared the tasks extension and the tool allows one) or a plain call that
 * answers when the tool is done. Apart from the dispatcher because this is where tools run; the
 * dispatcher only validates and routes.
 */
import { type z } from 'zod';
import type { CallToolResult, ElicitRequest, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { setLongTimeout } from '../../../core/longTimer';
import type { Agent } from '../../../core/taskRecord';
import { RpcCode, RpcError } from '../../rpcError';
import type { TaskEngine } from '../../engine/taskEngine';
import type { EngineTask, StartOptions } from '../../engine/engineTask';
import { TimeBudgetError } from '../../engine/engineErrors';
import { describeToolError } from '../describeToolError';
import { readCallHints } from '../callHints';
import { TOOL_ERROR_STATUS, WIRE_V2, toTaskFields } from '../../wires/v2/codec';
import { withQueueMeta } from '../../wires/queueMeta';
import { type PreparedCall, type TaskHost, runTool } from '../toolCatalog';
import { type MrtrToolContext, isMrtrTool } from '../tools/mrtr';
import { mrtrRound } from './mrtr';
import { RequestStateSeal } from './requestState';
import { taskSamplingV2 } from './taskSamplingV2';
import {
  type CallToolParamsSchema,
  type ClientCapabilities,
  ClientCapabilitiesSchema,
  META_KEYS,
  TASKS_EXTENSION,
  declaresTasks,
  missingCapability,
  tasksExtensionRequired,
} from '../../wires/v2/protocol';

/** Who sent a request and what it declared, as the dispatcher read it from the request's `_meta`. */
export interface RequestContext {
  readonly owner: string;
  readonly capabilities: ClientCapabilities;
  readonly signal?: AbortSignal;
  readonly agent?: Agent;
  /** Reports a plain call's status lines as progress, when the request asked for progress and the transport can stream it. */
  readonly progress?: (message: string) => void;
}

/** What MRTR rounds gathered for a tool before it runs. */
type Gathered = Pick<MrtrToolContext, 'inputResponses' | 'requestState'>;

export class ToolCallsV2 {
  constructor(
    private readonly host: TaskHost,
    private readonly engine: TaskEngine,
    /** Seals what an MRTR tool keeps between rounds (`requestState`). */
    private readonly seal: RequestStateSeal = new RequestStateSeal(),
  ) {}

  /** `tools/call`: the MRTR round first, then a task when the client declared the extension and the tool allows one, else a plain call. */
  async call(params: z.infer<typeof CallToolParamsSchema>, context: RequestContext): Promise<Record<string, unknown>> {
    const call = this.host.catalog.prepare(params.name, params.arguments, params._meta as Record<string, unknown>);
    const declared = declaresTasks(context.capabilities);
    // A legacy params.task is ignored (T-S-49): the tool and the client's declaration decide.
    if (call.tool.taskSupport === 'required' && !declared) throw tasksExtensionRequired(`Tool ${call.tool.name} runs only as a task, so calling it`);
    // Refused here rather than by a task that fails at its first question: no task for work that cannot finish.
    if (call.tool.alwaysElicits && !context.capabilities.elicitation) {
      throw missingCapability(
        { elicitation: {} },
        `tool ${call.tool.name} asks the user a question (elicitation), and this request did not declare elicitation`,
      );
    }

    // MRTR first (T-SS-13): a task is created only once every question asked up front has an answer.
    let gathered: Gathered | undefined;
    if (isMrtrTool(call.tool)) {
      const round = mrtrRound(
        call.tool,
        call.args,
        { inputResponses: params.inputResponses, requestState: params.requestState, capabilities: context.capabilities },
        this.seal,
        { owner: context.owner, method: 'tools/call', name: call.tool.name, args: call.args },
      );
      if ('inputRequired' in round) return round.inputRequired;
      gathered = { inputResponses: round.answers, ...(round.state === undefined ? {} : { requestState: round.state }) };
    }

    if (declared && call.tool.taskSupport !== 'forbidden') {
      const created = await this.startTask(call, context, gathered, params._meta as Record<string, unknown>);
      const finished = await this.finishedAtOnce(context.owner, created.taskId);
      if (finished) return { ...finished, resultType: 'complete' };
      return { ...toTaskFields(created), resultType: 'task', ...withQueueMeta(created) };
    }
    // A plain call counts against the same limits as a task (one that only reads tasks excepted): it may wait here for its turn.
    const release = call.tool.observesTasks
      ? () => undefined
      : await this.engine.acquireSlot({ owner: context.owner, tool: call.tool.name, signal: context.signal });
    try {
      const result = await this.runSync(call, context, gathered);
      return { ...result, resultType: 'complete' };
    } finally {
      release();
    }
  }

  /**
   * The result of a task whose work completed within the turn it was started in (the engine
   * starts work on the next turn; a tool that awaits no timer or I/O is done one turn later). The
   * extension lets the server decide per request whether a `tools/call` becomes a task (MAY answer
   * with `CreateTaskResult` instead of `CallToolResult`, at its discretion): such work is answered
   * with its `CallToolResult`, so the client needs no listen stream or poll for it. Only a
   * completed task is answered this way; a failed or cancelled one, or one still running, is a
   * task. The engine keeps the finished task like any other (the editor's views show it).
   */
  private async finishedAtOnce(owner: string, taskId: string): Promise<Record<string, unknown> | undefined> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const task = this.engine.peekOwned(owner, taskId);
    return task?.status === 'completed' && task.outcome?.kind === 'result' ? task.outcome.result : undefined;
  }

  private startTask(call: PreparedCall, request: RequestContext, gathered: Gathered | undefined, meta: Record<string, unknown>): Promise<EngineTask> {
    return this.engine.begin(taskStartOptions(this.host, this.engine, call, request, gathered, meta));
  }

  private async runSync(call: PreparedCall, request: RequestContext, gathered: Gathered | undefined): Promise<CallToolResult> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = call.limits.timeBudgetMs
      ? setLongTimeout(() => controller.abort(new TimeBudgetError(call.limits.timeBudgetMs!)), call.limits.timeBudgetMs)
      : undefined;
    const context: MrtrToolContext = {
      signal: controller.signal,
      limits: call.limits,
      defaultCwd: this.host.defaultCwd,
      status: (message) => request.progress?.(message),
      output: () => undefined,
      tasks: this.engine.ownedBy(request.owner),
      elicit: (_params: ElicitRequest['params']): Promise<ElicitResult> =>
        Promise.reject(
          new RpcError(
            RpcCode.InvalidRequest,
            `Tool ${call.tool.name} asked a question mid-call; on 2026-07-28 that needs a task: declare the ${TASKS_EXTENSION} extension`,
          ),
        ),
      ...gathered,
    };
    try {
      return await runTool(this.host, call, context);
    } catch (error) {
      const reason = controller.signal.reason;
      if (reason instanceof TimeBudgetError) return { content: [{ type: 'text', text: reason.message }], isError: true };
      throw error;
    } finally {
      timer?.clear();
      request.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** How a task of a 2026-07-28 `tools/call` starts in the engine: its work, its hints, how its result settles. */
function taskStartOptions(
  host: TaskHost,
  engine: TaskEngine,
  call: PreparedCall,
  request: RequestContext,
  gathered: Gathered | undefined,
  meta: Record<string, unknown>,
): StartOptions {
  return {
    owner: request.owner,
    tool: call.tool.name,
    arguments: call.args,
    meta,
    wire: WIRE_V2,
    agent: request.agent,
    ...readCallHints(meta, (taskId) => engine.peekOwned(request.owner, taskId)),
    timeBudgetMs: call.limits.timeBudgetMs,
    settle: (value) => ({ status: value.isError ? TOOL_ERROR_STATUS : 'completed', message: value.isError ? describeToolError(value) : undefined }),
    run: (context) => {
      const toolContext: MrtrToolContext = {
        taskId: context.taskId,
        signal: context.signal,
        limits: call.limits,
        defaultCwd: host.defaultCwd,
        status: (message) => context.status(message),
        // No output channel on this wire: progress and logging are not carried for tasks (T-S-43); the host may still show it.
        output: (chunk) => context.output(chunk),
        steps: context.steps && ((steps) => context.steps?.(steps)),
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
        sample: taskSamplingV2(context, request.capabilities),
        ...gathered,
      };
      return runTool(host, call, toolContext) as Promise<Record<string, unknown>>;
    },
  };
}

/**
 * A 2026-07-28 task's start options rebuilt from the task itself, for an instance that claimed it
 * from the team's queue: the tool from this instance's catalog, the caller's capabilities from the
 * request `_meta` the task keeps.
 */
export function claimedTaskStartOptions(host: TaskHost, engine: TaskEngine, task: EngineTask): StartOptions {
  const meta = { ...(task.meta ?? {}) };
  const call = host.catalog.prepare(task.tool, task.arguments ?? {}, meta);
  const capabilities = ClientCapabilitiesSchema.catch({}).parse(meta[META_KEYS.clientCapabilities]);
  return taskStartOptions(host, engine, call, { owner: task.owner, capabilities, agent: task.agent }, undefined, meta);
}
