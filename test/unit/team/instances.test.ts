/**
 * Several standalone servers on one team database, against a real PostgreSQL and the real
 * `dist/server.js`: a client spreading its requests round-robin over three instances reads,
 * follows, answers and cancels each task through any of them, on both wires; and an instance
 * SIGKILLed mid-task, ten times over, loses no task and runs none twice at once (an idempotent
 * tool's task runs again elsewhere, after the instance is gone); and a database restart
 * mid-run loses nothing and ends no work that still runs.
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
import { type TestDatabase, cluster, testDatabase } from '../helpers/postgres';
import { waitFor } from '../helpers/waitFor';
import { type Json, V2Client } from '../mcp/v2/helpers';
import { probeRuns } from './probeLog';
import { PROBE_SERVER, type RunningServer, createToken, requirePostgres, startServer, stopServer } from './teamHelpers';

/** Short, so a dead instance's work ends within a couple of seconds. */
const LEASE_MS = 1000;

describe('team database: several instances', function () {
  let db: TestDatabase | undefined;
  let pool: Pool | undefined;
  let token = '';
  const servers: RunningServer[] = [];
  const sessions: Client[] = [];
  let scratch = '';

  let probes = '';

  // The server with the probe tools (probeServer.ts): idempotent, and logging each run. Rates are
  // off: they hold for the whole team, and this suite measures other things.
  const start = () =>
    startServer(['--store', db!.url, '--log', 'warn', '--lease-ms', String(LEASE_MS), '--rate', 'unlimited'], PROBE_SERVER, { TASKLANE_PROBE_LOG: probes });
  const clientOf = (server: RunningServer) => new V2Client(server.url, token);
  async function sessionOn(server: RunningServer): Promise<Client> {
    const client = new Client({ name: 'instances-test', version: '1' }, { capabilities: {} });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    sessions.push(client);
    return client;
  }

  before(async function () {
    requirePostgres(this);
    db = await testDatabase('instances');
    pool = new Pool({ connectionString: db.url, max: 1 });
    // The database restart below ends the pool's idle connection; its next query opens another.
    pool.on('error', () => undefined);
    token = await createToken(db.url, 'alice');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-instances-'));
    probes = path.join(scratch, 'probes.log');
    servers.push(...(await Promise.all([start(), start(), start()])));
  });

  after(async () => {
    await Promise.all(sessions.map((session) => session.close().catch(() => undefined)));
    await Promise.all(servers.map((server) => stopServer(server, 'SIGTERM')));
    killLeftovers(scratch);
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    await pool?.end();
    await db?.drop();
  });

  it('reads, follows, answers and cancels a task through any instance, on both wires', async () => {
    const [a, b, c] = servers.map(clientOf);

    // Created through A, followed to its end through B on the old wire, read through C on the new.
    const short = await a.callTool('wait', { durationMs: 500, message: 'done on A' });
    assert.equal(short.resultType, 'task', JSON.stringify(short));
    const followed = await (await sessionOn(servers[1])).request({ method: 'tasks/result', params: { taskId: short.taskId } }, CallToolResultSchema);
    assert.equal((followed.content[0] as { text: string }).text, 'done on A');
    const read = await c.poll(short.taskId);
    assert.equal(read.status, 'completed');
    assert.equal(read.result.content[0].text, 'done on A');

    // Cancelled through C while A runs it: A stops the work, and every instance says cancelled.
    const long = await a.callTool('wait', { durationMs: 600_000, message: 'never' });
    await b.poll(long.taskId, (task) => task.status === 'working');
    await c.result('tasks/cancel', { taskId: long.taskId });
    for (const client of [a, b, c]) assert.equal((await client.poll(long.taskId)).status, 'cancelled');

    // A question asked by work on C, answered through B: C's work gets the answer and ends.
    const asked = await c.callTool('ask', { question: 'Ship it?' });
    const open = await b.poll(asked.taskId, (task) => task.status === 'input_required');
    const [key] = Object.keys(open.inputRequests as Json);
    assert.ok(key, JSON.stringify(open));
    await b.result('tasks/update', { taskId: asked.taskId, inputResponses: { [key]: { action: 'accept', content: { answer: 'yes' } } } });
    const answered = await a.poll(asked.taskId);
    assert.equal(answered.status, 'completed', JSON.stringify(answered));
    assert.equal(answered.result.content[0].text, 'yes');

    // The old wire's list through any instance shows the principal's tasks from all of them.
    const listed = await (await sessionOn(servers[2])).request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
    const ids = listed.tasks.map((task) => task.taskId);
    for (const id of [short.taskId, long.taskId, asked.taskId]) assert.ok(ids.includes(id), `${id} listed through C: ${ids.join(', ')}`);

    // The audit names the principal for each action, whichever instance took it.
    const audit = await waitFor(
      async () => {
        const { rows } = await pool!.query<{ principal: string; action: string; task_id: string }>(
          'SELECT principal, action, task_id FROM audit ORDER BY audit_id',
        );
        return rows.some((row) => row.action === 'answer') && rows.some((row) => row.action === 'cancel') ? rows : undefined;
      },
      { what: 'the cancel and the answer audited' },
    );
    assert.ok(audit.every((row) => row.principal === 'alice'));
    assert.deepEqual(
      audit.filter((row) => row.task_id === long.taskId && row.action !== 'result').map((row) => row.action),
      ['create', 'cancel'],
    );
  });

  it('a round-robin client finds each task through the next instance the moment its creation is answered, on both wires', async () => {
    const clients = servers.map(clientOf);
    const legacy = await Promise.all(servers.map((server) => sessionOn(server)));
    const misses: string[] = [];
    for (let round = 0; round < 30; round++) {
      const created = await clients[round % 3].callTool('wait', { durationMs: 50, message: `round ${round}` });
      const reader = (round + 1) % 3;
      const modern = await clients[reader].send('tasks/get', { taskId: created.taskId });
      if (!modern.body.result) misses.push(`2026-07-28 round ${round}: ${JSON.stringify(modern.body.error)}`);
      const old = await legacy[reader].request({ method: 'tasks/get', params: { taskId: created.taskId } }, GetTaskResultSchema).catch((error: Error) => error);
      if (old instanceof Error) misses.push(`2025-11-25 round ${round}: ${old.message}`);
    }
    assert.deepEqual(misses, []);
    // An id no instance ever gave is still "not found", after a moment's wait for a write.
    const unknown = await clients[0].send('tasks/get', { taskId: '00000000-0000-4000-8000-000000000000' });
    assert.equal(unknown.body.error?.code, -32602, JSON.stringify(unknown.body));
  });

  it('SIGKILL of the instance running a task, ten times: its work ends "worker lost" everywhere, or runs again elsewhere when its tool is idempotent; no task lost, none run twice at once', async function () {
    this.timeout(120_000);
    const runs = path.join(scratch, 'runs.log');
    const created: string[] = [];
    const failoverMs: number[] = [];
    /** The marker line a run wrote: "<marker> <shell pid> <server pid>". */
    const runLine = (marker: string) =>
      fs.existsSync(runs)
        ? fs
            .readFileSync(runs, 'utf8')
            .split('\n')
            .find((line) => line.startsWith(`${marker} `))
        : undefined;
    for (let round = 0; round < 10; round++) {
      // Created through one instance; any instance may claim and run it (the team's queue).
      const through = clientOf(servers[round % 3]);
      const mine: string[] = [];
      for (const part of ['a', 'b']) {
        // Each run appends its marker, its shell's pid and its server's pid once, then waits far longer than the test.
        const started = await through.callTool('run_command', { command: `echo "${round}${part} $$ $PPID" >> '${runs}'; exec sleep 120` });
        assert.equal(started.resultType, 'task', JSON.stringify(started));
        mine.push(started.taskId as string);
      }
      created.push(...mine);
      const [lineA, lineB] = await waitFor(() => (runLine(`${round}a`) && runLine(`${round}b`) ? [runLine(`${round}a`)!, runLine(`${round}b`)!] : undefined), {
        what: `round ${round}'s two commands running`,
      });
      const runnerOf = (line: string) => servers.findIndex((server) => server.child.pid === Number(line.split(' ')[2]));
      const victim = runnerOf(lineA);
      assert.ok(victim >= 0, `a server runs ${lineA}`);
      const witness = clientOf(servers[(victim + 1) % 3]);
      for (const id of mine) await witness.poll(id, (task) => task.status === 'working');
      // An idempotent tool's task running on the victim too: created through it until one runs there, the others cancelled.
      const victimPid = servers[victim].child.pid;
      let idempotent: string | undefined;
      for (let tries = 0; !idempotent; tries++) {
        assert.ok(tries < 20, `round ${round}: a probe task runs on the victim`);
        const probe = await clientOf(servers[victim]).callTool('probe_a', { durationMs: 1500 });
        const first = await waitFor(() => probeRuns(probes).find((run) => run.task === probe.taskId), { what: `round ${round}'s probe running` });
        if (first.pid === victimPid) idempotent = probe.taskId as string;
        else await witness.result('tasks/cancel', { taskId: probe.taskId });
      }
      await witness.poll(idempotent, (task) => task.status === 'working');

      const killedAt = Date.now();
      await stopServer(servers[victim], 'SIGKILL');
      const goneAt = process.hrtime.bigint();
      const lost = await witness.poll(mine[0], (task) => task.status !== 'working');
      assert.equal(lost.status, 'failed', JSON.stringify(lost));
      assert.match(lost.error.message, /^Worker lost/);
      assert.deepEqual(lost.error.data, { reason: 'worker lost', retryable: true });
      failoverMs.push(Date.now() - killedAt);
      if (runnerOf(lineB) === victim) assert.equal((await witness.poll(mine[1], (task) => task.status !== 'working')).status, 'failed');
      else await witness.result('tasks/cancel', { taskId: mine[1] });
      // The idempotent one is queued again, and another instance runs it to its end.
      const requeued = await witness.poll(idempotent, (task) => task.status !== 'working' || /^Re-running/.test(String(task.statusMessage)));
      assert.equal(requeued.statusMessage, 'Re-running: the instance running it was lost (attempt 2 of 3)', JSON.stringify(requeued));
      servers[victim] = await start();
      const done = await witness.poll(idempotent);
      assert.equal(done.status, 'completed', JSON.stringify(done));
      // Its runs, from the tool's own log: the killed one, then one more elsewhere, begun after the victim was gone, ended once.
      const [killed, again, ...more] = probeRuns(probes).filter((run) => run.task === idempotent);
      assert.deepEqual(more, []);
      assert.equal(killed.pid, victimPid);
      assert.equal(killed.finish, undefined, 'the killed run never ended');
      assert.notEqual(again.pid, victimPid);
      assert.ok(again.start > goneAt, `round ${round}: the second run began after the first instance was gone`);
      assert.equal(again.how, 'end');
      assert.equal(done.result.content[0].text, `probe_a ran on ${again.pid}`);
    }

    // Nothing lost: every task is known, ended, through every instance.
    for (const server of servers) {
      const client = clientOf(server);
      for (const id of created) assert.ok(['failed', 'cancelled'].includes((await client.poll(id)).status as string), `${id} through ${server.url}`);
    }
    // Nothing run twice: each marker once.
    const markers = fs
      .readFileSync(runs, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[0]);
    assert.equal(markers.length, 20, markers.join(' '));
    assert.equal(new Set(markers).size, 20, markers.join(' '));
    // Bounded: the lease (1 s) plus a heartbeat and a notification, far under the 15 s a team would accept.
    assert.ok(Math.max(...failoverMs) < 15_000, `failover took ${failoverMs.join(', ')} ms`);
  });

  it('a database restart mid-run: the instances reconnect, write what changed meanwhile, and end no work that still runs', async () => {
    const [a, b] = servers.map(clientOf);
    // A 2025-11-25 session's task runs on the session's instance: these run on A, and on C.
    const startOn = async (server: RunningServer, durationMs: number, message: string) =>
      (
        await (
          await sessionOn(server)
        ).request({ method: 'tools/call', params: { name: 'wait', arguments: { durationMs, message }, task: { ttl: 600_000 } } }, CreateTaskResultSchema)
      ).task;
    const long = await startOn(servers[0], 600_000, 'runs through the restart');
    // Longer than a lease: while it runs the database is away, so every lease lapses.
    const short = await startOn(servers[0], 2000, 'ended while the database was away');
    const sentinel = await startOn(servers[2], 600_000, 'its instance dies');
    for (const id of [long.taskId, short.taskId, sentinel.taskId]) await b.poll(id, (task) => task.status === 'working');

    let during: Json = {};
    await (
      await cluster()
    ).restart('fast', async () => {
      await stopServer(servers[2], 'SIGKILL');
      // New work is answered at once and waits in the team's queue until the database is back.
      during = await a.callTool('wait', { durationMs: 100, message: 'created while the database was away' });
      assert.equal(during.resultType, 'task', JSON.stringify(during));
      // Running work goes on.
      assert.equal((await a.poll(short.taskId)).status, 'completed');
    });
    servers[2] = await start();

    // The dead instance's work ends once the others have been back a lease: they are reaping again...
    const lost = await b.poll(sentinel.taskId, (task) => task.status !== 'working');
    assert.match(lost.statusMessage as string, /^Worker lost/);
    // ...and the live instance's work, whose lease lapsed while the database was away, still runs.
    assert.equal((await a.getTask(long.taskId)).status, 'working');
    assert.equal((await b.getTask(long.taskId)).status, 'working');
    // What changed while the database was away was written once it came back, and the others have it.
    const statusOf = async (taskId: string) => (await pool!.query<{ status: string }>('SELECT status FROM tasks WHERE task_id = $1', [taskId])).rows[0]?.status;
    await waitFor(async () => (await statusOf(short.taskId)) === 'completed' && (await statusOf(during.taskId)) === 'completed', {
      what: 'the changes made while the database was away written',
    });
    assert.equal((await b.poll(during.taskId)).result.content[0].text, 'created while the database was away');
    assert.equal(await statusOf(long.taskId), 'working');
    // And the instances follow each other again.
    await b.result('tasks/cancel', { taskId: long.taskId });
    assert.equal((await a.poll(long.taskId)).status, 'cancelled');
  });
});

/** The `sleep`s the killed instances' commands left behind (their shells' pids are in the log). */
function killLeftovers(scratch: string): void {
  const runs = path.join(scratch, 'runs.log');
  if (!scratch || !fs.existsSync(runs)) return;
  for (const line of fs.readFileSync(runs, 'utf8').trim().split('\n')) {
    const pid = Number(line.split(' ')[1]);
    try {
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
