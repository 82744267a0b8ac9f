/**
 * teamInstances: several standalone servers (`dist/server.js --http --store URL`) on one
 * PostgreSQL, on a throwaway cluster with PostgreSQL's default (durable) settings:
 * 1. throughput of short tasks through one instance with the store ÷ the same server keeping its
 *    tasks in the JSON-lines store on the same machine (bench/jsonlServer.ts: the standalone server
 *    has no JSON-lines store of its own, so this is its engine and HTTP serving with the extension's);
 * 2. throughput through two instances on one database ÷ through one, the same total client load;
 * 3. follow latency: a task changed on instance A, its `notifications/tasks` on a
 *    `subscriptions/listen` stream on instance B, against the same stream on A itself;
 * 4. failover: an instance SIGKILLed with a task running (the default lease), until another
 *    instance answers "worker lost" for it;
 * 5. claim latency of the team's queue, idle and under load (teamClaimLatency.ts).
 * Rows 1 and 2 also count the statements the servers send per task (teamStatements.ts).
 * Rows 1 and 2 are paired rounds: each round measures every setup for the same time, in a fresh
 * order, and the ratio is the median of the rounds' ratios.
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { type TestDatabase, cluster, postgresUnavailable, testDatabase } from '../test/unit/helpers/postgres';
import { Client as McpClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateTaskResultSchema } from '../src/mcp/wires/v1/codec';
import { type Json, V2Client } from '../test/unit/mcp/v2/helpers';
import { type RunningServer, createToken, startServer, stopServer } from '../test/unit/team/teamHelpers';
import { clusterCpuMs, cpuMsOf, postmasterOn } from './cpuTicks';
import { type LoadResult, pollUntil, shortTaskLoad } from './teamInstancesClients';
import { commitNotifyFloor, follow } from './teamFollow';
import { type StatementCounts, StatementCounter, medianCounts, perTask } from './teamStatements';
import { type ClaimLatency, claimLatency } from './teamClaimLatency';
import { type BenchConfig, type Figure, fmtMs, median, now, round, rounded } from './harness';
import { TARGETS, meets } from './targets';

/** Concurrent clients in the throughput rows, in all (spread round-robin over the instances). */
const CLIENTS = 8;
/** The same flags for every server: no rate limit, so the limiter does not cap the figure. */
const COMMON = ['--log', 'warn', '--rate', 'unlimited'];

const uptime = (): string => {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return 'uptime unavailable';
  }
};

type Setup = 'jsonl' | 'one' | 'two';

/** Seeded shuffle, so a run's orders can be repeated. */
function orders(rounds: number): Setup[][] {
  let seed = 0x7ea4b1;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0), seed / 4294967296);
  return Array.from({ length: rounds }, () => {
    const order: Setup[] = ['jsonl', 'one', 'two'];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
  });
}

const perSecond = (load: LoadResult) => (load.tasks * 1000) / load.elapsedMs;

/** Where each setup is served, and the token its clients send. */
type Endpoints = Record<
  Setup,
  { readonly urls: readonly string[]; readonly token: string; readonly pids: readonly (number | undefined)[]; readonly database?: string }
>;

/** CPU ms spent per task, by whom: the setup's servers, the PostgreSQL cluster, this process (the clients). */
interface CpuPerTask {
  servers: number;
  database: number;
  clients: number;
}

