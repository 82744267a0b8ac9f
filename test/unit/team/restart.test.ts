/**
 * A restarted server forgets nothing: tasks created on both wires before a SIGKILL are answered
 * after it (status, result, list), and the work that was unfinished when the server died ends
 * `failed`, "worker lost", retryable, once its lease runs out, or, for an idempotent tool's task of
 * the team's queue, runs again. Against a real PostgreSQL and the real `dist/server.js`.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { Pool } from 'pg';
import { CreateTaskResultSchema, GetTaskResultSchema, ListTasksResultSchema } from '../../../src/mcp/wires/v1/codec';
import { type TestDatabase, testDatabase } from '../helpers/postgres';
import { waitFor } from '../helpers/waitFor';
import { V2Client } from '../mcp/v2/helpers';
import { type RunningServer, createToken, requirePostgres, startServer, stopServer } from './teamHelpers';

async function sessionClient(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'restart-test', version: '1' }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

describe('team database: a restarted server', function () {
  let db: TestDatabase | undefined;
  let pool: Pool | undefined;
  let server: RunningServer | undefined;
  const clients: Client[] = [];
  let scratch = '';

  before(async function () {
    requirePostgres(this);
    db = await testDatabase('restart');
    pool = new Pool({ connectionString: db.url, max: 1 });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-restart-'));
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await stopServer(server);
    // The command the killed server left running.
    const pid = scratch && fs.existsSync(path.join(scratch, 'pid')) ? Number(fs.readFileSync(path.join(scratch, 'pid'), 'utf8')) : 0;
    try {
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    await pool?.end();
    await db?.drop();
  });

  const rowStatus = async (taskId: string) => (await pool!.query<{ status: string }>('SELECT status FROM tasks WHERE task_id = $1', [taskId])).rows[0]?.status;

  it('answers for tasks created before a SIGKILL on both wires, and ends the unfinished ones "worker lost"', async () => {
    const token = await createToken(db!.url, 'carol');
    server = await startServer(['--store', db!.url, '--log', 'warn', '--lease-ms', '1000']);
    const legacy = await sessionClient(server.url, token);
    clients.push(legacy);
    const modern = new V2Client(server.url, token);

    const call = (durationMs: number, message: string) =>
      legacy.request({ method: 'tools/call', params: { name: 'wait', arguments: { durationMs, message }, task: { ttl: 600_000 } } }, CreateTaskResultSchema);
    const finishedOld = (await call(100, 'done on the old wire')).task.taskId;
    const unfinishedOld = (await call(600_000, 'never ends')).task.taskId;
    const finishedNew = await modern.callTool('wait', { durationMs: 300, message: 'done on the new wire' });
    // run_command is not idempotent: its lost work is not run again.
    const unfinishedNew = await modern.callTool('run_command', { command: `echo $$ > '${path.join(scratch, 'pid')}'; exec sleep 600` });
    // wait is: its lost work is queued again and runs again after the restart.
    const rerunNew = await modern.callTool('wait', { durationMs: 3000, message: 'ran again' });
    assert.equal(finishedNew.resultType, 'task', JSON.stringify(finishedNew));
    assert.equal(unfinishedNew.resultType, 'task');
    assert.equal(rerunNew.resultType, 'task');
    assert.equal((await modern.poll(finishedNew.taskId)).status, 'completed');
    await legacy.request({ method: 'tasks/result', params: { taskId: finishedOld } }, CallToolResultSchema);

    // Writes follow the answers: wait until the database has what the clients were told, then crash.
    await waitFor(async () => (await rowStatus(finishedOld)) === 'completed' && (await rowStatus(finishedNew.taskId)) === 'completed', {
      what: 'both finished tasks written',
    });
    await waitFor(
      async () =>
        (await rowStatus(unfinishedOld)) === 'working' &&
        (await rowStatus(unfinishedNew.taskId)) === 'working' &&
        (await rowStatus(rerunNew.taskId)) === 'working' &&
        fs.existsSync(path.join(scratch, 'pid')),
      { what: 'the unfinished tasks written, the command running' },
    );
    await stopServer(server, 'SIGKILL');

    server = await startServer(['--store', db!.url, '--log', 'warn', '--lease-ms', '1000']);
    const after = await sessionClient(server.url, token);
    clients.push(after);
    const modernAfter = new V2Client(server.url, token);

    // The 2025-11-25 wire: get, result and list of tasks from before the restart.
    const got = await after.request({ method: 'tasks/get', params: { taskId: finishedOld } }, GetTaskResultSchema);
    assert.equal(got.status, 'completed');
    const result = await after.request({ method: 'tasks/result', params: { taskId: finishedOld } }, CallToolResultSchema);
    assert.equal((result.content[0] as { text: string }).text, 'done on the old wire');
    const listed = await after.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
    assert.deepEqual(
      listed.tasks.map((task) => task.taskId),
      [finishedOld, unfinishedOld, finishedNew.taskId, unfinishedNew.taskId, rerunNew.taskId],
    );
    // The dead server's work ends once its lease (1 s here) runs out.
    const lostOld = await waitFor(
      async () => {
        const task = await after.request({ method: 'tasks/get', params: { taskId: unfinishedOld } }, GetTaskResultSchema);
        return task.status === 'working' ? undefined : task;
      },
      { what: 'the unfinished 2025-11-25 task ended once the lease ran out' },
    );
    assert.equal(lostOld.status, 'failed');
    assert.match(lostOld.statusMessage ?? '', /^Worker lost/);

    // The 2026-07-28 wire: tasks/get inlines the result, or the error that says it may be retried.
    const done = await modernAfter.getTask(finishedNew.taskId);
    assert.equal(done.status, 'completed');
    assert.equal(done.result.content[0].text, 'done on the new wire');
    const lostNew = await modernAfter.getTask(unfinishedNew.taskId);
    assert.equal(lostNew.status, 'failed');
    assert.match(lostNew.error.message, /^Worker lost/);
    assert.deepEqual(lostNew.error.data, { reason: 'worker lost', retryable: true });
    // The idempotent one says it runs again, and ends as a second run ends, once.
    const again = await modernAfter.poll(rerunNew.taskId, (task) => task.status !== 'working' || /^Re-running/.test(String(task.statusMessage)));
    assert.equal(again.statusMessage, 'Re-running: the instance running it was lost (attempt 2 of 3)', JSON.stringify(again));
    const rerun = await modernAfter.poll(rerunNew.taskId);
    assert.equal(rerun.status, 'completed', JSON.stringify(rerun));
    assert.equal(rerun.result.content[0].text, 'ran again');
    assert.equal((await pool!.query<{ attempt: number }>('SELECT attempt FROM tasks WHERE task_id = $1', [rerunNew.taskId])).rows[0].attempt, 2);

    // Work goes on after the restart, and is kept too.
    const fresh = await modernAfter.callTool('wait', { durationMs: 300, message: 'after the restart' });
    assert.equal((await modernAfter.poll(fresh.taskId)).status, 'completed');
    await waitFor(async () => (await rowStatus(fresh.taskId)) === 'completed', { what: 'the new task written' });

    // The audit names the principal for creations and result reads.
    const audit = await waitFor(
      async () => {
        const { rows } = await pool!.query<{ principal: string; action: string; task_id: string }>(
          'SELECT principal, action, task_id FROM audit ORDER BY audit_id',
        );
        return rows.some((row) => row.action === 'result' && row.task_id === unfinishedNew.taskId) ? rows : undefined;
      },
      { what: 'the result read after the restart audited' },
    );
    assert.ok(audit.every((row) => row.principal === 'carol'));
    const actionsOf = (taskId: string) => audit.filter((row) => row.task_id === taskId).map((row) => row.action);
    assert.deepEqual(actionsOf(finishedOld), ['create', 'result', 'result'], 'one result read per server run');
    assert.deepEqual(actionsOf(unfinishedOld), ['create', 'result']);
  });
});
