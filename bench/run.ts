/**
 * `npm run bench`: runs every benchmark, prints the table and raw numbers, writes bench/results.json.
 * BENCH_QUICK=1 for a short smoke run; BENCH_ONLY=roundTrip,eventStorm to pick benchmarks (their
 * figures replace theirs in bench/results.json, the other benchmarks' figures stay: resultsFile.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type BenchmarkFigures, mergeResults, readResults } from './resultsFile';
import { type Figure, figureJson, fmtMs, formatTable, guarded, loadConfig, now } from './harness';

const BENCHMARKS: readonly string[] = [
  'roundTrip',
  'wiresHttp',
  'completionLatency',
  'storeThroughput',
  'storeScale',
  'eventStorm',
  'pollingCost',
  'uiRefresh',
  'extensionCost',
  'hostActivation',
  'queueScale',
  'historySearch',
  'teamClaim',
  'teamInstances',
  'wireCapture',
];

async function main(): Promise<void> {
  const config = loadConfig();
  const started = now();
  const loadBefore = os.loadavg();
  const figures: Figure[] = [];
  const measured: BenchmarkFigures[] = [];
  const selected = BENCHMARKS.filter((name) => !config.only || config.only.includes(name));
  process.stderr.write(`[bench] ${config.quick ? 'QUICK (smoke) run' : 'full run'}: ${selected.join(', ')}\n`);
  for (const name of selected) {
    const mod = require(`./${name}`) as { run: (c: typeof config) => Promise<Figure[]> };
    const ran = await guarded(name, () => mod.run(config));
    figures.push(...ran);
    measured.push({ benchmark: name, figures: ran.map(figureJson) });
  }
  const elapsed = now() - started;
  const cpus = os.cpus();
  const environment = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpu: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
    quick: config.quick,
    wire: '2025-11-25 everywhere; io.modelcontextprotocol/tasks (stateless 2026-07-28) in the HTTP round trip, the only transport it has',
    elapsedMs: Math.round(elapsed),
    loadAverage: { before: loadBefore.map((x) => Math.round(x * 100) / 100), after: os.loadavg().map((x) => Math.round(x * 100) / 100) },
  };
  console.log(
    `\nTasklane benchmarks — ${environment.date}, Node ${environment.node}, ${environment.cpu}${config.quick ? ' — QUICK smoke run, sizes reduced' : ''}`,
  );
  console.log(`Wire: ${environment.wire}`);
  console.log(
    `Load average (1/5/15 min) before ${environment.loadAverage.before.join(' / ')}, after ${environment.loadAverage.after.join(' / ')}: other work on the machine skews every figure.\n`,
  );
  console.log(formatTable(figures));
  console.log('\nNotes:');
  for (const f of figures) if (f.note) console.log(`- ${f.figure}: ${f.note}`);
  console.log('\nRaw numbers:');
  for (const f of figures) console.log(`- ${f.id}: ${JSON.stringify(f.raw)}`);
  const missed = figures.filter((f) => f.met === false);
  console.log(
    `\n${figures.filter((f) => f.met === true).length} targets met, ${missed.length} missed${missed.length ? `: ${missed.map((f) => f.id).join(', ')}` : ''}. Total ${fmtMs(elapsed)}.`,
  );
  const out = path.join(__dirname, '..', '..', 'bench', 'results.json');
  const merged = mergeResults(readResults(out), environment, config, measured);
  fs.writeFileSync(out, JSON.stringify(merged, null, 2) + '\n');
  const kept = merged.runs.slice(1).flatMap((run) => run.benchmarks);
  console.log(`Wrote ${path.relative(process.cwd(), out)}${kept.length ? ` (kept the earlier figures of ${kept.join(', ')})` : ''}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
