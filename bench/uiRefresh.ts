/**
 * 8. What the UI does on each coalesced batch of changes, at 10,000 and 100,000 tasks: the Tasks
 * tree brings its layout up to date (`TaskTreeModel.apply`) and VS Code redraws the nodes it names
 * (`row` of each, and `children` + `row` of everything under an expanded one, which is a page of
 * at most `PAGE_SIZE` tasks and a "more" row, as the view has by default), the counts are
 * brought up to date (`TaskTally.apply`, and the seen failures pruned of the batch's tasks, as
 * `TasklaneUi` does), and the status bar (`summarize`), the view's badge (`attention`) and the
 * `when`-clause keys (`contextKeys`) are read from them. These are the vscode-free functions the
 * extension's classes call; the vscode calls they end in (a tree item, setting a badge, a status
 * bar text, a context key) are not included. Each size runs in its own child process.
 */
import * as os from 'node:os';
import { ChangeCoalescer } from '../src/core/changeCoalescer';
import type { TaskChanges } from '../src/core/lifecycleEvents';
import { TaskStore } from '../src/core/taskStore';
import { SeenFailures } from '../src/ui/attention';
import { summarize as summarizeStatus } from '../src/ui/statusSummary';
import { TaskTally } from '../src/ui/taskCounts';
import { type Redraw, TaskTreeModel, type TaskTreeNode } from '../src/ui/tree/taskTreeModel';
import { PAGE_SIZE } from '../src/ui/tree/taskTreePages';
import { TARGETS, meets } from './targets';
import { type BenchConfig, type Figure, fmtMs, median, now, removeDir, round, rounded, runInChild, summarize, tempDir } from './harness';
import { writeStoreFile } from './storeScale';

/**
 * Rows VS Code asks for after a refresh: each redrawn node, and what is under it when it is
 * expanded. A node under another redrawn node is asked once, with it (VS Code drops it from the
 * refresh).
 */
function redrawRows(model: TaskTreeModel, redraw: Redraw): number {
  if (redraw === undefined) return 0;
  let rows = 0;
  const visit = (node: TaskTreeNode) => {
    const row = model.row(node);
    rows++;
    if (row?.fold !== 'expanded') return;
    for (const child of model.children(node)) visit(child);
  };
  const listed = new Set(redraw === 'all' ? [] : redraw);
  const underListed = (node: TaskTreeNode) => {
    for (let up = model.parent(node); up; up = model.parent(up)) if (listed.has(up)) return true;
    return false;
  };
  const nodes = redraw === 'all' ? model.children() : redraw.filter((node) => !underListed(node));
  for (const node of nodes) visit(node);
  return rows;
}

interface UiBatchResult {
  readonly n: number;
  readonly batches: number;
  readonly firstLayoutMs: number;
  readonly totalMs: number[];
  readonly treeMs: number[];
  readonly countsMs: number[];
  readonly statusBarMs: number[];
  readonly badgeMs: number[];
  readonly contextKeysMs: number[];
  readonly rowsRedrawn: number[];
  readonly eventsPerBatch: number[];
  readonly baselineScanMs: number[];
}

