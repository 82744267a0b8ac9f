import assert from 'node:assert/strict';
import { TaskStore } from '../../../src/core/taskStore';
import { historyEmptyState } from '../../../src/ui/commands/historyEmptyState';

describe('ui/commands/historyEmptyState: a search that finds nothing says so and offers queries that would', () => {
  it('suggests the most common status and tool of this history, and pinned tasks when there are any', () => {
    const store = new TaskStore();
    for (let i = 0; i < 3; i++) {
      const record = store.create({ serverId: 's', tool: 'run_command' });
      store.complete(record.id, 'failed', { error: { code: 1, message: 'x' } });
    }
    const pinned = store.create({ serverId: 's', tool: 'wait' });
    store.setPinned(pinned.id, true);
    const empty = historyEmptyState(store.all(), 'nothing-like-this ');
    assert.deepEqual(empty.suggestions, ['status:failed', 'tool:run_command', 'is:pinned']);
    assert.equal(empty.message, 'No tasks match “nothing-like-this” — try status:failed, tool:run_command, is:pinned');
  });

  it('does not suggest what was typed, and says when there is no history at all', () => {
    const store = new TaskStore();
    store.create({ serverId: 's', tool: 'wait' });
    assert.ok(!historyEmptyState(store.all(), 'status:working').suggestions.includes('status:working'));
    assert.deepEqual(historyEmptyState([], 'x'), {
      headline: 'No tasks yet',
      message: 'No tasks yet: tasks you and agents run are kept here.',
      suggestions: [],
    });
  });
});
