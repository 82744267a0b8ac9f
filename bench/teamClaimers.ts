/**
 * The three ways of claiming work from PostgreSQL that the teamClaim benchmark compares, behind
 * one small interface: pg-boss 10 (SKIP LOCKED, polling, expiry), graphile-worker 0.16
 * (LISTEN/NOTIFY, locks reset after 4 hours), and a plain `FOR UPDATE SKIP LOCKED` claim woken by
 * LISTEN/NOTIFY with a heartbeated lease. Each is set up as fast as it allows (its "best settings").
 * The libraries are not dependencies of the project: they are loaded by name, and missing ones
 * are reported, not failed.
 */
import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';

export const CLAIMERS = ['plain', 'pgBoss', 'graphileWorker'] as const;
export type ClaimerName = (typeof CLAIMERS)[number];

export interface Claimer {
  enqueue(seq: number): Promise<void>;
  /** Starts a worker in this process; `onJob` runs once per claimed job, and the job is done when it settles. */
  work(onJob: (seq: number) => Promise<void> | void): Promise<void>;
  close(): Promise<void>;
}

/** Settings each one is measured with, and why they are its best. */
export const SETTINGS: Readonly<Record<ClaimerName, string>> = {
  plain: 'LISTEN/NOTIFY wake-up, 250 ms poll for expired leases, 2 s lease renewed every 500 ms',
  pgBoss: 'pollingIntervalSeconds 0.5 and expireInSeconds 1 (both its minimum), maintenanceIntervalSeconds 1, retryDelay 0',
  graphileWorker: 'LISTEN/NOTIFY (its default), concurrency 1, pollInterval 500 ms; a stale lock is reset after 4 hours (fixed in its SQL)',
};

/** Loads a package that is not in package.json; undefined when it is not installed. */
function optional<T>(name: string): T | undefined {
  try {
    return require(name) as T;
  } catch {
    return undefined;
  }
}

export function missingLibrary(name: ClaimerName): string | undefined {
  if (name === 'pgBoss' && !optional('pg-boss')) return 'pg-boss is not installed';
  if (name === 'graphileWorker' && !optional('graphile-worker')) return 'graphile-worker is not installed';
  return undefined;
}

export async function openClaimer(name: ClaimerName, url: string): Promise<Claimer> {
  if (name === 'pgBoss') return openPgBoss(url);
  if (name === 'graphileWorker') return openGraphileWorker(url);
  return openPlain(url);
}

// ── plain: FOR UPDATE SKIP LOCKED + LISTEN/NOTIFY, a lease kept alive by a heartbeat ─────────────

const LEASE_MS = 2000;
const HEARTBEAT_MS = 500;
const LEASE_POLL_MS = 250;

