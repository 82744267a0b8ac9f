/**
 * Lost work, against a real PostgreSQL: which tasks of a dead instance run again (the team's
 * queue, an idempotent tool, attempts left) and which end "worker lost"; a lost instance's late
 * writes refused; and an instance paused past its lease (SIGSTOP) that stops its own work, which
 * another instance ran again meanwhile, the moment it resumes, so the task ends once, as the second
 * run ended.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { RELINQUISHED_MESSAGE } from '../../../src/mcp/engine/sharedTasks';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { DurableTasks } from '../../../src/mcp/team/durableTasks';
import { migrate } from '../../../src/mcp/team/migrations';
import { MAX_ATTEMPTS, endLostWork } from '../../../src/mcp/team/taskLeases';
import { type TestDatabase, testDatabase } from '../helpers/postgres';
import { waitFor } from '../helpers/waitFor';
import { V2Client } from '../mcp/v2/helpers';
import { probeRuns } from './probeLog';
import { PROBE_SERVER, type RunningServer, createToken, requirePostgres, startServer, stopServer } from './teamHelpers';

const LEASE_MS = 1000;

describe('team database: lost work', function () {
  let db: TestDatabase | undefined;
  let pool: Pool | undefined;

  before(async function () {
    requirePostgres(this);
    db = await testDatabase('lost_work');
    pool = new Pool({ connectionString: db.url, max: 2 });
    await migrate(pool, db.url);
  });

  after(async () => {
    await pool?.end();
    await db?.drop();
  });

  /** A running task row of instance `dead`, its lease ended `lapsedMs` ago. */
  async function running(id: string, fields: { tool: string; attempt: number | null; lapsedMs: number }): Promise<void> {
    await pool!.query(
      `INSERT INTO tasks (task_id, owner, tool, status, created_at, last_updated_at, poll_interval_ms, instance_id, attempt, lease_expires_at)
       VALUES ($1, 'alice', $2, 'working', now(), now(), 1000, 'dead', $3, now() - $4 * interval '1 millisecond')`,
      [id, fields.tool, fields.attempt, fields.lapsedMs],
    );
  }
  const rowOf = async (id: string) =>
    (
      await pool!.query<{ status: string; status_message: string | null; queued: boolean; instance_id: string | null; attempt: number | null }>(
        'SELECT status, status_message, queued, instance_id, attempt FROM tasks WHERE task_id = $1',
        [id],
      )
    ).rows[0];

  it('queues again the lost work of an idempotent tool from the team queue while attempts last, and ends the rest "worker lost", a margin after the lease', async () => {
    await running('again', { tool: 'wait', attempt: 1, lapsedMs: 500 });
    await running('last-attempt', { tool: 'wait', attempt: MAX_ATTEMPTS, lapsedMs: 500 });
    await running('not-idempotent', { tool: 'run_command', attempt: 1, lapsedMs: 500 });
    await running('never-queued', { tool: 'wait', attempt: null, lapsedMs: 500 });
    await running('within-margin', { tool: 'run_command', attempt: 1, lapsedMs: 20 });

    assert.deepEqual(await endLostWork(pool!, { leaseMs: LEASE_MS, rerunTools: ['wait'] }), { ended: 3, requeued: 1 });
    assert.deepEqual(await rowOf('again'), {
      status: 'working',
      status_message: `Re-running: the instance running it was lost (attempt 2 of ${MAX_ATTEMPTS})`,
      queued: true,
      instance_id: null,
      attempt: 1,
    });
    for (const id of ['last-attempt', 'not-idempotent', 'never-queued']) {
      const row = await rowOf(id);
      assert.equal(row.status, 'failed', id);
      assert.match(row.status_message!, /^Worker lost/, id);
    }
    // A lease lapsed by less than the margin (a tenth of a lease) is not taken yet.
    assert.equal((await rowOf('within-margin')).status, 'working');
  });

  it("refuses a lost instance's late writes of work now queued again or another's, but takes a cancel from any instance", async () => {
    const engine = new TaskEngine();
    const durable = new DurableTasks(pool!, engine, { instanceId: 'late', leaseMs: LEASE_MS });
    try {
      const task = engine.start({
        owner: 'alice',
        tool: 'wait',
        settle: () => ({ status: 'completed' }),
        run: (context) => new Promise(() => context.status('started')),
      });
      await durable.flushed();
      await waitFor(async () => (await rowOf(task.taskId))?.status_message === 'started', { what: 'the task written' });
      // Meanwhile its lease lapsed and it was queued again (another instance may hold it by now).
      await pool!.query(`UPDATE tasks SET queued = true, instance_id = NULL, status_message = 'requeued' WHERE task_id = $1`, [task.taskId]);
      engine.setPriority(task.taskId, 5);
      await durable.flushed();
      assert.deepEqual(await rowOf(task.taskId), { status: 'working', status_message: 'requeued', queued: true, instance_id: null, attempt: null });
      engine.cancelAny(task.taskId);
      await durable.flushed();
      assert.equal((await rowOf(task.taskId)).status, 'cancelled');
    } finally {
      durable.dispose();
      engine.dispose();
    }
  });

  describe('an instance paused past its lease', function () {
    const servers: RunningServer[] = [];
    let token = '';
    let scratch = '';
    let probes = '';

    before(async function () {
      token = await createToken(db!.url, 'alice');
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-lost-'));
      probes = path.join(scratch, 'probes.log');
      const args = ['--store', db!.url, '--log', 'warn', '--lease-ms', String(LEASE_MS)];
      servers.push(...(await Promise.all([0, 1].map(() => startServer(args, PROBE_SERVER, { TASKLANE_PROBE_LOG: probes })))));
    });

    after(async () => {
      for (const server of servers) server.child.kill('SIGCONT');
      await Promise.all(servers.map((server) => stopServer(server, 'SIGTERM')));
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    });

    it('stops its idempotent work when it resumes, before that work takes another step; the run begun elsewhere meanwhile is the one that ends', async () => {
      const created = await new V2Client(servers[0].url, token).callTool('probe_a', { durationMs: 4000 });
      const taskId = created.taskId as string;
      const first = await waitFor(() => probeRuns(probes).find((run) => run.task === taskId), { what: 'the probe running' });
      const stalled = servers.findIndex((server) => server.child.pid === first.pid);
      const other = servers[1 - stalled];

      servers[stalled].child.kill('SIGSTOP');
      // The other instance takes the work once the stalled one's lease (and the margin) ran out, and runs it again.
      const second = await waitFor(() => probeRuns(probes).find((run) => run.task === taskId && run.pid !== first.pid), { what: 'the second run' });
      assert.equal(second.pid, other.child.pid);
      servers[stalled].child.kill('SIGCONT');

      // Both instances say the task ended as the second run ended, the resumed one included.
      for (const server of [other, servers[stalled]]) {
        const done = await new V2Client(server.url, token).poll(taskId);
        assert.equal(done.status, 'completed', JSON.stringify(done));
        assert.equal(done.result.content[0].text, `probe_a ran on ${other.child.pid}`);
      }
      // The tool's own log: the paused run was stopped (by its instance's fence), never ended; the second ended.
      const runs = probeRuns(probes).filter((run) => run.task === taskId);
      assert.equal(runs.length, 2);
      assert.equal(
        runs[0].how,
        'stop',
        JSON.stringify(runs[0], (_, value: unknown) => (typeof value === 'bigint' ? String(value) : value)),
      );
      assert.equal(runs[0].reason, RELINQUISHED_MESSAGE);
      assert.equal(runs[1].how, 'end');
      assert.ok(runs[0].finish! < runs[1].finish!, 'the paused run stopped before the second ended');
      assert.equal((await rowOf(taskId)).attempt, 2);
    });
  });
});
