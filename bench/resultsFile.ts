/**
 * bench/results.json across partial runs: a run of some benchmarks (BENCH_ONLY) replaces the
 * figures of the benchmarks it ran and keeps every other figure of the file, so re-running one
 * benchmark never throws away a full run's rows. Each figure names its benchmark, and `runs` says
 * which run (its environment and configuration) each benchmark's figures come from.
 */
import * as fs from 'node:fs';

/** One run that still owns figures in the file. */
export interface ResultsRun {
  /** The benchmarks whose figures in the file come from this run. */
  readonly benchmarks: readonly string[];
  /** A file written before figures named their benchmark: the first parts of the ids of the figures kept from it. */
  readonly figureIdPrefixes?: readonly string[];
  readonly environment: unknown;
  readonly config: unknown;
}

export interface ResultsFile {
  /** This run's (the newest). */
  readonly environment: unknown;
  readonly config: unknown;
  readonly figures: readonly Record<string, unknown>[];
  readonly runs: readonly ResultsRun[];
}

/** The figures of one benchmark, as this run measured them. */
export interface BenchmarkFigures {
  readonly benchmark: string;
  readonly figures: readonly Record<string, unknown>[];
}

/**
 * The file after this run: its figures (each tagged with its benchmark), then the earlier file's
 * figures of every benchmark this run did not measure. A benchmark that gave no figure this time
 * (skipped) keeps its earlier ones. A figure of a file written before figures named their
 * benchmark is replaced by this run's figures whose ids share its id's first part.
 */
export function mergeResults(
  previous: Partial<ResultsFile> | undefined,
  environment: unknown,
  config: unknown,
  measured: readonly BenchmarkFigures[],
): ResultsFile {
  const replaced = new Set(measured.filter((m) => m.figures.length > 0).map((m) => m.benchmark));
  const prefixOf = (figure: Record<string, unknown>) => String(figure.id).split('.')[0]!;
  const replacedPrefixes = new Set(measured.filter((m) => replaced.has(m.benchmark)).flatMap((m) => m.figures.map(prefixOf)));
  const isReplaced = (figure: Record<string, unknown>) =>
    typeof figure.benchmark === 'string' ? replaced.has(figure.benchmark) : replacedPrefixes.has(prefixOf(figure));
  const kept = (previous?.figures ?? []).filter((f) => !isReplaced(f));
  const keptBenchmarks = new Set(kept.map((f) => (typeof f.benchmark === 'string' ? f.benchmark : undefined)));
  const earlierRuns: ResultsRun[] = previous?.runs
    ? previous.runs
        .map((run) => ({ ...run, benchmarks: run.benchmarks.filter((b) => keptBenchmarks.has(b)) }))
        .map((run) => (run.figureIdPrefixes ? { ...run, figureIdPrefixes: run.figureIdPrefixes.filter((p) => !replacedPrefixes.has(p)) } : run))
        .filter((run) => run.benchmarks.length > 0 || (run.figureIdPrefixes?.length ?? 0) > 0)
    : kept.length > 0
      ? [{ benchmarks: [], figureIdPrefixes: [...new Set(kept.map(prefixOf))], environment: previous?.environment, config: previous?.config }]
      : [];
  return {
    environment,
    config,
    figures: [...measured.flatMap((m) => m.figures.map((f) => ({ benchmark: m.benchmark, ...f }))), ...kept],
    runs: [{ benchmarks: [...replaced], environment, config }, ...earlierRuns],
  };
}

/** The file at `file`, or undefined when there is none (or it cannot be read as results). */
export function readResults(file: string): Partial<ResultsFile> | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ResultsFile>;
    return Array.isArray(parsed.figures) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
