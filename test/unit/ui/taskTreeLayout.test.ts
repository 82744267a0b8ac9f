import assert from 'node:assert/strict';
import type { TaskRecord } from '../../../src/core/taskRecord';
import { TaskStore } from '../../../src/core/taskStore';
import { TaskTreeLayout } from '../../../src/ui/tree/taskTreeLayout';

function makeStore(): TaskStore {
  let clock = Date.UTC(2026, 0, 1);
  return new TaskStore({ now: () => (clock += 1000) });
}

function layoutOf(store: TaskStore, isVisible: (record: TaskRecord) => boolean = (r) => !r.archived): TaskTreeLayout {
  return new TaskTreeLayout(
    store.all(),
    (id) => store.get(id),
    isVisible,
    (r) => r.status,
  );
}

describe('ui/taskTreeLayout', () => {
  it('shows a child under its parent, grandchildren under the child, in the order they started', () => {
    const store = makeStore();
    const parent = store.create({ serverId: 's', tool: 'plan' });
    const first = store.create({ serverId: 's', tool: 'step', parentId: parent.id });
    const second = store.create({ serverId: 's', tool: 'step', parentId: parent.id });
    const grandchild = store.create({ serverId: 's', tool: 'leaf', parentId: first.id });
    store.complete(second.id, 'completed', {});
    const layout = layoutOf(store);
    assert.deepEqual(layout.groups.get('working'), [parent.id]);
    assert.equal(layout.groups.get('completed'), undefined, 'a finished child stays under its running parent');
    assert.deepEqual(layout.childrenOf(parent.id), [first.id, second.id]);
    assert.deepEqual(layout.childrenOf(first.id), [grandchild.id]);
    assert.equal(layout.placedAt(grandchild.id), `task:${first.id}`);
  });

  it('lists queued work after running work, in queue order, and notices a reorder', () => {
    const store = makeStore();
    const running = store.create({ serverId: 's', tool: 'build' });
    const second = store.create({ serverId: 's', tool: 'wait' });
    const first = store.create({ serverId: 's', tool: 'wait' });
    const newest = store.create({ serverId: 's', tool: 'lint' });
    store.update(second.id, { queue: { position: 2, size: 2 } });
    store.update(first.id, { queue: { position: 1, size: 2 } });
    const before = layoutOf(store);
    assert.deepEqual(before.groups.get('working'), [newest.id, running.id, first.id, second.id]);
    store.update(second.id, { queue: { position: 1, size: 2 } });
    store.update(first.id, { queue: { position: 2, size: 2 } });
    const after = layoutOf(store);
    assert.deepEqual(after.groups.get('working'), [newest.id, running.id, second.id, first.id]);
    assert.notEqual(before.indexOf(second.id), after.indexOf(second.id));
  });

  it('puts a child at the top of its group when its parent is gone or not shown', () => {
    const store = makeStore();
    const orphan = store.create({ serverId: 's', tool: 'step', parentId: 'deleted-long-ago' });
    const parent = store.create({ serverId: 's', tool: 'plan' });
    store.complete(parent.id, 'completed', {});
    store.archive(parent.id);
    const child = store.create({ serverId: 's', tool: 'step', parentId: parent.id });
    const layout = layoutOf(store);
    assert.deepEqual(layout.groups.get('working'), [child.id, orphan.id]);
    assert.equal(layout.placedAt(parent.id), undefined);
  });

  it('keeps earlier attempts under the latest one, after its child tasks, and survives a cycle of links', () => {
    const store = makeStore();
    const first = store.create({ serverId: 's', tool: 'build' });
    store.complete(first.id, 'failed', {});
    const retry = store.create({ serverId: 's', tool: 'build' }, { retryOf: first.id, attempt: 2 });
    store.update(first.id, { retriedAs: retry.id });
    const child = store.create({ serverId: 's', tool: 'step', parentId: retry.id });
    store.importRecords([
      { ...store.require(child.id), id: 'a', parentId: 'b' },
      { ...store.require(child.id), id: 'b', parentId: 'a' },
    ]);
    const layout = layoutOf(store);
    assert.deepEqual(layout.childrenOf(retry.id), [child.id, first.id]);
    assert.equal(layout.placedAt(first.id), `task:${retry.id}`);
    // A cycle of parent links is entered from the top of a group once: both records are shown, one under the other.
    assert.deepEqual([layout.placedAt('a'), layout.placedAt('b')], ['group:working', 'task:a']);
    assert.deepEqual(layout.groups.get('working'), ['a', retry.id]);
  });
});