/** Runs in a child process: one store of `n` tasks, `batches` batches of a busy moment's changes. */
export async function measure(args: { n: number; batches: number }): Promise<UiBatchResult> {
  const { n, batches } = args;
  const dir = tempDir(`ui-${n}`);
  try {
    writeStoreFile(dir, n, { unfinishedOnEmbedded: false });
    const store = new TaskStore({ directory: dir, onProblem: () => undefined });
    const f0 = now();
    const model = new TaskTreeModel(store, 'status', false, (id) => id);
    const firstLayoutMs = now() - f0;
    let kept: readonly string[] = [];
    const seen = new SeenFailures({ get: () => kept, set: (ids) => (kept = ids) });
    const tally = new TaskTally(store, (record) => seen.isNew(record));
    const coalescer = new ChangeCoalescer(store.onDidLifecycle, 3_600_000);
    const out = {
      totalMs: [] as number[],
      treeMs: [] as number[],
      countsMs: [] as number[],
      statusBarMs: [] as number[],
      badgeMs: [] as number[],
      contextKeysMs: [] as number[],
      rowsRedrawn: [] as number[],
      eventsPerBatch: [] as number[],
      baselineScanMs: [] as number[],
    };
    let recording = false;
    coalescer.onDidChange((changes: TaskChanges) => {
      const t0 = now();
      const rows = redrawRows(model, model.apply(changes));
      const t1 = now();
      seen.pruneChanged([...changes.added, ...changes.updated, ...changes.removed], (id) => store.get(id));
      tally.apply(changes);
      const tc = now();
      summarizeStatus(tally);
      const t2 = now();
      void tally.attention;
      const t3 = now();
      void tally.contextKeys;
      const t4 = now();
      // Baseline: the least any per-batch look at every task costs, one copy and one pass.
      let working = 0;
      for (const record of store.all()) if (record.status === 'working') working++;
      const t5 = now();
      if (!recording || working < 0) return;
      out.totalMs.push(t4 - t0);
      out.treeMs.push(t1 - t0);
      out.countsMs.push(tc - t1);
      out.statusBarMs.push(t2 - tc);
      out.badgeMs.push(t3 - t2);
      out.contextKeysMs.push(t4 - t3);
      out.rowsRedrawn.push(rows);
      out.eventsPerBatch.push(changes.eventCount);
      out.baselineScanMs.push(t5 - t4);
    });
    // The tree as the user first sees it: the groups, and what is under the expanded ones.
    redrawRows(model, 'all');
    const working = store
      .all()
      .filter((r) => r.status === 'working')
      .map((r) => r.id);
    let next = 0;
    for (let b = 0; b < batches + 3; b++) {
      recording = b >= 3;
      // A busy moment within one 100 ms batch: a task starts, three report progress, one finishes.
      store.create({ serverId: 'ci', tool: 'run_command', arguments: { command: `npm test -- --shard new-${b}` } });
      for (let i = 0; i < 3; i++) {
        const id = working[next++ % working.length];
        if (store.require(id).status === 'working') store.setStatus(id, 'working', `step ${b}.${i}`);
      }
      const finishing = working[next++ % working.length];
      if (store.require(finishing).status === 'working') store.complete(finishing, 'completed', { result: { content: [{ type: 'text', text: 'ok' }] } });
      coalescer.flush();
      // Let the journal write this batch (it writes at the end of the turn), as between real batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    coalescer.dispose();
    store.dispose();
    return { n, batches, firstLayoutMs, ...out };
  } finally {
    removeDir(dir);
  }
}

export async function run(config: BenchConfig): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const n of config.scaleSizes) {
    const r = await runInChild<UiBatchResult>('uiRefresh', 'measure', { n, batches: n >= 100_000 ? 20 : 40 }, ['--max-old-space-size=4096']);
    const total = summarize(r.totalMs);
    const base = median(r.baselineScanMs);
    const target = n >= 100_000 ? TARGETS.uiBatch100kMs : n === 10_000 ? TARGETS.uiBatch10kMs : null;
    const label = n.toLocaleString('en-US');
    const parts = {
      tree: median(r.treeMs),
      counts: median(r.countsMs),
      statusBar: median(r.statusBarMs),
      badge: median(r.badgeMs),
      contextKeys: median(r.contextKeysMs),
    };
    figures.push({
      id: `ui.batch.${n}`,
      figure: `8. UI refresh per batch, ${label} tasks (median): tree layout + redrawn rows, counts, status bar, badge, context keys`,
      value: total.p50,
      unit: 'ms per batch',
      tasklane: `${fmtMs(total.p50)} (p90 ${fmtMs(total.p90)}): tree ${fmtMs(parts.tree)}, counts ${fmtMs(parts.counts)}, status bar ${fmtMs(parts.statusBar)}, badge ${fmtMs(parts.badge)}, context keys ${fmtMs(parts.contextKeys)}`,
      baselineValue: base,
      baseline: `one store.all() + one pass over it: ${fmtMs(base)}`,
      ratio: total.p50 / base,
      target,
      met: target ? meets(target, { value: total.p50 }) : undefined,
      note:
        `${r.batches} batches of ${median(r.eventsPerBatch)} events (a task created, three progress messages, one completion), grouped by status, archived hidden; ` +
        `${median(r.rowsRedrawn)} rows redrawn per batch (median: the redrawn nodes and every row under an expanded one, as VS Code asks for them; a container shows ${PAGE_SIZE} tasks and a "more" row). ` +
        `The vscode calls themselves (badge, status bar text, setContext) and VS Code's own rendering are not included. First layout of the tree: ${fmtMs(r.firstLayoutMs)}.`,
      raw: {
        tasks: n,
        batches: r.batches,
        firstLayoutMs: round(r.firstLayoutMs, 3),
        totalMs: rounded(total, 4),
        partsMedianMs: rounded(parts, 4),
        rowsRedrawnMedian: median(r.rowsRedrawn),
        baselineScanMedianMs: round(base, 4),
        cpus: os.cpus().length,
      },
    });
  }
  return figures;
}
