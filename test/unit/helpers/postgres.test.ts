/**
 * The test database helper itself: `drop()` must not terminate a connection that is still closing
 * (pg's Pool.end() resolves before its sockets are closed), or its client throws "terminating
 * connection due to administrator command" into whatever test runs next.
 */
import assert from 'node:assert/strict';
import { Pool } from 'pg';
import { requirePostgres } from '../team/teamHelpers';
import { testDatabase } from './postgres';

describe('test helper testDatabase', () => {
  it("drop() terminates none of a closed pool's connections, even one whose server process is slow to close it", async function () {
    requirePostgres(this);
    // The backend is signalled by its pid: only a cluster of this process's own is on this machine.
    if (process.env.TASKLANE_TEST_DATABASE_URL) this.skip();
    const db = await testDatabase('helper');
    const pool = new Pool({ connectionString: db.url, max: 1 });
    const errors: string[] = [];
    pool.on('error', (error) => errors.push(error.message));
    const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const backend = rows[0].pid;
    // A busy machine, forced: the connection's server process does not run for a moment while the
    // pool ends, so it is still connected when Pool.end() has resolved.
    process.kill(backend, 'SIGSTOP');
    const resume = () => {
      try {
        process.kill(backend, 'SIGCONT');
      } catch {
        // already gone
      }
    };
    const resumeLater = setTimeout(resume, 300);
    try {
      await pool.end();
      await db.drop();
    } finally {
      clearTimeout(resumeLater);
      resume();
    }
    assert.deepEqual(errors, [], 'no connection of the pool was terminated by the drop');
  });
});
