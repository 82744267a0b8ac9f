/**
 * Idempotency keys and creation rates for the whole team (the engine's SharedAdmission):
 * - a key is claimed by inserting the new task's row with it: the partial unique index on
 *   (owner, idempotency_key) over unfinished rows lets one insert through and skips the others,
 *   which then read the holder. The row is the task's first snapshot (the write-through copy
 *   updates it right after); the end of the task, written like any other change, frees the key.
 *   Only this insert writes the key, so the write-through copy never meets the index.
 * - a principal's tokens are one `creation_buckets` row, refilled and taken in one statement.
 * When the database cannot be asked, each instance decides alone (its own keys and rate) and says
 * so once in its log; it asks again only a second later, so starts do not each wait on a database
 * that is away.
 */
import type { Pool } from 'pg';
import { type Logger, silentLogger } from '../../core/logger';
import type { CreationRate } from '../engine/creationRate';
import type { EngineTask } from '../engine/engineTask';
import type { SharedAdmission, TokenAnswer } from '../engine/sharedAdmission';
import { connectionProblem } from './database';
import { UNFINISHED } from './taskLeases';
import { TASK_COLUMNS, TASK_COLUMN_NAMES, toRow } from './taskRows';

/**
 * Inserts the task's first row with its key, bound to its principal and leased (so a row whose
 * instance died before writing it again ends "worker lost" like any other); no instance yet: the
 * write-through copy says whether it runs here or waits in the team's queue. Returns the id when
 * it holds the key (nothing when another unfinished task does).
 */
const CLAIM = `
  INSERT INTO tasks (${TASK_COLUMN_NAMES.join(', ')}, idempotency_key, principal_id, lease_expires_at)
  SELECT ${TASK_COLUMN_NAMES.map((name) => `r.${name}`).join(', ')}, $2, (SELECT p.principal_id FROM principals p WHERE p.name = r.owner),
    now() + $3 * interval '1 millisecond'
  FROM jsonb_to_recordset($1::jsonb) AS r(${TASK_COLUMNS})
  ON CONFLICT DO NOTHING
  RETURNING task_id`;

const HOLDER = `SELECT task_id FROM tasks WHERE owner = $1 AND idempotency_key = $2 AND status IN ${UNFINISHED}`;

const RETURN_TOKEN = `UPDATE creation_buckets SET tokens = least($2::float8, tokens + 1) WHERE principal = $1`;

/** The bucket refilled since its last take ($2 tokens at most, $3 a millisecond). */
const REFILLED = `least($2::float8, b.tokens + greatest(0, extract(epoch FROM now() - b.updated_at)::float8 * 1000) * $3::float8)`;

/** One statement per creation: a new principal's full bucket less one, or the refilled one less one when it holds a token. */
const TAKE_TOKEN = `
  INSERT INTO creation_buckets AS b (principal, tokens, updated_at, granted) VALUES ($1, $2::float8 - 1, now(), true)
  ON CONFLICT (principal) DO UPDATE SET
    tokens = CASE WHEN ${REFILLED} >= 1 THEN ${REFILLED} - 1 ELSE ${REFILLED} END,
    granted = ${REFILLED} >= 1,
    updated_at = now()
  RETURNING tokens, granted`;

/** How often a claim is tried again when the holder it found has ended meanwhile; then this instance decides alone. */
const CLAIM_ATTEMPTS = 3;

/** How long the database is left alone after it could not be asked (ms). */
const AWAY_MS = 1000;

export interface TeamLimitsOptions {
  /** The lease a claimed row starts with (ms), as the write-through copy's. */
  readonly leaseMs: number;
  /** Makes another instance's task known to this instance's engine (teamSync.ts `load`). */
  readonly load: (taskId: string) => Promise<void>;
  /** Whether the task ended on this instance (its end may not be written yet). */
  readonly endedHere: (taskId: string) => boolean;
  /** Resolves once this instance's changes so far are written. */
  readonly flushed: () => Promise<void>;
  readonly log?: Logger;
  readonly now?: () => number;
}

export class TeamLimits implements SharedAdmission {
  /** Until when the database is not asked (ms since the epoch); 0 while it answers. */
  private awayUntil = 0;
  private away = false;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(
    private readonly pool: Pool,
    private readonly options: TeamLimitsOptions,
  ) {
    this.log = options.log ?? silentLogger;
    this.now = options.now ?? Date.now;
  }

  async takeToken(owner: string, rate: CreationRate): Promise<TokenAnswer> {
    const perMs = rate.limit / rate.windowMs;
    const rows = await this.ask('creation rates', TAKE_TOKEN, [owner, rate.limit, perMs]);
    if (!rows) return undefined;
    const { tokens, granted } = rows[0] as { tokens: number; granted: boolean };
    return granted ? { granted: true } : { granted: false, retryAfterMs: Math.max(1, Math.ceil((1 - tokens) / perMs)) };
  }

  async claimKey(task: EngineTask, key: string, retention: number | null): Promise<string | undefined> {
    const row = { ...toRow(task, retention, 'queued'), instance_id: null, queued: false, run_after: null };
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const claimed = await this.ask('idempotency keys', CLAIM, [JSON.stringify([row]), key, this.options.leaseMs]);
      if (!claimed) return undefined;
      if (claimed.length > 0) return task.taskId;
      // Another unfinished task holds it: read which (a separate statement sees a holder committed meanwhile).
      const holder = await this.ask('idempotency keys', HOLDER, [task.owner, key]);
      if (!holder) return undefined;
      const holderId = (holder[0] as { task_id: string } | undefined)?.task_id;
      if (holderId === undefined) continue; // It ended meanwhile: claim again.
      if (!this.options.endedHere(holderId)) return holderId;
      // Ended here but not written yet: once it is, the key is free.
      await this.options.flushed();
    }
    return undefined;
  }

  async returnToken(owner: string, rate: CreationRate): Promise<void> {
    await this.ask('creation rates', RETURN_TOKEN, [owner, rate.limit]);
  }

  load(taskId: string): Promise<void> {
    return this.options.load(taskId);
  }

  /** The rows a statement returns, or undefined when the database could not be asked (now, or a moment ago). */
  private async ask(what: string, sql: string, values: unknown[]): Promise<unknown[] | undefined> {
    if (this.now() < this.awayUntil) return undefined;
    try {
      const { rows } = await this.pool.query(sql, values);
      if (this.away) this.log.info('[store] idempotency keys and creation rates hold across the team again');
      this.away = false;
      this.awayUntil = 0;
      return rows;
    } catch (error) {
      if (!this.away) {
        this.log.warn(
          `[store] cannot reach the database for ${what} (${connectionProblem(error)}): until it is back, each instance keeps its own idempotency keys and creation rate`,
        );
      }
      this.away = true;
      this.awayUntil = this.now() + AWAY_MS;
      return undefined;
    }
  }
}
