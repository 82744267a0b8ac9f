/**
 * 7. Extension cost: the production bundle's size, and a proxy for activation time and memory with
 * 10,000 tasks: our own activation work, bundled and minified like the extension, timed in a fresh
 * Node process. The real extension-host figure needs VS Code, which this benchmark does not start.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as esbuild from 'esbuild';
import { TARGETS, meets } from './targets';
import { type BenchConfig, CHILD_RESULT_PREFIX, type Figure, fmtBytes, fmtMs, median, now, removeDir, round, tempDir } from './harness';
import { writeStoreFile } from './storeScale';

const ROOT = path.join(__dirname, '..', '..');

/** Runs the repository's own `node esbuild.mjs --production` in a scratch directory (sources symlinked), so dist/ is untouched. */
export function productionBuild(scratch: string): { ms: number; extensionBytes: number; gzipBytes: number } {
  for (const entry of ['src', 'media', 'node_modules', 'package.json', 'tsconfig.json']) fs.symlinkSync(path.join(ROOT, entry), path.join(scratch, entry));
  fs.copyFileSync(path.join(ROOT, 'esbuild.mjs'), path.join(scratch, 'esbuild.mjs'));
  const t0 = now();
  const build = spawnSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: scratch, encoding: 'utf8' });
  const ms = now() - t0;
  if (build.status !== 0) throw new Error(`node esbuild.mjs --production failed:\n${build.stderr}`);
  const bundle = fs.readFileSync(path.join(scratch, 'dist', 'extension.js'));
  return { ms, extensionBytes: bundle.length, gzipBytes: zlib.gzipSync(bundle, { level: 9 }).length };
}

/** What the minified extension bundle is made of, by package (esbuild metafile, same options). */
async function composition(): Promise<Record<string, number>> {
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['src/extension.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    legalComments: 'none',
    external: ['vscode'],
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0];
  const byPackage: Record<string, number> = {};
  for (const [file, info] of Object.entries(output.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = match ? match[1] : file.startsWith('src/') ? `src/${file.split('/')[1]}` : file;
    byPackage[key] = (byPackage[key] ?? 0) + info.bytesInOutput;
  }
  return Object.fromEntries(Object.entries(byPackage).sort((a, b) => b[1] - a[1]));
}

interface ActivationRun {
  readonly requireMs: number;
  readonly activateMs: number;
  /** From activate()'s return to the store open and the embedded server registered (after activation). */
  readonly readyMs: number;
  readonly tasks: number;
  readonly heapDelta: number;
  readonly rssDelta: number;
}

const LOADER = `
const { performance } = require('node:perf_hooks');
globalThis.gc?.(); globalThis.gc?.();
const before = process.memoryUsage();
const t0 = performance.now();
const mod = require('./activation.js');
const t1 = performance.now();
mod.activateProxy(process.argv[2]).then(async (handle) => {
  const t2 = performance.now();
  const tasks = await handle.ready;
  const t3 = performance.now();
  globalThis.gc?.(); globalThis.gc?.();
  const after = process.memoryUsage();
  process.stdout.write(${JSON.stringify(CHILD_RESULT_PREFIX)} + JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, readyMs: t3 - t2, tasks, heapDelta: after.heapUsed - before.heapUsed, rssDelta: after.rss - before.rss }) + '\\n');
  handle.dispose();
  process.exit(0);
}, (error) => { console.error(error); process.exit(1); });
`;

function activateOnce(scratch: string, storeDir: string): Promise<ActivationRun> {
  const child = spawn(process.execPath, ['--expose-gc', path.join(scratch, 'load.js'), storeDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(CHILD_RESULT_PREFIX));
      if (code !== 0 || !line) reject(new Error(`activation child exited with ${code}: ${stdout}`));
      else resolve(JSON.parse(line.slice(CHILD_RESULT_PREFIX.length)) as ActivationRun);
    });
  });
}

async function activation(scratch: string, tasks: number, runs: number): Promise<ActivationRun[]> {
  const template = tempDir(`activation-${tasks}`);
  if (tasks > 0) writeStoreFile(template, tasks, { unfinishedOnEmbedded: false });
  const out: ActivationRun[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const dir = tempDir('activation-run');
      for (const file of fs.readdirSync(template)) fs.copyFileSync(path.join(template, file), path.join(dir, file));
      try {
        out.push(await activateOnce(scratch, dir));
      } finally {
        removeDir(dir);
      }
    }
  } finally {
    removeDir(template);
  }
  return out;
}

