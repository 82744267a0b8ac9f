/**
 * The Tasks view grouped by machine: the machine a team server reported for a task
 * (`context.agent.machine`), else the editor's own; this machine's group first, then the others by
 * name; and a task whose machine is reported later moves to that machine's group.
 */
import assert from 'node:assert/strict';
import { ChangeCoalescer } from '../../../src/core/changeCoalescer';
import type { TaskChanges } from '../../../src/core/lifecycleEvents';
import { TaskStore } from '../../../src/core/taskStore';
import { TaskTreeModel } from '../../../src/ui/tree/taskTreeModel';
import { ViewMirror } from '../helpers/viewMirror';

const NOW = Date.UTC(2026, 5, 1, 12);
const groupLines = (mirror: ViewMirror) => mirror.lines().filter((line) => !line.startsWith(' '));
const HERE = 'my-laptop';

function modelOf(store: TaskStore, groupBy: 'machine' | 'agent' = 'machine'): TaskTreeModel {
  return new TaskTreeModel(
    store,
    groupBy,
    false,
    (id) => id,
    () => NOW,
    undefined,
    HERE,
  );
}

describe('ui/taskTreeModel: group by machine', () => {
  it("groups by the reported machine, with this machine's group first and tasks without one in it", () => {
    let clock = NOW - 60_000;
    const store = new TaskStore({ now: () => (clock += 1000) });
    store.create({ serverId: 'team', tool: 'build', arguments: { command: 'b1' }, context: { agent: { name: 'alice', machine: 'zeta' } } });
    store.create({ serverId: 'team', tool: 'build', arguments: { command: 'b2' }, context: { agent: { name: 'bob', machine: 'build-7' } } });
    store.create({ serverId: 'tasklane', tool: 'run_command', arguments: { command: 'mine' } });
    store.create({ serverId: 'team', tool: 'build', arguments: { command: 'b3' }, context: { agent: { name: 'carol', machine: 'zeta' } } });
    assert.deepEqual(groupLines(new ViewMirror(modelOf(store))), [`${HERE} | 1 | expanded`, 'build-7 | 1 | expanded', 'zeta | 2 | expanded']);
  });

  it('moves a task to its machine once the server reports it, as a full rebuild would lay it out; and by agent, under its owner', () => {
    let clock = NOW - 60_000;
    const store = new TaskStore({ now: () => (clock += 1000) });
    const changes = new ChangeCoalescer(store.onDidLifecycle, 60_000);
    const batches: TaskChanges[] = [];
    const subscription = changes.onDidChange((batch) => batches.push(batch));
    try {
      const model = modelOf(store);
      const record = store.create({ serverId: 'team', tool: 'build', arguments: { command: 'b1' } });
      changes.flush();
      const mirror = new ViewMirror(model);
      for (const batch of batches.splice(0)) mirror.redraw(model.apply(batch));
      assert.deepEqual(groupLines(mirror), [`${HERE} | 1 | expanded`]);

      store.update(record.id, { context: { ...record.context, agent: { name: 'alice', client: { name: 'claude-code' }, machine: 'build-7' } } });
      changes.flush();
      for (const batch of batches.splice(0)) mirror.redraw(model.apply(batch));
      assert.deepEqual(groupLines(mirror), ['build-7 | 1 | expanded']);
      assert.deepEqual(mirror.lines(), new ViewMirror(modelOf(store)).lines());
      assert.deepEqual(groupLines(new ViewMirror(modelOf(store, 'agent'))), ['alice | 1 | expanded']);
    } finally {
      subscription.dispose();
      changes.dispose();
    }
  });
});
