/**
 * `TaskEngine.shared`: the shared store's word on tasks. Another instance's running work is
 * mirrored (readable, announced, followed to its end, never kept alive or run here); a finished
 * task stays as it ended; and this engine's own work stops when the store says it ended elsewhere.
 */
import assert from 'node:assert/strict';
import type { EngineTask } from '../../../src/mcp/engine/engineTask';
import { prerequisiteFailedMessage } from '../../../src/mcp/engine/queueMessages';
import { RELINQUISHED_MESSAGE } from '../../../src/mcp/engine/sharedTasks';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { waitFor } from '../helpers/waitFor';

const T0 = Date.parse('2026-12-01T10:00:00Z');

function elsewhere(taskId: string, status: EngineTask['status'], at: number, extra: Partial<EngineTask> = {}): EngineTask {
  return {
    taskId,
    owner: 'alice',
    tool: 'wait',
    status,
    createdAt: new Date(T0).toISOString(),
    lastUpdatedAt: new Date(at).toISOString(),
    ttl: 60_000,
    pollInterval: 1000,
    inputRequests: new Map(),
    ...extra,
  };
}

describe('TaskEngine.shared', () => {
  let clock = T0;
  let engine: TaskEngine;

  beforeEach(() => {
    clock = T0;
    engine = new TaskEngine({ now: () => clock });
  });
  afterEach(() => engine.dispose());

  it("mirrors another instance's running task, announces its changes, and wakes whoever waits for its end", async () => {
    const seen: string[] = [];
    engine.onDidChange((task) => seen.push(`${task.taskId}:${task.status}`));
    assert.equal(engine.shared.apply(elsewhere('m1', 'working', T0), 60_000), 'mirrored');
    assert.equal(engine.get('alice', 'm1').status, 'working');
    assert.ok(engine.shared.runsElsewhere('m1'));
    assert.throws(() => engine.get('bob', 'm1'), /not found/i);
    assert.deepEqual(
      engine.list('alice').tasks.map((task) => task.taskId),
      ['m1'],
    );

    const ended = engine.waitForTerminal('alice', 'm1');
    assert.equal(engine.shared.apply(elsewhere('m1', 'completed', T0 + 100, { statusMessage: 'Done there' }), 60_000), 'updated');
    assert.equal((await ended).statusMessage, 'Done there');
    assert.deepEqual(seen, ['m1:working', 'm1:completed']);
  });

  it('keeps the newer snapshot, and a finished task as it ended', () => {
    engine.shared.apply(elsewhere('m2', 'working', T0 + 200, { statusMessage: 'step 2' }), 60_000);
    assert.equal(engine.shared.apply(elsewhere('m2', 'working', T0 + 100, { statusMessage: 'step 1' }), 60_000), 'unchanged');
    assert.equal(engine.get('alice', 'm2').statusMessage, 'step 2');
    engine.cancel('alice', 'm2');
    assert.equal(engine.shared.apply(elsewhere('m2', 'completed', T0 + 300), 60_000), 'unchanged');
    assert.equal(engine.get('alice', 'm2').status, 'cancelled');
  });

  it('never keeps a mirror alive: the instance running it does', () => {
    engine.shared.apply(elsewhere('m3', 'working', T0, { ttl: 1000 }), 1000);
    const before = engine.get('alice', 'm3').ttl;
    clock += 5000;
    engine.sweepExpired();
    assert.equal(engine.get('alice', 'm3').ttl, before);
  });

  it("stops this engine's own work when the store says it ended elsewhere, and frees its slot", async () => {
    const started: string[] = [];
    const stopped: unknown[] = [];
    const limited = new TaskEngine({ now: () => clock, scheduler: { maxConcurrent: 1, toolLimits: {} } });
    try {
      const run = (owner: string) =>
        limited.start({
          owner,
          tool: 'wait',
          settle: () => ({ status: 'completed' }),
          run: (context) =>
            new Promise((_, reject) => {
              started.push(context.taskId);
              context.signal.addEventListener('abort', () => {
                stopped.push(context.signal.reason);
                reject(context.signal.reason as Error);
              });
            }),
        });
      const own = run('alice');
      const queued = run('alice');
      assert.equal(limited.get('alice', queued.taskId).queue?.position, 1);
      await waitFor(() => started.includes(own.taskId), { what: 'the first task to start' });
      assert.equal(limited.shared.apply({ ...own, status: 'working', statusMessage: 'a stale write' }, 60_000), 'unchanged');

      const lost = { ...own, status: 'failed' as const, statusMessage: 'Worker lost', lastUpdatedAt: new Date(T0 + 500).toISOString() };
      assert.equal(limited.shared.apply(lost, 60_000), 'stopped');
      assert.equal(limited.get('alice', own.taskId).statusMessage, 'Worker lost');
      await waitFor(() => stopped.length === 1, { what: 'the work stopped' });
      await waitFor(() => started.includes(queued.taskId), { what: 'the queued task to get the freed slot' });
    } finally {
      limited.dispose();
    }
  });

  describe('a task that runs after one whose work runs elsewhere', () => {
    /** Starts a task here that waits for `afterTaskId`; `ran` holds the ids whose work started. */
    function startAfter(afterTaskId: string, ran: string[]): EngineTask {
      return engine.start({
        owner: 'alice',
        tool: 'wait',
        afterTaskId,
        settle: () => ({ status: 'completed' }),
        run: async (context) => {
          ran.push(context.taskId);
          return { content: [] };
        },
      });
    }

    it('starts when the store says that task completed', async () => {
      engine.shared.apply(elsewhere('p1', 'working', T0), 60_000);
      const ran: string[] = [];
      const dependent = startAfter('p1', ran);
      assert.equal(engine.get('alice', dependent.taskId).statusMessage, 'Waiting for task p1');
      engine.shared.apply(elsewhere('p1', 'completed', T0 + 100), 60_000);
      await waitFor(() => engine.get('alice', dependent.taskId).status === 'completed', { what: 'the dependent to run' });
      assert.deepEqual(ran, [dependent.taskId]);
    });

    for (const status of ['failed', 'cancelled'] as const) {
      it(`does not run, and says why, when the store says that task ${status}`, async () => {
        engine.shared.apply(elsewhere('p2', 'working', T0), 60_000);
        const ran: string[] = [];
        const dependent = startAfter('p2', ran);
        engine.shared.apply(elsewhere('p2', status, T0 + 100), 60_000);
        await waitFor(() => engine.get('alice', dependent.taskId).status === 'failed', { what: 'the dependent to fail' });
        assert.equal(engine.get('alice', dependent.taskId).statusMessage, prerequisiteFailedMessage('p2', status));
        assert.deepEqual(ran, []);
      });
    }

    it('starts when work this engine gave up ends elsewhere', async () => {
      const claimed = elsewhere('c2', 'working', T0);
      engine.shared.run(claimed, 60_000, { owner: 'alice', tool: 'wait', settle: () => ({ status: 'completed' }), run: () => new Promise(() => undefined) });
      const ran: string[] = [];
      const dependent = startAfter('c2', ran);
      engine.shared.relinquish('c2');
      engine.shared.apply(elsewhere('c2', 'completed', T0 + 100), 60_000);
      await waitFor(() => engine.get('alice', dependent.taskId).status === 'completed', { what: 'the dependent to run' });
      assert.deepEqual(ran, [dependent.taskId]);
    });
  });

  it('relinquishes claimed work: the work stops, the task stays as the store says, and what the work still reports is dropped', async () => {
    let finish: ((value: Record<string, unknown>) => void) | undefined;
    let report: (message: string) => void = () => undefined;
    const reasons: unknown[] = [];
    const claimed = elsewhere('c1', 'working', T0);
    engine.shared.run(claimed, 60_000, {
      owner: 'alice',
      tool: 'wait',
      settle: () => ({ status: 'completed' }),
      run: (context) =>
        new Promise((resolve) => {
          report = (message) => context.status(message);
          finish = resolve;
          context.signal.addEventListener('abort', () => reasons.push((context.signal.reason as Error).message));
        }),
    });
    await waitFor(() => finish !== undefined, { what: 'the claimed work running' });
    assert.equal(engine.shared.claimedRunning().length, 1);
    assert.ok(engine.shared.runsHere('c1'));
    const changes: string[] = [];
    engine.onDidChange((task) => changes.push(`${task.status}:${task.statusMessage ?? ''}`));

    assert.equal(engine.shared.relinquish('c1'), true);
    assert.deepEqual(reasons, [RELINQUISHED_MESSAGE]);
    assert.ok(engine.shared.runsElsewhere('c1'));
    assert.deepEqual(engine.shared.claimedRunning(), []);
    // The work ignores its signal and goes on: its reports and its result change nothing here.
    report('still going');
    finish!({ content: [] });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(changes, []);
    assert.equal(engine.get('alice', 'c1').status, 'working');
    // The store's word decides: run again elsewhere and ended there.
    assert.equal(engine.shared.apply(elsewhere('c1', 'completed', T0 + 100, { statusMessage: 'ran again' }), 60_000), 'updated');
    assert.equal(engine.get('alice', 'c1').statusMessage, 'ran again');
    assert.equal(engine.shared.relinquish('c1'), false);
  });
});
