import assert from 'node:assert/strict';
import { TaskStore } from '../../../src/core/taskStore';
import { runAgainSpec } from '../../../src/core/taskSpec';

describe('mcp/client/taskService runAgainSpec: Run Again starts the same work as a new task of its own', () => {
  it('keeps tool, arguments and metadata; drops the agent, the parent, the scheduling and every attempt link', () => {
    const store = new TaskStore();
    const parent = store.create({ serverId: 'tasklane', tool: 'wait' });
    const before = store.create({ serverId: 'tasklane', tool: 'run_command' });
    const record = store.create(
      {
        serverId: 'tasklane',
        tool: 'run_command',
        arguments: { command: 'npm test', cwd: '/w' },
        intent: 'Run the tests',
        priority: 5,
        tags: ['ci'],
        meta: { 'com.example/x': 1 },
        context: { cwd: '/w', agent: { name: 'claude-code' } },
        parentId: parent.id,
        scheduling: { afterTaskId: before.id },
      },
      { attempt: 2, retryOf: 'earlier' },
    );
    store.complete(record.id, 'completed', { result: { content: [] } });
    const spec = runAgainSpec(store.require(record.id));
    assert.deepEqual(
      { serverId: spec.serverId, tool: spec.tool, arguments: spec.arguments, intent: spec.intent, priority: spec.priority, tags: spec.tags, meta: spec.meta },
      {
        serverId: 'tasklane',
        tool: 'run_command',
        arguments: { command: 'npm test', cwd: '/w' },
        intent: 'Run the tests',
        priority: 5,
        tags: ['ci'],
        meta: { 'com.example/x': 1 },
      },
    );
    assert.equal(spec.context?.agent, undefined, 'the editor runs it as its own');
    assert.equal(spec.context?.cwd, '/w');
    assert.equal(spec.parentId, undefined);
    assert.deepEqual(spec.scheduling, {});
    assert.ok(!('retryOf' in spec) && !('attempt' in spec), 'no attempt link: it is not a retry');
  });
});