async function throughput(endpoints: Endpoints, postmaster: number | undefined, counter: StatementCounter, rounds: number, roundMs: number) {
  const cpu: Record<Setup, CpuPerTask[]> = { jsonl: [], one: [], two: [] };
  const statements: Record<Setup, StatementCounts[]> = { jsonl: [], one: [], two: [] };
  const load = async (setup: Setup, ms: number) => {
    const database = endpoints[setup].database;
    const before = database ? await counter.snapshot(database) : undefined;
    const serversCpu = () => endpoints[setup].pids.reduce((total: number, pid) => total + (cpuMsOf(pid) ?? NaN), 0);
    const [servers, clusterCpu, clients] = [serversCpu(), clusterCpuMs(postmaster) ?? NaN, process.cpuUsage()];
    const result = await shortTaskLoad(endpoints[setup].urls, endpoints[setup].token, CLIENTS, ms);
    const ownMs = process.cpuUsage(clients);
    cpu[setup].push({
      servers: (serversCpu() - servers) / result.tasks,
      database: ((clusterCpuMs(postmaster) ?? NaN) - clusterCpu) / result.tasks,
      clients: (ownMs.user + ownMs.system) / 1000 / result.tasks,
    });
    if (database && before) statements[setup].push(perTask(before, await counter.snapshot(database), result.tasks));
    return result;
  };
  for (const setup of ['jsonl', 'one', 'two'] as const) await load(setup, Math.min(1000, roundMs));
  for (const setup of ['jsonl', 'one', 'two'] as const) [cpu[setup].length, statements[setup].length] = [0, 0];
  const samples: Record<Setup, LoadResult[]> = { jsonl: [], one: [], two: [] };
  for (const order of orders(rounds)) for (const setup of order) samples[setup].push(await load(setup, roundMs));
  const cpuMedian = (setup: Setup): CpuPerTask => ({
    servers: round(median(cpu[setup].map((c) => c.servers)), 2),
    database: round(median(cpu[setup].map((c) => c.database)), 2),
    clients: round(median(cpu[setup].map((c) => c.clients)), 2),
  });
  const rates = (setup: Setup) => samples[setup].map(perSecond);
  const ratios = (a: Setup, b: Setup) => rates(a).map((x, i) => x / rates(b)[i]!);
  return {
    rates: { jsonl: rates('jsonl'), one: rates('one'), two: rates('two') },
    cpuMsPerTask: { jsonl: cpuMedian('jsonl'), one: cpuMedian('one'), two: cpuMedian('two') },
    statementsPerTask: { one: medianCounts(statements.one), two: medianCounts(statements.two) },
    pollsPerTask: Object.fromEntries((['jsonl', 'one', 'two'] as const).map((s) => [s, round(sum(samples[s], 'polls') / sum(samples[s], 'tasks'), 2)])),
    storeVsJsonl: median(ratios('one', 'jsonl')),
    twoVsOne: median(ratios('two', 'one')),
    storeVsJsonlRounds: ratios('one', 'jsonl').map((x) => round(x, 3)),
    twoVsOneRounds: ratios('two', 'one').map((x) => round(x, 3)),
  };
}

const cpuText = (c: CpuPerTask) => `${c.servers} + ${c.database} + ${c.clients}`;

const statementsText = (counts: StatementCounts) =>
  Object.entries(counts)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');

const sum = (loads: readonly LoadResult[], key: 'tasks' | 'polls') => loads.reduce((total, load) => total + load[key], 0);