async function openPlain(url: string): Promise<Claimer> {
  const pool = new Pool({ connectionString: url, max: 4 });
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_jobs (
    id bigserial PRIMARY KEY, payload jsonb NOT NULL, claimed_by text, lease_expires_at timestamptz, done_at timestamptz)`);
  await pool.query('CREATE INDEX IF NOT EXISTS bench_jobs_open ON bench_jobs (id) WHERE done_at IS NULL');
  const workerId = randomUUID();
  const held = new Set<string>();
  const timers: ReturnType<typeof setInterval>[] = [];
  let listener: Client | undefined;
  return {
    enqueue: async (seq) => {
      await pool.query(`WITH j AS (INSERT INTO bench_jobs (payload) VALUES ($1) RETURNING id) SELECT pg_notify('bench_jobs', id::text) FROM j`, [
        JSON.stringify({ seq }),
      ]);
    },
    work: async (onJob) => {
      let draining = false;
      let again = false;
      const drain = async (): Promise<void> => {
        if (draining) {
          again = true;
          return;
        }
        draining = true;
        try {
          do {
            again = false;
            for (;;) {
              const { rows } = await pool.query<{ id: string; payload: { seq: number } }>(
                `UPDATE bench_jobs SET claimed_by = $1, lease_expires_at = now() + $2 * interval '1 millisecond'
                 WHERE id = (SELECT id FROM bench_jobs WHERE done_at IS NULL AND (lease_expires_at IS NULL OR lease_expires_at < now())
                             ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
                 RETURNING id, payload`,
                [workerId, LEASE_MS],
              );
              const job = rows[0];
              if (!job) break;
              held.add(job.id);
              void Promise.resolve(onJob(job.payload.seq)).then(async () => {
                held.delete(job.id);
                await pool.query('UPDATE bench_jobs SET done_at = now() WHERE id = $1 AND claimed_by = $2', [job.id, workerId]);
              });
            }
          } while (again);
        } finally {
          draining = false;
        }
      };
      listener = new Client({ connectionString: url });
      await listener.connect();
      listener.on('notification', () => void drain().catch(() => undefined));
      await listener.query('LISTEN bench_jobs');
      timers.push(setInterval(() => void drain().catch(() => undefined), LEASE_POLL_MS));
      timers.push(
        setInterval(() => {
          if (held.size === 0) return;
          pool
            .query(`UPDATE bench_jobs SET lease_expires_at = now() + $1 * interval '1 millisecond' WHERE id = ANY($2) AND claimed_by = $3`, [
              LEASE_MS,
              [...held],
              workerId,
            ])
            .catch(() => undefined);
        }, HEARTBEAT_MS),
      );
      await drain();
    },
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      await listener?.end().catch(() => undefined);
      await pool.end();
    },
  };
}

// ── pg-boss 10 ───────────────────────────────────────────────────────────────────────────────────

interface PgBossJob {
  readonly data: { seq: number };
}
interface PgBoss {
  on(event: 'error', listener: (error: Error) => void): void;
  start(): Promise<unknown>;
  stop(options: { graceful: boolean; wait: boolean; timeout?: number }): Promise<void>;
  createQueue(name: string, options?: Record<string, unknown>): Promise<void>;
  send(name: string, data: object, options?: Record<string, unknown>): Promise<string | null>;
  work(name: string, options: Record<string, unknown>, handler: (jobs: PgBossJob[]) => Promise<void>): Promise<string>;
}
type PgBossConstructor = new (options: Record<string, unknown>) => PgBoss;

async function openPgBoss(url: string): Promise<Claimer> {
  const PgBossClass = optional<PgBossConstructor>('pg-boss')!;
  const boss = new PgBossClass({ connectionString: url, max: 4, maintenanceIntervalSeconds: 1, monitorStateIntervalSeconds: 60 });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue('bench').catch(() => undefined);
  return {
    enqueue: async (seq) => {
      await boss.send('bench', { seq }, { expireInSeconds: 1, retryLimit: 100, retryDelay: 0 });
    },
    work: async (onJob) => {
      await boss.work('bench', { pollingIntervalSeconds: 0.5, batchSize: 1 }, async (jobs) => {
        for (const job of jobs) await onJob(job.data.seq);
      });
    },
    close: () => boss.stop({ graceful: false, wait: true, timeout: 2000 }),
  };
}

// ── graphile-worker 0.16 ─────────────────────────────────────────────────────────────────────────

interface GraphileRunner {
  stop(): Promise<void>;
}
interface GraphileUtils {
  migrate(): Promise<void>;
  addJob(task: string, payload: object): Promise<unknown>;
  release(): Promise<void>;
}
interface GraphileWorker {
  Logger: new (factory: () => () => void) => unknown;
  makeWorkerUtils(options: Record<string, unknown>): Promise<GraphileUtils>;
  run(options: Record<string, unknown>): Promise<GraphileRunner>;
}

async function openGraphileWorker(url: string): Promise<Claimer> {
  const worker = optional<GraphileWorker>('graphile-worker')!;
  const logger = new worker.Logger(() => () => undefined);
  const utils = await worker.makeWorkerUtils({ connectionString: url, logger });
  await utils.migrate();
  let runner: GraphileRunner | undefined;
  return {
    enqueue: async (seq) => {
      await utils.addJob('bench', { seq });
    },
    work: async (onJob) => {
      runner = await worker.run({
        connectionString: url,
        concurrency: 1,
        pollInterval: 500,
        noHandleSignals: true,
        logger,
        taskList: { bench: async (payload: { seq: number }) => onJob(payload.seq) },
      });
    },
    close: async () => {
      await runner?.stop().catch(() => undefined);
      await utils.release();
    },
  };
}
