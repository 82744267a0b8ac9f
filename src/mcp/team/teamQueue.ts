/**
 * The team's queue: tasks the engine placed in it (EngineOptions.sharedQueue) wait as `queued`
 * rows until an instance claims one, and the instance that claims it runs it. One claim at a time
 * across the team (an advisory lock), so the scheduler's rules hold for the whole team: at most
 * `maxConcurrent` tasks run at once, `toolLimits` per tool and `maxPerPrincipal` per principal,
 * counting every instance's running work; the highest priority goes first, then the oldest; a task
 * is not claimed before its `run_after`. An instance claims in the same transaction as its write of
 * new queued tasks (writeAndClaim); when the last round left work the limits held back, again when a
 * task ends here or on another instance (TASKS_CHANNEL: a slot may have freed); and every `pollMs`,
 * for run-after times and for work another instance queued and left.
 *
 * A queued task outlives the instance it was created on: it has no instance, so no lease to lapse,
 * and another instance claims it (at the latest on its next poll).
 */
import type { Pool, PoolClient } from 'pg';
import { Disposable, toDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { isTerminal } from '../../core/taskStatus';
import type { EngineTask, StartOptions } from '../engine/engineTask';
import type { SchedulerLimits } from '../engine/scheduler';
import type { TaskEngine } from '../engine/taskEngine';
import type { Wire } from '../wire';
import type { ChannelListener } from './channelListener';
import { connectionProblem, inTransaction } from './database';
import type { DurableTasks } from './durableTasks';
import { TASKS_CHANNEL, UNFINISHED } from './taskLeases';
import { type TaskRow, fromRow } from './taskRows';

/**
 * Which new tasks go to the team's queue: those of a wire whose work any instance can rebuild
 * from the task (2026-07-28: its questions reach the asker through any instance), unless they wait
 * for another task (that prerequisite is kept by the creating instance's scheduler). A 2025-11-25
 * session's tasks run on its instance: their questions go to that session.
 */
export function queuedForTeam(options: StartOptions, runsAnywhere: (wire: Wire | undefined) => boolean): boolean {
  return runsAnywhere(options.wire) && options.afterTaskId === undefined;
}

/** The advisory lock a claim holds ("claim" in ASCII): claims are one at a time across the team. */
const CLAIM_LOCK = 0x636c61696d;

/** How many waiting tasks one claim looks through for those the limits allow. */
const CANDIDATES = 100;

/** How many tasks one instance claims at once at most, so a burst spreads over the instances. */
const BATCH = 16;

/** TeamLoad in one statement (one snapshot, taken under the lock). */
const RUNNING_AND_WAITING = `
  SELECT
    (SELECT coalesce(json_agg(r), '[]') FROM (
      SELECT tool, owner, count(*)::int AS count FROM tasks WHERE status IN ${UNFINISHED} AND NOT queued GROUP BY tool, owner) r) AS running,
    (SELECT coalesce(json_agg(w ORDER BY w.priority DESC, w.created_at, w.task_id), '[]') FROM (
      SELECT task_id, tool, owner, priority, created_at FROM tasks
      WHERE queued AND status = 'working' AND (run_after IS NULL OR run_after <= now())
      ORDER BY priority DESC, created_at, task_id LIMIT ${CANDIDATES}) w) AS waiting`;

/** Claims one task for this instance, leased, and tells the other instances (delivered at commit). */
const CLAIM = `
  WITH changed AS (
    UPDATE tasks SET queued = false, instance_id = $2, lease_expires_at = now() + $3 * interval '1 millisecond', machine = COALESCE($4, machine),
      attempt = COALESCE(attempt, 0) + 1
    WHERE task_id = ANY($1) AND queued AND status = 'working'
    RETURNING *),
  notified AS (
    SELECT pg_notify('${TASKS_CHANNEL}', json_build_object('instance', $2::text, 'ids', array_agg(task_id))::text) FROM changed HAVING count(*) > 0)
  SELECT changed.*, (SELECT count(*) FROM notified) AS notified FROM changed ORDER BY priority DESC, created_at, task_id`;

/** What a claim reads under the lock: the team's running work by tool and owner, and the waiting tasks in queue order. */
interface TeamLoad {
  readonly running: readonly { tool: string; owner: string; count: number }[];
  readonly waiting: readonly { task_id: string; tool: string; owner: string }[];
}

export interface TeamQueueOptions {
  /** The instance's listening connection. */
  readonly channels: ChannelListener;
  readonly instanceId: string;
  readonly leaseMs: number;
  readonly limits: SchedulerLimits;
  /** This instance's machine, which a claimed task runs on from now. */
  readonly machine?: string;
  /** Rebuilds a claimed task's work from the task (undefined: this instance cannot run it). */
  readonly startOptionsOf: (task: EngineTask) => StartOptions | undefined;
  readonly log?: Logger;
  readonly pollMs?: number;
}

export class TeamQueue extends Disposable {
  private claiming: Promise<void> | undefined;
  private again = false;
  private failing = false;
  private closed = false;
  /**
   * Whether the last claim round left waiting work the team's limits held back: only then can this
   * instance's own work ending (a freed slot) let a claim take more. Work queued later kicks a claim itself.
   */
  private blocked = true;
  private readonly log: Logger;

  private constructor(
    private readonly pool: Pool,
    private readonly engine: TaskEngine,
    private readonly durable: DurableTasks,
    private readonly options: TeamQueueOptions,
  ) {
    super();
    this.log = options.log ?? silentLogger;
  }

  static async open(pool: Pool, engine: TaskEngine, durable: DurableTasks, options: TeamQueueOptions): Promise<TeamQueue> {
    const queue = new TeamQueue(pool, engine, durable, options);
    queue._register(
      options.channels.subscribe({
        channels: [TASKS_CHANNEL],
        purpose: "the team's queue",
        // Another instance's change may free a slot that work held back by the limits waits for.
        // Work another instance queues, it claims in the same transaction itself; what it leaves
        // (limits, or it died) is held back, or found by the poll. This instance's own changes are
        // seen where they are made (its writes of queued tasks, its work's ends).
        onNotification: (_channel, payload) => {
          if (writerOf(payload) !== options.instanceId && (queue.blocked || queue.failing)) queue.kick();
        },
        onListening: async () => queue.kick(),
      }),
    );
    queue._register(
      engine.onDidChange((task) => (queue.blocked || queue.failing) && isTerminal(task.status) && !engine.shared.runsElsewhere(task.taskId) && queue.kick()),
    );
    queue._register(durable.onDidQueue(() => queue.kick()));
    queue._register(durable.writeQueuedThrough((write) => queue.writeAndClaim(write)));
    const poll = setInterval(() => queue.kick(), options.pollMs ?? 500);
    poll.unref();
    queue._register(toDisposable(() => clearInterval(poll)));
    queue.kick();
    return queue;
  }

  /** Claims what the team's limits allow now; one round at a time, another after it if asked meanwhile. */
  kick(): void {
    if (this.closed) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    this.claiming = this.claimAll()
      .catch((error: unknown) => {
        if (!this.failing) this.log.warn(`[store] cannot claim work from the team's queue (${connectionProblem(error)}); retrying`);
        this.failing = true;
      })
      .finally(() => {
        this.claiming = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async claimAll(): Promise<void> {
    while (!this.closed) {
      const rows = await this.claimSome();
      this.failing = false;
      for (const row of rows) this.runClaimed(row);
      // Fewer than a batch: the round took all it could; what is queued after it kicks another.
      if (rows.length < BATCH) return;
    }
  }

  /**
   * Runs `write` (this instance's write of new queued tasks) and a claim round in one transaction:
   * the queued rows and their claim are committed together. The lock is taken first, as by every
   * claim, so no transaction holding it ever waits for one that wants it.
   */
  async writeAndClaim(write: (client: PoolClient) => Promise<unknown>): Promise<void> {
    const rows = await this.claimSome(write);
    for (const row of rows) this.runClaimed(row);
    if (rows.length >= BATCH) this.kick();
  }

  /** The best waiting tasks the team's limits let start now (BATCH at most), claimed for this instance (after `write`, in the same transaction). */
  private async claimSome(write?: (client: PoolClient) => Promise<unknown>): Promise<TaskRow[]> {
    return inTransaction(
      this.pool,
      async (client) => {
        await write?.(client);
        const { chosen, blocked } = await this.choose(client);
        this.blocked = blocked;
        if (chosen.length === 0) return [];
        return (await client.query<TaskRow>(CLAIM, [chosen, this.options.instanceId, this.options.leaseMs, this.options.machine ?? null])).rows;
      },
      `SELECT pg_advisory_xact_lock(${CLAIM_LOCK})`,
    );
  }

  /** In queue order, the waiting tasks that fit the team's free slots (overall, per tool and per principal), and whether any was held back. */
  private async choose(client: PoolClient): Promise<{ chosen: string[]; blocked: boolean }> {
    const { maxConcurrent, toolLimits, maxPerPrincipal = Infinity } = this.options.limits;
    const byTool = new Map<string, number>();
    const byOwner = new Map<string, number>();
    const add = (map: Map<string, number>, key: string, count: number) => map.set(key, (map.get(key) ?? 0) + count);
    let free = maxConcurrent;
    const { running, waiting } = (await client.query<TeamLoad>(RUNNING_AND_WAITING)).rows[0]!;
    for (const row of running) {
      add(byTool, row.tool, row.count);
      add(byOwner, row.owner, row.count);
      free -= row.count;
    }
    const chosen: string[] = [];
    let blocked = waiting.length >= CANDIDATES;
    for (const row of waiting) {
      if (free <= 0 || chosen.length >= BATCH) {
        blocked ||= free <= 0;
        break;
      }
      if ((byTool.get(row.tool) ?? 0) >= (toolLimits[row.tool] ?? Infinity) || (byOwner.get(row.owner) ?? 0) >= maxPerPrincipal) {
        blocked = true;
        continue;
      }
      add(byTool, row.tool, 1);
      add(byOwner, row.owner, 1);
      chosen.push(row.task_id);
      free--;
    }
    return { chosen, blocked };
  }

  private runClaimed(row: TaskRow): void {
    const { task, retention } = fromRow(row);
    let options: StartOptions | undefined;
    try {
      options = this.options.startOptionsOf(task);
    } catch (error) {
      this.log.warn(`[store] cannot run claimed task ${task.taskId} (${(error as Error).message})`);
    }
    this.durable.applyingStore(() =>
      this.engine.shared.run(
        task,
        retention,
        options ?? {
          owner: task.owner,
          tool: task.tool,
          settle: () => ({ status: 'failed' }),
          run: () => Promise.reject(new Error(`This server cannot run ${task.tool} for a task from the team's queue`)),
        },
      ),
    );
  }

  override dispose(): void {
    this.closed = true;
    super.dispose();
  }
}

/** The instance a TASKS_CHANNEL notification names as its writer (null: the lease reaper, every instance's). */
function writerOf(payload: string): unknown {
  try {
    return (JSON.parse(payload) as { instance?: unknown }).instance;
  } catch {
    return undefined;
  }
}
