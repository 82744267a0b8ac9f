/**
 * History search at 100,000 tasks: "Search Task History…" runs `HistorySearch.search` on every
 * keystroke, as its command does. The first search takes the store's records and builds each
 * one's search text; a repeated search answers from what the last one found. Also measured: other
 * queries once every text is cached, and the same query after the store changed (one record
 * replaced), which must look at every record again. Baseline, same run: a plain
 * `includes` over the same texts computed in advance, the least any free-text search must do.
 * Runs in its own child process (own heap).
 */
import { HistorySearch, parseHistoryQuery, searchText } from '../src/core/historySearch';
import { TaskStore } from '../src/core/taskStore';
import { TARGETS, meets } from './targets';
import { type BenchConfig, type Figure, fmtMs, median, now, removeDir, round, runInChild, tempDir } from './harness';
import { writeStoreFile } from './storeScale';

/** What people type: a phrase from the arguments, a word from results, fields with text. */
const QUERIES = ['"shard 4711"', 'status:failed exited', 'tool:run_command nightly', 'passed 4711', 'deploy'];
const REPEATS = 15;

interface HistorySearchResult {
  readonly n: number;
  readonly firstMs: number;
  readonly repeatMs: number[];
  /** Other queries after the first, with every text cached. */
  readonly otherQueriesMs: number[];
  /** The first query again after each of a few store changes. */
  readonly afterChangeMs: number[];
  readonly baselineMs: number[];
  readonly matches: number;
  readonly baselineMatches: number;
}

/** Runs in a child process: a store of `n` tasks, then the searches. */
export function measure(args: { n: number }): HistorySearchResult {
  const dir = tempDir(`history-${args.n}`);
  try {
    writeStoreFile(dir, args.n);
    const store = new TaskStore({ directory: dir, onProblem: () => undefined });
    const history = new HistorySearch(store);
    const search = (text: string) => history.search(parseHistoryQuery(text));
    const [query, ...others] = QUERIES;
    const t0 = now();
    const matches = search(query).length;
    const firstMs = now() - t0;
    const repeatMs: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const t = now();
      search(query);
      repeatMs.push(now() - t);
    }
    const otherQueriesMs = others.map((text) => {
      const t = now();
      search(text);
      return now() - t;
    });
    const afterChangeMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const record = store.all()[i * 97];
      store.setPinned(record.id, !record.pinned);
      const t = now();
      search(query);
      afterChangeMs.push(now() - t);
    }
    history.dispose();
    // The least a free-text search does: one includes per record over texts already lowercased.
    const texts = store.all().map(searchText);
    const baselineMs: number[] = [];
    let baselineMatches = 0;
    for (let i = 0; i < REPEATS; i++) {
      const t = now();
      baselineMatches = texts.filter((text) => text.includes('shard 4711')).length;
      baselineMs.push(now() - t);
    }
    store.dispose();
    return { n: args.n, firstMs, repeatMs, otherQueriesMs, afterChangeMs, baselineMs, matches, baselineMatches };
  } finally {
    removeDir(dir);
  }
}

export async function run(config: BenchConfig): Promise<Figure[]> {
  const n = config.quick ? 20_000 : 100_000;
  const r = await runInChild<HistorySearchResult>('historySearch', 'measure', { n }, ['--max-old-space-size=4096']);
  const label = n.toLocaleString('en-US');
  const baseline = median(r.baselineMs);
  const repeat = median(r.repeatMs);
  const raw = {
    n: r.n,
    query: QUERIES[0],
    matches: r.matches,
    baselineMatches: r.baselineMatches,
    firstMs: round(r.firstMs),
    repeatMs: r.repeatMs.map((ms) => round(ms)),
    otherQueriesMs: r.otherQueriesMs.map((ms) => round(ms)),
    afterChangeMs: r.afterChangeMs.map((ms) => round(ms)),
    baselineMs: r.baselineMs.map((ms) => round(ms)),
  };
  const quickNote = config.quick ? ' QUICK run: fewer tasks than the target is for, so not judged.' : '';
  return [
    {
      id: 'historySearch.first',
      figure: `History search, ${label} tasks: the first search (every record's text built)`,
      value: r.firstMs,
      unit: 'ms',
      tasklane: `${fmtMs(r.firstMs)} (${r.matches} matches)`,
      baselineValue: baseline,
      baseline: `${fmtMs(baseline)} a plain includes over texts computed in advance`,
      ratio: r.firstMs / baseline,
      target: config.quick ? null : TARGETS.historySearchFirstMs,
      met: config.quick ? undefined : meets(TARGETS.historySearchFirstMs, { value: r.firstMs }),
      note: `Matches must equal the baseline's (${r.baselineMatches}).${quickNote}`,
      raw,
    },
    {
      id: 'historySearch.repeat',
      figure: `History search, ${label} tasks: the same search again (median of ${REPEATS})`,
      value: repeat,
      unit: 'ms',
      tasklane: `${fmtMs(repeat)}; after a store change ${fmtMs(median(r.afterChangeMs))}; other queries ${r.otherQueriesMs.map((ms) => fmtMs(ms)).join(', ')}`,
      baselineValue: baseline,
      baseline: `${fmtMs(baseline)} a plain includes over texts computed in advance`,
      ratio: repeat / baseline,
      target: config.quick ? null : TARGETS.historySearchRepeatMs,
      met: config.quick ? undefined : meets(TARGETS.historySearchRepeatMs, { value: repeat }),
      note: quickNote || undefined,
      raw,
    },
  ];
}
