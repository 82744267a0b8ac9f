import { Disposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import type { Agent, TaskRecord } from '../../core/taskRecord';
import type { TaskStore } from '../../core/taskStore';
import { isTerminal } from '../../core/taskStatus';
import type { EngineTask, TaskEngine } from '../server/taskEngine';
import { EDITOR_OWNER } from '../embeddedServer';

export interface AgentTaskMirrorOptions {
  /** The store's server id for the embedded server. */
  readonly serverId: string;
  /** Who an owner is when the task does not say (e.g. the agent a token was issued to). */
  readonly agentOf?: (owner: string) => Agent | undefined;
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

  constructor(
    private readonly engine: TaskEngine,
    private readonly store: TaskStore,
    private readonly options: AgentTaskMirrorOptions,
  ) {
    super();
    this.log = options.log ?? silentLogger;
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
    this.engine.cancelAny(taskId, 'Cancelled from the editor');
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
    const agent = describeAgent(task.agent, this.options.agentOf?.(task.owner));
    const parentId = task.parentTaskId === undefined ? undefined : this.recordOf.get(task.parentTaskId);
    const record = this.store.create(
      {
        serverId: this.options.serverId,
        tool: task.tool,
        arguments: task.arguments ?? {},
        context: agent ? { agent } : {},
        ...(task.priority ? { priority: task.priority } : {}),
        ...(parentId ? { parentId } : {}),
      },
      { taskId: task.taskId, wire: task.wire, statusMessage: task.statusMessage ?? `Started by ${agent?.name ?? 'an agent'}` },
    );
    this.recordOf.set(task.taskId, record.id);
    this.taskOf.set(record.id, task.taskId);
    this.store.update(record.id, { grantedTtl: task.ttl, pollInterval: task.pollInterval });
    this.log.info(`[agents] ${agent?.name ?? task.owner} started ${task.tool} (task ${record.id})`);
    return record.id;
  }

  private follow(id: string, task: EngineTask): void {
    const record = this.store.get(id);
    if (!record || isTerminal(record.status)) return;
    if (task.priority !== undefined && task.priority !== (record.priority ?? 0)) this.store.update(id, { priority: task.priority });
    if (task.queue?.position !== record.queue?.position || task.queue?.size !== record.queue?.size) this.store.update(id, { queue: task.queue && { ...task.queue } });
    if (isTerminal(task.status)) {
      const outcome = task.outcome?.kind === 'result' ? { result: task.outcome.result } : task.outcome?.kind === 'error' ? { error: task.outcome.error } : {};
      this.store.complete(id, task.status as 'completed' | 'failed' | 'cancelled', outcome, task.statusMessage);
      return;
    }
    // The agent's question goes to the agent, not to the person at the editor: say whose turn it is.
    const message = task.status === 'input_required' ? `Waiting for ${record.context.agent?.name ?? 'the agent'} to answer its question` : task.statusMessage;
    if (task.status !== record.status || message !== record.statusMessage) this.store.setStatus(id, task.status, message);
  }
}

/**
 * The client's own name and version when it gave them; the owner's (the token's agent) otherwise.
 * Both connections are kept: how the client came in, and whose token it used.
 */
function describeAgent(declared: Agent | undefined, owner: Agent | undefined): Agent | undefined {
  if (!declared) return owner;
  const connection = [declared.connection, owner?.connection].filter(Boolean).join(', ');
  // The wires say "unknown client" when the handshake named none; the token's agent is a better name then.
  const name = declared.name === 'unknown client' && owner ? owner.name : declared.name;
  return { ...declared, name, ...(connection ? { connection } : {}) };
}
