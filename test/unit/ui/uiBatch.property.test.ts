import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChangeCoalescer } from '../../../src/core/changeCoalescer';
import type { TaskChanges } from '../../../src/core/lifecycleEvents';
import type { TaskRecord } from '../../../src/core/taskRecord';
import { canRetryTask, isOpenFailure, needsAttention } from '../../../src/core/taskRules';
import { TASK_STATUSES, type TaskStatus, canTransition, isTerminal } from '../../../src/core/taskStatus';
import { TaskStore } from '../../../src/core/taskStore';
import { SeenFailures } from '../../../src/ui/attention';
import { type StatusSummary, questionText, summarize } from '../../../src/ui/statusSummary';
import { TaskTally } from '../../../src/ui/taskCounts';
import { TaskTreeLayout } from '../../../src/ui/tree/taskTreeLayout';
import { type GroupBy, type MoreNode, TaskTreeModel } from '../../../src/ui/tree/taskTreeModel';
import { PAGE_SIZE } from '../../../src/ui/tree/taskTreePages';
import { ViewMirror } from '../helpers/viewMirror';

/**
 * The views keep their layout and counts from batches of changes. After every batch, what they
 * hold must equal what a full computation from every task gives: the layout made afresh, the tree
 * a view would fetch from a fresh model, and the counts of the status bar, badge and `when`-clause
 * keys as they were computed before they were kept (the functions below, copied as they were).
 */

/** The status bar's numbers and click, counted over every task (as `summarizeTasks` did before the tally). */
function fullSummary(records: readonly TaskRecord[], isNewFailure: (record: TaskRecord) => boolean) {
  let running = 0;
  let needsInput = 0;
  let failed = 0;
  let newFailures = 0;
  let total = 0;
  let question: { id: string; key: string; at: string; message: string } | undefined;
  let newestNewFailure: { id: string; at: string } | undefined;
  for (const record of records) {
    if (record.archived || record.imported) continue;
    total++;
    if (record.status === 'working') running++;
    else if (record.status === 'input_required') needsInput++;
    else if (isOpenFailure(record)) {
      failed++;
      if (isNewFailure(record)) {
        newFailures++;
        if (!newestNewFailure || record.lastUpdatedAt > newestNewFailure.at) newestNewFailure = { id: record.id, at: record.lastUpdatedAt };
      }
    }
    for (const pending of record.pendingInput) {
      if (!question || pending.at < question.at) question = { id: record.id, key: pending.key, at: pending.at, message: questionText(pending.params) };
    }
  }
  const click = question
    ? { kind: 'answer', id: question.id, key: question.key, question: question.message }
    : newestNewFailure
      ? { kind: 'showFailure', id: newestNewFailure.id }
      : { kind: 'showTasks' };
  return { counts: { running, needsInput, failed, newFailures, total }, click };
}

function fullContextKeys(records: readonly TaskRecord[]) {
  const shown = records.filter((record) => !record.archived);
  return {
    hasTasks: shown.length > 0,
    hasRunning: shown.some((r) => r.status === 'working' || r.status === 'input_required'),
    hasRetryable: shown.some(canRetryTask),
    hasFailed: shown.some(isOpenFailure),
    hasFinished: shown.some((r) => r.status === 'completed' || r.status === 'failed' || r.status === 'cancelled'),
    hasCompleted: shown.some((r) => r.status === 'completed'),
    hasInputRequired: shown.some((r) => r.pendingInput.length > 0),
  };
}

/** Everything a layout holds, in a form two layouts can be compared by. */
function shapeOf(layout: TaskTreeLayout, store: TaskStore): string[] {
  const groups = [...layout.groups].map(([key, ids]) => `${key}: ${ids.join(' ')}`).sort();
  const tasks = store.all().map((r) => `${r.id} at ${layout.placedAt(r.id)} over [${layout.childrenOf(r.id).join(' ')}] index ${layout.indexOf(r.id)}`);
  return [...groups, ...tasks];
}

