/**
 * The team database's schema against a real PostgreSQL: a fresh database gets every migration, a
 * version-1 (and a version-3) database is upgraded with its tasks kept, a newer one is refused, and instances
 * starting together apply each migration once.
 */
import assert from 'node:assert/strict';
import { Pool } from 'pg';
import { DatabaseError } from '../../../src/mcp/team/database';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from '../../../src/mcp/team/migrations';
import { type TestDatabase, testDatabase } from '../helpers/postgres';
import { requirePostgres, runServerCli } from './teamHelpers';

describe('team database: migrations', function () {
  let db: TestDatabase | undefined;
  const pools: Pool[] = [];
  const poolOn = (url: string) => {
    const pool = new Pool({ connectionString: url, max: 2 });
    pools.push(pool);
    return pool;
  };

  beforeEach(async function () {
    requirePostgres(this);
    db = await testDatabase('migrations');
  });

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
    await db?.drop();
    db = undefined;
  });

  async function versions(pool: Pool): Promise<number[]> {
    const { rows } = await pool.query<{ version: number }>('SELECT version FROM schema_version ORDER BY version');
    return rows.map((row) => row.version);
  }

  it('applies every migration to a fresh database, and nothing the second time', async () => {
    const pool = poolOn(db!.url);
    assert.deepEqual(await migrate(pool, db!.url), { from: 0, to: SCHEMA_VERSION });
    assert.deepEqual(
      await versions(pool),
      MIGRATIONS.map((m) => m.version),
    );
    const { rows } = await pool.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    assert.deepEqual(
      rows.map((row) => row.table_name),
      ['audit', 'creation_buckets', 'principals', 'schema_version', 'task_commands', 'tasks', 'tokens'],
    );
    assert.deepEqual(await migrate(pool, db!.url), { from: SCHEMA_VERSION, to: SCHEMA_VERSION });
  });

  it('upgrades a version-1 database and keeps its tasks', async () => {
    const pool = poolOn(db!.url);
    assert.deepEqual(await migrate(pool, db!.url, 1), { from: 0, to: 1 });
    await pool.query(
      `INSERT INTO tasks (task_id, owner, tool, status, created_at, last_updated_at, poll_interval_ms, ttl_ms)
       VALUES ('t-1', 'alice', 'wait', 'completed', now(), now(), 1000, 60000)`,
    );
    await assert.rejects(pool.query('SELECT 1 FROM principals'), /does not exist/);

    assert.deepEqual(await migrate(pool, db!.url, 2), { from: 1, to: 2 });
    assert.deepEqual(await versions(pool), [1, 2]);
    const { rows } = await pool.query<{ owner: string; principal_id: string | null }>(`SELECT owner, principal_id FROM tasks WHERE task_id = 't-1'`);
    assert.deepEqual(rows, [{ owner: 'alice', principal_id: null }]);
    await pool.query(`INSERT INTO principals (name) VALUES ('alice')`);
  });

  it('upgrades a version-2 database (one server per database): its unfinished task gets no lease, so the next start ends it "worker lost"', async () => {
    const pool = poolOn(db!.url);
    await migrate(pool, db!.url, 2);
    await pool.query(
      `INSERT INTO tasks (task_id, owner, tool, status, created_at, last_updated_at, poll_interval_ms, instance_id)
       VALUES ('t-2', 'alice', 'wait', 'working', now(), now(), 1000, 'gone')`,
    );
    await assert.rejects(pool.query('SELECT lease_expires_at FROM tasks'), /does not exist/);

    assert.deepEqual(await migrate(pool, db!.url), { from: 2, to: SCHEMA_VERSION });
    const { rows } = await pool.query<{ status: string; lease_expires_at: Date | null }>(`SELECT status, lease_expires_at FROM tasks WHERE task_id = 't-2'`);
    assert.deepEqual(rows, [{ status: 'working', lease_expires_at: null }]);
    await pool.query(`INSERT INTO task_commands (instance_id, task_id, action, payload) VALUES ('i', 't-2', 'answer', '{}')`);
  });

  it('upgrades a version-3 database: its tasks keep everything and have no machine until a server records one', async () => {
    const pool = poolOn(db!.url);
    await migrate(pool, db!.url, 3);
    await pool.query(
      `INSERT INTO tasks (task_id, owner, tool, status, created_at, last_updated_at, poll_interval_ms, instance_id)
       VALUES ('t-3', 'alice', 'wait', 'completed', now(), now(), 1000, 'gone')`,
    );
    await assert.rejects(pool.query('SELECT machine FROM tasks'), /does not exist/);

    assert.deepEqual(await migrate(pool, db!.url, 4), { from: 3, to: 4 });
    assert.deepEqual(await versions(pool), [1, 2, 3, 4]);
    const { rows } = await pool.query<{ owner: string; status: string; machine: string | null }>(
      `SELECT owner, status, machine FROM tasks WHERE task_id = 't-3'`,
    );
    assert.deepEqual(rows, [{ owner: 'alice', status: 'completed', machine: null }]);
    await pool.query(`UPDATE tasks SET machine = 'host-a' WHERE task_id = 't-3'`);
  });

  it('upgrades a version-4 database to the team queue: its running task is not queued, so no instance claims it again', async () => {
    const pool = poolOn(db!.url);
    await migrate(pool, db!.url, 4);
    await pool.query(
      `INSERT INTO tasks (task_id, owner, tool, status, created_at, last_updated_at, poll_interval_ms, instance_id, lease_expires_at)
       VALUES ('t-4', 'alice', 'wait', 'working', now(), now(), 1000, 'alive', now() + interval '1 minute')`,
    );
    await assert.rejects(pool.query('SELECT queued FROM tasks'), /does not exist/);

    assert.deepEqual(await migrate(pool, db!.url), { from: 4, to: SCHEMA_VERSION });
    const { rows } = await pool.query<{ status: string; queued: boolean; run_after: Date | null; instance_id: string }>(
      `SELECT status, queued, run_after, instance_id FROM tasks WHERE task_id = 't-4'`,
    );
    assert.deepEqual(rows, [{ status: 'working', queued: false, run_after: null, instance_id: 'alive' }]);
  });

  it('upgrades a version-5 database to team-wide keys: its unfinished task holds no key, and a key names one unfinished task per owner', async () => {
    const pool = poolOn(db!.url);
    await migrate(pool, db!.url, 5);
    const insert = (id: string, owner: string, status: string, key?: string) =>
      pool.query(
        `INSERT INTO tasks (task_id, owner, tool, status, created_at, last_updated_at, poll_interval_ms${key ? ', idempotency_key' : ''})
         VALUES ($1, $2, 'wait', $3, now(), now(), 1000${key ? ', $4' : ''})`,
        key ? [id, owner, status, key] : [id, owner, status],
      );
    await insert('t-5', 'alice', 'working');
    await assert.rejects(pool.query('SELECT idempotency_key FROM tasks'), /does not exist/);

    assert.deepEqual(await migrate(pool, db!.url), { from: 5, to: SCHEMA_VERSION });
    const { rows } = await pool.query<{ status: string; idempotency_key: string | null }>(`SELECT status, idempotency_key FROM tasks WHERE task_id = 't-5'`);
    assert.deepEqual(rows, [{ status: 'working', idempotency_key: null }]);
    await insert('k-1', 'alice', 'working', 'build');
    await assert.rejects(insert('k-2', 'alice', 'input_required', 'build'), /tasks_idempotency_keys/);
    await insert('k-3', 'bob', 'working', 'build');
    await insert('k-4', 'alice', 'completed', 'build');
    await pool.query(`UPDATE tasks SET status = 'completed' WHERE task_id = 'k-1'`);
    await insert('k-5', 'alice', 'working', 'build');
    await pool.query(`INSERT INTO creation_buckets (principal, tokens, updated_at, granted) VALUES ('alice', 1, now(), true)`);
  });

  it('refuses a database whose schema is newer than this server, and the server exits 3 saying so', async () => {
    const pool = poolOn(db!.url);
    await migrate(pool, db!.url);
    await pool.query(`INSERT INTO schema_version (version, description) VALUES (${SCHEMA_VERSION + 1}, 'from a newer server')`);
    await assert.rejects(migrate(pool, db!.url), (error: Error) => {
      assert.ok(error instanceof DatabaseError);
      assert.match(error.message, new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this server's ${SCHEMA_VERSION}`));
      return true;
    });
    const run = await runServerCli(['--http', '--port', '0', '--store', db!.url]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /newer than this server's/);
  });

  it('lets instances that start together apply each migration once', async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => migrate(poolOn(db!.url), db!.url)));
    assert.equal(results.filter((result) => result.from === 0).length, 1, JSON.stringify(results));
    assert.ok(results.every((result) => result.to === SCHEMA_VERSION));
    assert.deepEqual(
      await versions(poolOn(db!.url)),
      MIGRATIONS.map((m) => m.version),
    );
  });
});
