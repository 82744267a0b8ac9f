/**
 * Leases on unfinished work, for several instances sharing one database. The instance that runs a
 * task holds its lease (`tasks.lease_expires_at`, set with each write and renewed by a heartbeat);
 * a task whose lease ran out belongs to an instance that died (or stalled past its lease), and any
 * instance ends it `failed`, "worker lost", retryable, and says so on TASKS_CHANNEL so the others
 * (the stalled one included, which then stops the work) take the end at once.
 */
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

/** Ends every unfinished task whose lease ran out (or that never had one: a server before leases). */
const END_LOST = `
  WITH changed AS (
    UPDATE tasks SET status = 'failed', status_message = $1, outcome = $2::jsonb, input_requests = '{}'::jsonb,
      last_updated_at = now(), lease_expires_at = NULL,
      ttl_ms = CASE WHEN retention_ms IS NULL THEN NULL
                    ELSE floor(extract(epoch FROM now() - created_at) * 1000)::bigint + retention_ms END
    WHERE status IN ${UNFINISHED} AND NOT queued AND (lease_expires_at IS NULL OR lease_expires_at < now())
    RETURNING task_id)
  ${announceChanged('NULL')}`;

const RENEW = `UPDATE tasks SET lease_expires_at = now() + $2 * interval '1 millisecond' WHERE instance_id = $1 AND status IN ${UNFINISHED}`;

/** Ends the work of dead instances now, announced to every instance (none wrote it as its own); returns how many tasks it ended. */
export async function endLostWork(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ changed: number }>(END_LOST, [WORKER_LOST_MESSAGE, JSON.stringify(WORKER_LOST_OUTCOME)]);
  return rows[0]?.changed ?? 0;
}

export interface TaskLeasesOptions {
  readonly instanceId: string;
  readonly leaseMs: number;
  readonly log?: Logger;
  readonly now?: () => number;
}

/**
 * This instance's heartbeat on its own leases, and its watch for other instances' lapsed ones.
 * After the database was away every lease may have lapsed though their instances live: this
 * instance ends others' work only once it has been connected a whole lease again, by which time
 * every live instance has renewed its own.
 */
export class TaskLeases extends Disposable {
  private failing = false;
  /** Since when the heartbeat has reached the database without a break (ms since the epoch). */
  private connectedSince: number;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(
    private readonly pool: Pool,
    private readonly options: TaskLeasesOptions,
  ) {
    super();
    this.log = options.log ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.connectedSince = this.now();
    // Renewed three times a lease, so one slow round trip never lets it lapse.
    const heartbeat = setInterval(() => void this.beat(), Math.max(50, Math.floor(options.leaseMs / 3)));
    heartbeat.unref();
    this._register(toDisposable(() => clearInterval(heartbeat)));
  }

  private async beat(): Promise<void> {
    try {
      await this.pool.query(RENEW, [this.options.instanceId, this.options.leaseMs]);
      if (this.failing) {
        this.log.info('[store] renewing leases again');
        this.failing = false;
        this.connectedSince = this.now();
      }
      if (this.now() - this.connectedSince >= this.options.leaseMs) await endLostWork(this.pool);
    } catch (error) {
      if (!this.failing) this.log.warn(`[store] cannot renew this server's leases (${connectionProblem(error)}); retrying`);
      this.failing = true;
    }
  }
}
