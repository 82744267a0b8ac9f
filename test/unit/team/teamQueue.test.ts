/**
 * The team's queue across three standalone servers on one database, each started with
 * `--max-running 1`: one task runs at a time in the whole team, the highest priority first
 * whichever instance it was created through, none before its run-after time, and a queued task
 * outlives the instance it was created through; with room in the team, the instance a task is
 * created through claims it in the transaction that writes it. Against a real PostgreSQL and `dist/server.js`.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { type TestDatabase, testDatabase } from '../helpers/postgres';
import { waitFor } from '../helpers/waitFor';
import { V2Client } from '../mcp/v2/helpers';
import { CommandLog } from './commandLog';
import { type RunningServer, createToken, requirePostgres, startServer, stopServer } from './teamHelpers';

describe('team database: one queue for the team', function () {
  let db: TestDatabase | undefined;
  let token = '';
  const servers: RunningServer[] = [];
  let scratch = '';
  let runs: CommandLog | undefined;

  const start = () => startServer(['--store', db!.url, '--log', 'warn', '--lease-ms', '1000', '--max-running', '1']);
  const clientOf = (server: RunningServer) => new V2Client(server.url, token);

  before(async function () {
    requirePostgres(this);
    db = await testDatabase('team_queue');
    token = await createToken(db.url, 'alice');
    servers.push(...(await Promise.all([start(), start(), start()])));
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-queue-'));
  });

  beforeEach(() => {
    runs = new CommandLog(scratch);
  });

  after(async () => {
    runs?.release();
    await Promise.all(servers.map((server) => stopServer(server, 'SIGTERM')));
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    await db?.drop();
  });

  it('runs one task at a time in the whole team, the highest priority first, whichever instance took it', async () => {
    const first = await clientOf(servers[0]).callTool('run_command', { command: runs!.blocker('blocker') });
    await waitFor(() => runs!.started('blocker'), { what: 'the blocker running' });
    const queued: [string, number][] = [
      ['low', 1],
      ['high', 9],
      ['middle', 5],
    ];
    const ids: string[] = [];
    for (const [index, [name, priority]] of queued.entries()) {
      const created = await clientOf(servers[index]).callTool(
        'run_command',
        { command: runs!.logged(name, 'sleep 0.2') },
        { extra: { _meta: { 'dev.tasklane/priority': priority } } },
      );
      assert.equal(created.resultType, 'task', JSON.stringify(created));
      ids.push(created.taskId as string);
    }
    // Each instance would have a free slot of its own: the team's limit keeps them waiting.
    for (const id of ids) assert.equal((await clientOf(servers[2]).poll(id, (task) => task.status === 'working')).status, 'working');
    assert.deepEqual(runs!.lines(), [runs!.lines()[0]], 'only the blocker has started');

    runs!.release();
    for (const id of [first.taskId as string, ...ids]) assert.equal((await clientOf(servers[1]).poll(id)).status, 'completed');
    assert.deepEqual(
      runs!.lines().map((line) => line.split(' ').slice(0, 2).join(' ')),
      ['start blocker', 'end blocker', 'start high', 'end high', 'start middle', 'end middle', 'start low', 'end low'],
    );
  });

  it('starts no task before its run-after time', async () => {
    const notBefore = Date.now() + 1500;
    const created = await clientOf(servers[1]).callTool(
      'run_command',
      { command: `echo "started $(date +%s%3N)" >> '${runs!.file}'` },
      { extra: { _meta: { 'dev.tasklane/scheduling': { runAfter: new Date(notBefore).toISOString() } } } },
    );
    assert.equal((await clientOf(servers[0]).poll(created.taskId as string)).status, 'completed');
    const startedAt = Number(runs!.lines()[0].split(' ')[1]);
    assert.ok(startedAt >= notBefore, `started ${notBefore - startedAt} ms before its run-after time`);
  });

  it('keeps a queued task when the instance it was created through dies: another instance runs it', async () => {
    await clientOf(servers[0]).callTool('run_command', { command: runs!.blocker('blocker') });
    const runner = await runs!.runnerOf('blocker', servers);
    const creator = (runner + 1) % 3;
    const witness = clientOf(servers[(runner + 2) % 3]);
    const waiting = await clientOf(servers[creator]).callTool('run_command', { command: runs!.logged('orphan', 'true') });
    await witness.poll(waiting.taskId as string, (task) => task.status === 'working');
    await stopServer(servers[creator], 'SIGKILL');
    runs!.release();
    const done = await witness.poll(waiting.taskId as string);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.notEqual(runs!.startedOn('orphan', servers), creator);
    servers[creator] = await start();
  });

  it('claims a task in the transaction that writes its queued row when the team has room, on the instance it was created through', async () => {
    const admin = new Client({ connectionString: db!.url });
    await admin.connect();
    try {
      // Which transaction wrote the queued row and which claimed it, as the database saw them.
      await admin.query(`
        CREATE TABLE queue_log (task_id text, change text, tx bigint);
        CREATE FUNCTION log_queue() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
          INSERT INTO queue_log VALUES (NEW.task_id, CASE WHEN NEW.queued THEN 'queued' ELSE 'claimed' END, txid_current());
          RETURN NULL; END $$;
        CREATE TRIGGER log_queued AFTER INSERT ON tasks FOR EACH ROW WHEN (NEW.queued) EXECUTE FUNCTION log_queue();
        CREATE TRIGGER log_claimed AFTER UPDATE OF queued ON tasks FOR EACH ROW WHEN (OLD.queued AND NOT NEW.queued) EXECUTE FUNCTION log_queue();`);
      const created = await clientOf(servers[2]).callTool('run_command', { command: runs!.logged('mine', 'true') });
      assert.equal((await clientOf(servers[2]).poll(created.taskId as string)).status, 'completed');
      const { rows } = await admin.query<{ change: string; tx: string }>('SELECT change, tx FROM queue_log WHERE task_id = $1 ORDER BY change DESC', [
        created.taskId,
      ]);
      assert.deepEqual(
        rows.map((row) => row.change),
        ['queued', 'claimed'],
      );
      assert.equal(rows[0].tx, rows[1].tx, 'the queued row and its claim in one transaction');
      assert.equal(runs!.startedOn('mine', servers), 2);
    } finally {
      await admin.end();
    }
  });
});
