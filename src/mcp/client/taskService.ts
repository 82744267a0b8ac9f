import { randomUUID } from 'node:crypto';
import type { CreateMessageRequest, CreateMessageResult, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { Emitter } from '../../core/events';
import { RELOAD_INTERRUPTION } from '../../core/reloadInterruption';
import { Disposable, type IDisposable, toDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { type InputAnswer, type RetryOptions, type TaskActions } from '../../core/taskActions';
import { type JsonRpcErrorObject, type TaskRecord, type TaskSpecInput, TaskSpecSchema, parseOrThrow } from '../../core/taskRecord';
import { retrySpec } from '../../core/taskSpec';
import { type TaskStore } from '../../core/taskStore';
import { canCancel, canRetry, isTerminal, type TaskStatus } from '../../core/taskStatus';
import { RpcCode, toJsonRpcError } from '../rpcError';
import { metaFor, serverTaskIds } from '../wires/startMeta';
import { PollScheduler, backoffDelay } from './pollScheduler';
import { SamplingDeclinedError } from './taskWire';
import type { InputRequestEvent, SamplingRequestEvent, TaskWireClient } from './taskWire';
import type { RemoteOutcome, RemoteTaskState, TerminalStatus } from '../wires/remoteTask';

// Where these moved; imported from here until their users import them from their own files.
export { specOf, runAgainSpec } from '../../core/taskSpec';
export { metaFor, type ServerTaskIds } from '../wires/startMeta';

/** Consecutive failed polls after which the task's status message says the server is not answering. */
const POLL_FAILURES_SHOWN = 3;

/** What the host is asked when a server wants a language model; throw `SamplingDeclinedError` to say no. */
export type SamplingHandler = (request: {
  serverId: string;
  serverName: string;
  task?: TaskRecord;
  params: CreateMessageRequest['params'];
}) => Promise<CreateMessageResult>;

export interface ServerEntry {
  readonly id: string;
  readonly name: string;
  readonly kind: 'embedded' | 'stdio' | 'http';
  /** Whether the server's tasks outlive this host (an external process does; the embedded server does not). */
  readonly durable: boolean;
  readonly client: TaskWireClient;
}

/** Records of tasks other clients started on a server this host runs (agents' tasks on the embedded server). */
export interface ForeignTasks {
  owns(record: TaskRecord): boolean;
  /** Cancels the task with the host's privilege; the record follows on its own. */
  cancel(record: TaskRecord): void;
}

export interface TaskServiceOptions {
  readonly scheduler?: PollScheduler;
  readonly log?: Logger;
}

interface Follow {
  readonly abort: AbortController;
  awaiting: boolean;
  /** A result call made after the task was seen terminal is open. */
  finalCall?: boolean;
  failures: number;
  last?: RemoteTaskState;
  /** Keys of the task's `inputRequests` shown to the user and not yet answered (wires with questions in snapshots). */
  readonly asked: Set<string>;
  /** Keys already answered: never asked again, whatever a later poll says (T-CS-12). */
  readonly answered: Set<string>;
}

interface OpenQuestion {
  readonly resolve: (answer: ElicitResult) => void;
  /** Answered through the wire's `answer` (a key of the task's `inputRequests`), not a pending request. */
  readonly remote?: boolean;
}

export class ServerUnavailableError extends Error {
  override readonly name = 'ServerUnavailableError';
}

/**
 * The MCP task client as the host sees it: starts tools as tasks on any connected server,
 * follows each to its end (status notifications when the server sends them, `tasks/get` polls
 * on one shared scheduler otherwise, the blocking result call for the payload), and mirrors every
 * change into the store, which is the single source of truth for every view.
 */
export class TaskService extends Disposable implements Pick<TaskActions, 'start' | 'cancel' | 'retry' | 'answerInput'> {
  private readonly servers = new Map<string, ServerEntry>();
  private readonly follows = new Map<string, Follow>();
  private readonly byRemote = new Map<string, string>();
  /** Status that arrived for a task id before `tools/call` returned it. */
  private readonly early = new Map<string, RemoteTaskState>();
  private readonly questions = new Map<string, OpenQuestion>();
  private readonly syncCalls = new Map<string, AbortController>();
  /** Tasks whose retry is starting (their `retriedAs` is not set yet). */
  private readonly retrying = new Set<string>();
  private readonly scheduler: PollScheduler;
  private readonly log: Logger;
  /** Answers servers' requests to use a language model (the extension asks the user, then calls VS Code's LM API). */
  samplingHandler: SamplingHandler | undefined;
  /** Tasks this service shows but did not start: cancelled through their owner, retried as the editor's own. */
  foreignTasks: ForeignTasks | undefined;
  private readonly _onDidChangeServers = this._register(new Emitter<void>());
  readonly onDidChangeServers = this._onDidChangeServers.event;

  constructor(
    readonly store: TaskStore,
    options: TaskServiceOptions = {},
  ) {
    super();
    this.scheduler = options.scheduler ?? this._register(new PollScheduler());
    this.log = options.log ?? silentLogger;
    this._register(
      toDisposable(() => {
        for (const follow of this.follows.values()) follow.abort.abort();
        for (const call of this.syncCalls.values()) call.abort();
        for (const id of this.follows.keys()) this.scheduler.cancel(id);
        this.follows.clear();
      }),
    );
  }

  listServers(): ServerEntry[] {
    return [...this.servers.values()];
  }

  getServer(id: string): ServerEntry | undefined {
    return this.servers.get(id);
  }

  /** Makes a connected server available and picks up its unfinished tasks from the store. */
  addServer(entry: ServerEntry): IDisposable {
    if (this.servers.has(entry.id)) throw new Error(`A server with id "${entry.id}" is already registered`);
    this.servers.set(entry.id, entry);
    const subscription = entry.client.onDidReceiveStatus((state) => this.onRemoteStatus(entry.id, state));
    entry.client.inputHandler = (request) => this.onInputRequest(entry.id, request);
    entry.client.samplingHandler = (request) => this.onSamplingRequest(entry, request);
    this.reattach(entry);
    this._onDidChangeServers.fire();
    return toDisposable(() => {
      subscription.dispose();
      entry.client.inputHandler = undefined;
      entry.client.samplingHandler = undefined;
      this.servers.delete(entry.id);
      for (const [id, follow] of this.follows) {
        if (this.store.get(id)?.serverId === entry.id) this.unfollow(id, follow);
      }
      this._onDidChangeServers.fire();
    });
  }

  /**
   * Tells the service a server went away. When its tasks are lost with it (a crashed process), each
   * unfinished task fails with `reason` and can be retried; otherwise (a dropped connection) they keep
   * their state, say why in their status message, and are followed again when the server is re-added.
   */
  serverGone(serverId: string, reason: string, tasksLost: boolean): void {
    for (const record of this.store.all()) {
      if (record.serverId !== serverId || isTerminal(record.status)) continue;
      if (tasksLost) {
        this.finishIfOpen(record.id, 'failed', { error: { code: RpcCode.InternalError, message: reason } }, `${reason}. Retry to run it again.`);
      } else {
        this.store.setStatus(record.id, record.status, `${reason}; waiting for the server to come back`);
      }
    }
  }

  async start(input: TaskSpecInput, lineage: { retryOf?: string; attempt?: number } = {}): Promise<TaskRecord> {
    const spec = parseOrThrow(TaskSpecSchema, input, 'task');
    const server = this.requireServer(spec.serverId);
    const record = this.store.create(spec, { wire: server.client.wire, statusMessage: 'Starting', ...lineage });
    this.log.info(`[task] ${record.id} start ${spec.tool} on ${server.name}`);
    const controller = new AbortController();
    this.syncCalls.set(record.id, controller);
    try {
      const started = await server.client.start(spec.tool, spec.arguments, {
        ttl: spec.ttl,
        meta: metaFor(
          spec,
          lineage.retryOf,
          serverTaskIds(spec, (id) => this.store.get(id)),
        ),
        signal: controller.signal,
        ref: record.id,
      });
      if (started.kind === 'result') {
        this.finish(record.id, started.outcome, settledStatus(started.outcome, server.client));
      } else {
        this.adopt(record.id, server, started.task);
      }
    } catch (error) {
      const rpc = toJsonRpcError(error);
      this.log.warn(`[task] ${record.id} could not start: ${rpc.message}`);
      this.finishIfOpen(record.id, 'failed', { error: rpc }, `Could not start: ${rpc.message}`);
    } finally {
      this.syncCalls.delete(record.id);
    }
    return this.store.require(record.id);
  }

  async cancel(id: string): Promise<TaskRecord> {
    const record = this.store.require(id);
    if (record.imported) throw new Error('An imported task is a read-only copy; it runs nowhere and cannot be cancelled.');
    if (!canCancel(record.status)) throw new Error(`The task is already ${record.status}; there is nothing to cancel.`);
    if (this.foreignTasks?.owns(record)) {
      this.foreignTasks.cancel(record);
      return this.store.require(id);
    }
    if (!record.taskId) {
      // A plain tools/call still in flight: the SDK cancels it with notifications/cancelled, which is right for non-task requests.
      this.syncCalls.get(id)?.abort();
      this.finishIfOpen(id, 'cancelled', {}, 'Cancelled');
      return this.store.require(id);
    }
    const server = this.requireServer(record.serverId);
    const follow = this.follows.get(id);
    try {
      const state = await server.client.cancel(record.taskId);
      // 2025-11-25 answers with the task, already cancelled; an ack-only wire leaves it to the follow-up:
      // the task is followed until the server reports it terminal, in whatever state (T-CS-09).
      if (state && isTerminal(state.status)) this.finishIfOpen(id, state.status as 'cancelled', {}, state.statusMessage ?? 'Cancelled');
      const now = this.store.require(id);
      if (!state && !isTerminal(now.status)) this.store.setStatus(id, now.status, 'Cancellation requested; waiting for the server to stop the task');
    } catch (error) {
      const rpc = toJsonRpcError(error);
      if (rpc.code !== RpcCode.InvalidParams) throw new Error(`Could not cancel the task: ${rpc.message}`);
      // Already terminal (or gone) on the server: catch up with what it says.
      await this.poll(id);
    }
    if (follow && isTerminal(this.store.require(id).status)) this.unfollow(id, follow);
    return this.store.require(id);
  }

  async retry(id: string, options: RetryOptions = {}): Promise<TaskRecord> {
    const previous = this.store.require(id);
    if (previous.imported) throw new Error('An imported task is a read-only copy and cannot be retried here.');
    if (!canRetry(previous.status)) throw new Error(`Only failed or cancelled tasks can be retried; this one is ${previous.status}.`);
    if (previous.retriedAs || this.retrying.has(id)) throw new Error('This attempt was already retried; retry the latest attempt instead.');
    // `retriedAs` is known only once the start returns: until then a second retry must see this one.
    this.retrying.add(id);
    try {
      const next = await this.start(retrySpec(previous, options.arguments), { retryOf: previous.id, attempt: previous.attempt + 1 });
      this.store.update(previous.id, { retriedAs: next.id });
      return next;
    } finally {
      this.retrying.delete(id);
    }
  }

  answerInput(id: string, key: string, answer: InputAnswer): void {
    const question = this.questions.get(questionKey(id, key));
    if (!question) throw new Error('That question is no longer open (it was answered, or the task moved on).');
    this.questions.delete(questionKey(id, key));
    if (this.store.get(id)) this.store.removePendingInput(id, key);
    question.resolve(answer as ElicitResult);
    // A call still in flight (no task yet: MRTR rounds, or a synchronous call that asked) goes on once nothing else is asked.
    const record = this.store.get(id);
    if (record && !record.taskId && record.status === 'input_required' && record.pendingInput.length === 0)
      this.store.setStatus(id, 'working', 'Continuing with your answer');
  }

  /** Every task the server lists for us (2025-11-25 servers with `tasks.list` only). */
  async listRemote(serverId: string): Promise<RemoteTaskState[]> {
    const server = this.requireServer(serverId);
    if (!server.client.supportsList) throw new Error(`${server.name} does not support listing tasks.`);
    const tasks: RemoteTaskState[] = [];
    let cursor: string | undefined;
    do {
      const page = await server.client.list(cursor);
      tasks.push(...page.tasks);
      cursor = page.nextCursor;
    } while (cursor);
    return tasks;
  }

  private reattach(server: ServerEntry): void {
    for (const record of this.store.all()) {
      // An imported record is a copy read from a file: its task ids belong to another time and place.
      if (record.serverId !== server.id || isTerminal(record.status) || record.imported) continue;
      if (!server.durable || !record.taskId) {
        this.finishIfOpen(record.id, 'failed', { error: { ...RELOAD_INTERRUPTION.error } }, RELOAD_INTERRUPTION.statusMessage);
        continue;
      }
      this.byRemote.set(remoteKey(server.id, record.taskId), record.id);
      this.follow(record.id);
      this.scheduler.schedule(record.id, 0, () => this.poll(record.id));
    }
  }

  private adopt(id: string, server: ServerEntry, task: RemoteTaskState): void {
    this.store.update(id, { taskId: task.taskId, grantedTtl: task.ttl, pollInterval: task.pollInterval });
    this.byRemote.set(remoteKey(server.id, task.taskId), id);
    this.follow(id);
    this.apply(id, task);
    const early = this.early.get(remoteKey(server.id, task.taskId));
    if (early) {
      this.early.delete(remoteKey(server.id, task.taskId));
      this.apply(id, early);
    }
    if (!isTerminal(this.store.require(id).status)) this.schedulePoll(id);
  }

  private follow(id: string): Follow {
    let follow = this.follows.get(id);
    if (!follow) {
      follow = { abort: new AbortController(), awaiting: false, failures: 0, asked: new Set(), answered: new Set() };
      this.follows.set(id, follow);
    }
    this.awaitOutcome(id, follow);
    return follow;
  }

  /**
   * Keeps one blocking result call open per task: it returns the moment the task ends, and carries
   * its questions. `terminal`: the task is known to have ended, so a fresh call is made even if
   * one is open; whichever answers first finishes the task.
   */
  private awaitOutcome(id: string, follow: Follow, terminal = false): void {
    const record = this.store.get(id);
    const server = record && this.servers.get(record.serverId);
    if (!record?.taskId || !server || (follow.awaiting && !terminal) || follow.finalCall || follow.abort.signal.aborted) return;
    if (terminal) follow.finalCall = true;
    follow.awaiting = true;
    server.client.awaitOutcome(record.taskId, follow.abort.signal).then(
      async (outcome) => {
        follow.awaiting = false;
        let status = outcome.status ?? (follow.last && isTerminal(follow.last.status) ? follow.last.status : undefined);
        if (!status) status = await this.terminalStatusOf(id, outcome);
        this.finish(id, outcome, status === 'completed' || status === 'failed' || status === 'cancelled' ? status : settledStatus(outcome, server.client));
      },
      (error) => {
        follow.awaiting = false;
        if (!follow.abort.signal.aborted) this.log.debug(`[task] ${id} result call ended early: ${(error as Error).message}; polling continues`);
      },
    );
  }

  /** The result alone does not say whether the task failed or was cancelled; ask once. */
  private async terminalStatusOf(id: string, outcome: RemoteOutcome): Promise<TaskStatus | undefined> {
    const record = this.store.get(id);
    const server = record && this.servers.get(record.serverId);
    if (!record?.taskId || !server) return undefined;
    try {
      const state = await server.client.get(record.taskId);
      return isTerminal(state.status) ? state.status : undefined;
    } catch {
      return outcome.error ? 'failed' : undefined;
    }
  }

  private schedulePoll(id: string): void {
    const follow = this.follows.get(id);
    if (!follow) return;
    const interval = follow.last?.pollInterval ?? this.store.get(id)?.pollInterval;
    this.scheduler.schedule(id, interval ?? backoffDelay(follow.failures), () => this.poll(id));
  }

  private async poll(id: string): Promise<void> {
    const record = this.store.get(id);
    const follow = this.follows.get(id);
    const server = record && this.servers.get(record.serverId);
    if (!record?.taskId || !server || !follow || isTerminal(record.status)) return;
    try {
      const state = await server.client.get(record.taskId);
      follow.failures = 0;
      this.apply(id, state);
    } catch (error) {
      const rpc = toJsonRpcError(error);
      if (rpc.code === RpcCode.InvalidParams) {
        this.finishIfOpen(id, 'failed', { error: rpc }, 'The server no longer knows this task: it expired, or the server restarted. Retry to run it again.');
        return;
      }
      follow.failures++;
      this.log.warn(`[task] ${id} poll failed (${follow.failures}): ${rpc.message}`);
      // A server that keeps failing (down, hung, answering garbage) must show on the task itself, not only in the log.
      const now = this.store.get(id);
      if (follow.failures === POLL_FAILURES_SHOWN && now && !isTerminal(now.status))
        this.store.setStatus(id, now.status, `No valid answer from the server (${rpc.message}); still trying`);
      this.scheduler.schedule(id, backoffDelay(follow.failures), () => this.poll(id));
      return;
    }
    if (!isTerminal(this.store.require(id).status) && !(follow.last && isTerminal(follow.last.status))) this.schedulePoll(id);
  }

  private onRemoteStatus(serverId: string, state: RemoteTaskState): void {
    const id = this.byRemote.get(remoteKey(serverId, state.taskId));
    if (id) {
      this.apply(id, state);
      // A pushed update stands in for the next poll.
      if (this.scheduler.has(id) && !isTerminal(state.status)) this.schedulePoll(id);
    } else if (this.early.size < 1000) {
      this.early.set(remoteKey(serverId, state.taskId), state);
    }
  }

  /** Mirrors a server-reported state into the store. Terminal states wait for the payload. */
  private apply(id: string, state: RemoteTaskState): void {
    const record = this.store.get(id);
    const follow = this.follows.get(id);
    if (!record || !follow || isTerminal(record.status)) return;
    if (follow.last && state.lastUpdatedAt < follow.last.lastUpdatedAt) return;
    follow.last = state;
    if (state.output) this.store.appendOutput(id, state.output);
    if (state.pollInterval !== undefined && state.pollInterval !== record.pollInterval) this.store.update(id, { pollInterval: state.pollInterval });
    // Every snapshot of a waiting task carries its place; one without it (started, or ended) clears it.
    if (state.queue?.position !== record.queue?.position || state.queue?.size !== record.queue?.size) this.store.update(id, { queue: state.queue });
    const client = this.servers.get(record.serverId)?.client;
    if (isTerminal(state.status)) {
      this.scheduler.cancel(id);
      // The outcome is in the snapshot (the extension): finish from it, no further request.
      if (state.result !== undefined || state.error !== undefined || client?.outcomeInSnapshot) {
        this.finishFromSnapshot(id, state);
        return;
      }
      // A result call made now returns at once. The one already open may not: some servers
      // (SDK 1.x) answer it only on their next internal poll, up to a second later.
      this.awaitOutcome(id, follow, true);
      return;
    }
    if (client?.answer) this.syncRemoteInput(id, follow, state);
    if (state.status !== record.status || state.statusMessage !== record.statusMessage) this.store.setStatus(id, state.status, state.statusMessage);
  }

  /**
   * Mirrors a snapshot's `inputRequests` into the record's pending input: a new key becomes a
   * question for the user (the same UX as any elicitation: nothing is answered for them, T-C-12);
   * a key seen before or already answered is not asked again (T-CS-12); a key the task no longer
   * lists is withdrawn, so only outstanding keys can be answered (T-C-13).
   */
  private syncRemoteInput(id: string, follow: Follow, state: RemoteTaskState): void {
    const outstanding = state.status === 'input_required' ? (state.inputRequests ?? {}) : {};
    for (const key of [...follow.asked]) {
      if (key in outstanding) continue;
      follow.asked.delete(key);
      this.questions.delete(questionKey(id, key));
      if (this.store.get(id)?.pendingInput.some((p) => p.key === key)) this.store.removePendingInput(id, key);
    }
    for (const [key, request] of Object.entries(outstanding)) {
      if (follow.asked.has(key) || follow.answered.has(key)) continue;
      if (request.method !== 'elicitation/create') {
        // We declare only elicitation; a server that asks for more gets no answer from us.
        follow.answered.add(key);
        this.log.warn(`[input] ${id}: the server asks ${request.method} (key ${key}), which Tasklane does not answer`);
        const record = this.store.get(id);
        if (record && !isTerminal(record.status))
          this.store.setStatus(
            id,
            record.status,
            `The server asks for ${request.method}, which Tasklane did not offer on this connection; cancel the task if it stays stuck`,
          );
        continue;
      }
      follow.asked.add(key);
      this.questions.set(questionKey(id, key), { remote: true, resolve: (answer) => this.sendRemoteAnswer(id, key, answer) });
      this.store.addPendingInput(id, { key, method: request.method, params: request.params, at: new Date().toISOString() });
    }
  }

  /** Sends one answer with the wire's `answer` (`tasks/update` on the extension). A failed send makes the question askable again. */
  private sendRemoteAnswer(id: string, key: string, answer: ElicitResult): void {
    const record = this.store.get(id);
    const server = record && this.servers.get(record.serverId);
    const follow = this.follows.get(id);
    if (!record?.taskId || !server?.client.answer || !follow) return;
    follow.asked.delete(key);
    follow.answered.add(key);
    server.client.answer(record.taskId, key, answer).then(
      () => this.log.info(`[input] ${id}: answered ${key} (${answer.action})`),
      (error: Error) => {
        follow.answered.delete(key);
        this.log.warn(`[input] ${id}: could not send the answer to ${key}: ${error.message}`);
        const now = this.store.get(id);
        if (now && !isTerminal(now.status)) this.store.setStatus(id, now.status, `Could not send your answer: ${error.message}`);
      },
    );
  }

  /** Ends a task from a terminal snapshot that carries its outcome. */
  private finishFromSnapshot(id: string, state: RemoteTaskState): void {
    switch (state.status) {
      case 'completed':
        this.finish(id, { result: state.result ?? { content: [] } }, 'completed');
        return;
      case 'failed': {
        const error = state.error ?? { code: RpcCode.InternalError, message: state.statusMessage ?? 'The task failed' };
        this.finish(id, { error }, 'failed');
        return;
      }
      default:
        this.finishIfOpen(id, 'cancelled', {}, state.statusMessage ?? 'Cancelled');
    }
  }

  private finish(id: string, outcome: RemoteOutcome, status: TerminalStatus): void {
    const message = this.follows.get(id)?.last?.statusMessage ?? (outcome.error ? outcome.error.message : undefined);
    this.finishIfOpen(id, status, outcome.error ? { error: outcome.error } : { result: outcome.result }, message);
  }

  private finishIfOpen(
    id: string,
    status: 'completed' | 'failed' | 'cancelled',
    outcome: { result?: unknown; error?: JsonRpcErrorObject },
    message?: string,
  ): void {
    const record = this.store.get(id);
    if (!record || isTerminal(record.status)) return;
    this.store.complete(id, status, outcome, message);
    this.log.info(`[task] ${id} ${status}${message ? `: ${message}` : ''}`);
    for (const key of [...this.questions.keys()]) {
      if (key.startsWith(`${id}\0`)) {
        const question = this.questions.get(key);
        this.questions.delete(key);
        // A pending request gets an answer; a task's own question simply lapses with the task.
        if (!question?.remote) question?.resolve({ action: 'cancel' });
      }
    }
    const follow = this.follows.get(id);
    if (follow) this.unfollow(id, follow);
  }

  private unfollow(id: string, follow: Follow): void {
    follow.abort.abort();
    this.scheduler.cancel(id);
    this.follows.delete(id);
    const record = this.store.get(id);
    if (record?.taskId) this.byRemote.delete(remoteKey(record.serverId, record.taskId));
  }

  /**
   * A server asks to use a language model. Only the host's `samplingHandler` can say yes (it asks
   * the user); without one, or when it declines, the server gets the reason. The task's timeline
   * records what happened either way.
   */
  private async onSamplingRequest(server: ServerEntry, request: SamplingRequestEvent): Promise<CreateMessageResult> {
    const id = this.taskOf(server.id, request.taskId);
    const task = id ? this.store.get(id) : undefined;
    const note = (message: string) => {
      const record = id ? this.store.get(id) : undefined;
      if (record && !isTerminal(record.status)) this.store.setStatus(record.id, record.status, message);
    };
    if (!this.samplingHandler) {
      note(`Declined ${server.name}'s request to use a language model: this host offers none`);
      throw new SamplingDeclinedError('this Tasklane host offers no language model');
    }
    note(`${server.name} asks to use a language model`);
    try {
      const result = await this.samplingHandler({ serverId: server.id, serverName: server.name, task, params: request.params });
      note('The language model answered');
      return result;
    } catch (error) {
      note(`Declined ${server.name}'s request to use a language model: ${(error as Error).message}`);
      this.log.info(`[sampling] declined a request from ${server.name}: ${(error as Error).message}`);
      throw error instanceof SamplingDeclinedError ? error : new SamplingDeclinedError((error as Error).message);
    }
  }

  /** The record a server's request belongs to: its related task, or the one plain call in flight. */
  private taskOf(serverId: string, taskId: string | undefined, ref?: string): string | undefined {
    if (taskId) return this.byRemote.get(remoteKey(serverId, taskId));
    if (ref !== undefined && this.syncCalls.has(ref)) return ref;
    return this.singleSyncCall(serverId);
  }

  private onInputRequest(serverId: string, request: InputRequestEvent): Promise<ElicitResult> {
    const id = this.taskOf(serverId, request.taskId, request.ref);
    if (!id || !this.store.get(id)) {
      this.log.warn(`[input] declined a question from ${serverId} that belongs to no known task`);
      return Promise.resolve({ action: 'decline' });
    }
    const key = randomUUID();
    return new Promise<ElicitResult>((resolve) => {
      this.questions.set(questionKey(id, key), { resolve });
      this.store.addPendingInput(id, { key, method: request.method, params: request.params as Record<string, unknown>, at: new Date().toISOString() });
      const record = this.store.require(id);
      if (record.status === 'working') this.store.setStatus(id, 'input_required', 'Waiting for your answer');
    });
  }

  private singleSyncCall(serverId: string): string | undefined {
    const candidates = [...this.syncCalls.keys()].filter((id) => this.store.get(id)?.serverId === serverId && !this.store.get(id)?.taskId);
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  private requireServer(id: string): ServerEntry {
    const server = this.servers.get(id);
    if (!server) throw new ServerUnavailableError(`The MCP server "${id}" is not connected.`);
    return server;
  }
}

function remoteKey(serverId: string, taskId: string): string {
  return `${serverId}\0${taskId}`;
}

function questionKey(id: string, key: string): string {
  return `${id}\0${key}`;
}

/** How an outcome that does not say how the task ended ends: an error fails it; a tool result with `isError` ends as its wire says. */
function settledStatus(outcome: RemoteOutcome, client: TaskWireClient): 'completed' | 'failed' {
  if (outcome.error) return 'failed';
  return outcome.result?.isError ? client.toolErrorStatus : 'completed';
}
