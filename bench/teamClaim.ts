/**
 * teamClaim: which way should several Tasklane servers claim work from one PostgreSQL? For each
 * of pg-boss 10, graphile-worker 0.16 and a plain `FOR UPDATE SKIP LOCKED` + LISTEN/NOTIFY claim
 * with a heartbeated lease (bench/teamClaimers.ts), on a throwaway cluster with PostgreSQL's
 * default (durable) settings:
 * - claim latency: from the enqueue call to the handler starting in an idle worker, one job at a
 *   time, each after a random pause (so every phase of a polling loop is hit); p50 and p99;
 * - reclaim: a worker process claims a job and is SIGKILLed; how long until another worker, already
 *   running, starts that job. Observed for a bounded window; a library that does not reclaim
 *   within it is reported as "not within".
 * BENCH_CLAIMERS=plain,pgBoss,graphileWorker picks some. Figures are reported, not judged (no target): they decide a design, see docs/architecture.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { type TestDatabase, postgresUnavailable, testDatabase } from '../test/unit/helpers/postgres';
import { CLAIMERS, type Claimer, type ClaimerName, SETTINGS, missingLibrary, openClaimer } from './teamClaimers';
import { type BenchConfig, type Figure, deferred, fmtMs, now, rounded, sleep, summarize } from './harness';

const LABEL: Readonly<Record<ClaimerName, string>> = {
  plain: 'plain SKIP LOCKED + NOTIFY',
  pgBoss: 'pg-boss 10.4.2',
  graphileWorker: 'graphile-worker 0.16.6',
};

/** Seeded pauses between jobs, 0–600 ms: longer than pg-boss's 500 ms poll, so every phase of it is sampled. */
function pauses(n: number): number[] {
  let seed = 0x7ea3c1a1;
  return Array.from({ length: n }, () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % 600;
  });
}

async function claimLatency(name: ClaimerName, url: string, samples: number): Promise<number[]> {
  const claimer = await openClaimer(name, url);
  const waiting = new Map<number, (at: number) => void>();
  try {
    await claimer.work((seq) => waiting.get(seq)?.(now()));
    const latencies: number[] = [];
    const gaps = pauses(samples + 3);
    for (let seq = 0; seq < samples + 3; seq++) {
      const started = deferred<number>();
      waiting.set(seq, started.resolve);
      const t0 = now();
      await claimer.enqueue(seq);
      const at = await Promise.race([started.promise, sleep(30_000).then(() => NaN)]);
      waiting.delete(seq);
      // The first three warm the connections and prepared plans.
      if (seq >= 3) latencies.push(at - t0);
      await sleep(gaps[seq]!);
    }
    return latencies;
  } finally {
    await closeWithin(claimer);
  }
}

/** Closes a claimer, but gives up after 5 s: a library waiting on a job its dead worker held must not hang the run. */
async function closeWithin(claimer: Claimer): Promise<void> {
  const closed = await Promise.race([claimer.close().then(() => true), sleep(5_000).then(() => false)]);
  if (!closed) process.stderr.write('[teamClaim] a worker did not stop within 5 s; left behind\n');
}

function startDoomedWorker(name: ClaimerName, url: string): Promise<{ child: ChildProcess; claimed: Promise<void> }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'teamClaimWorker.js'), name, url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const claimed = deferred();
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve({ child, claimed: claimed.promise });
      if (/claimed \d+/.test(out)) claimed.resolve();
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${err}`)));
  });
}

/** ms from SIGKILL of the worker holding a job to another worker starting it; NaN when not within `windowMs`. */
async function reclaimAfterKill(name: ClaimerName, url: string, windowMs: number): Promise<number> {
  const doomed = await startDoomedWorker(name, url);
  const enqueuer = await openClaimer(name, url);
  const rescuer = await openClaimer(name, url);
  try {
    const JOB = 1_000_000;
    await enqueuer.enqueue(JOB);
    await Promise.race([doomed.claimed, sleep(30_000).then(() => Promise.reject(new Error('the doomed worker never claimed the job')))]);
    const reclaimed = deferred<number>();
    await rescuer.work((seq) => {
      if (seq === JOB) reclaimed.resolve(now());
    });
    await sleep(300);
    const killedAt = now();
    doomed.child.kill('SIGKILL');
    const at = await Promise.race([reclaimed.promise, sleep(windowMs).then(() => NaN)]);
    return at - killedAt;
  } finally {
    doomed.child.kill('SIGKILL');
    await closeWithin(rescuer);
    await closeWithin(enqueuer);
  }
}

export async function run(config: BenchConfig): Promise<Figure[]> {
  const unavailable = postgresUnavailable();
  if (unavailable) {
    process.stderr.write(`[teamClaim] skipped: ${unavailable}\n`);
    return [];
  }
  const samples = config.quick ? 12 : 60;
  const windowMs = config.quick ? 8_000 : 30_000;
  const figures: Figure[] = [];
  const databases: TestDatabase[] = [];
  try {
    const only = process.env.BENCH_CLAIMERS?.split(',');
    for (const name of CLAIMERS.filter((each) => !only || only.includes(each))) {
      const missing = missingLibrary(name);
      if (missing) {
        process.stderr.write(`[teamClaim] ${LABEL[name]} skipped: ${missing}\n`);
        continue;
      }
      const latencyDb = await testDatabase(`claim_${name}`, { durable: true });
      const reclaimDb = await testDatabase(`reclaim_${name}`, { durable: true });
      databases.push(latencyDb, reclaimDb);
      const latency = summarize(await claimLatency(name, latencyDb.url, samples));
      const reclaim = await reclaimAfterKill(name, reclaimDb.url, windowMs);
      const reclaimText = Number.isNaN(reclaim) ? `not within ${fmtMs(windowMs)}` : fmtMs(reclaim);
      process.stderr.write(`[teamClaim] ${LABEL[name]}: claim p50 ${fmtMs(latency.p50)}, p99 ${fmtMs(latency.p99)}; reclaim after SIGKILL ${reclaimText}\n`);
      figures.push(
        {
          id: `teamClaim.latency.${name}`,
          figure: `Team claim latency, enqueue → handler, ${LABEL[name]} (p50)`,
          value: latency.p50,
          unit: 'ms',
          tasklane: `p50 ${fmtMs(latency.p50)}, p99 ${fmtMs(latency.p99)}`,
          baselineValue: null,
          baseline: '—',
          target: null,
          note: `${LABEL[name]}: ${SETTINGS[name]}; ${latency.n} jobs, one at a time after a 0–600 ms pause, durable cluster`,
          raw: { latency: rounded(latency) },
        },
        {
          id: `teamClaim.reclaim.${name}`,
          figure: `Team claim: a SIGKILLed worker's job started elsewhere, ${LABEL[name]}`,
          value: Number.isNaN(reclaim) ? windowMs : reclaim,
          unit: 'ms',
          tasklane: reclaimText,
          baselineValue: null,
          baseline: '—',
          target: null,
          raw: { reclaimMs: Number.isNaN(reclaim) ? null : Math.round(reclaim), windowMs },
        },
      );
    }
  } finally {
    for (const db of databases) await db.drop().catch(() => undefined);
  }
  return figures;
}
