/**
 * The PostgreSQL version check at start: a server older than the oldest supported one is refused
 * with a message naming the database (never its password) and the version it runs; the version
 * the tests' own cluster runs passes.
 */
import assert from 'node:assert/strict';
import { DatabaseError, OLDEST_POSTGRES, checkServerVersion, openDatabase } from '../../../src/mcp/team/database';
import { type TestDatabase, testDatabase } from '../helpers/postgres';
import { requirePostgres } from './teamHelpers';

const URL = 'postgres://alice:s3cret@db.example:5432/tasklane';

describe('team database: the PostgreSQL version', function () {
  it('refuses a server older than the oldest supported, naming the database and its version, not the password', () => {
    assert.throws(
      () => checkServerVersion(140012, '14.12', URL),
      (error: unknown) =>
        error instanceof DatabaseError &&
        error.message ===
          'the database at postgres://alice@db.example:5432/tasklane runs PostgreSQL 14.12, older than 15, the oldest Tasklane runs on: upgrade PostgreSQL',
    );
    assert.throws(() => checkServerVersion(Number.NaN, 'of unknown version', URL), DatabaseError);
  });

  it('accepts the oldest supported and newer', () => {
    assert.doesNotThrow(() => checkServerVersion(OLDEST_POSTGRES, '15.0', URL));
    assert.doesNotThrow(() => checkServerVersion(180001, '18.1', URL));
  });

  describe('against a real server', function () {
    let db: TestDatabase | undefined;
    before(async function () {
      requirePostgres(this);
      db = await testDatabase('server_version');
    });
    after(async () => db?.drop());

    it('opens the tests’ own cluster, whose version is supported', async () => {
      const pool = await openDatabase(db!.url);
      try {
        const { rows } = await pool.query<{ n: number }>("SELECT current_setting('server_version_num')::int AS n");
        assert.ok(rows[0]!.n >= OLDEST_POSTGRES, `the cluster runs ${rows[0]!.n}`);
      } finally {
        await pool.end();
      }
    });
  });
});
