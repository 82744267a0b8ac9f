import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChangeCoalescer } from '../../../src/core/changeCoalescer';
import type { TaskChanges } from '../../../src/core/lifecycleEvents';
import { TASK_STATUSES, type TaskStatus, canTransition, isTerminal } from '../../../src/core/taskStatus';
import { STEP_STATUSES, type StepStatus } from '../../../src/core/taskSteps';
import { TaskStore } from '../../../src/core/taskStore';
import { type GroupBy, TaskTreeModel, type TaskTreeNode } from '../../../src/ui/tree/taskTreeModel';
import { ViewMirror } from '../helpers/viewMirror';

const NOW = Date.UTC(2026, 5, 1, 12);
const GROUPINGS: readonly GroupBy[] = ['status', 'server', 'tool', 'agent', 'machine'];

type Op =
  | { kind: 'create'; tool: string; server: string; agent: string | undefined; parent: number | undefined }
  | { kind: 'status'; task: number; status: TaskStatus; message: string | undefined }
  | { kind: 'retry'; task: number }
  | { kind: 'queue'; task: number; position: number }
  | { kind: 'steps'; task: number; count: number; status: StepStatus; offset: number }
  | { kind: 'archive'; task: number }
  | { kind: 'unarchive'; task: number }
  | { kind: 'pin'; task: number }
  | { kind: 'remove'; task: number }
  | { kind: 'regroup'; groupBy: GroupBy }
  | { kind: 'showArchived'; show: boolean }
  | { kind: 'filter'; text: string }
  | { kind: 'reveal'; task: number }
  | { kind: 'batch' };

const pick = fc.nat({ max: 40 });
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      tool: fc.constantFrom('build', 'test', 'ask'),
      server: fc.constantFrom('tasklane', 'remote'),
      agent: fc.constantFrom(undefined, 'claude', 'ci'),
      parent: fc.option(pick, { nil: undefined }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('status' as const),
      task: pick,
      status: fc.constantFrom(...TASK_STATUSES),
      message: fc.option(fc.constantFrom('exit 3', 'line 2', '1 of 3 tests failed'), { nil: undefined }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('retry' as const), task: pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('queue' as const), task: pick, position: fc.integer({ min: 1, max: 4 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('steps' as const),
      task: pick,
      count: fc.nat({ max: 3 }),
      status: fc.constantFrom(...STEP_STATUSES),
      offset: fc.nat({ max: 2 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('archive' as const), task: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unarchive' as const), task: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pin' as const), task: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), task: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('regroup' as const), groupBy: fc.constantFrom(...GROUPINGS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('showArchived' as const), show: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('filter' as const), text: fc.constantFrom('', 'build', 'exit') }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('reveal' as const), task: pick }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'batch' as const }) },
);

/** Applies one operation the way the service and the views would; operations that make no sense now do nothing. */
function perform(op: Op, store: TaskStore, model: TaskTreeModel, mirror: ViewMirror): void {
  const tasks = store.all();
  const task = 'task' in op ? tasks[op.task % Math.max(1, tasks.length)] : undefined;
  switch (op.kind) {
    case 'create': {
      const parent = op.parent === undefined || !tasks.length ? undefined : tasks[op.parent % tasks.length].id;
      store.create({
        serverId: op.server,
        tool: op.tool,
        arguments: { command: `${op.tool} ${tasks.length}` },
        parentId: parent,
        // One agent's work runs on another machine (as a team server reports it), the other's here.
        context: op.agent ? { agent: { name: op.agent, ...(op.agent === 'ci' ? { machine: 'build-7' } : {}) } } : {},
      });
      return;
    }
    case 'status':
      if (!task || !canTransition(task.status, op.status)) return;
      if (isTerminal(op.status)) store.complete(task.id, op.status as 'completed' | 'failed' | 'cancelled', {}, op.message);
      else store.setStatus(task.id, op.status, op.message);
      return;
    case 'retry': {
      if (!task || !isTerminal(task.status) || task.status === 'completed' || task.retriedAs) return;
      const next = store.create(
        { serverId: task.serverId, tool: task.tool, arguments: task.arguments, context: task.context },
        { attempt: task.attempt + 1, retryOf: task.id },
      );
      store.update(task.id, { retriedAs: next.id });
      return;
    }
    case 'queue':
      if (task?.status === 'working') store.update(task.id, { queue: { position: op.position, size: 4 } });
      return;
    case 'steps': {
      // A server's whole list: some steps kept (by id), some new, the last one in the given state.
      if (!task) return;
      const steps = Array.from({ length: op.count }, (_, i) => ({
        id: `s${i + op.offset}`,
        label: `step ${i + op.offset}`,
        status: i === op.count - 1 ? op.status : ('completed' as const),
        startedAt: new Date(NOW - 5000).toISOString(),
        ...(i < op.count - 1 ? { endedAt: new Date(NOW - 4000).toISOString() } : {}),
      }));
      store.update(task.id, { steps });
      return;
    }
    case 'archive':
      if (task && isTerminal(task.status) && !task.archived) store.archive(task.id);
      return;
    case 'unarchive':
      if (task?.archived) store.unarchive(task.id);
      return;
    case 'pin':
      if (task) store.setPinned(task.id, !task.pinned);
      return;
    case 'remove':
      if (task) store.remove(task.id);
      return;
    case 'regroup':
      mirror.redraw(model.setGroupBy(op.groupBy));
      return;
    case 'showArchived':
      mirror.redraw(model.setShowArchived(op.show));
      return;
    case 'filter':
      mirror.redraw(model.setFilter(op.text ? { text: op.text } : {}));
      return;
    case 'reveal': {
      // What `TreeView.reveal` asks of the provider: the node, then its parents up to the root.
      let node: TaskTreeNode | undefined = task && model.nodeFor(task.id);
      while (node) node = model.parent(node);
      return;
    }
    case 'batch':
      return;
  }
}

