/**
 * Idempotency keys and creation rates across a team's instances, against a real PostgreSQL and
 * the real `dist/server.js`: a key repeated through another instance returns the same task on
 * either wire, two starts at once through two instances make one task, another principal's key is
 * its own, and an ended task's key is free; a principal's `--rate` holds over all instances
 * together, for tasks and plain calls alike; and with the database away, starts are still taken.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Pool } from 'pg';
import { META } from '../../../src/core/meta';
import { CreateTaskResultSchema } from '../../../src/mcp/wires/v1/codec';
import { type TestDatabase, cluster, testDatabase } from '../helpers/postgres';
import { waitFor } from '../helpers/waitFor';
import { type Json, V2Client } from '../mcp/v2/helpers';
import { type RunningServer, createToken, requirePostgres, startServer, stopServer } from './teamHelpers';

/** The rate every instance is given: per hour, so no token comes back while the suite runs. */
const RATE = 12;
const LONG_MS = 600_000;

describe('team database: idempotency keys and creation rates across instances', function () {
  this.timeout(60_000);
  let db: TestDatabase | undefined;
  let pool: Pool | undefined;
  const tokens: Record<string, string> = {};
  const servers: RunningServer[] = [];
  const sessions: Client[] = [];

  before(async function () {
    requirePostgres(this);
    db = await testDatabase('teamlimits');
    pool = new Pool({ connectionString: db.url, max: 1 });
    pool.on('error', () => undefined);
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin']) tokens[name] = await createToken(db.url, name);
    const start = () => startServer(['--store', db!.url, '--log', 'info', '--rate', `${RATE}/1h`]);
    servers.push(...(await Promise.all([start(), start(), start()])));
  });

  after(async () => {
    await Promise.all(sessions.map((session) => session.close().catch(() => undefined)));
    await Promise.all(servers.map((server) => stopServer(server)));
    await pool?.end();
    await db?.drop();
  });

  const v2 = (server: number, principal = 'alice') => new V2Client(servers[server].url, tokens[principal]);
  async function v1(server: number, principal = 'alice'): Promise<Client> {
    const client = new Client({ name: 'team-limits-test', version: '1' }, { capabilities: {} });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(servers[server].url), { requestInit: { headers: { Authorization: `Bearer ${tokens[principal]}` } } }),
    );
    sessions.push(client);
    return client;
  }
  const keyed = (key: string | undefined): Json => (key === undefined ? {} : { [META.idempotencyKey]: key });

  /** A long `wait` started on the 2026-07-28 wire; its task id. */
  async function startV2(client: V2Client, key?: string): Promise<string> {
    const created = await client.callTool('wait', { durationMs: LONG_MS, message: 'keyed' }, { extra: { _meta: keyed(key) } });
    assert.equal(created.resultType, 'task', JSON.stringify(created));
    return created.taskId as string;
  }
  /** A long `wait` started on the 2025-11-25 wire; its task id. */
  async function startV1(client: Client, key?: string): Promise<string> {
    const created = await client.request(
      { method: 'tools/call', params: { name: 'wait', arguments: { durationMs: LONG_MS, message: 'keyed' }, task: { ttl: LONG_MS }, _meta: keyed(key) } },
      CreateTaskResultSchema,
    );
    return created.task.taskId;
  }
  async function rowsWithKey(owner: string, key: string): Promise<{ task_id: string; status: string }[]> {
    const { rows } = await pool!.query<{ task_id: string; status: string }>(
      'SELECT task_id, status FROM tasks WHERE owner = $1 AND idempotency_key = $2 ORDER BY created_at',
      [owner, key],
    );
    return rows;
  }

  it('a key repeated through another instance returns the same task, on both wires', async () => {
    const key = `build-${randomUUID()}`;
    const first = await startV1(await v1(0), key);
    assert.equal(await startV2(v2(1), key), first, 'the 2026-07-28 wire through B');
    assert.equal(await startV1(await v1(2), key), first, 'the 2025-11-25 wire through C');
    assert.equal(await startV2(v2(0), key), first, 'the 2026-07-28 wire through A, which made it');

    const other = `deploy-${randomUUID()}`;
    const second = await startV2(v2(2), other);
    assert.equal(await startV1(await v1(1), other), second, 'the 2025-11-25 wire through B');
    assert.notEqual(second, first);

    assert.deepEqual(
      (await rowsWithKey('alice', key)).map((row) => row.task_id),
      [first],
    );
    // The same task everywhere: each instance reads it as working.
    for (const server of [0, 1, 2]) assert.equal((await v2(server).getTask(first)).status, 'working');
    await v2(1).result('tasks/cancel', { taskId: first });
    await v2(0).result('tasks/cancel', { taskId: second });
  });

  it('a keyed task that runs to its end is written as ended, on both wires: every instance and the row say completed', async () => {
    // Erin's own rate budget: the other tests spend alice's.
    const session = await v1(0, 'erin');
    const v1Task = (
      await session.request(
        {
          method: 'tools/call',
          params: { name: 'wait', arguments: { durationMs: 50, message: 'short' }, task: { ttl: LONG_MS }, _meta: keyed(`short-v1-${randomUUID()}`) },
        },
        CreateTaskResultSchema,
      )
    ).task.taskId;
    const v2Created = await v2(1, 'erin').callTool('wait', { durationMs: 50, message: 'short' }, { extra: { _meta: keyed(`short-v2-${randomUUID()}`) } });
    for (const taskId of [v1Task, v2Created.taskId as string]) {
      await waitFor(
        async () => (await pool!.query<{ status: string }>('SELECT status FROM tasks WHERE task_id = $1', [taskId])).rows[0]?.status === 'completed',
        { what: `task ${taskId}'s end written` },
      );
      for (const server of [0, 1, 2]) assert.equal((await v2(server, 'erin').getTask(taskId)).status, 'completed', `instance ${server}`);
    }
  });

  it('two starts with one key at once through two instances give one task', async () => {
    for (let round = 0; round < 4; round++) {
      const key = `together-${round}-${randomUUID()}`;
      const [a, b] = await Promise.all([startV2(v2(round % 3), key), startV1(await v1((round + 1) % 3), key)]);
      assert.equal(a, b, `round ${round}`);
      assert.equal((await rowsWithKey('alice', key)).length, 1, `round ${round}: one row`);
      await v2(round % 3).result('tasks/cancel', { taskId: a });
    }
  });

  it("another principal's start with the same key is a task of its own", async () => {
    const key = `shared-${randomUUID()}`;
    const mine = await startV2(v2(0, 'alice'), key);
    const theirs = await startV2(v2(1, 'bob'), key);
    assert.notEqual(theirs, mine);
    assert.equal(await startV1(await v1(2, 'bob'), key), theirs);
    assert.equal(await startV1(await v1(2, 'alice'), key), mine);
    await v2(0, 'alice').result('tasks/cancel', { taskId: mine });
    await v2(1, 'bob').result('tasks/cancel', { taskId: theirs });
  });

  it('once the task has ended the key is free, through the instance that ended it and through another', async () => {
    const key = `nightly-${randomUUID()}`;
    const first = await startV2(v2(0), key);
    await v2(1).poll(first, (task) => task.status === 'working');
    // Ended through A, started again through A at once (A's end may not be written yet).
    await v2(0).result('tasks/cancel', { taskId: first });
    const second = await startV2(v2(0), key);
    assert.notEqual(second, first);
    // Ended through B, which does not run it; started again through C once C has read the end.
    await v2(1).result('tasks/cancel', { taskId: second });
    await v2(2).poll(second, (task) => task.status === 'cancelled');
    const third = await startV1(await v1(2), key);
    assert.notEqual(third, second);
    assert.equal(await startV2(v2(1), key), third);
    const rows = await rowsWithKey('alice', key);
    assert.deepEqual(
      rows.map((row) => [row.task_id, row.status]),
      [
        [first, 'cancelled'],
        [second, 'cancelled'],
        [third, 'working'],
      ],
    );
    await v2(1).result('tasks/cancel', { taskId: third });
  });

  it(`a principal's --rate holds over the instances together: starts round-robin over three are refused past ${RATE}, plain calls too`, async () => {
    const clients = [0, 1, 2].map((server) => v2(server, 'carol'));
    const accepted: string[] = [];
    const refused: Json[] = [];
    for (let start = 0; start < RATE * 2; start++) {
      const reply = await clients[start % 3].send('tools/call', { name: 'wait', arguments: { durationMs: 1, message: `start ${start}` } });
      if (reply.body.result) accepted.push(String(start));
      else refused.push({ status: reply.status, ...(reply.body.error as Json) });
    }
    assert.equal(accepted.length, RATE, `accepted ${accepted.join(', ')}`);
    assert.equal(refused.length, RATE);
    for (const error of refused) {
      assert.equal(error.code, -32029, JSON.stringify(error));
      assert.equal(error.status, 429);
      assert.match(error.message, new RegExp(`Too many new tasks: this server accepts ${RATE} per hour from each caller`));
      assert.deepEqual([error.data.limit, error.data.windowMs], [RATE, 3_600_000]);
      assert.ok(error.data.retryAfterMs > 0, JSON.stringify(error));
    }
    // The old wire, a task and a plain call, through each instance: refused as well.
    for (const server of [0, 1, 2]) {
      const session = await v1(server, 'carol');
      await assert.rejects(startV1(session), (error: { code?: number; message?: string }) => error.code === -32029);
      await assert.rejects(
        session.callTool({ name: 'wait', arguments: { durationMs: 1 } }),
        (error: { code?: number; message?: string }) => error.code === -32029 && /Too many tool calls/.test(error.message ?? ''),
      );
    }
    // Another principal has a bucket of its own.
    await v2(1, 'dave').callTool('wait', { durationMs: 1, message: 'dave' });
  });

  it('with the database away, starts are still taken (each instance by itself) and the log says so', async () => {
    const server = await cluster();
    const key = `away-${randomUUID()}`;
    let first = '';
    await server.restart('fast', async () => {
      first = await startV2(v2(0, 'dave'), key);
      assert.equal(await startV2(v2(0, 'dave'), key), first, 'the instance still knows its own keys');
    });
    assert.match(servers[0].stderr(), /cannot reach the database for creation rates .*each instance keeps its own idempotency keys and creation rate/);
    // Back: the task is written, and the next start asks the team again.
    await waitFor(async () => (await pool!.query('SELECT 1 FROM tasks WHERE task_id = $1', [first])).rowCount === 1, {
      what: 'the task written once the database is back',
    });
    const after = await waitFor(
      async () => {
        await v2(0, 'dave').callTool('wait', { durationMs: 1, message: 'after' });
        return /hold across the team again/.test(servers[0].stderr());
      },
      { what: 'the log saying the team decides again' },
    );
    assert.ok(after);
    await v2(0, 'dave').result('tasks/cancel', { taskId: first });
  });
});