/** ms from SIGKILL of the instance running a long `wait` to `witness` answering it failed, "worker lost" (tasks/get every 50 ms). */
async function failoverOnce(url: string, token: string, witness: V2Client): Promise<number> {
  const victim = await startServer(['--store', url, ...COMMON]);
  try {
    // Through a 2025-11-25 session: its task runs on the session's instance, so the victim is the
    // one running it (a 2026-07-28 task would go to the team's queue and might run elsewhere).
    const session = new McpClient({ name: 'failover-bench', version: '1' }, { capabilities: {} });
    await session.connect(new StreamableHTTPClientTransport(new URL(victim.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    const created = await session.request(
      { method: 'tools/call', params: { name: 'wait', arguments: { durationMs: 600_000, message: 'never' }, task: { ttl: 600_000 } } },
      CreateTaskResultSchema,
    );
    void session.close().catch(() => undefined);
    const taskId = created.task.taskId;
    await pollUntil(witness, taskId, (task) => task.status === 'working', 50, 10_000);
    const killedAt = now();
    victim.child.kill('SIGKILL');
    const lost = await pollUntil(witness, taskId, (task) => task.status !== 'working', 50, 60_000);
    const elapsed = now() - killedAt;
    if (lost.status !== 'failed' || !/worker lost/i.test(String((lost.error as Json | undefined)?.message)))
      throw new Error(`after the SIGKILL the task ended ${lost.status}, not "worker lost": ${JSON.stringify(lost)}`);
    return elapsed;
  } finally {
    await stopServer(victim);
  }
}

export async function run(config: BenchConfig): Promise<Figure[]> {
  const unavailable = postgresUnavailable();
  if (unavailable) {
    process.stderr.write(`[teamInstances] skipped: ${unavailable}\n`);
    return [];
  }
  const rounds = config.quick ? 2 : 4;
  const roundMs = config.quick ? 1000 : 2500;
  const followSamples = config.quick ? 20 : 150;
  const failovers = config.quick ? 1 : 3;
  const claimProbes = config.quick ? 20 : 100;
  const claimLoadMs = config.quick ? 1000 : 3000;
  const loadBefore = uptime();
  const databases: TestDatabase[] = [];
  const servers: RunningServer[] = [];
  const start = async (args: string[], entry?: string) => {
    const server = await startServer([...args, ...COMMON], entry);
    servers.push(server);
    return server;
  };
  try {
    // One database for the lone instance (and the failovers), another for the pair: a second
    // instance on the lone one's database would mirror its every task and so slow "one".
    const lone = await testDatabase('instances_one', { durable: true });
    const pair = await testDatabase('instances_two', { durable: true });
    databases.push(lone, pair);
    const token = await createToken(lone.url, 'bench');
    const pairToken = await createToken(pair.url, 'bench');
    const [jsonl, one, twoA, twoB] = await Promise.all([
      start(['--token', token], path.join(__dirname, 'jsonlServer.js')),
      start(['--store', lone.url]),
      start(['--store', pair.url]),
      start(['--store', pair.url]),
    ]);
    const endpoints: Endpoints = {
      jsonl: { urls: [jsonl.url], token, pids: [jsonl.child.pid] },
      one: { urls: [one.url], token, pids: [one.child.pid], database: lone.name },
      two: { urls: [twoA.url, twoB.url], token: pairToken, pids: [twoA.child.pid, twoB.child.pid], database: pair.name },
    };

    const pg = await cluster({ durable: true });
    const counter = await StatementCounter.open(pg.url);
    const t = await throughput(endpoints, postmasterOn(pg.port), counter, rounds, roundMs).finally(() => counter.close());
    process.stderr.write(
      `[teamInstances] tasks/s JSON-lines ${median(t.rates.jsonl).toFixed(0)}, one ${median(t.rates.one).toFixed(0)}, two ${median(t.rates.two).toFixed(0)}; store ÷ JSON-lines ${t.storeVsJsonl.toFixed(2)}, two ÷ one ${t.twoVsOne.toFixed(2)}; statements per task: one ${JSON.stringify(t.statementsPerTask.one)}, two ${JSON.stringify(t.statementsPerTask.two)}\n`,
    );

    const f = await follow(new V2Client(twoA.url, pairToken), new V2Client(twoB.url, pairToken), followSamples);
    const floor = await commitNotifyFloor(pair.url, followSamples);
    process.stderr.write(
      `[teamInstances] follow p99: across ${fmtMs(f.across.p99)}, same instance ${fmtMs(f.same.p99)}; a bare durable commit + NOTIFY ${fmtMs(floor.p99)}\n`,
    );

    const claims = await claimLatency(pair.url, [twoA.url, twoB.url], pairToken, { probes: claimProbes, clients: CLIENTS, loadMs: claimLoadMs });
    process.stderr.write(
      `[teamInstances] claim, answered → claimed: idle p50 ${fmtMs(claims.idle.fromAnswer.p50)} p99 ${fmtMs(claims.idle.fromAnswer.p99)}; under load p50 ${fmtMs(claims.loaded.fromAnswer.p50)} p99 ${fmtMs(claims.loaded.fromAnswer.p99)}\n`,
    );

    const witness = new V2Client(one.url, token);
    const lost: number[] = [];
    for (let i = 0; i < failovers; i++) lost.push(await failoverOnce(lone.url, token, witness));
    const lostMedian = median(lost);
    const lostMax = Math.max(...lost);
    process.stderr.write(`[teamInstances] failover: median ${fmtMs(lostMedian)}, max ${fmtMs(lostMax)}\n`);
    const loadAfter = uptime();

    const throughputNote = `${CLIENTS} clients, each creating a wait task of 0 ms and polling it to its end (tasks/get, 1 ms apart after the first), 2026-07-28 over loopback HTTP; ${rounds} paired rounds of ${fmtMs(roundMs)} per setup after a warm-up, in a fresh order each round; durable cluster; load: ${loadBefore}`;
    const jsonlRate = median(t.rates.jsonl);
    const oneRate = median(t.rates.one);
    const twoRate = median(t.rates.two);
    return [
      {
        id: 'teamInstances.storeVsJsonl',
        figure: 'Team: short tasks/s through one instance with the team store vs the JSON-lines store (median of paired ratios)',
        value: oneRate,
        unit: 'tasks/s',
        tasklane: `${oneRate.toFixed(0)} tasks/s with --store`,
        baselineValue: jsonlRate,
        baseline: `${jsonlRate.toFixed(0)} tasks/s with the JSON-lines store`,
        ratio: t.storeVsJsonl,
        target: TARGETS.teamStoreVsJsonl,
        met: meets(TARGETS.teamStoreVsJsonl, { value: oneRate, ratio: t.storeVsJsonl }),
        note: `${throughputNote}. Baseline: the same engine, tools, limits and HTTP serving (bench/jsonlServer.ts; the standalone server has no JSON-lines store, so the extension's store, tasks.jsonl, written through from the engine's events, one synchronous append per turn of the event loop, not fsynced, while PostgreSQL fsyncs each commit). Statements per task (and round trips), one instance: ${statementsText(t.statementsPerTask.one)}`,
        raw: {
          rates: roundAll(t.rates),
          ratios: t.storeVsJsonlRounds,
          pollsPerTask: t.pollsPerTask,
          statementsPerTask: t.statementsPerTask,
          rounds,
          roundMs,
          clients: CLIENTS,
        },
      },
      {
        id: 'teamInstances.twoVsOne',
        figure: 'Team: short tasks/s through two instances vs one, one database (median of paired ratios)',
        value: twoRate,
        unit: 'tasks/s',
        tasklane: `${twoRate.toFixed(0)} tasks/s through two`,
        baselineValue: oneRate,
        baseline: `${oneRate.toFixed(0)} tasks/s through one`,
        ratio: t.twoVsOne,
        target: TARGETS.teamTwoVsOne,
        met: meets(TARGETS.teamTwoVsOne, { value: twoRate, ratio: t.twoVsOne }),
        note: `the same ${CLIENTS} clients, client i on instance i mod 2 (it polls where it created); ${rounds} paired rounds; ${os.cpus().length} cores shared by the instances, PostgreSQL and the clients. CPU ms per task (median of rounds), servers + PostgreSQL + clients: one ${cpuText(t.cpuMsPerTask.one)}, two ${cpuText(t.cpuMsPerTask.two)}, JSON-lines ${cpuText(t.cpuMsPerTask.jsonl)}: each instance also mirrors the other's every task. Statements per task (and round trips), two instances: ${statementsText(t.statementsPerTask.two)}`,
        raw: { ratios: t.twoVsOneRounds, cpuMsPerTask: t.cpuMsPerTask },
      },
      {
        id: 'teamInstances.followAcross',
        figure: 'Team: follow latency, a task completed on instance A → notifications/tasks on a listen stream on B (p99)',
        value: f.across.p99,
        unit: 'ms',
        tasklane: `p50 ${fmtMs(f.across.p50)}, p99 ${fmtMs(f.across.p99)} on B`,
        baselineValue: f.same.p99,
        baseline: `p50 ${fmtMs(f.same.p50)}, p99 ${fmtMs(f.same.p99)} on A itself`,
        ratio: f.across.p99 / f.same.p99,
        target: TARGETS.teamFollowAcrossP99Ms,
        met: meets(TARGETS.teamFollowAcrossP99Ms, { value: f.across.p99 }),
        note: `${f.across.n} ask tasks (after 5 warm-up), each followed by a stream on A and one on B at once and answered on A; latency from the completion's lastUpdatedAt (ms, A's clock, same machine) to the notification's arrival; B after A: p50 ${fmtMs(f.bAfterA.p50)}, p99 ${fmtMs(f.bAfterA.p99)}; the floor, a bare one-row durable commit + NOTIFY heard on another connection (${floor.n} samples): p50 ${fmtMs(floor.p50)}, p99 ${fmtMs(floor.p99)}`,
        raw: { across: rounded(f.across), same: rounded(f.same), bAfterA: rounded(f.bAfterA), commitNotify: rounded(floor) },
      },
      {
        id: 'teamInstances.failover',
        figure: 'Team: failover, SIGKILL of the instance running a task → "worker lost" from another (default lease, max)',
        value: lostMax,
        unit: 'ms',
        tasklane: `median ${fmtMs(lostMedian)}, max ${fmtMs(lostMax)}`,
        baselineValue: null,
        baseline: '—',
        target: TARGETS.teamFailoverMs,
        met: meets(TARGETS.teamFailoverMs, { value: lostMax }),
        note: `${failovers} round(s), each a fresh instance with the default 10 s lease running a long wait, the witness polling tasks/get every 50 ms; load after the run: ${loadAfter}`,
        raw: { failoverMs: lost.map((x) => Math.round(x)), loadBefore, loadAfter },
      },
      claimFigure('idle', claims.idle, `${claimProbes} probes one at a time (after 5 warm-up), 20 ms apart, alternating the two instances`, loadBefore),
      claimFigure(
        'loaded',
        claims.loaded,
        `probes 20 ms apart during ${fmtMs(claimLoadMs)} of the short-task load (${CLIENTS} clients over both instances, ${round((claims.loaded.load.tasks * 1000) / claims.loaded.load.elapsedMs, 0)} tasks/s)`,
        loadAfter,
      ),
    ];
  } finally {
    await Promise.all(servers.map((server) => stopServer(server, 'SIGTERM')));
    for (const db of databases) await db.drop().catch(() => undefined);
  }
}

function roundAll(rates: Record<Setup, number[]>): Record<Setup, number[]> {
  return { jsonl: rates.jsonl.map((x) => round(x, 1)), one: rates.one.map((x) => round(x, 1)), two: rates.two.map((x) => round(x, 1)) };
}

function claimFigure(when: 'idle' | 'loaded', latency: ClaimLatency, how: string, load: string): Figure {
  const { fromAnswer, fromRow } = latency;
  return {
    id: `teamInstances.claim${when === 'idle' ? 'Idle' : 'Loaded'}`,
    figure: `Team: claim latency, a queued task's creation answered → an instance's claim committed, two instances ${when === 'idle' ? 'idle' : 'under load'} (p50)`,
    value: fromAnswer.p50,
    unit: 'ms',
    tasklane: `p50 ${fmtMs(fromAnswer.p50)}, p99 ${fmtMs(fromAnswer.p99)}`,
    baselineValue: null,
    baseline: '—',
    target: TARGETS.teamClaimP50Ms,
    met: meets(TARGETS.teamClaimP50Ms, { value: fromAnswer.p50 }),
    note: `${fromAnswer.n} wait tasks of 0 ms (2026-07-28), ${how}; the claim's commit heard through a NOTIFY from a trigger on the tasks table; from the queued row's commit to the claim's: p50 ${fmtMs(fromRow.p50)}, p99 ${fmtMs(fromRow.p99)}${latency.claimedAtInsert ? `; ${latency.claimedAtInsert} claimed in the creating write itself` : ''}; load: ${load}`,
    raw: { fromAnswer: rounded(fromAnswer), fromRow: rounded(fromRow), claimedAtInsert: latency.claimedAtInsert, load },
  };
}
