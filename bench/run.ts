/**
 * `npm run bench`: runs every benchmark, prints the table and raw numbers, writes bench/results.json.
 * BENCH_QUICK=1 for a short smoke run; BENCH_ONLY=roundTrip,eventStorm to pick benchmarks.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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
  const selected = BENCHMARKS.filter((name) => !config.only || config.only.includes(name));
  process.stderr.write(`[bench] ${config.quick ? 'QUICK (smoke) run' : 'full run'}: ${selected.join(', ')}\n`);
  for (const name of selected) {
    const mod = require(`./${name}`) as { run: (c: typeof config) => Promise<Figure[]> };
    figures.push(...(await guarded(name, () => mod.run(config))));
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
  fs.writeFileSync(out, JSON.stringify({ environment, config, figures: figures.map(figureJson) }, null, 2) + '\n');
  console.log(`Wrote ${path.relative(process.cwd(), out)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
