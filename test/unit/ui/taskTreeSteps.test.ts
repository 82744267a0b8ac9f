import assert from 'node:assert/strict';
import { ChangeCoalescer } from '../../../src/core/changeCoalescer';
import type { TaskChanges } from '../../../src/core/lifecycleEvents';
import { TaskStore } from '../../../src/core/taskStore';
import { TaskTreeModel } from '../../../src/ui/tree/taskTreeModel';
import { ViewMirror } from '../helpers/viewMirror';

const NOW = Date.UTC(2026, 5, 1, 12);
const at = (ms: number) => new Date(NOW + ms).toISOString();

describe("ui/taskTreeModel: a task's steps as rows under it", () => {
  function setup() {
    let clock = NOW - 60_000;
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
    const mirror = new ViewMirror(model);
    const settle = () => {
      changes.flush();
      for (const batch of batches.splice(0)) mirror.redraw(model.apply(batch));
    };
    return { store, model, mirror, settle, dispose: () => (subscription.dispose(), changes.dispose()) };
  }

  it('lists them as leaves, before child tasks, with their time and how they ended; the row stays open while the task runs', () => {
    const { store, mirror, settle, dispose } = setup();
    const task = store.create({ serverId: 's', tool: 'run_vscode_task', arguments: { label: 'build' } });
    store.create({ serverId: 's', tool: 'child', parentId: task.id });
    settle();
    store.update(task.id, {
      steps: [
        { id: 'lint', label: 'lint', status: 'completed', startedAt: at(-5000), endedAt: at(-3800), detail: 'exit code 0', depth: 1 },
        { id: 'compile', label: 'compile', status: 'working', startedAt: at(-2500), depth: 1 },
        { id: 'build', label: 'build', status: 'waiting' },
      ],
    });
    settle();
    const lines = mirror.lines();
    const start = lines.findIndex((line) => line.startsWith('  run_vscode_task'));
    assert.match(lines[start], /\| expanded$/);
    assert.deepEqual(lines.slice(start + 1, start + 5), [
      '    lint | 1.2s · exit code 0 | none',
      '    compile | 2.5s | none',
      '    build | waiting | none',
      '    child | 58s | none',
    ]);
    dispose();
  });

  it('shows steps left running by a task that ended as cancelled, redraws a changed list, and folds the row away', () => {
    const { store, model, mirror, settle, dispose } = setup();
    const task = store.create({ serverId: 's', tool: 'run_vscode_task', arguments: { label: 'build' } });
    store.update(task.id, { steps: [{ id: 'a', label: 'a', status: 'working', startedAt: at(-2000) }] });
    settle();
    store.update(task.id, {
      steps: [
        { id: 'a', label: 'a', status: 'completed', startedAt: at(-2000), endedAt: at(-1000) },
        { id: 'b', label: 'b', status: 'working', startedAt: at(-1000) },
      ],
    });
    store.complete(task.id, 'cancelled', {}, 'Cancelled');
    settle();
    const node = model.nodeFor(task.id)!;
    const children = model.children(node);
    assert.deepEqual(
      children.map((child) => child.kind),
      ['step', 'step'],
    );
    assert.equal(model.parent(children[0]), node);
    assert.equal(model.row(node)?.fold, 'collapsed');
    assert.match(model.row(node)?.accessibleLabel ?? '', /, 2 steps/);
    assert.match(model.row(children[1])?.accessibleLabel ?? '', /^b, step, cancelled/);
    assert.ok(
      mirror.lines().some((line) => line.trim().startsWith('b |')),
      'the view fetched the new step',
    );
    dispose();
  });
});
