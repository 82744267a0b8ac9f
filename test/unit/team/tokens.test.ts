/**
 * Principals and tokens through the server's own commands, against a real PostgreSQL: a token is
 * shown once and stored only as a hash, a server accepts it, and once revoked it is refused.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import { type TestDatabase, testDatabase } from '../helpers/postgres';
import { waitFor } from '../helpers/waitFor';
import { V2Client } from '../mcp/v2/helpers';
import { type RunningServer, createToken, requirePostgres, runServerCli, startServer, stopServer } from './teamHelpers';

describe('team database: tokens', function () {
  let db: TestDatabase | undefined;
  let pool: Pool | undefined;
  let server: RunningServer | undefined;

  before(async function () {
    requirePostgres(this);
    db = await testDatabase('tokens');
    pool = new Pool({ connectionString: db.url, max: 1 });
  });

  after(async () => {
    await stopServer(server, 'SIGTERM');
    await pool?.end();
    await db?.drop();
  });

  it('create prints a token once, list shows the principals, the database keeps only a hash', async () => {
    const alice = await createToken(db!.url, 'alice');
    assert.match(alice, /^tlt_[A-Za-z0-9_-]{43}$/);
    const board = await runServerCli(['token', 'create', '--name', 'lead', '--role', 'board'], { TASKLANE_DATABASE_URL: db!.url });
    assert.equal(board.code, 0, board.stderr);

    const again = await runServerCli(['token', 'create', '--name', 'alice', '--store', db!.url]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /alice already has a token: revoke it first/);

    const list = await runServerCli(['token', 'list', '--store', db!.url]);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('\t'));
    assert.deepEqual(
      lines.map(([name, role, , state]) => [name, role, state]),
      [
        ['alice', 'agent', 'active'],
        ['lead', 'board', 'active'],
      ],
    );
    assert.doesNotMatch(list.stdout, /tlt_/);

    const { rows } = await pool!.query<{ token_hash: Buffer }>(`SELECT token_hash FROM tokens JOIN principals USING (principal_id) WHERE name = 'alice'`);
    assert.deepEqual(
      rows.map((row) => row.token_hash.toString('hex')),
      [createHash('sha256').update(alice).digest('hex')],
    );
    const stored = await pool!.query(`SELECT * FROM tokens, principals WHERE tokens::text LIKE '%' || $1 || '%' OR principals::text LIKE '%' || $1 || '%'`, [
      alice,
    ]);
    assert.equal(stored.rowCount, 0, 'the token itself is nowhere in the database');
  });

  it('a server accepts a database token, binds tasks to its principal, and refuses it once revoked', async () => {
    const bob = await createToken(db!.url, 'bob');
    server = await startServer(['--store', db!.url, '--log', 'warn']);
    const client = new V2Client(server.url, bob);
    const created = await client.callTool('wait', { durationMs: 5_000, message: 'bound' });
    assert.equal(created.resultType, 'task', JSON.stringify(created));
    const owner = await waitFor(
      async () =>
        (
          await pool!.query<{ owner: string; principal: string }>(
            'SELECT t.owner, p.name AS principal FROM tasks t JOIN principals p USING (principal_id) WHERE task_id = $1',
            [created.taskId],
          )
        ).rows[0],
      { what: 'the task row bound to its principal' },
    );
    assert.deepEqual(owner, { owner: 'bob', principal: 'bob' });
    assert.equal((await new V2Client(server.url, 'tlt_not-a-token').send('tasks/get', { taskId: created.taskId })).status, 401);
    await client.result('tasks/cancel', { taskId: created.taskId });
    const audited = await waitFor(
      async () => {
        const { rows } = await pool!.query<{ principal: string; action: string }>('SELECT principal, action FROM audit WHERE task_id = $1 ORDER BY audit_id', [
          created.taskId,
        ]);
        return rows.length >= 2 ? rows : undefined;
      },
      { what: 'the creation and the cancel audited' },
    );
    assert.deepEqual(audited.slice(0, 2), [
      { principal: 'bob', action: 'create' },
      { principal: 'bob', action: 'cancel' },
    ]);

    const revoke = await runServerCli(['token', 'revoke', '--name', 'bob', '--store', db!.url]);
    assert.equal(revoke.code, 0, revoke.stderr);
    await waitFor(async () => (await client.send('tasks/get', { taskId: created.taskId })).status === 401, { what: 'the revoked token to be refused' });

    const list = await runServerCli(['token', 'list', '--store', db!.url]);
    assert.match(list.stdout, /^bob\tagent\tcreated \S+\trevoked \S+$/m);
    const again = await runServerCli(['token', 'revoke', '--name', 'bob', '--store', db!.url]);
    assert.equal(again.code, 1);
  });
  it('one listening connection per server follows token changes, tasks and commands: a token created while it runs is accepted within seconds', async () => {
    await stopServer(server, 'SIGTERM');
    server = await startServer(['--store', db!.url, '--log', 'warn']);
    const listening = async () =>
      (
        await pool!.query<{ query: string }>(
          "SELECT query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'LISTEN %'",
        )
      ).rows.map((row) => row.query);
    // The server's last LISTEN of the three is on the token channel; pooled connections never LISTEN.
    const sessions = await waitFor(async () => ((await listening()).length > 0 ? listening() : undefined), { what: 'the server listening' });
    assert.deepEqual(sessions, ['LISTEN tasklane_tokens']);

    const dana = await createToken(db!.url, 'dana');
    // Well within the 30 s refresh: only the notification on the shared connection can bring it in time.
    await waitFor(async () => (await new V2Client(server!.url, dana).send('tools/list')).status === 200, {
      what: "dana's new token accepted",
      timeoutMs: 10_000,
    });
  });
});
