/**
 * Leases on unfinished work, for several instances sharing one database. The instance that runs a
 * task holds its lease (`tasks.lease_expires_at`, set with each write and renewed by a heartbeat);
 * a task whose lease ran out (by a margin) belongs to an instance that died (or stalled past its
 * lease), and any instance ends it `failed`, "worker lost", retryable, or, when it came from the
 * team's queue and its tool is idempotent, puts it back in the queue to run again (a few attempts
 * at most); and says so on TASKS_CHANNEL so the others (the stalled one included) take it at once.
 *
 * No task runs twice at once: an instance that has not renewed its leases for a whole lease (its
 * own monotonic clock, from when it sent the last renewal that succeeded) stops the work that
 * could run again elsewhere before any other instance may take it, which is a lease plus the
 * margin after that renewal reached the database. The limits are in docs/team.md ("Leases").
 */
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { Disposable, toDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { RpcCode } from '../rpcError';
import type { TaskOutcome } from '../engine/engineTask';
import { connectionProblem } from './database';

/** How long an instance's hold on its unfinished work lasts without a heartbeat (ms). */
export const DEFAULT_LEASE_MS = 10_000;

/** Task changes, as `{"instance": id, "ids": [...]}`: every instance but the writer reads those rows again. */
export const TASKS_CHANNEL = 'tasklane_tasks';

/** How a task whose instance died ends. */
export const WORKER_LOST_MESSAGE = 'Worker lost: the server running this task stopped before it finished; it may be run again';

export const WORKER_LOST_OUTCOME: TaskOutcome = {
  kind: 'error',
  error: { code: RpcCode.InternalError, message: WORKER_LOST_MESSAGE, data: { reason: 'worker lost', retryable: true } },
};

export const UNFINISHED = `('working', 'input_required')`;

/**
 * The end of a statement whose `changed` CTE returns task ids: announces them, 150 to a
 * notification (a payload must stay under 8000 bytes), and returns how many changed.
 * `instance` is the parameter that names the writer.
 */
export function announceChanged(instance: string): string {
  return `, notified AS (
      SELECT pg_notify('${TASKS_CHANNEL}', json_build_object('instance', ${instance}::text, 'ids', array_agg(task_id))::text)
      FROM (SELECT task_id, (row_number() OVER ()) / 150 AS chunk FROM changed) numbered GROUP BY chunk)
    SELECT (SELECT count(*) FROM changed)::int AS changed, (SELECT count(*) FROM notified)::int AS notifications`;
}

/** How many times a task of the team's queue runs in all when the instances running it are lost. */
export const MAX_ATTEMPTS = 3;

/**
 * How long past a lapsed lease the work is taken from its instance: covers that instance's own stop
 * coming late (a timer behind a busy event loop) and clock rates differing a little.
 */
export function reapMarginMs(leaseMs: number): number {
  return Math.ceil(leaseMs / 10);
}

/** The status of a lost task queued again; `%s` is the attempt it waits for (SQL `format`). */
const RERUN_MESSAGE = `Re-running: the instance running it was lost (attempt %s of ${MAX_ATTEMPTS})`;

/** What becomes of the work of a lost instance. */
export interface LostWorkPolicy {
  /** The team's lease (ms): a task is lost a margin after its lease ran out. */
  readonly leaseMs: number;
  /** Tools marked idempotent (`idempotentHint`): their lost work from the team's queue runs again. */
  readonly rerunTools: readonly string[];
  /** Attempts in all, the first included (MAX_ATTEMPTS unless a test says). */
  readonly maxAttempts?: number;
}

const LAPSED = `status IN ${UNFINISHED} AND NOT queued AND (lease_expires_at IS NULL OR lease_expires_at < now() - $1 * interval '1 millisecond')`;
/** Claimed from the team's queue (it has attempts), of an idempotent tool, with attempts left. */
const RUNS_AGAIN = `(attempt IS NOT NULL AND attempt < $2 AND tool = ANY($3))`;

/**
 * Puts back in the queue the lost work that runs again (no instance, no lease: any instance claims
 * it), and ends every other unfinished task whose lease ran out (or that never had one: a server
 * before leases) `failed`, "worker lost".
 */
const END_LOST = `
  WITH requeued AS (
    UPDATE tasks SET queued = true, instance_id = NULL, lease_expires_at = NULL, status = 'working',
      status_message = format($4, attempt + 1), input_requests = '{}'::jsonb, last_updated_at = now()
    WHERE ${LAPSED} AND ${RUNS_AGAIN}
    RETURNING task_id),
  ended AS (
    UPDATE tasks SET status = 'failed', status_message = $5, outcome = $6::jsonb, input_requests = '{}'::jsonb,
      last_updated_at = now(), lease_expires_at = NULL,
      ttl_ms = CASE WHEN retention_ms IS NULL THEN NULL
                    ELSE floor(extract(epoch FROM now() - created_at) * 1000)::bigint + retention_ms END
    WHERE ${LAPSED} AND NOT ${RUNS_AGAIN}
    RETURNING task_id),
  changed AS (SELECT task_id FROM requeued UNION ALL SELECT task_id FROM ended)
  ${announceChanged('NULL')}, (SELECT count(*) FROM requeued)::int AS requeued`;

/**
 * Renews this instance's leases, but not on the work it stopped (`$3`): that lease must run out.
 * Returns the tasks renewed, and those stopped ones the database still names this instance for.
 */
const RENEW = `
  WITH renewed AS (
    UPDATE tasks SET lease_expires_at = now() + $2 * interval '1 millisecond'
    WHERE instance_id = $1 AND status IN ${UNFINISHED} AND task_id <> ALL($3)
    RETURNING task_id)
  SELECT task_id, true AS renewed FROM renewed
  UNION ALL
  SELECT task_id, false FROM tasks WHERE instance_id = $1 AND status IN ${UNFINISHED} AND task_id = ANY($3)`;

/** Ends or queues again the work of dead instances now, announced to every instance (none wrote it as its own). */
export async function endLostWork(pool: Pool, policy: LostWorkPolicy): Promise<{ ended: number; requeued: number }> {
  const { rows } = await pool.query<{ changed: number; requeued: number }>(END_LOST, [
    reapMarginMs(policy.leaseMs),
    policy.maxAttempts ?? MAX_ATTEMPTS,
    policy.rerunTools,
    RERUN_MESSAGE,
    WORKER_LOST_MESSAGE,
    JSON.stringify(WORKER_LOST_OUTCOME),
  ]);
  const requeued = rows[0]?.requeued ?? 0;
  return { ended: (rows[0]?.changed ?? 0) - requeued, requeued };
}

/** The engine's side of the fence: the work this instance runs that another could run again. */
export interface LeaseHolder {
  /** Ids of the work running here that came from the team's queue and whose tool runs again. */
  rerunnable(): readonly string[];
  /** Stops that work here, leaving the task to the database's word (ended or run again elsewhere). */
  relinquish(taskId: string): void;
  /** Whether the task's work runs here now (claimed again since it was stopped, say). */
  runsHere(taskId: string): boolean;
}

export interface TaskLeasesOptions {
  readonly instanceId: string;
  readonly lostWork: LostWorkPolicy;
  readonly holder?: LeaseHolder;
  readonly log?: Logger;
  readonly now?: () => number;
}

/**
 * This instance's heartbeat on its own leases, its fence, and its watch for other instances'
 * lapsed ones. After the database was away every lease may have lapsed though their instances
 * live: this instance ends others' work only once it has been connected a whole lease again, by
 * which time every live instance has renewed its own.
 *
 * The fence: a whole lease after sending the last renewal that succeeded, this instance stops the
 * work another may run again (LeaseHolder) and renews it no more; a heartbeat that finds such work
 * no longer this instance's in the database (a pause the clock did not see) stops it too.
 */
export class TaskLeases extends Disposable {
  private failing = false;
  /** Since when the heartbeat has reached the database without a break (ms since the epoch). */
  private connectedSince: number;
  /** When the last renewal that succeeded was sent (monotonic ms): the leases run at least a lease from then. */
  private renewedAt = performance.now();
  private fenceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Work stopped by the fence that the database may still name this instance for: never renewed. */
  private fenced = new Set<string>();
  private readonly leaseMs: number;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(
    private readonly pool: Pool,
    private readonly options: TaskLeasesOptions,
  ) {
    super();
    this.leaseMs = options.lostWork.leaseMs;
    this.log = options.log ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.connectedSince = this.now();
    // Renewed three times a lease, so one slow round trip never lets it lapse.
    const heartbeat = setInterval(() => void this.beat(), Math.max(50, Math.floor(this.leaseMs / 3)));
    heartbeat.unref();
    this.armFence();
    this._register(
      toDisposable(() => {
        clearInterval(heartbeat);
        clearTimeout(this.fenceTimer);
      }),
    );
  }

  private async beat(): Promise<void> {
    const holder = this.options.holder;
    const sentAt = performance.now();
    const running = holder?.rerunnable() ?? [];
    const stopped = [...this.fenced].filter((id) => !holder?.runsHere(id));
    try {
      const { rows } = await this.pool.query<{ task_id: string; renewed: boolean }>(RENEW, [this.options.instanceId, this.leaseMs, stopped]);
      if (sentAt > this.renewedAt) this.renewedAt = sentAt;
      this.armFence();
      // Still named for this instance, and stopped since the renewal was sent (the next one leaves those out).
      const stoppedSince = [...this.fenced].filter((id) => !stopped.includes(id) && !holder?.runsHere(id));
      this.fenced = new Set([...rows.filter((row) => !row.renewed).map((row) => row.task_id), ...stoppedSince]);
      const renewed = new Set(rows.filter((row) => row.renewed).map((row) => row.task_id));
      // Work the database gave to no one or another (queued again, ended) after this instance stalled unawares.
      const taken = running.filter((id) => !renewed.has(id) && holder?.runsHere(id));
      if (taken.length > 0) this.relinquish(taken, 'the database no longer names this server as running it');
      if (this.failing) {
        this.log.info('[store] renewing leases again');
        this.failing = false;
        this.connectedSince = this.now();
      }
      if (this.now() - this.connectedSince >= this.leaseMs) {
        const lost = await endLostWork(this.pool, this.options.lostWork);
        if (lost.requeued > 0) this.log.info(`[store] ${lost.requeued} task(s) of lost servers queued to run again`);
      }
    } catch (error) {
      if (!this.failing) this.log.warn(`[store] cannot renew this server's leases (${connectionProblem(error)}); retrying`);
      this.failing = true;
    }
  }

  /** Fires a whole lease after the last renewal that succeeded was sent. */
  private armFence(): void {
    clearTimeout(this.fenceTimer);
    this.fenceTimer = setTimeout(() => this.fence(), Math.max(0, this.renewedAt + this.leaseMs - performance.now()));
    this.fenceTimer.unref();
  }

  /** Stops the work that could run elsewhere; again every margin until a renewal succeeds (work claimed meanwhile too). */
  private fence(): void {
    const running = this.options.holder?.rerunnable() ?? [];
    if (running.length > 0) this.relinquish(running, `its leases ran out unrenewed (${this.leaseMs} ms)`);
    this.fenceTimer = setTimeout(() => this.fence(), reapMarginMs(this.leaseMs));
    this.fenceTimer.unref();
  }

  private relinquish(taskIds: readonly string[], why: string): void {
    for (const id of taskIds) {
      this.options.holder?.relinquish(id);
      this.fenced.add(id);
    }
    this.log.warn(`[store] stopped ${taskIds.length} task(s) another server may run again: ${why}`);
  }
}