const AGENTS = [
  undefined,
  { name: 'claude' },
  { id: 'a1', name: 'claude' },
  { id: 'a2', name: 'claude', machine: 'build-7' },
  { name: 'ci', machine: 'build-8' },
] as const;
const GROUPINGS: readonly GroupBy[] = ['status', 'server', 'tool', 'agent', 'machine'];

type Op =
  | { kind: 'create'; tool: string; server: string; agent: number; parent: number | undefined; future: boolean }
  | { kind: 'status'; task: number; status: TaskStatus }
  | { kind: 'retry'; task: number }
  | { kind: 'link'; task: number; to: number; future: boolean }
  | { kind: 'queue'; task: number; position: number | undefined }
  | { kind: 'ask'; task: number; key: string; second: number }
  | { kind: 'answer'; task: number }
  | { kind: 'archive'; task: number }
  | { kind: 'unarchive'; task: number }
  | { kind: 'importPair'; task: number }
  | { kind: 'remove'; task: number }
  | { kind: 'see'; task: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'regroup'; groupBy: GroupBy }
  | { kind: 'showArchived'; show: boolean }
  | { kind: 'filter'; text: string }
  | { kind: 'reset' }
  | { kind: 'more'; pick: number }
  | { kind: 'reveal'; task: number }
  | { kind: 'batch' };

const pick = fc.nat({ max: 60 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      tool: fc.constantFrom('build', 'test', 'ask'),
      server: fc.constantFrom('tasklane', 'remote'),
      agent: fc.nat({ max: AGENTS.length - 1 }),
      parent: fc.option(pick, { nil: undefined }),
      future: fc.boolean(),
    }),
  },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('status' as const), task: pick, status: fc.constantFrom(...TASK_STATUSES) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('retry' as const), task: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('link' as const), task: pick, to: pick, future: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('queue' as const), task: pick, position: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('ask' as const), task: pick, key: fc.constantFrom('k1', 'k2'), second: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('answer' as const), task: pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('archive' as const), task: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unarchive' as const), task: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('importPair' as const), task: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), task: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('see' as const), task: pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 90_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('regroup' as const), groupBy: fc.constantFrom(...GROUPINGS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('showArchived' as const), show: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('filter' as const), text: fc.constantFrom('', 'build', 'remote') }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('more' as const), pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reveal' as const), task: pick }) },
  { weight: 5, arbitrary: fc.constant({ kind: 'batch' as const }) },
);

const RESET: TaskChanges = { added: new Set(), updated: new Set(), removed: new Set(), eventCount: 1, reset: true };

