import { Emitter } from '../../core/events';
import { Disposable, type IDisposable, toDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { type InputAnswer, type RetryOptions, type TaskActions } from '../../core/taskActions';
import type { RetryToolFacts } from '../../core/retryPolicy';
import { type TaskRecord, type TaskSpecInput, parseTaskSpec } from '../../core/taskRecord';
import { retrySpec } from '../../core/taskSpec';
import { type TaskStore } from '../../core/taskStore';
import { canCancel, canRetry, isTerminal } from '../../core/taskStatus';
import { META } from '../../core/meta';
import { RpcCode, toJsonRpcError } from '../rpcError';
import { metaFor, serverTaskIds } from '../wires/startMeta';
import type { RemoteTaskState } from '../wires/remoteTask';
import { PollScheduler } from './pollScheduler';
import { AutomaticRetries } from './automaticRetries';
import type { Clock } from './clock';
import { QuestionRouter, type SamplingHandler } from './questionRouter';
import { TaskFollower, settledStatus } from './taskFollower';
import { TeamListing } from './teamListing';
import { type TaskWireClient, listEveryPage } from './taskWire';
import { UnansweredStarts, cancelledHereOnlyMessage } from './unansweredStarts';

export interface ServerEntry {
  readonly id: string;
  readonly name: string;
  readonly kind: 'embedded' | 'stdio' | 'http';
  /** Whether the server's tasks outlive this host (an external process does; the embedded server does not). */
  readonly durable: boolean;
  /** A team server seen as its board (`"team": true`): its tasks are listed into the store (teamListing.ts). */
  readonly team?: boolean;
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
  /** Answers servers' requests to use a language model (the extension asks the user, then calls VS Code's LM API). */
  readonly samplingHandler?: SamplingHandler;
  /** Tasks this service shows but did not start: cancelled through their owner, retried as the editor's own. */
  readonly foreignTasks?: ForeignTasks;
  /** The setting `tasklane.retry.policies`, read when a task fails (automaticRetries.ts). */
  readonly retryPolicies?: () => unknown;
  /** The clock of automatic retries' waits (scripted in tests). */
  readonly clock?: Clock;
  /** How often a team server's tasks are listed again (ms; teamListing.ts). */
  readonly teamListingIntervalMs?: number;
  /** How many listed team tasks are kept per server (teamListing.ts). */
  readonly teamListedLimit?: number;
}

export class ServerUnavailableError extends Error {
  override readonly name = 'ServerUnavailableError';
}

/**
 * The MCP task client as the host sees it: the connected servers, and the task actions on them
 * (start, cancel, retry, answer, list). Following a started task to its end is `TaskFollower`'s;
 * routing what servers ask to the right task is `QuestionRouter`'s. The store stays the single
 * source of truth for every view.
 */
export class TaskService extends Disposable implements Pick<TaskActions, 'start' | 'cancel' | 'retry' | 'answerInput'> {
  private readonly servers = new Map<string, ServerEntry>();
  /** Plain `tools/call`s in flight, by record id: aborted to cancel them. */
  private readonly syncCalls = new Map<string, AbortController>();
  /** Tasks whose retry is starting (their `retriedAs` is not set yet). */
  private readonly retrying = new Set<string>();
  private readonly questions: QuestionRouter;
  private readonly follower: TaskFollower;
  private readonly unansweredStarts: UnansweredStarts;
  private readonly automaticRetries: AutomaticRetries;
  private readonly teamListing: TeamListing;
  /** Once disposed, a start whose call fails is left unsettled (the call failed with the host), and a task it created is not followed. */
  private disposed = false;
  private readonly foreignTasks: ForeignTasks | undefined;
  private readonly log: Logger;
  private readonly _onDidChangeServers = this._register(new Emitter<void>());
  readonly onDidChangeServers = this._onDidChangeServers.event;

  constructor(
    readonly store: TaskStore,
    options: TaskServiceOptions = {},
  ) {
    super();
    this.log = options.log ?? silentLogger;
    this.foreignTasks = options.foreignTasks;
    // Registered before the follower, so it runs after it: disposing stops the follows, then aborts the calls in flight.
    this._register(
      toDisposable(() => {
        for (const call of this.syncCalls.values()) call.abort();
      }),
    );
    this.questions = new QuestionRouter(
      store,
      { recordOf: (serverId, taskId) => this.follower.recordOf(serverId, taskId), callsInFlight: this.syncCalls },
      { samplingHandler: options.samplingHandler, log: this.log },
    );
    // One scheduler for the follows and the team listings: one timer, whatever the number.
    const scheduler = options.scheduler ?? this._register(new PollScheduler());
    this.follower = this._register(
      new TaskFollower(store, this.questions, { clientOf: (serverId) => this.servers.get(serverId)?.client, scheduler, log: this.log }),
    );
    this.teamListing = this._register(
      new TeamListing(store, this.follower, { scheduler, intervalMs: options.teamListingIntervalMs, limit: options.teamListedLimit, log: this.log }),
    );
    this.unansweredStarts = this._register(
      new UnansweredStarts(store, this.follower, {
        listRemote: (serverId) => this.listRemote(serverId),
        inFlight: (id) => this.syncCalls.has(id),
        isConnected: (server) => this.servers.get(server.id)?.client === server.client,
        log: this.log,
      }),
    );
    this.automaticRetries = this._register(
      new AutomaticRetries(store, {
        clock: options.clock,
        settingPolicies: options.retryPolicies,
        toolFacts: (serverId, tool) => this.toolFacts(serverId, tool),
        isConnected: (serverId) => this.servers.has(serverId),
        startRetry: (id, reason) => this.retry(id, {}, reason),
        log: this.log,
      }),
    );
  }

  override dispose(): void {
    this.disposed = true;
    super.dispose();
  }

  listServers(): ServerEntry[] {
    return [...this.servers.values()];
  }

  getServer(id: string): ServerEntry | undefined {
    return this.servers.get(id);
  }

  /**
   * Makes a connected server available and picks up its unfinished tasks from the store: at once,
   * or, while the store is still reading its records, as soon as it has (before anyone else acts on them).
   */
  addServer(entry: ServerEntry): IDisposable {
    if (this.servers.has(entry.id)) throw new Error(`A server with id "${entry.id}" is already registered`);
    this.servers.set(entry.id, entry);
    const subscription = entry.client.onDidReceiveStatus((state) => this.follower.onRemoteStatus(entry.id, state));
    let listing: IDisposable | undefined;
    entry.client.inputHandler = (request) => this.questions.onInputRequest(entry.id, request);
    entry.client.samplingHandler = (request) => this.questions.onSamplingRequest(entry, request);
    const pickUp = this.store.afterOpen(() => {
      // Records this session already keeps live (an agent's task mirrored at the open) are not the last session's.
      this.follower.reattach(entry.id, entry.durable, (record) => this.foreignTasks?.owns(record) === true || this.syncCalls.has(record.id));
      if (entry.durable) void this.unansweredStarts.reconcile(entry);
      this.automaticRetries.resume();
      // After reattach: the records already kept are followed first, so listing brings in only what is new.
      if (entry.team) {
        if (entry.client.supportsList) listing = this.teamListing.watch(entry);
        else this.log.warn(`[team] ${entry.name} does not list its tasks on the ${entry.client.wire} wire; the team's tasks are not shown`);
      }
    });
    this._onDidChangeServers.fire();
    return toDisposable(() => {
      pickUp.dispose();
      listing?.dispose();
      subscription.dispose();
      entry.client.inputHandler = undefined;
      entry.client.samplingHandler = undefined;
      this.servers.delete(entry.id);
      this.follower.unfollowServer(entry.id);
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
        this.follower.finishIfOpen(record.id, 'failed', { error: { code: RpcCode.InternalError, message: reason } }, `${reason}. Retry to run it again.`);
      } else {
        this.store.setStatus(record.id, record.status, `${reason}; waiting for the server to come back`);
      }
    }
  }

  async start(input: TaskSpecInput, lineage: { retryOf?: string; attempt?: number; scheduleId?: string; retryReason?: string } = {}): Promise<TaskRecord> {
    // Validated once: the store takes the spec as it is.
    const spec = parseTaskSpec(input);
    // A start is recorded among the other tasks, and its intent on disk: not before the store has read them.
    if (!this.store.isOpen) await this.store.whenOpen();
    const server = this.requireServer(spec.serverId);
    const record = this.store.create(spec, { wire: server.client.wire, statusMessage: 'Starting', startIntent: { at: new Date().toISOString() }, ...lineage });
    // On disk before the call goes out: if the editor dies before the answer, the next session knows to look for the task.
    this.store.flush();
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
        this.follower.finish(record.id, started.outcome, settledStatus(started.outcome, server.client));
      } else if (this.disposed) {
        // The answer came as the host closed: keep the task's id, so the next session follows it like any other.
        this.store.update(record.id, { taskId: started.task.taskId, grantedTtl: started.task.ttl, startIntent: undefined });
      } else {
        this.follower.adopt(record.id, server.id, started.task);
      }
    } catch (error) {
      // The host closed under the call (its connections with it): the server may have taken it, so leave it unsettled.
      if (this.disposed) return this.store.require(record.id);
      const rpc = toJsonRpcError(error);
      this.log.warn(`[task] ${record.id} could not start: ${rpc.message}`);
      this.follower.finishIfOpen(record.id, 'failed', { error: rpc }, `Could not start: ${rpc.message}`);
    } finally {
      this.syncCalls.delete(record.id);
    }
    return this.store.require(record.id);
  }

  async cancel(id: string): Promise<TaskRecord> {
    const record = this.store.require(id);
    if (record.imported) throw new Error('An imported task is a read-only copy; it runs nowhere and cannot be cancelled.');
    // A failed attempt whose automatic retry waits: cancelling stops the retry, and the chain ends there.
    if (this.automaticRetries.cancelWaiting(id)) return this.store.require(id);
    if (!canCancel(record.status)) throw new Error(`The task is already ${record.status}; there is nothing to cancel.`);
    if (this.foreignTasks?.owns(record)) {
      this.foreignTasks.cancel(record);
      return this.store.require(id);
    }
    if (this.unansweredStarts.isUnanswered(record)) {
      // The server never named the task, so it cannot be asked to stop it: end the record here, and say so.
      this.follower.finishIfOpen(id, 'cancelled', {}, cancelledHereOnlyMessage(this.servers.get(record.serverId)?.name ?? record.serverId));
      return this.store.require(id);
    }
    if (!record.taskId) {
      // A plain tools/call still in flight: the SDK cancels it with notifications/cancelled, which is right for non-task requests.
      this.syncCalls.get(id)?.abort();
      this.follower.finishIfOpen(id, 'cancelled', {}, 'Cancelled');
      return this.store.require(id);
    }
    const server = this.requireServer(record.serverId);
    const follow = this.follower.followOf(id);
    try {
      const state = await server.client.cancel(record.taskId);
      // 2025-11-25 answers with the task, already cancelled; an ack-only wire leaves it to the follow-up:
      // the task is followed until the server reports it terminal, in whatever state (T-CS-09).
      if (state && isTerminal(state.status)) this.follower.finishIfOpen(id, state.status as 'cancelled', {}, state.statusMessage ?? 'Cancelled');
      const now = this.store.require(id);
      if (!state && !isTerminal(now.status)) this.store.setStatus(id, now.status, 'Cancellation requested; waiting for the server to stop the task');
    } catch (error) {
      const rpc = toJsonRpcError(error);
      if (rpc.code !== RpcCode.InvalidParams) throw new Error(`Could not cancel the task: ${rpc.message}`);
      // Already terminal (or gone) on the server: catch up with what it says.
      await this.follower.poll(id);
    }
    if (follow && isTerminal(this.store.require(id).status)) this.follower.unfollow(id, follow);
    return this.store.require(id);
  }

  /** `automaticReason`: Tasklane starts this attempt on its own, by the task's retry policy, and says why. */
  async retry(id: string, options: RetryOptions = {}, automaticReason?: string): Promise<TaskRecord> {
    const previous = this.store.require(id);
    if (previous.imported) throw new Error('An imported task is a read-only copy and cannot be retried here.');
    if (!canRetry(previous.status)) throw new Error(`Only failed or cancelled tasks can be retried; this one is ${previous.status}.`);
    if (previous.retriedAs || this.retrying.has(id)) throw new Error('This attempt was already retried; retry the latest attempt instead.');
    // `retriedAs` is known only once the start returns: until then a second retry must see this one.
    this.retrying.add(id);
    // Retried by hand while an automatic retry waits: the hand wins, the wait goes.
    if (automaticReason === undefined) this.automaticRetries.forget(id);
    try {
      const next = await this.start(retrySpec(previous, options.arguments), {
        retryOf: previous.id,
        attempt: previous.attempt + 1,
        ...(automaticReason !== undefined ? { retryReason: automaticReason } : {}),
      });
      this.store.update(previous.id, { retriedAs: next.id });
      return next;
    } finally {
      this.retrying.delete(id);
    }
  }

  answerInput(id: string, key: string, answer: InputAnswer): void {
    this.questions.answer(id, key, answer);
  }

  /** The outcome of a listed team task that had finished before it was listed (TeamListing.fetchOutcome). */
  fetchListedOutcome(id: string): void {
    this.teamListing.fetchOutcome(id);
  }

  /** Every task the server lists for us (2025-11-25 servers with `tasks.list` only). */
  async listRemote(serverId: string): Promise<RemoteTaskState[]> {
    const server = this.requireServer(serverId);
    if (!server.client.supportsList) throw new Error(`${server.name} does not support listing tasks.`);
    return listEveryPage(server.client);
  }

  /** What a tool says of itself for automatic retries: idempotent or not, and its own policy (`_meta`). */
  private async toolFacts(serverId: string, tool: string): Promise<RetryToolFacts | undefined> {
    const server = this.servers.get(serverId);
    if (!server) return undefined;
    const found = (await server.client.listTools()).find((candidate) => candidate.name === tool);
    return found && { idempotent: found.annotations?.idempotentHint === true, policy: found._meta?.[META.retry] };
  }

  private requireServer(id: string): ServerEntry {
    const server = this.servers.get(id);
    if (!server) throw new ServerUnavailableError(`The MCP server "${id}" is not connected.`);
    return server;
  }
}
