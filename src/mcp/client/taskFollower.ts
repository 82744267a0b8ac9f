import { Disposable, toDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { RELOAD_INTERRUPTION } from '../../core/reloadInterruption';
import type { Agent, JsonRpcErrorObject, TaskRecord } from '../../core/taskRecord';
import type { TaskPatch, TaskStore } from '../../core/taskStore';
import { isTerminal, type TaskStatus } from '../../core/taskStatus';
import { sameSteps } from '../../core/taskSteps';
import { RpcCode, toJsonRpcError } from '../rpcError';
import type { RemoteOutcome, RemoteTaskState, TerminalStatus } from '../wires/remoteTask';
import { PollScheduler, backoffDelay } from './pollScheduler';
import type { QuestionRouter } from './questionRouter';
import { type AskedKeys, RemoteInput } from './remoteInput';
import type { TaskWireClient } from './taskWire';

/** Why a follow's open result calls are aborted (made once: an abort without a reason builds a DOMException each time). */
const FOLLOW_ENDED = new Error('The task is no longer followed');

/**
 * How long the open result call has, after the terminal status notification, before a second one
 * is made: a prompt server's answer is a round trip behind its notification (well under this, even
 * over loopback HTTP on a busy machine); a server that answers late is asked again this much later.
 */
const RESULT_GRACE_MS = 50;

/** Consecutive failed polls after which the task's status message says the server is not answering. */
const POLL_FAILURES_SHOWN = 3;

/** What one followed task needs between two updates from its server (with the keys of its `inputRequests`, on wires that have them). */
export interface Follow extends AskedKeys {
  readonly abort: AbortController;
  awaiting: boolean;
  /** A result call made after the task was seen terminal is open. */
  finalCall?: boolean;
  /** The task is no longer followed (it ended, or its server went): no further call is made for it. */
  ended?: boolean;
  failures: number;
  last?: RemoteTaskState;
}

export interface TaskFollowerOptions {
  /** The client of a connected server, by the server's id. */
  readonly clientOf: (serverId: string) => TaskWireClient | undefined;
  readonly scheduler?: PollScheduler;
  readonly log?: Logger;
}

/**
 * Follows each started task to its end, so that starting a task and watching it are separate
 * concerns: status notifications when the server sends them, `tasks/get` polls on one shared
 * scheduler otherwise, and one blocking result call for the payload. Every change the server
 * reports is mirrored into the store; ending a task (from whatever source) goes through here, so
 * its follow, its polls and its open questions end with it.
 */
export class TaskFollower extends Disposable {
  private readonly follows = new Map<string, Follow>();
  /** Server id and server task id → record id, for the tasks followed. */
  private readonly byRemote = new Map<string, string>();
  /** Status that arrived for a task id before `tools/call` returned it. */
  private readonly early = new Map<string, RemoteTaskState>();
  private readonly scheduler: PollScheduler;
  private readonly log: Logger;
  private readonly clientOf: (serverId: string) => TaskWireClient | undefined;
  private readonly remoteInput: RemoteInput;

  constructor(
    private readonly store: TaskStore,
    private readonly questions: QuestionRouter,
    options: TaskFollowerOptions,
  ) {
    super();
    this.scheduler = options.scheduler ?? this._register(new PollScheduler());
    this.log = options.log ?? silentLogger;
    this.clientOf = options.clientOf;
    this.remoteInput = new RemoteInput(store, questions, {
      clientOf: options.clientOf,
      fail: (id, error, message) => this.finishIfOpen(id, 'failed', { error }, message),
      log: this.log,
    });
    this._register(
      toDisposable(() => {
        for (const follow of this.follows.values()) {
          follow.ended = true;
          follow.abort.abort(FOLLOW_ENDED);
        }
        for (const id of this.follows.keys()) this.scheduler.cancel(id);
        this.follows.clear();
      }),
    );
  }

  followOf(id: string): Follow | undefined {
    return this.follows.get(id);
  }

  /** The record that follows a server's task, if any. */
  recordOf(serverId: string, taskId: string): string | undefined {
    return this.byRemote.get(remoteKey(serverId, taskId));
  }

  /**
   * Picks up a (re)connected server's unfinished tasks; those its server cannot have kept fail as
   * interrupted. A start the server may have taken without the host hearing its task id is left to
   * `UnansweredStarts`, which asks the server. `isLive` names records this session already runs
   * or mirrors, which are left as they are.
   */
  reattach(serverId: string, durable: boolean, isLive: (record: TaskRecord) => boolean = () => false): void {
    for (const record of this.store.all()) {
      // An imported record is a copy read from a file: its task ids belong to another time and place.
      if (record.serverId !== serverId || isTerminal(record.status) || record.imported || isLive(record)) continue;
      if (durable && !record.taskId && record.startIntent) continue;
      if (!durable || !record.taskId) {
        this.finishIfOpen(record.id, 'failed', { error: { ...RELOAD_INTERRUPTION.error } }, RELOAD_INTERRUPTION.statusMessage);
        continue;
      }
      this.byRemote.set(remoteKey(serverId, record.taskId), record.id);
      this.follow(record.id);
      this.scheduler.schedule(record.id, 0, () => this.poll(record.id));
    }
  }

  /** Follows the task a server created for a record's `tools/call`. */
  adopt(id: string, serverId: string, task: RemoteTaskState): void {
    const record = this.store.get(id);
    const noIntent = record?.startIntent ? { startIntent: undefined } : {};
    // The host's own "Starting" ends with the answer: cleared in the same change when the server says
    // nothing else (a message of the server's own is set by `apply`, with its timeline entry).
    const noMessage =
      record?.statusMessage !== undefined && task.statusMessage === undefined && task.status === record.status ? { statusMessage: undefined } : {};
    this.store.update(id, { taskId: task.taskId, grantedTtl: task.ttl, pollInterval: task.pollInterval, ...noIntent, ...noMessage });
    this.byRemote.set(remoteKey(serverId, task.taskId), id);
    this.follow(id);
    this.apply(id, task);
    const early = this.early.get(remoteKey(serverId, task.taskId));
    if (early) {
      this.early.delete(remoteKey(serverId, task.taskId));
      this.apply(id, early);
    }
    if (!isTerminal(this.store.require(id).status)) this.schedulePoll(id);
  }

  /** Stops following every task of a server that was removed; their records keep their state. */
  unfollowServer(serverId: string): void {
    for (const [id, follow] of this.follows) {
      if (this.store.get(id)?.serverId === serverId) this.unfollow(id, follow);
    }
  }

  onRemoteStatus(serverId: string, state: RemoteTaskState): void {
    const id = this.byRemote.get(remoteKey(serverId, state.taskId));
    if (id) {
      this.apply(id, state);
      // A pushed update stands in for the next poll.
      if (this.scheduler.has(id) && !isTerminal(state.status)) this.schedulePoll(id);
    } else if (this.early.size < 1000) {
      this.early.set(remoteKey(serverId, state.taskId), state);
    }
  }

  async poll(id: string): Promise<void> {
    const record = this.store.get(id);
    const follow = this.follows.get(id);
    const client = record && this.clientOf(record.serverId);
    if (!record?.taskId || !client || !follow || isTerminal(record.status)) return;
    try {
      const state = await client.get(record.taskId);
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

  finish(id: string, outcome: RemoteOutcome, status: TerminalStatus): void {
    const message = this.follows.get(id)?.last?.statusMessage ?? (outcome.error ? outcome.error.message : undefined);
    this.finishIfOpen(id, status, outcome.error ? { error: outcome.error } : { result: outcome.result }, message);
  }

  /** Ends a task that has not ended yet: its open questions lapse and its follow stops. */
  finishIfOpen(
    id: string,
    status: TerminalStatus,
    outcome: { result?: unknown; error?: JsonRpcErrorObject },
    message?: string,
    /** When the server says it ended, for a task that had ended before it was followed here. */
    endedAt?: string,
  ): void {
    const record = this.store.get(id);
    if (!record || isTerminal(record.status)) return;
    const follow = this.follows.get(id);
    const last = follow?.last && isTerminal(follow.last.status) ? follow.last : undefined;
    this.store.complete(id, status, outcome, message, last && termsOf(record, last), endedAt);
    this.log.info(`[task] ${id} ${status}${message ? `: ${message}` : ''}`);
    this.questions.lapse(id);
    if (follow) this.unfollow(id, follow);
  }

  unfollow(id: string, follow: Follow): void {
    // Ends the result calls still open; with none open there is nothing to tell the server.
    if (follow.awaiting || follow.finalCall) follow.abort.abort(FOLLOW_ENDED);
    follow.ended = true;
    this.scheduler.cancel(id);
    this.follows.delete(id);
    const record = this.store.get(id);
    if (record?.taskId) this.byRemote.delete(remoteKey(record.serverId, record.taskId));
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
    const client = record && this.clientOf(record.serverId);
    if (!record?.taskId || !client || (follow.awaiting && !terminal) || follow.finalCall || follow.ended) return;
    if (terminal) follow.finalCall = true;
    follow.awaiting = true;
    client.awaitOutcome(record.taskId, follow.abort.signal).then(
      async (outcome) => {
        follow.awaiting = false;
        let status = outcome.status ?? (follow.last && isTerminal(follow.last.status) ? follow.last.status : undefined);
        if (!status) status = await this.terminalStatusOf(id, outcome);
        this.finish(id, outcome, status === 'completed' || status === 'failed' || status === 'cancelled' ? status : settledStatus(outcome, client));
      },
      (error) => {
        follow.awaiting = false;
        if (!follow.ended) this.log.debug(`[task] ${id} result call ended early: ${(error as Error).message}; polling continues`);
      },
    );
  }

  /** The result alone does not say whether the task failed or was cancelled; ask once. */
  private async terminalStatusOf(id: string, outcome: RemoteOutcome): Promise<TaskStatus | undefined> {
    const record = this.store.get(id);
    const client = record && this.clientOf(record.serverId);
    if (!record?.taskId || !client) return undefined;
    try {
      const state = await client.get(record.taskId);
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

  /** Mirrors a server-reported state into the store. Terminal states wait for the payload. */
  private apply(id: string, state: RemoteTaskState): void {
    const record = this.store.get(id);
    const follow = this.follows.get(id);
    if (!record || !follow || isTerminal(record.status)) return;
    if (follow.last && state.lastUpdatedAt < follow.last.lastUpdatedAt) return;
    follow.last = state;
    if (state.output) this.store.appendOutput(id, state.output);
    const client = this.clientOf(record.serverId);
    if (isTerminal(state.status)) {
      // Its last terms are kept with the outcome, in one change (finishIfOpen).
      this.scheduler.cancel(id);
      // The outcome is in the snapshot (the extension): finish from it, no further request.
      if (state.result !== undefined || state.error !== undefined || client?.outcomeInSnapshot) {
        this.finishFromSnapshot(id, state);
        return;
      }
      // A result call made now returns at once. The one already open may not: some servers
      // (SDK 1.x) answer it only on their next internal poll, up to a second later. Most answer it
      // right behind this notification, though, within a round trip of it: give it that long
      // before asking again, so a prompt server is asked once, over HTTP as in memory.
      if (follow.awaiting) this.scheduler.schedule(id, RESULT_GRACE_MS, async () => this.awaitOutcome(id, follow, true));
      else this.awaitOutcome(id, follow, true);
      return;
    }
    const terms = termsOf(record, state);
    if (terms) this.store.update(id, terms);
    if (client?.answer) this.remoteInput.sync(id, follow, state);
    if (state.status !== record.status || state.statusMessage !== record.statusMessage) this.store.setStatus(id, state.status, state.statusMessage);
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
}

/**
 * What a server's snapshot changes in the task's terms: its poll interval; its TTL (servers may
 * move it on; Tasklane's does while the work runs, and counts retention from its end: expiry
 * follows the latest); its place in the queue (every snapshot of a waiting task carries it; one
 * without it, started or ended, clears it); its steps (a snapshot without them leaves them as they
 * were); who owns it and where it runs, as a team server reports them (`context.agent`: the tree
 * groups by it; a snapshot without them leaves it as it was). Undefined when nothing changed.
 */
function termsOf(record: TaskRecord, state: RemoteTaskState): Pick<TaskPatch, 'grantedTtl' | 'pollInterval' | 'queue' | 'steps' | 'context'> | undefined {
  const pollInterval = state.pollInterval !== undefined && state.pollInterval !== record.pollInterval;
  const ttl = state.ttl !== record.grantedTtl;
  const queue = state.queue?.position !== record.queue?.position || state.queue?.size !== record.queue?.size;
  const steps = state.steps !== undefined && !sameSteps(state.steps, record.steps);
  const agent = state.agent !== undefined && !sameAgent(state.agent, record.context.agent);
  if (!pollInterval && !ttl && !queue && !steps && !agent) return undefined;
  return {
    ...(pollInterval ? { pollInterval: state.pollInterval } : {}),
    ...(ttl ? { grantedTtl: state.ttl } : {}),
    ...(queue ? { queue: state.queue } : {}),
    ...(steps ? { steps: [...state.steps!] } : {}),
    ...(agent ? { context: { ...record.context, agent: state.agent } } : {}),
  };
}

function sameAgent(a: Agent, b: Agent | undefined): boolean {
  return a.name === b?.name && a.machine === b.machine && a.client?.name === b.client?.name && a.client?.version === b.client?.version;
}

function remoteKey(serverId: string, taskId: string): string {
  return `${serverId}\0${taskId}`;
}

/** How an outcome that does not say how the task ended ends: an error fails it; a tool result with `isError` ends as its wire says. */
export function settledStatus(outcome: RemoteOutcome, client: TaskWireClient): 'completed' | 'failed' {
  if (outcome.error) return 'failed';
  return outcome.result?.isError ? client.toolErrorStatus : 'completed';
}
