import { Disposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { taskFieldsOf, type TaskMetaFields } from '../../core/taskMeta';
import { agentName, type Agent, type TaskRecord } from '../../core/taskRecord';
import type { TaskStore } from '../../core/taskStore';
import { isTerminal } from '../../core/taskStatus';
import { sameSteps } from '../../core/taskSteps';
import type { TaskEngine } from '../engine/taskEngine';
import { UNKNOWN_CLIENT, type EngineTask } from '../engine/engineTask';
import type { AgentIdentity } from './agentCredentials';
import { EDITOR_OWNER } from '../embeddedServer';

export interface AgentTaskMirrorOptions {
  /** The store's server id for the embedded server. */
  readonly serverId: string;
  /** The agent a task owner's token was issued to: the name the user gave it. */
  readonly agentOf?: (owner: string) => AgentIdentity | undefined;
  readonly log?: Logger;
}

/**
 * Shows every agent's tasks on the embedded server in the editor. Agents are scoped to their own
 * tasks on the wire; the editor is not: each task another owner creates gets a store record
 * (the same shape as one the editor started) that follows the engine's state, so the views,
 * notifications and history treat it like any other. Cancelling one from the editor goes to the
 * engine with the editor's privilege.
 */
export class AgentTaskMirror extends Disposable {
  /** Engine task id → store record id, for the tasks mirrored in this session. */
  private readonly recordOf = new Map<string, string>();
  private readonly taskOf = new Map<string, string>();
  private readonly log: Logger;

  private readonly engineOf: () => TaskEngine;

  constructor(
    /** The engine, or how to reach it once mirroring starts (the embedded server builds its engine when first needed). */
    engine: TaskEngine | (() => TaskEngine),
    private readonly store: TaskStore,
    private readonly options: AgentTaskMirrorOptions,
  ) {
    super();
    this.engineOf = typeof engine === 'function' ? engine : () => engine;
    this.log = options.log ?? silentLogger;
    // Records go among the store's own, so mirroring starts once it has read them; the tasks
    // agents created before then are taken as they stand (their earlier output is not copied).
    this._register(store.afterOpen(() => this.start()));
  }

  private start(): void {
    const engine = this.engineOf();
    this._register(engine.onDidCreate((task) => this.observe(task)));
    this._register(engine.onDidChange((task) => this.observe(task)));
    this._register(engine.onDidOutput(({ taskId, chunk }) => this.appendOutput(taskId, chunk)));
    for (const task of engine.all()) this.observe(task);
  }

  /** Whether the record stands for a task an agent started in this session. */
  owns(record: TaskRecord): boolean {
    return this.taskOf.has(record.id);
  }

  /** The record that mirrors an engine task, if any. */
  recordFor(taskId: string): TaskRecord | undefined {
    const id = this.recordOf.get(taskId);
    return id === undefined ? undefined : this.store.get(id);
  }

  /** Cancels the agent's task on the engine; the record follows through the engine's change event. */
  cancel(record: TaskRecord): void {
    const taskId = this.taskOf.get(record.id);
    if (taskId === undefined) throw new Error('This task was not started by an agent in this session.');
    this.engineOf().cancelAny(taskId, 'Cancelled from the editor');
    this.log.info(`[agents] ${record.id} cancelled from the editor`);
  }

  private observe(task: EngineTask): void {
    // The editor's own tasks are followed by the task service over its own connection.
    if (task.owner === EDITOR_OWNER) return;
    try {
      const id = this.recordOf.get(task.taskId) ?? this.create(task);
      this.follow(id, task);
    } catch (error) {
      // A record that cannot be written must not break the engine's event loop, nor the agent's task.
      this.log.warn(`[agents] could not mirror task ${task.taskId}: ${(error as Error).message}`);
    }
  }

  private appendOutput(taskId: string, chunk: string): void {
    const id = this.recordOf.get(taskId);
    const record = id === undefined ? undefined : this.store.get(id);
    if (record && !isTerminal(record.status)) this.store.appendOutput(record.id, chunk);
  }

  private create(task: EngineTask): string {
    const agent = describeAgent(task, this.options.agentOf?.(task.owner));
    const fields = this.fieldsOf(task);
    // The agent names tasks by its own ids; the record links to records, as an editor task's does.
    const parentId = task.parentTaskId === undefined ? undefined : this.recordOf.get(task.parentTaskId);
    const after = fields.scheduling?.afterTaskId;
    const scheduling = after === undefined ? fields.scheduling : { ...fields.scheduling, afterTaskId: this.recordOf.get(after) ?? after };
    // The agent is who the token says, whatever `context` the agent claims.
    const { agent: _claimed, ...context } = fields.context ?? {};
    const priority = fields.priority ?? (task.priority || undefined);
    const record = this.store.create(
      {
        ...fields,
        serverId: this.options.serverId,
        tool: task.tool,
        arguments: task.arguments ?? {},
        context: agent ? { ...context, agent } : context,
        ...(scheduling ? { scheduling } : {}),
        ...(priority !== undefined ? { priority } : {}),
        ...(parentId ? { parentId } : {}),
      },
      { taskId: task.taskId, wire: task.wire, statusMessage: task.statusMessage ?? `Started by ${agent.name}` },
    );
    this.recordOf.set(task.taskId, record.id);
    this.taskOf.set(record.id, task.taskId);
    this.store.update(record.id, { grantedTtl: task.ttl, pollInterval: task.pollInterval });
    this.log.info(`[agents] ${agent.name} started ${task.tool} (task ${record.id})`);
    return record.id;
  }

  /** The metadata the agent sent, read as an editor task's is; the wires refuse malformed fields, so this only guards direct engine callers. */
  private fieldsOf(task: EngineTask): TaskMetaFields {
    try {
      return taskFieldsOf(task.meta);
    } catch (error) {
      this.log.warn(`[agents] task ${task.taskId}: its metadata is left out: ${(error as Error).message}`);
      return {};
    }
  }

  private follow(id: string, task: EngineTask): void {
    const record = this.store.get(id);
    if (!record || isTerminal(record.status)) return;
    if (task.priority !== undefined && task.priority !== (record.priority ?? 0)) this.store.update(id, { priority: task.priority });
    if (task.queue?.position !== record.queue?.position || task.queue?.size !== record.queue?.size)
      this.store.update(id, { queue: task.queue && { ...task.queue } });
    // The engine moves the TTL on while the work runs and counts retention from its end.
    if (task.ttl !== record.grantedTtl) this.store.update(id, { grantedTtl: task.ttl });
    if (task.steps && !sameSteps(task.steps, record.steps)) this.store.update(id, { steps: [...task.steps] });
    if (isTerminal(task.status)) {
      const outcome = task.outcome?.kind === 'result' ? { result: task.outcome.result } : task.outcome?.kind === 'error' ? { error: task.outcome.error } : {};
      this.store.complete(id, task.status as 'completed' | 'failed' | 'cancelled', outcome, task.statusMessage);
      return;
    }
    // The agent's question goes to the agent, not to the person at the editor: say whose turn it is.
    const message = task.status === 'input_required' ? `Waiting for ${agentName(record)} to answer its question` : task.statusMessage;
    if (task.status !== record.status || message !== record.statusMessage) this.store.setStatus(id, task.status, message);
  }
}

/**
 * The agent is the token's: the name the user gave it, and its id, so two tokens are two agents
 * even when they run the same client. The client's own name and version, and how it connected,
 * are detail. Without a known token (a revoked one, a single-token server), the client's name
 * stands in and the owner tells agents apart.
 */
function describeAgent(task: EngineTask, token: AgentIdentity | undefined): Agent {
  const declared = task.agent;
  const client = declared && declared.name !== UNKNOWN_CLIENT ? { name: declared.name, ...(declared.version ? { version: declared.version } : {}) } : undefined;
  return {
    name: token?.name ?? client?.name ?? 'Unnamed agent',
    id: token?.id ?? task.owner,
    ...(client ? { client } : {}),
    ...(declared?.connection ? { connection: declared.connection } : {}),
  };
}
