/**
 * Shared bits for the benchmarks: configuration from the environment, timing, percentiles,
 * temp directories, child processes and the results table. Nothing here depends on VS Code.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Target } from './targets';

export const now = (): number => performance.now();

/** One row of the results table, plus everything measured to produce it. */
export interface Figure {
  /** Stable key, e.g. `roundTrip.http.v1`. */
  readonly id: string;
  /** Human label, e.g. `1. Task round trip over HTTP, 2025-11-25 (median of paired ratios)`. */
  readonly figure: string;
  /** Tasklane's number, in `unit`: what the target is judged on (unless the target is of the ratio). */
  readonly value: number;
  readonly unit: string;
  /** Tasklane's number, formatted for the table, with its unit and what it is. */
  readonly tasklane: string;
  /** The baseline's number, in `unit`; null when no baseline makes sense. */
  readonly baselineValue: number | null;
  /** The baseline's number, formatted, and what the baseline is. */
  readonly baseline: string;
  /** Tasklane ÷ baseline (for paired runs: the median of the per-pair ratios); undefined when there is no baseline. */
  readonly ratio?: number;
  /** From `TARGETS` (fixed in advance); null for a figure that is reported, not judged. */
  readonly target: Target | null;
  /** true/false against the target; undefined when the figure has no target. */
  readonly met?: boolean;
  /** Short explanation printed under the table (why missed, what was measured). */
  readonly note?: string;
  /** Every raw number behind the row. */
  readonly raw: Record<string, unknown>;
}

/** A figure as bench/results.json holds it: value, baseline, ratio, target and met, always present. */
export function figureJson(f: Figure): Record<string, unknown> {
  return {
    id: f.id,
    figure: f.figure,
    value: round(f.value, 4),
    unit: f.unit,
    baseline: f.baselineValue === null ? null : round(f.baselineValue, 4),
    ratio: f.ratio === undefined || !Number.isFinite(f.ratio) ? null : round(f.ratio, 4),
    target: f.target,
    met: f.met ?? null,
    display: { tasklane: f.tasklane, baseline: f.baseline },
    note: f.note ?? null,
    raw: f.raw,
  };
}

/** Runs each flow once per round, in a fresh (seeded) order each round; samples are aligned by round, so sample i of two flows is a pair. */
export async function measureRounds(flows: readonly Flow[], options: { warmup: number; rounds: number }): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(flows.map((f) => [f.name, []]));
  for (let i = 0; i < options.warmup; i++) for (const flow of flows) await flow.once();
  // A fresh order each round (seeded, so runs are repeatable): with a fixed rotation a flow would
  // always follow the same other flow and pay for whatever that one leaves running.
  const random = seededRandom(0x5eed);
  for (let r = 0; r < options.rounds; r++) {
    for (const flow of shuffled(flows, random)) {
      const t0 = now();
      await flow.once();
      samples.get(flow.name)!.push(now() - t0);
    }
  }
  return samples;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** mulberry32: a small seeded generator, so a bench run's orders can be reproduced. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The median of `a[i] ÷ b[i]` over rounds: a busy moment on the machine hits both sides of a pair. */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) throw new Error(`paired samples differ in length: ${a.length} vs ${b.length}`);
  return median(a.map((x, i) => x / b[i]));
}

export interface BenchConfig {
  readonly quick: boolean;
  /** Sequential round trips per flow in benchmark 1 (after warm-up). */
  readonly rounds: number;
  readonly warmup: number;
  /** Tasks per setup in benchmark 2. */
  readonly latencyTasks: number;
  /** Tasks pushed through the durable store in benchmark 3. */
  readonly throughputTasks: number;
  /** Store sizes for benchmark 4. */
  readonly scaleSizes: readonly number[];
  readonly stormSeconds: number;
  readonly stormRate: number;
  readonly stormTasks: number;
  readonly pollTasks: number;
  readonly pollSeconds: number;
  /** Tasks in the store for the activation proxy of benchmark 7. */
  readonly activationTasks: number;
  /** Only these benchmarks (by file name), or all. */
  readonly only?: readonly string[];
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return Math.floor(value);
}

