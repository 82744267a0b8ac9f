/**
 * What `--store postgres://…` gives the standalone server: a database brought to this server's
 * schema, an audited engine whose tasks are mirrored to it (and those of an earlier run put
 * back), and the principals' tokens. The server entry point only asks for this and closes it.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Pool } from 'pg';
import { type Logger, silentLogger } from '../../core/logger';
import type { EngineOptions } from '../engine/taskEngine';
import type { EngineTask, StartOptions } from '../engine/engineTask';
import { UNLIMITED } from '../engine/scheduler';
import { AuditedTaskEngine } from './auditedEngine';
import { ChannelListener } from './channelListener';
import { describeDatabase, openDatabase } from './database';
import { DurableTasks, recoverTasks } from './durableTasks';
import { migrate } from './migrations';
import { TOKENS_CHANNEL } from './principals';
import { DEFAULT_LEASE_MS, type LostWorkPolicy, TASKS_CHANNEL, TaskLeases } from './taskLeases';
import { COMMANDS_CHANNEL, TeamSync, taskIdsNamed } from './teamSync';
import { TeamQueue, queuedForTeam } from './teamQueue';
import { TeamLimits } from './teamLimits';
import { isTerminal } from '../../core/taskStatus';
import type { Wire } from '../wire';
import { TokenDirectory } from './tokenDirectory';

export interface TeamStoreOptions {
  /** Whether a task created on a wire may run on any instance (the server's wires know); none when not given. */
  readonly runsAnywhere?: (wire: Wire | undefined) => boolean;
  /** How long this instance's hold on its unfinished work lasts without a heartbeat (ms). */
  readonly leaseMs?: number;
  /** The machine reported for the tasks this instance runs (`dev.tasklane/agent`); its host name when not given. */
  readonly machine?: string;
  /** Tools marked idempotent: a task of the team's queue whose instance died runs again (taskLeases.ts); none when not given. */
  readonly rerunTools?: readonly string[];
  readonly log?: Logger;
}

export interface TeamStore {
  readonly engine: AuditedTaskEngine;
  /** The principal an HTTP bearer token stands for (a token in the database, not revoked), or undefined. */
  readonly authenticate: (token: string) => string | undefined;
  /** How many tokens the database holds right now. */
  readonly tokenCount: () => number;
  /** Starts claiming work from the team's queue; `startOptionsOf` rebuilds a claimed task's work (the server's tools). */
  startQueue(startOptionsOf: (task: EngineTask) => StartOptions | undefined): Promise<void>;
  /** Before a request is served: loads the tasks it names that other instances created (the HTTP server's `beforeServing`). */
  readonly beforeServing: (body: unknown) => Promise<void>;
  /** Writes what is still queued, then lets the database go. */
  close(): Promise<void>;
}

/** Opens the team database at `url`; throws DatabaseError (message without the password) when it cannot be used. */
export async function openTeamStore(url: string, engineOptions: EngineOptions, options: TeamStoreOptions = {}): Promise<TeamStore> {
  // A server that stalls inside a transaction (holding the team's claim lock, say) must not hold up
  // the team past its lease: the database ends such a session after half a lease idle.
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const pool = await openDatabase(url, { options: `-c idle_in_transaction_session_timeout=${Math.ceil(leaseMs / 2)}` });
  try {
    return await startOn(pool, url, engineOptions, options);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

async function startOn(pool: Pool, url: string, engineOptions: EngineOptions, options: TeamStoreOptions): Promise<TeamStore> {
  const log = options.log ?? silentLogger;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const instanceId = randomUUID();
  const machine = options.machine ?? hostname();
  const schema = await migrate(pool, url);
  if (schema.to !== schema.from) log.info(`[store] schema of ${describeDatabase(url)} upgraded from version ${schema.from} to ${schema.to}`);
  let durable: DurableTasks | undefined;
  let sync: TeamSync | undefined;
  let tokens: TokenDirectory | undefined;
  // Keys and rates hold across the team: the engine asks the database before it creates a task.
  const admission: TeamLimits = new TeamLimits(pool, {
    leaseMs,
    log,
    load: (taskId) => sync?.load([taskId]) ?? Promise.resolve(),
    endedHere: (taskId: string): boolean => {
      const task: EngineTask | undefined = engine.peek(taskId);
      return task !== undefined && isTerminal(task.status);
    },
    flushed: () => durable?.flushed() ?? Promise.resolve(),
  });
  const engine: AuditedTaskEngine = new AuditedTaskEngine(
    {
      ...engineOptions,
      // A board principal sees the whole team's tasks; the directory knows each principal's role.
      seesEveryTask: (owner) => tokens?.seesEveryTask(owner) ?? false,
      machine,
      sharedQueue: (start) => queuedForTeam(start, options.runsAnywhere ?? (() => false)),
      admission,
    },
    (entry) => durable?.audit(entry),
    (answer) => {
      sync?.forward(answer).then(
        (sent) => sent || log.warn(`[store] the answer to task ${answer.taskId} found no open question in the database`),
        (error: unknown) => log.warn(`[store] could not pass on the answer to task ${answer.taskId} (${String(error)})`),
      );
    },
  );
  const rerunTools = options.rerunTools ?? [];
  const lostWork: LostWorkPolicy = { leaseMs, rerunTools };
  const recovered = await recoverTasks(pool, engine, lostWork);
  log.info(
    `[store] ${describeDatabase(url)}: ${recovered.adopted} finished task(s) kept, ${recovered.running} running on other instances, ${recovered.lost} ended "worker lost", ${recovered.requeued} queued to run again`,
  );
  durable = new DurableTasks(pool, engine, { instanceId, leaseMs, log });
  const leases = new TaskLeases(pool, {
    instanceId,
    lostWork,
    log,
    // What the fence stops: claimed work of the tools another instance would run again.
    holder: {
      rerunnable: () =>
        engine.shared
          .claimedRunning()
          .filter((task) => rerunTools.includes(task.tool))
          .map((task) => task.taskId),
      relinquish: (taskId) => engine.shared.relinquish(taskId),
      runsHere: (taskId) => engine.shared.runsHere(taskId),
    },
  });
  // One listening connection for all that follows the team (a pooled connection cannot LISTEN).
  const channels = await ChannelListener.open({ url, channels: [TASKS_CHANNEL, COMMANDS_CHANNEL, TOKENS_CHANNEL], log });
  sync = await TeamSync.open(pool, engine, durable, (answer) => engine.answerForwarded(answer), { channels, instanceId, log });
  tokens = await TokenDirectory.open(pool, channels, { log });
  const directory = tokens;
  let queue: TeamQueue | undefined;
  let closing: Promise<void> | undefined;
  return {
    engine,
    authenticate: directory.authenticate,
    tokenCount: () => directory.size,
    beforeServing: (body) => sync.load(taskIdsNamed(body)),
    startQueue: async (startOptionsOf) => {
      queue ??= await TeamQueue.open(pool, engine, durable, {
        channels,
        instanceId,
        leaseMs,
        limits: engineOptions.scheduler ?? UNLIMITED,
        machine,
        startOptionsOf,
        log,
      });
    },
    close: () =>
      (closing ??= (async () => {
        directory.dispose();
        queue?.dispose();
        sync.dispose();
        channels.dispose();
        leases.dispose();
        await durable.flushed();
        durable.dispose();
        await pool.end();
      })()),
  };
}
