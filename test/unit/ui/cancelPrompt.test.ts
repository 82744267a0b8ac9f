import assert from 'node:assert/strict';
import { descendantsOf } from '../../../src/core/taskFamily';
import { TaskStore } from '../../../src/core/taskStore';
import { cancelChildrenPrompt } from '../../../src/ui/commands/cancelPrompt';

describe('ui/cancelPrompt and core/taskFamily', () => {
  it('asks about the running children in plain words', () => {
    assert.equal(cancelChildrenPrompt(1), 'Cancel its running child task too?');
    assert.equal(cancelChildrenPrompt(3), 'Cancel its 3 running child tasks too?');
  });

  it('finds children and grandchildren, nearest first, and stops at a cycle', () => {
    const store = new TaskStore();
    const root = store.create({ serverId: 's', tool: 'plan' });
    const child = store.create({ serverId: 's', tool: 'step', parentId: root.id });
    const other = store.create({ serverId: 's', tool: 'step', parentId: root.id });
    const grandchild = store.create({ serverId: 's', tool: 'leaf', parentId: child.id });
    store.create({ serverId: 's', tool: 'unrelated' });
    assert.deepEqual(
      descendantsOf(store.all(), root.id)
        .map((r) => r.id)
        .sort(),
      [child.id, other.id, grandchild.id].sort(),
    );
    assert.equal(descendantsOf(store.all(), root.id).at(-1)?.id, grandchild.id, 'grandchildren come after children');
    store.importRecords([
      { ...store.require(root.id), id: 'x', parentId: 'y' },
      { ...store.require(root.id), id: 'y', parentId: 'x' },
    ]);
    assert.deepEqual(
      descendantsOf(store.all(), 'x').map((r) => r.id),
      ['y'],
    );
  });
});
