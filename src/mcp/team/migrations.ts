/**
 * The team database's schema, one numbered migration at a time. `migrate` brings a database up to
 * this server's version inside one transaction under an advisory lock, so two instances starting
 * together apply each migration once; `schema_version` keeps what was applied. A database newer
 * than this server is refused: an older server must not write to tables it does not know.
 */
import type { Pool, PoolClient } from 'pg';
import { DatabaseError, describeDatabase, inTransaction } from './database';

interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** The advisory lock every instance takes while it migrates ("tasklane" in ASCII). */
const MIGRATION_LOCK = 0x7461736b6c616e;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'tasks',
    // One row per engine task. `instance_id` says which server runs unfinished work.
    sql: `
      CREATE TABLE tasks (
        task_id text PRIMARY KEY,
        owner text NOT NULL,
        tool text NOT NULL,
        status text NOT NULL CHECK (status IN ('working', 'input_required', 'completed', 'failed', 'cancelled')),
        status_message text,
        created_at timestamptz NOT NULL,
        last_updated_at timestamptz NOT NULL,
        ttl_ms bigint,
        retention_ms bigint,
        poll_interval_ms integer NOT NULL,
        outcome jsonb,
        input_requests jsonb NOT NULL DEFAULT '{}',
        wire text,
        agent jsonb,
        arguments jsonb,
        meta jsonb,
        parent_task_id text,
        priority integer NOT NULL DEFAULT 0,
        instance_id text
      );
      CREATE INDEX tasks_by_owner ON tasks (owner, created_at);
      CREATE INDEX tasks_unfinished ON tasks (created_at) WHERE status IN ('working', 'input_required');
    `,
  },
  {
    version: 2,
    description: 'principals, tokens and audit',
    sql: `
      CREATE TABLE principals (
        principal_id bigserial PRIMARY KEY,
        name text NOT NULL UNIQUE,
        role text NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'board')),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE TABLE tokens (
        token_hash bytea PRIMARY KEY,
        principal_id bigint NOT NULL REFERENCES principals ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE TABLE audit (
        audit_id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        principal text NOT NULL,
        action text NOT NULL CHECK (action IN ('create', 'cancel', 'answer', 'result')),
        task_id text NOT NULL,
        detail jsonb
      );
      CREATE INDEX audit_by_task ON audit (task_id, at);
      ALTER TABLE tasks ADD COLUMN principal_id bigint REFERENCES principals ON DELETE SET NULL;
    `,
  },
  {
    version: 3,
    description: 'leases and forwarded answers, for several instances',
    // The instance that runs unfinished work renews its lease; a task whose lease ran out is a dead
    // instance's and any instance ends it. An answer given through another instance waits in
    // task_commands until the running instance takes it (it is told by NOTIFY).
    sql: `
      ALTER TABLE tasks ADD COLUMN lease_expires_at timestamptz;
      CREATE INDEX tasks_leases ON tasks (lease_expires_at) WHERE status IN ('working', 'input_required');
      CREATE TABLE task_commands (
        command_id bigserial PRIMARY KEY,
        instance_id text NOT NULL,
        task_id text NOT NULL,
        action text NOT NULL CHECK (action IN ('answer')),
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX task_commands_by_instance ON task_commands (instance_id, command_id);
    `,
  },
  {
    version: 4,
    description: 'the machine that runs each task',
    // The host name of the instance that started the task, so every instance (and a board client
    // through it) can say where another instance's work runs. Older rows have none.
    sql: `ALTER TABLE tasks ADD COLUMN machine text;`,
  },
  {
    version: 5,
    description: 'the team queue',
    // A queued task waits for any instance to claim it (it has no instance yet); `run_after` is
    // its scheduling hint, so the claim can skip it until then.
    sql: `
      ALTER TABLE tasks ADD COLUMN queued boolean NOT NULL DEFAULT false, ADD COLUMN run_after timestamptz;
      CREATE INDEX tasks_queue ON tasks (priority DESC, created_at, task_id) WHERE queued;
    `,
  },
  {
    version: 6,
    description: 'idempotency keys and creation rates across instances',
    // An owner's key names at most one unfinished task (the index refuses a second); the end of
    // the task frees it. One token bucket per principal, shared by every instance (`granted` says
    // whether the last take got a token).
    sql: `
      ALTER TABLE tasks ADD COLUMN idempotency_key text;
      CREATE UNIQUE INDEX tasks_idempotency_keys ON tasks (owner, idempotency_key)
        WHERE idempotency_key IS NOT NULL AND status IN ('working', 'input_required');
      CREATE TABLE creation_buckets (
        principal text PRIMARY KEY,
        tokens double precision NOT NULL,
        updated_at timestamptz NOT NULL,
        granted boolean NOT NULL
      );
    `,
  },
  {
    version: 7,
    description: "attempts of the team queue's tasks",
    // How many times an instance claimed the task from the team's queue (null: it never went
    // through the queue). A lost instance's work whose tool is idempotent is queued again, and runs
    // again, while its attempts last (taskLeases.ts).
    sql: `ALTER TABLE tasks ADD COLUMN attempt integer;`,
  },
];

/** The schema version this server reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export interface MigrationResult {
  readonly from: number;
  readonly to: number;
}

/**
 * Applies every migration above the database's version, up to `target` (this server's version
 * unless a test asks for less), in one transaction under the advisory lock. Throws DatabaseError
 * when the database is newer than this server.
 */
export async function migrate(pool: Pool, url: string, target = SCHEMA_VERSION): Promise<MigrationResult> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_version (
      version integer PRIMARY KEY,
      description text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const from = await currentVersion(client);
    if (from > SCHEMA_VERSION) {
      throw new DatabaseError(
        `the database at ${describeDatabase(url)} has schema version ${from}, newer than this server's ${SCHEMA_VERSION}: upgrade the server (an older one must not write to it)`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= from || migration.version > target) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_version (version, description) VALUES ($1, $2)', [migration.version, migration.description]);
    }
    return { from, to: Math.max(from, Math.min(target, SCHEMA_VERSION)) };
  });
}

/** The highest migration applied; 0 for a database that has none. */
export async function currentVersion(client: Pick<PoolClient, 'query'>): Promise<number> {
  const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_version');
  return rows[0]?.version ?? 0;
}
