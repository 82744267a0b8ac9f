/**
 * A database that cannot be reached stops the server before it serves, with the database named
 * (never its password), why, and exit code 3; the token commands say the same.
 */
import assert from 'node:assert/strict';
import { freePort } from '../helpers/postgres';
import { runServerCli } from './teamHelpers';

describe('team database: unreachable', function () {
  it('the server and the token commands name the database without its password and exit 3', async () => {
    const port = await freePort();
    const url = `postgres://alice:s3cret-pw@127.0.0.1:${port}/team`;
    const expected = `cannot reach the database at postgres://alice@127.0.0.1:${port}/team: connection refused`;

    const server = await runServerCli(['--http', '--port', '0', '--store', url]);
    assert.equal(server.code, 3, server.stderr);
    assert.equal(server.stderr.trim(), `tasklane-server: ${expected}`);

    const viaEnvironment = await runServerCli(['token', 'list'], { TASKLANE_DATABASE_URL: url });
    assert.equal(viaEnvironment.code, 3, viaEnvironment.stderr);
    assert.match(viaEnvironment.stderr, new RegExp(expected.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    assert.doesNotMatch(server.stderr + viaEnvironment.stderr, /s3cret/);
  });

  it('refuses a store that is not a PostgreSQL URL', async () => {
    const run = await runServerCli(['--http', '--port', '0', '--store', 'mysql://db/team']);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /--store must be a postgres:\/\/ URL/);
  });
});