describe('ui/taskTreeModel: the tree a view holds equals a full rebuild', () => {
  it('after every batch of random lifecycle events, regroupings, filters and reveals, in every grouping', () => {
    fc.assert(
      fc.property(fc.constantFrom(...GROUPINGS), fc.array(opArbitrary, { minLength: 1, maxLength: 80 }), (groupBy, ops) => {
        let clock = NOW - 3_600_000;
        const store = new TaskStore({ now: () => (clock += 1000) });
        const changes = new ChangeCoalescer(store.onDidLifecycle, 60_000);
        const model = new TaskTreeModel(
          store,
          groupBy,
          false,
          (id) => `server ${id}`,
          () => NOW,
        );
        const mirror = new ViewMirror(model);
        const batches: TaskChanges[] = [];
        // The listener only records; the redraw and the checks happen in the test body.
        const subscription = changes.onDidChange((batch) => batches.push(batch));
        try {
          for (const op of [...ops, { kind: 'batch' as const }]) {
            perform(op, store, model, mirror);
            if (op.kind !== 'batch') continue;
            changes.flush();
            for (const batch of batches.splice(0)) mirror.redraw(model.apply(batch));
            const settings = { groupBy: model.currentGroupBy, filter: model.currentFilter };
            const fresh = new TaskTreeModel(
              store,
              settings.groupBy,
              false,
              (id) => `server ${id}`,
              () => NOW,
            );
            fresh.setShowArchived(model.showsArchived);
            fresh.setFilter(settings.filter);
            assert.deepEqual(mirror.lines(), new ViewMirror(fresh).lines());
          }
        } finally {
          subscription.dispose();
          changes.dispose();
        }
      }),
      { numRuns: Number(process.env.TREE_RUNS) || 300 },
    );
  });

  it('redraws everything when a new task reorders two groups of one name (they follow their newest tasks)', () => {
    let clock = NOW;
    const store = new TaskStore({ now: () => (clock += 1000) });
    const changes = new ChangeCoalescer(store.onDidLifecycle, 60_000);
    const model = new TaskTreeModel(
      store,
      'agent',
      false,
      (id) => id,
      () => NOW,
    );
    const batches: TaskChanges[] = [];
    const subscription = changes.onDidChange((batch) => batches.push(batch));
    const startAs = (agent: { id?: string; name: string }) => store.create({ serverId: 's', tool: 'build', context: { agent } });
    startAs({ id: 'a1', name: 'claude' });
    startAs({ name: 'claude' });
    changes.flush();
    const mirror = new ViewMirror(model);
    for (const batch of batches.splice(0)) mirror.redraw(model.apply(batch));
    startAs({ id: 'a1', name: 'claude' });
    changes.flush();
    for (const batch of batches.splice(0)) mirror.redraw(model.apply(batch));
    assert.deepEqual(
      mirror.lines().filter((line) => !line.startsWith(' ')),
      ['claude | 2 | expanded', 'claude | 1 | expanded'],
      'of two groups of one name, the one with the newest task comes first',
    );
    assert.deepEqual(
      mirror.lines(),
      new ViewMirror(
        new TaskTreeModel(
          store,
          'agent',
          false,
          (id) => id,
          () => NOW,
        ),
      ).lines(),
    );
    subscription.dispose();
    changes.dispose();
  });

  it('draws a task created and asked about (as reveal does) before its batch came, when the batch comes', () => {
    let clock = NOW;
    const store = new TaskStore({ now: () => (clock += 1000) });
    const changes = new ChangeCoalescer(store.onDidLifecycle, 60_000);
    const model = new TaskTreeModel(
      store,
      'status',
      false,
      (id) => id,
      () => NOW,
    );
    const batches: TaskChanges[] = [];
    const subscription = changes.onDidChange((batch) => batches.push(batch));
    store.create({ serverId: 'tasklane', tool: 'run_command', arguments: { command: 'sleep 20' } });
    changes.flush();
    const mirror = new ViewMirror(model);
    for (const batch of batches.splice(0)) mirror.redraw(model.apply(batch));
    const second = store.create({ serverId: 'tasklane', tool: 'run_command', arguments: { command: 'sleep 21' } });
    assert.equal(model.nodeFor(second.id), undefined, 'not shown before its batch');
    changes.flush();
    for (const batch of batches.splice(0)) mirror.redraw(model.apply(batch));
    assert.deepEqual(mirror.lines(), ['Running | 2 | expanded', '  sleep 21 | 0s | none', '  sleep 20 | 0s | none']);
    subscription.dispose();
    changes.dispose();
  });
});
