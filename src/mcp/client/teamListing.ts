import { Disposable, type IDisposable, toDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { lacksListedOutcome } from '../../core/taskRules';
import { isTerminal } from '../../core/taskStatus';
import type { TaskStore } from '../../core/taskStore';
import type { RemoteTaskState } from '../wires/remoteTask';
import type { PollScheduler } from './pollScheduler';
import type { TaskFollower } from './taskFollower';
import { type TaskWireClient, listEveryPage } from './taskWire';

/** How often a team server's tasks are listed again while it is connected (ms). */
export const TEAM_LISTING_INTERVAL_MS = 5_000;
/** At most this many listed team tasks are kept per server: beyond it, the oldest finished go first. */
export const TEAM_LISTED_LIMIT = 1_000;
/**
 * A listed task created this long before a start of ours still waiting for its answer may be
 * that start's own task: it is left to the start (or to UnansweredStarts) until the answer is in.
 */
const START_SLACK_MS = 60_000;
/** The tool a listed task shows when its server did not say (an older team server). */
export const UNKNOWN_TEAM_TOOL = '(unknown tool)';

export interface TeamListingOptions {
  readonly scheduler: PollScheduler;
  readonly intervalMs?: number;
  readonly limit?: number;
  readonly log?: Logger;
}

/** A team server as the listing needs it. */
export interface TeamServer {
  readonly id: string;
  readonly name: string;
  readonly client: TaskWireClient;
}

/**
 * A team board's view of the team in the editor: for each server entry marked `"team": true`,
 * lists the server's tasks (every page) as it connects and then every few seconds on the shared
 * poll scheduler (one entry per server, never a timer per task), and brings each task the store
 * does not have yet in as a record marked `teamListed`, with the owner and machine the server
 * reports (`dev.tasklane/agent`) and the call that made it (`dev.tasklane/call`). Unfinished ones
 * are followed like any task (`TaskFollower.adopt`), their questions included; a finished one is
 * recorded as it ended, and its result is fetched when the person opens it (`fetchOutcome`).
 * Tasks started here are never duplicated. At most `limit` listed records are kept per server;
 * the oldest finished go first, and are not brought back while the server still lists them.
 */
export class TeamListing extends Disposable {
  private readonly watched = new Map<string, TeamServer>();
  /** Per server, the listed tasks put away here (trimmed or deleted): not brought back while listed. */
  private readonly dropped = new Map<string, Set<string>>();
  /** Listed records by id, with their server and task: a removed record's task is remembered as dropped. */
  private readonly listedIds = new Map<string, { readonly serverId: string; readonly taskId: string }>();
  /** Listed records whose outcome is being fetched, or was fetched, this session (`fetchOutcome`). */
  private readonly outcomesAsked = new Set<string>();
  /** Ends the result calls still open when the listing goes. */
  private readonly abort = new AbortController();
  private disposed = false;
  private readonly intervalMs: number;
  private readonly limit: number;
  private readonly log: Logger;

  constructor(
    private readonly store: TaskStore,
    private readonly follower: TaskFollower,
    private readonly options: TeamListingOptions,
  ) {
    super();
    this.intervalMs = options.intervalMs ?? TEAM_LISTING_INTERVAL_MS;
    this.limit = options.limit ?? TEAM_LISTED_LIMIT;
    this.log = options.log ?? silentLogger;
    this._register(
      toDisposable(() => {
        this.disposed = true;
        this.abort.abort(new Error('The team listing ended'));
        this.watched.forEach((server) => options.scheduler.cancel(keyOf(server.id)));
      }),
    );
    this._register(
      store.onDidLifecycle((event) => {
        // A listed record the person deleted stays gone while the server lists its task.
        if (event.type === 'removed') this.forgetRemoved(event.id);
      }),
    );
  }

  /** Lists `server`'s tasks now and every interval until the result is disposed (the server went away). */
  watch(server: TeamServer): IDisposable {
    this.watched.set(server.id, server);
    this.schedule(server, 0);
    return toDisposable(() => {
      if (this.watched.get(server.id) !== server) return;
      this.watched.delete(server.id);
      this.options.scheduler.cancel(keyOf(server.id));
    });
  }

  /** One pass: lists every page and brings in what is new. Returns how many records it created. */
  async listOnce(server: TeamServer): Promise<number> {
    const tasks = await listEveryPage(server.client);
    // The list was awaited: what is known is read now, after any start that was answered meanwhile.
    if (this.watched.get(server.id) !== server || this.disposed) return 0;
    return this.bringIn(server, tasks);
  }

  private bringIn(server: TeamServer, tasks: readonly RemoteTaskState[]): number {
    const known = new Set<string>();
    let listedKept = 0;
    let startsInFlightSince = Infinity;
    for (const record of this.store.all()) {
      if (record.serverId !== server.id) continue;
      if (record.taskId) known.add(record.taskId);
      if (record.teamListed && record.taskId) {
        listedKept++;
        this.listedIds.set(record.id, { serverId: server.id, taskId: record.taskId });
      } else if (record.startIntent && !isTerminal(record.status)) startsInFlightSince = Math.min(startsInFlightSince, Date.parse(record.startIntent.at));
    }
    const dropped = this.droppedOf(server.id);
    // Only ids the server still lists are remembered as dropped: the set stays as small as the list.
    const listed = new Set(tasks.map((task) => task.taskId));
    for (const id of dropped) if (!listed.has(id)) dropped.delete(id);
    const fresh = tasks.filter(
      (task) => !known.has(task.taskId) && !dropped.has(task.taskId) && Date.parse(task.createdAt) < startsInFlightSince - START_SLACK_MS,
    );
    // Newest first, so a first listing of a long history brings in the latest `limit` finished ones, not all of them.
    // Age is the server's creation time, as `trim` reads it from the records (their `createdAt`).
    const newestFirst = [...fresh].sort((a, b) => compareDesc(a.createdAt, b.createdAt));
    // Unfinished work is always brought in (and followed); finished work only into the room left, `trim` sees to the rest.
    let finishedRoom = this.limit - listedKept;
    let created = 0;
    for (const task of newestFirst) {
      if (isTerminal(task.status)) {
        if (finishedRoom <= 0) {
          dropped.add(task.taskId);
          continue;
        }
        finishedRoom--;
      }
      this.bring(server, task);
      created++;
    }
    this.trim(server.id);
    if (created > 0) this.log.info(`[team] ${server.name}: ${created} team task${created === 1 ? '' : 's'} listed`);
    return created;
  }

  private bring(server: TeamServer, task: RemoteTaskState): void {
    const record = this.store.create(
      {
        serverId: server.id,
        tool: task.call?.tool ?? UNKNOWN_TEAM_TOOL,
        arguments: { ...(task.call?.arguments ?? {}) },
        context: task.agent ? { agent: task.agent } : {},
      },
      { taskId: task.taskId, wire: server.client.wire, createdAt: task.createdAt, statusMessage: task.statusMessage, teamListed: true },
    );
    this.listedIds.set(record.id, { serverId: server.id, taskId: task.taskId });
    if (isTerminal(task.status)) {
      this.store.update(record.id, { grantedTtl: task.ttl });
      // It ended when the server says, not when this editor first listed it.
      this.follower.finishIfOpen(record.id, task.status as 'completed' | 'failed' | 'cancelled', {}, task.statusMessage, task.lastUpdatedAt);
    } else {
      this.follower.adopt(record.id, server.id, task);
    }
  }

  /**
   * Fetches the result or error of a listed task that had already finished when it was listed
   * (`lacksListedOutcome`), once per session unless the call fails. Done when the person opens the
   * task rather than at listing: a first listing may bring in up to `limit` finished tasks, and a
   * result call for each would be that many requests (and audited reads of others' work on the
   * team server) for results nobody looks at.
   */
  fetchOutcome(id: string): void {
    const record = this.store.get(id);
    const server = record && this.watched.get(record.serverId);
    if (!record?.taskId || !server || !lacksListedOutcome(record) || this.outcomesAsked.has(id) || this.disposed) return;
    this.outcomesAsked.add(id);
    server.client.awaitOutcome(record.taskId, this.abort.signal).then(
      (outcome) => {
        if (this.disposed || !this.store.get(id)) return;
        this.store.fillOutcome(id, outcome.result !== undefined ? { result: outcome.result } : { error: outcome.error });
        this.log.info(`[team] ${server.name}: fetched the outcome of listed task ${id}`);
      },
      (error: Error) => {
        this.outcomesAsked.delete(id);
        if (!this.disposed) this.log.warn(`[team] ${server.name}: could not fetch the outcome of listed task ${id}: ${error.message}`);
      },
    );
  }

  /** Keeps at most `limit` listed records of the server: the oldest finished go first; unfinished work is never put away here. */
  private trim(serverId: string): void {
    const listed = this.store.all().filter((record) => record.serverId === serverId && record.teamListed === true);
    const excess = listed.length - this.limit;
    if (excess <= 0) return;
    const finished = listed.filter((record) => isTerminal(record.status)).sort((a, b) => compareAsc(a.createdAt, b.createdAt));
    const out = finished.slice(0, excess);
    const dropped = this.droppedOf(serverId);
    for (const record of out) if (record.taskId) dropped.add(record.taskId);
    this.store.removeMany(out.map((record) => record.id));
  }

  private schedule(server: TeamServer, delayMs: number): void {
    this.options.scheduler.schedule(keyOf(server.id), delayMs, async () => {
      if (this.watched.get(server.id) !== server) return;
      try {
        await this.listOnce(server);
      } catch (error) {
        this.log.warn(`[team] ${server.name}: could not list the team's tasks: ${(error as Error).message}`);
      }
      if (this.watched.get(server.id) === server && !this.disposed) this.schedule(server, this.intervalMs);
    });
  }

  /** A listed record removed (by the person, retention or `trim`): its task is not brought back while listed. */
  private forgetRemoved(id: string): void {
    const known = this.listedIds.get(id);
    if (!known) return;
    this.listedIds.delete(id);
    this.outcomesAsked.delete(id);
    this.droppedOf(known.serverId).add(known.taskId);
  }

  private droppedOf(serverId: string): Set<string> {
    let set = this.dropped.get(serverId);
    if (!set) this.dropped.set(serverId, (set = new Set()));
    return set;
  }
}

function keyOf(serverId: string): string {
  return `team-listing\0${serverId}`;
}

function compareAsc(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDesc(a: string, b: string): number {
  return compareAsc(b, a);
}
