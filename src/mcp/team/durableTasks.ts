/**
 * The standalone server's tasks in PostgreSQL: a write-through copy of the engine plus a load on
 * start. The engine stays the one that runs and answers (in memory, at its own speed); every
 * creation and change it makes is queued here, latest snapshot per task, and written in one
 * statement per batch, which also renews the lease on the work, records the batch's audit entries
 * and announces the changed ids to the other instances (TASKS_CHANNEL; teamSync.ts applies them
 * there). On start, `recoverTasks` ends (or queues again) the unfinished work of dead instances
 * (taskLeases.ts) and hands every task to the engine:
 * finished ones adopted, other instances' running ones mirrored.
 *
 * Rules of the shared table: the instance that created a task runs it and keeps `instance_id`;
 * another instance writes only an end it made (a cancel through it); and a finished row is never
 * changed again, so the first end written wins everywhere.
 *
 * Writes follow the answer a client gets (the engine's calls are synchronous): a crash loses at
 * most the batch in flight. When the database goes away the copy keeps the latest snapshots and
 * retries; the server goes on serving from memory.
 */
import type { Pool, PoolClient } from 'pg';
import { Emitter, type Event } from '../../core/events';
import { Disposable, type IDisposable, toDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { isTerminal } from '../../core/taskStatus';
import type { EngineTask } from '../engine/engineTask';
import type { TaskEngine } from '../engine/taskEngine';
import { connectionProblem } from './database';
import { type LostWorkPolicy, UNFINISHED, announceChanged, endLostWork } from './taskLeases';
import { TASK_COLUMNS, type TaskRow, type TaskRowInput, fromRow, toRow } from './taskRows';

/** Who did what to a task, for the audit table. `principal` is the task's owner as the engine knows it. */
export interface AuditEntry {
  readonly principal: string;
  readonly action: 'create' | 'cancel' | 'answer' | 'result';
  readonly taskId: string;
  readonly detail?: Record<string, unknown>;
}

/** Runs a write (on the connection it is given) in a transaction of its own making: the team's queue claims in the same one. */
export type QueuedWriter = (write: (client: PoolClient) => Promise<unknown>) => Promise<void>;

export interface DurableTasksOptions {
  /** Names this server in `tasks.instance_id` (which instance runs unfinished work). */
  readonly instanceId: string;
  /** How long a write's lease on unfinished work lasts (ms; the heartbeat renews it). */
  readonly leaseMs: number;
  readonly log?: Logger;
  /** Wait before writing again after a failed write (ms). */
  readonly retryMs?: number;
  /** How often finished tasks whose retention ran out are deleted (ms). */
  readonly sweepMs?: number;
}

const COLUMN_NAMES = TASK_COLUMNS.split(',').map((column) => column.trim().split(/\s+/)[0]);
const UPDATED_COLUMNS = COLUMN_NAMES.filter(
  (name) => !['task_id', 'owner', 'tool', 'created_at', 'retention_ms', 'parent_task_id', 'instance_id'].includes(name),
);

const AUDIT_ROWS = `SELECT r.principal, r.action, r.task_id, r.detail
  FROM jsonb_to_recordset($1::jsonb) AS r(principal text, action text, task_id text, detail jsonb)`;

/**
 * One statement for a batch: insert new tasks (bound to their principal, if one has that name,
 * leased while unfinished), update known ones unless already finished, announce what changed, and
 * record the batch's audit entries ($4), all in one round trip and one commit.
 * Only the instance a row names writes its work's changes (a lost instance's late writes must not
 * touch work queued again or claimed by another); any instance writes a cancel. A row that names
 * no instance and is not queued is a task's first row, written by its idempotency key's claim
 * (teamLimits.ts) before its creator's first write: the creator writes it.
 */
const UPSERT = `
  WITH audited AS (INSERT INTO audit (principal, action, task_id, detail) ${AUDIT_ROWS.replace('$1', '$4')}),
  changed AS (
    INSERT INTO tasks (${COLUMN_NAMES.join(', ')}, principal_id, lease_expires_at)
    SELECT ${COLUMN_NAMES.map((name) => `r.${name}`).join(', ')}, (SELECT p.principal_id FROM principals p WHERE p.name = r.owner),
      CASE WHEN r.status IN ${UNFINISHED} THEN now() + $2 * interval '1 millisecond' END
    FROM jsonb_to_recordset($1::jsonb) AS r(${TASK_COLUMNS})
    ON CONFLICT (task_id) DO UPDATE SET ${UPDATED_COLUMNS.map((name) => `${name} = EXCLUDED.${name}`).join(', ')},
      instance_id = COALESCE(tasks.instance_id, EXCLUDED.instance_id), lease_expires_at = EXCLUDED.lease_expires_at
    WHERE tasks.status IN ${UNFINISHED}
      AND (tasks.instance_id IS NOT DISTINCT FROM EXCLUDED.instance_id OR (tasks.instance_id IS NULL AND NOT tasks.queued) OR EXCLUDED.status = 'cancelled')
    RETURNING task_id)
  ${announceChanged('$3')}`;

/** A batch of audit entries alone (no task changed since the last write). */
const INSERT_AUDIT = `INSERT INTO audit (principal, action, task_id, detail) ${AUDIT_ROWS}`;

const DELETE_EXPIRED = `
  DELETE FROM tasks WHERE status IN ('completed', 'failed', 'cancelled') AND ttl_ms IS NOT NULL
    AND created_at + ttl_ms * interval '1 millisecond' <= now()`;

/**
 * Ends the work of dead instances (taskLeases.ts), deletes expired tasks, and hands the rest to
 * `engine`, oldest first: finished ones adopted, the running work of live instances mirrored.
 */
export async function recoverTasks(
  pool: Pool,
  engine: TaskEngine,
  lostWork: LostWorkPolicy,
): Promise<{ adopted: number; running: number; lost: number; requeued: number }> {
  const { ended: lost, requeued } = await endLostWork(pool, lostWork);
  await pool.query(DELETE_EXPIRED);
  const { rows } = await pool.query<TaskRow>('SELECT * FROM tasks ORDER BY created_at, task_id');
  let running = 0;
  for (const row of rows) {
    const { task, retention } = fromRow(row);
    if (isTerminal(task.status)) engine.shared.adopt(task, retention);
    else {
      engine.shared.apply(task, retention);
      running++;
    }
  }
  return { adopted: rows.length - running, running, lost, requeued };
}

export class DurableTasks extends Disposable {
  private readonly pending = new Map<string, EngineTask>();
  /** Tasks created since the last write that went to the team's queue rather than to this instance. */
  private readonly queued = new Set<string>();
  /** Granted retention of tasks created since the last write: the first snapshot's TTL. */
  private readonly retentions = new Map<string, number | null>();
  private audits: AuditEntry[] = [];
  private writing: Promise<void> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failing = false;
  private readonly _onDidQueue = this._register(new Emitter<void>());
  /** A write put new tasks in the team's queue: this instance may claim them at once (unless a QueuedWriter did). */
  readonly onDidQueue: Event<void> = this._onDidQueue.event;
  private queuedWriter: QueuedWriter | undefined;
  /** Set while the store's own word is applied to the engine: those changes are not written back. */
  private applying = false;
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
        if (engine.shared.runsElsewhere(task.taskId)) this.queued.add(task.taskId);
        this.audit({ principal: task.owner, action: 'create', taskId: task.taskId, detail: { tool: task.tool } });
        this.queue(task);
      }),
    );
    this._register(
      engine.onDidChange((task) => {
        // Another instance's running work is written by that instance; an end made here is written here.
        if (this.applying || (engine.shared.runsElsewhere(task.taskId) && !isTerminal(task.status))) return;
        this.queue(task);
      }),
    );
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

  /** Runs `apply` (the store's word reaching the engine) without writing its changes back. */
  applyingStore<T>(apply: () => T): T {
    this.applying = true;
    try {
      return apply();
    } finally {
      this.applying = false;
    }
  }

  /**
   * From now on a write that puts new tasks in the team's queue goes through `writer`, which claims
   * what the team's limits allow in the same transaction: one commit for the queued rows and their
   * claim, instead of a write and then a claim.
   */
  writeQueuedThrough(writer: QueuedWriter): IDisposable {
    this.queuedWriter = writer;
    return toDisposable(() => {
      if (this.queuedWriter === writer) this.queuedWriter = undefined;
    });
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
    const rows: TaskRowInput[] = batch.map((task) =>
      toRow(task, this.retentions.get(task.taskId) ?? null, this.queued.has(task.taskId) ? 'queued' : { instanceId: this.options.instanceId }),
    );
    const auditRows = JSON.stringify(audits.map((a) => ({ ...a, task_id: a.taskId, detail: a.detail ?? null })));
    const queuesWork = rows.some((row) => row.queued);
    const writer = queuesWork ? this.queuedWriter : undefined;
    const upsert = (db: Pool | PoolClient) => db.query(UPSERT, [JSON.stringify(rows), this.options.leaseMs, this.options.instanceId, auditRows]);
    try {
      if (rows.length > 0) await (writer ? writer(upsert) : upsert(this.pool));
      else if (audits.length > 0) await this.pool.query(INSERT_AUDIT, [auditRows]);
      for (const task of batch) {
        this.retentions.delete(task.taskId);
        this.queued.delete(task.taskId);
      }
      if (queuesWork && !writer) this._onDidQueue.fire();
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
