import { Disposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { UNANSWERED_START } from '../../core/reloadInterruption';
import type { TaskRecord } from '../../core/taskRecord';
import type { TaskStore } from '../../core/taskStore';
import { isTerminal } from '../../core/taskStatus';
import type { RemoteTaskState } from '../wires/remoteTask';
import type { TaskFollower } from './taskFollower';
import type { TaskWireClient } from './taskWire';

/**
 * How far apart the host's clock when it sent a start and the server's `createdAt` of the task may
 * be for the two to be taken as one: network delay, a queued request, and the two clocks' drift.
 */
export const START_MATCH_WINDOW_MS = 60_000;

/** The server as this needs it: how people know it, and its connection. */
export interface UnansweredStartsServer {
  readonly id: string;
  readonly name: string;
  readonly client: TaskWireClient;
}

export interface UnansweredStartsOptions {
  /** Every task the server lists for this client, across pages. */
  readonly listRemote: (serverId: string) => Promise<RemoteTaskState[]>;
  /** The start of this record is still being sent or answered in this session. */
  readonly inFlight: (id: string) => boolean;
  /** The server is still connected through this client (the answer to a list may come after it left). */
  readonly isConnected: (server: UnansweredStartsServer) => boolean;
  readonly log?: Logger;
}

/**
 * Starts the host sent and never heard back from: the editor closed (or was killed) after the call
 * that creates a task went out and before the server's answer named the task, so the record has a
 * `startIntent` and no task id. When the server connects again, each such start is settled:
 * - the server lists its tasks: the task created at that time is adopted and followed as if the
 *   answer had come; none means the start never reached the server, and the record fails saying so;
 * - the server cannot list: the record says the task may still be running there. Cancelling it ends
 *   it here only (TaskService.cancel), since the server was never told which task to stop.
 */
export class UnansweredStarts extends Disposable {
  private disposed = false;
  private readonly log: Logger;

  constructor(
    private readonly store: TaskStore,
    private readonly follower: TaskFollower,
    private readonly options: UnansweredStartsOptions,
  ) {
    super();
    this.log = options.log ?? silentLogger;
  }

  /** Whether `record` is a start whose answer never came (and is not coming in this session). */
  isUnanswered(record: TaskRecord): boolean {
    return record.startIntent !== undefined && !record.taskId && !isTerminal(record.status) && !record.imported && !this.options.inFlight(record.id);
  }

  /** Settles the unanswered starts on `server`, which has just been connected. Never throws. */
  async reconcile(server: UnansweredStartsServer): Promise<void> {
    if (this.unansweredOn(server.id).length === 0) return;
    if (!server.client.supportsList) {
      for (const record of this.unansweredOn(server.id)) this.mayStillRun(record, server.name);
      return;
    }
    let listed: RemoteTaskState[];
    try {
      listed = await this.options.listRemote(server.id);
    } catch (error) {
      this.log.warn(`[task] could not list the tasks of ${server.name} to find unanswered starts: ${(error as Error).message}`);
      if (this.disposed || !this.options.isConnected(server)) return;
      for (const record of this.unansweredOn(server.id)) this.mayStillRun(record, server.name);
      return;
    }
    // The list took a while: the session may have ended, the server gone, or records changed meanwhile.
    if (this.disposed || !this.options.isConnected(server)) return;
    const known = new Set(this.store.all().flatMap((record) => (record.serverId === server.id && record.taskId ? [record.taskId] : [])));
    const matches = matchUnansweredStarts(
      this.unansweredOn(server.id),
      listed.filter((task) => !known.has(task.taskId)),
    );
    for (const [id, task] of matches) {
      if (task) {
        this.log.info(`[task] ${id} adopted task ${task.taskId} on ${server.name}: its start was sent before the editor closed`);
        this.follower.adopt(id, server.id, task);
      } else {
        this.log.info(`[task] ${id} did not start on ${server.name}: it lists no task from that time`);
        this.follower.finishIfOpen(id, 'failed', { error: { ...UNANSWERED_START.error } }, UNANSWERED_START.statusMessage);
      }
    }
  }

  override dispose(): void {
    this.disposed = true;
    super.dispose();
  }

  private unansweredOn(serverId: string): TaskRecord[] {
    return this.store.all().filter((record) => record.serverId === serverId && this.isUnanswered(record));
  }

  private mayStillRun(record: TaskRecord, serverName: string): void {
    this.store.setStatus(record.id, record.status, mayStillRunMessage(serverName));
  }
}

/** What an unanswered start on a server that cannot list its tasks says. */
export function mayStillRunMessage(serverName: string): string {
  return (
    `May still be running on ${serverName}: the editor closed before the server answered, and it cannot list its tasks for Tasklane to find this one. ` +
    'Cancel to stop tracking it here.'
  );
}

/** How a cancelled unanswered start reads: ended here, perhaps not there. */
export function cancelledHereOnlyMessage(serverName: string): string {
  return `Cancelled in Tasklane only: the editor closed before ${serverName} answered, so the server could not be asked to stop it. It may still be running there.`;
}

/**
 * Pairs each unanswered start with the listed task created closest to the time it was sent, within
 * `START_MATCH_WINDOW_MS`, oldest start first; each task goes to one start at most. A start with
 * no task in its window maps to `undefined`: it never reached the server. The wire carries no key
 * of the client's on a listed task, so time is the one thing both sides know.
 */
export function matchUnansweredStarts(
  starts: readonly TaskRecord[],
  listed: readonly RemoteTaskState[],
  windowMs: number = START_MATCH_WINDOW_MS,
): Map<string, RemoteTaskState | undefined> {
  const matches = new Map<string, RemoteTaskState | undefined>();
  const free = listed.filter((task) => !Number.isNaN(Date.parse(task.createdAt)));
  const sent = (record: TaskRecord) => Date.parse(record.startIntent?.at ?? record.createdAt);
  for (const record of [...starts].sort((a, b) => sent(a) - sent(b))) {
    let best: { index: number; distance: number } | undefined;
    for (const [index, task] of free.entries()) {
      const distance = Math.abs(Date.parse(task.createdAt) - sent(record));
      if (distance <= windowMs && (!best || distance < best.distance)) best = { index, distance };
    }
    matches.set(record.id, best ? free.splice(best.index, 1)[0] : undefined);
  }
  return matches;
}