describe('ui: the layout and counts kept batch by batch equal a full computation', () => {
  // The default page, and a page of three so that most containers are paged.
  for (const pageSize of [PAGE_SIZE, 3])
    it(`after every batch of random creations, status changes, retries, links, queue moves, questions, archives, imports, removals, "more" clicks and reveals (a page of ${pageSize})`, () => {
      fc.assert(
        fc.property(fc.constantFrom(...GROUPINGS), fc.array(op, { minLength: 1, maxLength: 90 }), (groupBy, ops) => {
          let clock = Date.UTC(2026, 5, 1, 12);
          let viewClock = clock;
          let created = 0;
          const store = new TaskStore({ now: () => (clock += 1000) });
          const changes = new ChangeCoalescer(store.onDidLifecycle, 60_000);
          let kept: readonly string[] = [];
          const seen = new SeenFailures({ get: () => kept, set: (ids) => (kept = ids) });
          const tally = new TaskTally(store, (record) => seen.isNew(record));
          const seenSubscription = seen.onDidChange((id) => tally.refreshSeen(id));
          const serverName = (id: string) => `server ${id}`;
          const model = new TaskTreeModel(store, groupBy, false, serverName, () => viewClock, pageSize);
          const mirror = new ViewMirror(model);
          const layoutOf = () =>
            new TaskTreeLayout(
              store.all(),
              (id) => store.get(id),
              (r) => !r.archived,
              (r) => r.status,
            );
          let layout = layoutOf();
          const batches: TaskChanges[] = [];
          const subscription = changes.onDidChange((batch) => batches.push(batch));
          const take = (batch: TaskChanges) => {
            mirror.redraw(model.apply(batch));
            seen.pruneChanged([...batch.added, ...batch.updated, ...batch.removed], (id) => store.get(id));
            tally.apply(batch);
            if (batch.reset) layout = layoutOf();
            else layout = layout.update([...batch.added, ...batch.updated, ...batch.removed]) ? layout : layoutOf();
          };
          try {
            for (const next of [...ops, { kind: 'batch' as const }]) {
              const tasks = store.all();
              const task = 'task' in next ? tasks[next.task % Math.max(1, tasks.length)] : undefined;
              switch (next.kind) {
                case 'create': {
                  const parent =
                    next.parent === undefined
                      ? undefined
                      : next.future
                        ? `t${created + 1 + (next.parent % 3)}`
                        : tasks[next.parent % Math.max(1, tasks.length)]?.id;
                  const agent = AGENTS[next.agent];
                  store.create(
                    {
                      serverId: next.server,
                      tool: next.tool,
                      arguments: { command: `${next.tool} ${created}` },
                      parentId: parent,
                      context: agent ? { agent } : {},
                    },
                    { id: `t${++created}` },
                  );
                  break;
                }
                case 'status':
                  if (!task || !canTransition(task.status, next.status)) break;
                  if (isTerminal(next.status)) store.complete(task.id, next.status as 'completed' | 'failed' | 'cancelled', {}, 'done');
                  else store.setStatus(task.id, next.status);
                  break;
                case 'retry': {
                  if (!task || !isTerminal(task.status) || task.status === 'completed' || task.retriedAs) break;
                  const retry = store.create(
                    { serverId: task.serverId, tool: task.tool, arguments: task.arguments, context: task.context },
                    { id: `t${++created}`, attempt: task.attempt + 1, retryOf: task.id },
                  );
                  store.update(task.id, { retriedAs: retry.id });
                  break;
                }
                case 'link':
                  // Retry links the service never makes: to a task not yet created, to an older task, in a ring.
                  if (task) store.update(task.id, { retriedAs: next.future ? `t${created + 1}` : tasks[next.to % tasks.length].id });
                  break;
                case 'queue':
                  if (task?.status === 'working')
                    store.update(task.id, { queue: next.position === undefined ? undefined : { position: next.position, size: 4 } });
                  break;
                case 'ask':
                  if (task && !isTerminal(task.status))
                    store.addPendingInput(task.id, {
                      key: next.key,
                      method: 'elicitation/create',
                      params: { message: `${next.key}?` },
                      at: new Date(Date.UTC(2030, 0, 1, 0, 0, next.second)).toISOString(),
                    });
                  break;
                case 'answer':
                  if (task?.pendingInput.length) store.removePendingInput(task.id, task.pendingInput[0].key);
                  break;
                case 'archive':
                  if (task && isTerminal(task.status) && !task.archived) store.archive(task.id);
                  break;
                case 'unarchive':
                  if (task?.archived) store.unarchive(task.id);
                  break;
                case 'importPair':
                  // Two copies naming each other as parent: a cycle of links.
                  if (task)
                    store.importRecords([
                      { ...task, id: `i${++created}`, parentId: `i${created + 1}` },
                      { ...task, id: `i${++created}`, parentId: `i${created - 1}` },
                    ]);
                  break;
                case 'remove':
                  if (task) store.remove(task.id);
                  break;
                case 'see':
                  if (task) seen.markSeen(task);
                  break;
                case 'tick':
                  viewClock += next.ms;
                  mirror.redraw(model.ticking());
                  break;
                case 'regroup':
                  mirror.redraw(model.setGroupBy(next.groupBy));
                  break;
                case 'showArchived':
                  mirror.redraw(model.setShowArchived(next.show));
                  break;
                case 'filter':
                  mirror.redraw(model.setFilter(next.text ? { text: next.text } : {}));
                  break;
                case 'reset':
                  changes.flush();
                  for (const batch of batches.splice(0)) take(batch);
                  take(RESET);
                  break;
                case 'more': {
                  const more = mirror.nodes().filter((node): node is MoreNode => node.kind === 'more');
                  if (more.length) mirror.redraw(model.showMore(more[next.pick % more.length]));
                  break;
                }
                case 'reveal':
                  if (task) mirror.redraw(model.reveal(task.id));
                  break;
                case 'batch':
                  break;
              }
              if (next.kind !== 'batch') continue;
              changes.flush();
              for (const batch of batches.splice(0)) take(batch);

              assert.deepEqual(shapeOf(layout, store), shapeOf(layoutOf(), store), 'the layout kept equals one made afresh');
              const fresh = new TaskTreeModel(store, model.currentGroupBy, model.showsArchived, serverName, () => viewClock, pageSize);
              fresh.setPageLimits(model.pageLimits());
              fresh.setFilter(model.currentFilter);
              assert.deepEqual(mirror.lines(), new ViewMirror(fresh).lines(), 'the tree a view holds equals a fresh one');
              const records = store.all();
              const summary: StatusSummary = summarize(tally);
              assert.deepEqual(
                { counts: summary.counts, click: summary.click },
                fullSummary(records, (r) => seen.isNew(r)),
              );
              assert.equal(tally.attention, records.filter(needsAttention).length);
              assert.deepEqual(tally.contextKeys, fullContextKeys(records));
              for (const id of kept) assert.ok(isOpenFailure(store.require(id)), `a seen task that is no longer an open failure is forgotten (${id})`);
            }
          } finally {
            subscription.dispose();
            seenSubscription.dispose();
            changes.dispose();
          }
        }),
        { numRuns: Number(process.env.UI_BATCH_RUNS) || 200 },
      );
    });

  it('forgets a failure seen before its batch came when it went within that batch (it is in none of the batch sets)', () => {
    const store = new TaskStore({});
    const changes = new ChangeCoalescer(store.onDidLifecycle, 60_000);
    let kept: readonly string[] = [];
    const seen = new SeenFailures({ get: () => kept, set: (ids) => (kept = ids) });
    const tally = new TaskTally(store, (record) => seen.isNew(record));
    const seenSubscription = seen.onDidChange((id) => tally.refreshSeen(id));
    const subscription = changes.onDidChange((batch) => {
      seen.pruneChanged([...batch.added, ...batch.updated, ...batch.removed], (id) => store.get(id));
      tally.apply(batch);
    });
    const task = store.create({ serverId: 's', tool: 'build' });
    store.complete(task.id, 'failed', {});
    seen.markSeen(store.require(task.id));
    store.remove(task.id);
    changes.flush();
    assert.deepEqual(summarize(tally).counts, { running: 0, needsInput: 0, failed: 0, newFailures: 0, total: 0 });
    assert.deepEqual(kept, []);
    seenSubscription.dispose();
    subscription.dispose();
    changes.dispose();
  });

  it('redraws a task that moved in the batch that made a cycle of links (the layout made afresh is compared with the one before)', () => {
    let clock = Date.UTC(2026, 5, 1, 12);
    const store = new TaskStore({ now: () => (clock += 1000) });
    const changes = new ChangeCoalescer(store.onDidLifecycle, 60_000);
    const model = new TaskTreeModel(
      store,
      'status',
      false,
      (id) => id,
      () => clock,
    );
    const batches: TaskChanges[] = [];
    const subscription = changes.onDidChange((batch) => batches.push(batch));
    const moving = store.create({ serverId: 's', tool: 'build' });
    store.create({ serverId: 's', tool: 'test' });
    const done = store.create({ serverId: 's', tool: 'lint' });
    store.complete(done.id, 'completed', {});
    changes.flush();
    const mirror = new ViewMirror(model);
    for (const batch of batches.splice(0)) mirror.redraw(model.apply(batch));
    store.complete(moving.id, 'completed', {});
    store.importRecords([
      { ...store.require(done.id), id: 'a', parentId: 'b' },
      { ...store.require(done.id), id: 'b', parentId: 'a' },
    ]);
    changes.flush();
    for (const batch of batches.splice(0)) mirror.redraw(model.apply(batch));
    const fresh = new TaskTreeModel(
      store,
      'status',
      false,
      (id) => id,
      () => clock,
    );
    assert.deepEqual(mirror.lines(), new ViewMirror(fresh).lines());
    subscription.dispose();
    changes.dispose();
  });
});
