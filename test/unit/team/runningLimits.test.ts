/**
 * The team's running limits under load, proved from outside the engines: three servers on one
 * database, each started with the same `--max-running`, `--max-running-per-tool` and
 * `--max-running-per-principal`, take 1,000 tasks of two tools from 10 clients of 6 principals
 * spread over them. The tools themselves (probeServer.ts) log when each run starts and ends on the
 * machine's monotonic clock, and the most runs that overlapped, in the whole team, per tool and per
 * principal, must be within each limit (and above zero: the evidence is there). Against a real
 * PostgreSQL.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { type TestDatabase, testDatabase } from '../helpers/postgres';
import { V2Client } from '../mcp/v2/helpers';
import { maxOverlap, probeRuns } from './probeLog';
import { PROBE_SERVER, type RunningServer, createToken, requirePostgres, startServer, stopServer } from './teamHelpers';

const MAX_RUNNING = 4;
const PER_TOOL: Readonly<Record<string, number>> = { probe_a: 3, probe_b: 2 };
const PER_PRINCIPAL = 2;
const PRINCIPALS = ['ann', 'ben', 'cat', 'dan', 'eve', 'fay'];

describe("team database: the team's limits under load", function () {
  let db: TestDatabase | undefined;
  let pool: Pool | undefined;
  const tokens = new Map<string, string>();
  const servers: RunningServer[] = [];
  let scratch = '';
  let probes = '';

  before(async function () {
    requirePostgres(this);
    db = await testDatabase('team_limits');
    pool = new Pool({ connectionString: db.url, max: 1 });
    for (const name of PRINCIPALS) tokens.set(name, await createToken(db.url, name));
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-limits-'));
    probes = path.join(scratch, 'probes.log');
    const args = [
      ...['--store', db.url, '--log', 'warn', '--rate', 'unlimited'],
      ...['--max-running', String(MAX_RUNNING), '--max-running-per-principal', String(PER_PRINCIPAL)],
      ...[
        '--max-running-per-tool',
        Object.entries(PER_TOOL)
          .map(([tool, limit]) => `${tool}=${limit}`)
          .join(','),
      ],
    ];
    servers.push(...(await Promise.all([0, 1, 2].map(() => startServer(args, PROBE_SERVER, { TASKLANE_PROBE_LOG: probes })))));
  });

  after(async () => {
    await Promise.all(servers.map((server) => stopServer(server, 'SIGTERM')));
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    await pool?.end();
    await db?.drop();
  });

  it('load: 1,000 tasks from 10 clients spread over the 3 instances all end once, alike on every instance, and no limit is exceeded in the team', async function () {
    this.timeout(180_000);
    const created = new Map<string, { tool: string; principal: string }>();
    await Promise.all(
      Array.from({ length: 10 }, async (_, client) => {
        // Half the clients are one principal's, so its own limit is what holds it back.
        const principal = client < 5 ? PRINCIPALS[0] : PRINCIPALS[client - 4];
        for (let n = 0; n < 100; n++) {
          const tool = (client + n) % 3 === 0 ? 'probe_b' : 'probe_a';
          const reply = await new V2Client(servers[(client + n) % 3].url, tokens.get(principal)).callTool(tool, { durationMs: 15 });
          assert.equal(reply.resultType, 'task', JSON.stringify(reply));
          created.set(reply.taskId as string, { tool, principal });
        }
      }),
    );
    assert.equal(created.size, 1000);
    const ids = [...created.keys()];

    // Every task ends, and every instance says so (none missing, none different).
    for (const server of servers) {
      const statuses = await Promise.all(
        ids.map(async (id) => (await new V2Client(server.url, tokens.get(created.get(id)!.principal)).poll(id)).status as string),
      );
      assert.deepEqual([...new Set(statuses)], ['completed'], `statuses through ${server.url}`);
    }
    const { rows } = await pool!.query<{ status: string; count: number }>(
      'SELECT status, count(*)::int AS count FROM tasks WHERE task_id = ANY($1) GROUP BY status',
      [ids],
    );
    assert.deepEqual(rows, [{ status: 'completed', count: 1000 }]);

    // Once each: one run per task, which ended (the tools' own log).
    const runs = probeRuns(probes);
    const runsPerTask = new Map<string, number>();
    for (const run of runs) runsPerTask.set(run.task, (runsPerTask.get(run.task) ?? 0) + 1);
    assert.equal(runsPerTask.size, 1000);
    assert.deepEqual([...new Set(runsPerTask.values())], [1]);
    assert.ok(runs.every((run) => run.how === 'end' && created.get(run.task)?.tool === run.tool));
    assert.ok(new Set(runs.map((run) => run.pid)).size > 1, 'the work spread over the instances');

    // The limits held for the whole team, from the runs' own times.
    const overall = maxOverlap(runs, () => 'team').get('team')!;
    const byTool = maxOverlap(runs, (run) => run.tool);
    const byPrincipal = maxOverlap(runs, (run) => created.get(run.task)!.principal);
    const seen = `team ${overall}, per tool ${JSON.stringify(Object.fromEntries(byTool))}, per principal ${JSON.stringify(Object.fromEntries(byPrincipal))}`;
    assert.ok(overall > 0 && overall <= MAX_RUNNING, seen);
    for (const [tool, limit] of Object.entries(PER_TOOL)) assert.ok(byTool.get(tool)! > 0 && byTool.get(tool)! <= limit, seen);
    for (const principal of PRINCIPALS) assert.ok(byPrincipal.get(principal)! > 0 && byPrincipal.get(principal)! <= PER_PRINCIPAL, seen);
    // And they were what held the work back: the team ran as much at once as its limit allows.
    assert.equal(overall, MAX_RUNNING, seen);
  });
});
