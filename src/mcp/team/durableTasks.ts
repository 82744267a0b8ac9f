/**
 * The standalone server's tasks in PostgreSQL: a write-through mirror of the engine plus a load
 * on start. The engine stays the one that runs and answers (in memory, at its own speed); every
 * creation and change it announces is queued here, latest snapshot per task, and written in one
 * statement per batch. On start, `recover` ends the unfinished work a dead server left behind
 * (`failed`, "worker lost", retryable) and hands every finished, unexpired task to the engine, so
 * a restarted server answers for tasks created before it.
 *
 * Writes follow the answer a client gets (the engine's calls are synchronous): a crash loses at
 * most the batch in flight. When the database goes away the mirror keeps the latest snapshots and
 * retries; the server goes on serving from memory.
 */
import type { Pool } from 'pg';
import { Disposable, toDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { RpcCode } from '../rpcError';
import type { EngineTask, TaskOutcome } from '../engine/engineTask';
import type { TaskEngine } from '../engine/taskEngine';
import { connectionProblem } from './database';
import { TASK_COLUMNS, type TaskRow, type TaskRowInput, fromRow, toRow } from './taskRows';

/** How a task that was unfinished when its server died ends. */
export const WORKER_LOST_MESSAGE = 'Worker lost: the server stopped before this task finished; it may be run again';

export const WORKER_LOST_OUTCOME: TaskOutcome = {
  kind: 'error',
  error: { code: RpcCode.InternalError, message: WORKER_LOST_MESSAGE, data: { reason: 'worker lost', retryable: true } },
};

/** Who did what to a task, for the audit table. `principal` is the task's owner as the engine knows it. */
export interface AuditEntry {
  readonly principal: string;
  readonly action: 'create' | 'cancel' | 'answer' | 'result';
  readonly taskId: string;
  readonly detail?: Record<string, unknown>;
}

export interface DurableTasksOptions {
  /** Names this server in `tasks.instance_id` (which instance runs unfinished work). */
  readonly instanceId: string;
  readonly log?: Logger;
  /** Wait before writing again after a failed write (ms). */
  readonly retryMs?: number;
  /** How often finished tasks whose retention ran out are deleted (ms). */
  readonly sweepMs?: number;
}

const COLUMN_NAMES = TASK_COLUMNS.split(',').map((column) => column.trim().split(/\s+/)[0]);
const UPDATED_COLUMNS = COLUMN_NAMES.filter((name) => !['task_id', 'owner', 'tool', 'created_at', 'retention_ms', 'parent_task_id'].includes(name));

/** One statement for a batch: insert new tasks (bound to their principal, if one has that name), update known ones. */
const UPSERT = `
  INSERT INTO tasks (${COLUMN_NAMES.join(', ')}, principal_id)
  SELECT ${COLUMN_NAMES.map((name) => `r.${name}`).join(', ')}, (SELECT p.principal_id FROM principals p WHERE p.name = r.owner)
  FROM jsonb_to_recordset($1::jsonb) AS r(${TASK_COLUMNS})
  ON CONFLICT (task_id) DO UPDATE SET ${UPDATED_COLUMNS.map((name) => `${name} = EXCLUDED.${name}`).join(', ')}`;

const INSERT_AUDIT = `
  INSERT INTO audit (principal, action, task_id, detail)
  SELECT r.principal, r.action, r.task_id, r.detail FROM jsonb_to_recordset($1::jsonb) AS r(principal text, action text, task_id text, detail jsonb)`;

const DELETE_EXPIRED = `
  DELETE FROM tasks WHERE status IN ('completed', 'failed', 'cancelled') AND ttl_ms IS NOT NULL
    AND created_at + ttl_ms * interval '1 millisecond' <= now()`;

/**
 * Ends the unfinished work a dead server left (failed, worker lost; its TTL the time it ran plus
 * its retention), deletes expired tasks, and adopts the rest into `engine`, oldest first. With one
 * server per database every unfinished row is a dead server's; with several, a lease will say which.
 */
export async function recoverTasks(pool: Pool, engine: TaskEngine): Promise<{ adopted: number; lost: number }> {
  const lost = await pool.query(
    `UPDATE tasks SET status = 'failed', status_message = $1, outcome = $2::jsonb, input_requests = '{}'::jsonb,
       last_updated_at = now(), instance_id = NULL,
       ttl_ms = CASE WHEN retention_ms IS NULL THEN NULL
                     ELSE floor(extract(epoch FROM now() - created_at) * 1000)::bigint + retention_ms END
     WHERE status IN ('working', 'input_required')`,
    [WORKER_LOST_MESSAGE, JSON.stringify(WORKER_LOST_OUTCOME)],
  );
  await pool.query(DELETE_EXPIRED);
  const { rows } = await pool.query<TaskRow>('SELECT * FROM tasks ORDER BY created_at, task_id');
  for (const row of rows) {
    const { task, retention } = fromRow(row);
    engine.adopt(task, retention);
  }
  return { adopted: rows.length, lost: lost.rowCount ?? 0 };
}

export class DurableTasks extends Disposable {
  private readonly pending = new Map<string, EngineTask>();
  /** Granted retention of tasks created since the last write: the first snapshot's TTL. */
  private readonly retentions = new Map<string, number | null>();
  private audits: AuditEntry[] = [];
  private writing: Promise<void> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failing = false;
  private readonly log: Logger;

  constructor(
    private readonly pool: Pool,
    engine: TaskEngine,
    private readonly options: DurableTasksOptions,
  ) {
    super();
    this.log = options.log ?? silentLogger;
    this._register(
      engine.onDidCreate((task) => {
        this.retentions.set(task.taskId, task.ttl);
        this.audit({ principal: task.owner, action: 'create', taskId: task.taskId, detail: { tool: task.tool } });
        this.queue(task);
      }),
    );
    this._register(engine.onDidChange((task) => this.queue(task)));
    const sweep = setInterval(() => {
      this.pool.query(DELETE_EXPIRED).catch(() => undefined);
    }, options.sweepMs ?? 60_000);
    sweep.unref();
    this._register(
      toDisposable(() => {
        clearInterval(sweep);
        clearTimeout(this.retryTimer);
      }),
    );
  }

  audit(entry: AuditEntry): void {
    this.audits.push(entry);
    this.schedule();
  }

  /** Resolves once everything queued before the call is written (or a write failed: then it is queued again). */
  async flushed(): Promise<void> {
    while (this.writing || (!this.failing && (this.pending.size > 0 || this.audits.length > 0))) {
      if (!this.writing) this.schedule();
      await this.writing;
    }
  }

  private queue(task: EngineTask): void {
    this.pending.set(task.taskId, task);
    this.schedule();
  }

  /** One write per turn of the event loop at most: a burst of changes becomes one statement. */
  private schedule(): void {
    if (this.writing || this.retryTimer) return;
    this.writing = new Promise((resolve) => setImmediate(resolve)).then(() => this.writeNow());
  }

  private async writeNow(): Promise<void> {
    const batch = [...this.pending.values()];
    const audits = this.audits;
    this.pending.clear();
    this.audits = [];
    const rows: TaskRowInput[] = batch.map((task) => toRow(task, this.retentions.get(task.taskId) ?? null, this.options.instanceId));
    try {
      if (rows.length > 0) await this.pool.query(UPSERT, [JSON.stringify(rows)]);
      if (audits.length > 0) await this.pool.query(INSERT_AUDIT, [JSON.stringify(audits.map((a) => ({ ...a, task_id: a.taskId, detail: a.detail ?? null })))]);
      for (const task of batch) this.retentions.delete(task.taskId);
      if (this.failing) this.log.info('[store] writing to the database again');
      this.failing = false;
    } catch (error) {
      // Keep what was not written, unless a newer snapshot of the same task came meanwhile.
      for (const task of batch) if (!this.pending.has(task.taskId)) this.pending.set(task.taskId, task);
      this.audits = [...audits, ...this.audits];
      if (!this.failing) this.log.warn(`[store] cannot write to the database (${connectionProblem(error)}); serving from memory and retrying`);
      this.failing = true;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.schedule();
      }, this.options.retryMs ?? 1000);
      this.retryTimer.unref();
    } finally {
      this.writing = undefined;
    }
    if (!this.failing && (this.pending.size > 0 || this.audits.length > 0)) this.schedule();
  }
}