export function loadConfig(): BenchConfig {
  const quick = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
  const sizes = process.env.BENCH_SCALE_SIZES ?? (quick ? '10000' : '10000,100000');
  const only = process.env.BENCH_ONLY?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    quick,
    rounds: envInt('BENCH_ROUNDS', quick ? 300 : 2000),
    warmup: envInt('BENCH_WARMUP', quick ? 100 : 500),
    latencyTasks: envInt('BENCH_LATENCY_TASKS', quick ? 60 : 300),
    throughputTasks: envInt('BENCH_THROUGHPUT_TASKS', quick ? 3000 : 10000),
    scaleSizes: sizes
      .split(',')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isFinite(n) && n > 0),
    stormSeconds: envInt('BENCH_STORM_SECONDS', quick ? 1 : 3),
    stormRate: envInt('BENCH_STORM_RATE', 1000),
    stormTasks: envInt('BENCH_STORM_TASKS', 200),
    pollTasks: envInt('BENCH_POLL_TASKS', 500),
    pollSeconds: envInt('BENCH_POLL_SECONDS', quick ? 2 : 5),
    activationTasks: envInt('BENCH_ACTIVATION_TASKS', 10000),
    ...(only && only.length ? { only } : {}),
  };
}

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

export function median(samples: readonly number[]): number {
  return percentile(
    [...samples].sort((a, b) => a - b),
    50,
  );
}

/** Rounds every number in a summary for the JSON output. */
export function rounded<T extends object>(value: T, digits = 3): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = typeof v === 'number' ? round(v, digits) : v;
  return out as T;
}

export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Formats milliseconds with a unit that keeps three significant digits. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}

export function fmtBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toPrecision(3)} KB`;
  return `${(bytes / 1024 / 1024).toPrecision(3)} MB`;
}

export function fmtNum(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

export function fmtRatio(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '—';
  return ratio >= 100 ? `${Math.round(ratio)}×` : `${ratio.toPrecision(3)}×`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Yields to the event loop (after pending I/O callbacks), like a real turn boundary. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tasklane-bench-${prefix}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect) {
    collect();
    collect();
  }
}

/** A promise plus its resolve function. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Runs `exportName` of the compiled bench module `moduleName` in a fresh Node process (own heap,
 * own module cache, optional flags such as --expose-gc) and returns its JSON result.
 */
export function runInChild<T>(moduleName: string, exportName: string, args: unknown, nodeFlags: readonly string[] = []): Promise<T> {
  const child = spawn(process.execPath, [...nodeFlags, path.join(__dirname, 'child.js'), moduleName, exportName, JSON.stringify(args)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  return new Promise<T>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(CHILD_RESULT_PREFIX));
      if (code !== 0 || !line) {
        reject(new Error(`bench child ${moduleName}.${exportName} exited with ${code}:\n${stdout}`));
        return;
      }
      resolve(JSON.parse(line.slice(CHILD_RESULT_PREFIX.length)) as T);
    });
  });
}

export const CHILD_RESULT_PREFIX = '@@bench-result ';

/** Prints the results table (Markdown, so the README can take it as is). */
export function formatTable(figures: readonly Figure[]): string {
  const header = ['figure', 'Tasklane', 'baseline', 'ratio', 'target', 'met?'];
  const rows = figures.map((f) => [
    f.figure,
    f.tasklane,
    f.baseline,
    fmtRatio(f.ratio),
    f.target?.text ?? 'report only',
    f.met === undefined ? '—' : f.met ? 'yes' : '**no**',
  ]);
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map(escape).join(' | ')} |`);
  return lines.join('\n');
}

/** Wraps a benchmark's work so one failing benchmark is reported and the others still run. */
export async function guarded(name: string, run: () => Promise<Figure[]>): Promise<Figure[]> {
  const started = now();
  try {
    const figures = await run();
    process.stderr.write(`[bench] ${name} done in ${fmtMs(now() - started)}\n`);
    return figures;
  } catch (error) {
    process.stderr.write(`[bench] ${name} FAILED: ${(error as Error).stack ?? error}\n`);
    return [
      {
        id: `${name}.error`,
        figure: `${name}: failed to run`,
        value: NaN,
        unit: '—',
        tasklane: String((error as Error).message ?? error),
        baselineValue: null,
        baseline: '—',
        target: null,
        met: false,
        raw: {},
      },
    ];
  }
}

/** A measured operation: one round of it per call. */
export interface Flow {
  readonly name: string;
  readonly once: () => Promise<unknown>;
}

/**
 * Times each flow `rounds` times after `warmup` untimed rounds, interleaving blocks of each flow
 * so drift (GC, JIT, a growing store) hits every flow alike. Returns ms per round, by flow name.
 */
export async function measureInterleaved(flows: readonly Flow[], options: { warmup: number; rounds: number; blocks: number }): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(flows.map((f) => [f.name, []]));
  for (const flow of flows) for (let i = 0; i < options.warmup; i++) await flow.once();
  const perBlock = Math.ceil(options.rounds / options.blocks);
  for (let b = 0; b < options.blocks; b++) {
    for (const flow of flows) {
      const into = samples.get(flow.name)!;
      for (let i = 0; i < perBlock; i++) {
        const t0 = now();
        await flow.once();
        into.push(now() - t0);
      }
    }
  }
  return samples;
}
