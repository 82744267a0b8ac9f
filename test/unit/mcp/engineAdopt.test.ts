/**
 * `TaskEngine.adopt`: a finished task an earlier run kept (the team store loads them on start) is
 * read, listed and expired like any other, scoped to its owner; unfinished work is refused.
 */
import assert from 'node:assert/strict';
import type { EngineTask } from '../../../src/mcp/engine/engineTask';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';

function finished(taskId: string, owner: string, createdAt: number, ttl: number | null): EngineTask {
  return {
    taskId,
    owner,
    tool: 'wait',
    status: 'completed',
    statusMessage: 'Done',
    createdAt: new Date(createdAt).toISOString(),
    lastUpdatedAt: new Date(createdAt + 10).toISOString(),
    ttl,
    pollInterval: 1000,
    inputRequests: new Map(),
    outcome: { kind: 'result', result: { content: [{ type: 'text', text: `result of ${taskId}` }] } },
  };
}

describe('TaskEngine.adopt', () => {
  let clock = Date.parse('2026-12-01T10:00:00Z');
  let engine: TaskEngine;

  beforeEach(() => {
    clock = Date.parse('2026-12-01T10:00:00Z');
    engine = new TaskEngine({ now: () => clock, pageSize: 2 });
  });
  afterEach(() => engine.dispose());

  it('serves an adopted task to its owner only, lists adopted tasks in the order given, before new ones', async () => {
    engine.shared.adopt(finished('a', 'alice', clock - 3000, 60_000), 60_000);
    engine.shared.adopt(finished('b', 'bob', clock - 2000, 60_000), 60_000);
    engine.shared.adopt(finished('c', 'alice', clock - 1000, null), null);
    const fresh = engine.start({ owner: 'alice', tool: 'wait', settle: () => ({ status: 'completed' }), run: () => new Promise(() => undefined) });

    assert.equal(engine.get('alice', 'a').outcome?.kind, 'result');
    assert.equal((await engine.waitForTerminal('alice', 'c')).statusMessage, 'Done');
    assert.throws(() => engine.get('alice', 'b'), /not found/i);
    const first = engine.list('alice');
    assert.deepEqual(
      first.tasks.map((task) => task.taskId),
      ['a', 'c'],
    );
    assert.deepEqual(
      engine.list('alice', first.nextCursor).tasks.map((task) => task.taskId),
      [fresh.taskId],
    );
    assert.throws(() => engine.cancel('alice', 'a'), /terminal|already/i);
  });

  it('expires an adopted task when its TTL runs out, as any other', () => {
    engine.shared.adopt(finished('a', 'alice', clock - 1000, 5000), 5000);
    assert.ok(engine.peek('a'));
    clock += 4001;
    assert.equal(engine.peek('a'), undefined);
    assert.equal(engine.sweepExpired(), 1);
  });

  it('refuses unfinished work: the store must end it first', () => {
    assert.throws(() => engine.shared.adopt({ ...finished('a', 'alice', clock, 5000), status: 'working' }, 5000), /Only a finished task can be adopted/);
    assert.equal(engine.peek('a'), undefined);
  });
});