export async function run(config: BenchConfig): Promise<Figure[]> {
  const scratch = tempDir('extension');
  try {
    const build = productionBuild(scratch);
    const parts = await composition();
    const deps = Object.entries(parts)
      .filter(([key]) => !key.startsWith('src/'))
      .reduce((sum, [, bytes]) => sum + bytes, 0);
    const ours = Object.entries(parts)
      .filter(([key]) => key.startsWith('src/'))
      .reduce((sum, [, bytes]) => sum + bytes, 0);
    const top = Object.entries(parts)
      .slice(0, 6)
      .map(([key, bytes]) => `${key} ${fmtBytes(bytes)}`)
      .join(', ');

    await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: ['bench/activationEntry.ts'],
      outfile: path.join(scratch, 'activation.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
      // As esbuild.mjs does for the extension: the version is a constant, not a package.json read at activation.
      define: { __TASKLANE_VERSION__: JSON.stringify((JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version) },
    });
    fs.writeFileSync(path.join(scratch, 'load.js'), LOADER);
    const runs = config.quick ? 1 : 3;
    const full = await activation(scratch, config.activationTasks, runs);
    const empty = await activation(scratch, 0, runs);
    const total = (r: ActivationRun) => r.requireMs + r.activateMs;
    const fullMs = median(full.map(total));
    const emptyMs = median(empty.map(total));
    const fullRequire = median(full.map((r) => r.requireMs));
    const fullActivate = median(full.map((r) => r.activateMs));
    const fullReady = median(full.map((r) => r.readyMs));
    const heapFull = median(full.map((r) => r.heapDelta));
    const heapEmpty = median(empty.map((r) => r.heapDelta));
    const label = config.activationTasks.toLocaleString('en-US');
    const raw = (rs: ActivationRun[]) =>
      rs.map((r) => ({
        requireMs: round(r.requireMs, 2),
        activateMs: round(r.activateMs, 2),
        readyMs: round(r.readyMs, 2),
        heapDelta: r.heapDelta,
        rssDelta: r.rssDelta,
        tasks: r.tasks,
      }));
    return [
      {
        id: 'extension.bundle',
        figure: '7. Bundle size, dist/extension.js (production)',
        value: build.extensionBytes,
        unit: 'bytes',
        baselineValue: deps,
        tasklane: `${fmtBytes(build.extensionBytes)} (${fmtBytes(build.gzipBytes)} gzipped)`,
        baseline: `dependencies alone ${fmtBytes(deps)}; our code ${fmtBytes(ours)}`,
        ratio: build.extensionBytes / deps,
        target: TARGETS.bundleBytes,
        met: meets(TARGETS.bundleBytes, { value: build.extensionBytes }),
        note: `Built with the repository's \`node esbuild.mjs --production\` in a scratch directory (dist/ untouched), ${fmtMs(build.ms)}. Ratio = whole bundle ÷ its dependencies alone. Largest parts: ${top}.`,
        raw: { extensionBytes: build.extensionBytes, gzipBytes: build.gzipBytes, buildMs: round(build.ms, 0), byPackage: parts },
      },
      {
        id: 'extension.activation',
        figure: `7. Activation PROXY, ${label} tasks (plain Node, no VS Code; not the real-host figure)`,
        value: fullMs,
        unit: 'ms',
        baselineValue: emptyMs,
        tasklane: `${fmtMs(fullMs)} (load ${fmtMs(fullRequire)} + activate ${fmtMs(fullActivate)}); tasks read ${fmtMs(fullReady)} after`,
        baseline: `empty store ${fmtMs(emptyMs)}`,
        ratio: fullMs / emptyMs,
        target: TARGETS.activationMs,
        met: meets(TARGETS.activationMs, { value: fullMs }),
        note:
          `PROXY: a fresh Node process loads our minified activation code and runs what activate() does without the vscode UI (the store created, its records read later; the embedded server built and connected later; task service, coalescer, attention count), median of ${runs}. ` +
          'The figure is load + activate; "tasks read" is what follows activation in the background (embedded server connected, store opened, re-attach), not in the figure; the heap is measured after it. ' +
          'The real figure is the "activate() in the real VS Code host" row (bench/hostActivation.ts).',
        raw: { tasks: config.activationTasks, withTasks: raw(full), emptyStore: raw(empty) },
      },
      {
        id: 'extension.memory',
        figure: `7. Heap after activation proxy, ${label} tasks`,
        value: heapFull,
        unit: 'bytes',
        baselineValue: heapEmpty,
        tasklane: fmtBytes(heapFull),
        baseline: `empty store ${fmtBytes(heapEmpty)}`,
        ratio: heapFull / heapEmpty,
        target: null,
        note: `heapUsed after gc minus before loading the bundle, in the activation-proxy process (≈ ${fmtBytes((heapFull - heapEmpty) / Math.max(1, config.activationTasks))} per task). Not the whole extension host.`,
        raw: { heapDeltaWithTasks: heapFull, heapDeltaEmpty: heapEmpty },
      },
    ];
  } finally {
    removeDir(scratch);
  }
}
