import assert from 'node:assert/strict';
import { RpcError } from '../../../src/mcp/rpcError';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import type { EngineTask, StartOptions } from '../../../src/mcp/engine/engineTask';
import { MAX_TIMER_MS } from '../../../src/core/longTimer';
import { handedToNode } from '../helpers/handedToNode';
import { waitFor } from '../helpers/waitFor';

/** Work whose end the test decides; records when it started and how many ran at once. */
class Workload {
  readonly started: string[] = [];
  readonly startedAt = new Map<string, number>();
  running = 0;
  maxRunning = 0;
  private readonly releases = new Map<string, () => void>();

  constructor(readonly engine: TaskEngine) {}

  start(options: Partial<StartOptions> & { name?: string } = {}): EngineTask {
    const { name, ...rest } = options;
    const task = this.engine.start({
      owner: 'alice',
      tool: 'work',
      settle: () => ({ status: 'completed' }),
      run: (context) =>
        new Promise((resolve, reject) => {
          const id = name ?? context.taskId;
          this.started.push(id);
          this.startedAt.set(context.taskId, Date.now());
          this.running++;
          this.maxRunning = Math.max(this.maxRunning, this.running);
          const end = () => this.running--;
          this.releases.set(context.taskId, () => {
            end();
            resolve({ content: [] });
          });
          context.signal.addEventListener(
            'abort',
            () => {
              end();
              reject(context.signal.reason);
            },
            { once: true },
          );
        }),
      ...rest,
    });
    return task;
  }

  isRunning(taskId: string): boolean {
    return this.releases.has(taskId);
  }

  release(taskId: string): void {
    const release = this.releases.get(taskId);
    assert.ok(release, `task ${taskId} is not running`);
    this.releases.delete(taskId);
    release();
  }

  async waitForStarts(count: number): Promise<void> {
    await waitFor(() => this.started.length >= count, { what: `${count} starts` });
  }
}

function engineWith(maxConcurrent: number, toolLimits: Record<string, number> = {}): TaskEngine {
  return new TaskEngine({ scheduler: { maxConcurrent, toolLimits } });
}

describe('mcp/server engine scheduling', () => {
  let engine: TaskEngine;
  afterEach(() => engine.dispose());

  it('with maxConcurrent 2, ten tasks of mixed priority run two at a time in priority order', async () => {
    engine = engineWith(2);
    const work = new Workload(engine);
    const priorities = [0, 5, -3, 5, 10, 0, 1, -3, 10, 2];
    const tasks = priorities.map((priority, index) => work.start({ priority, name: `t${index}` }));
    const queued = tasks.slice(2).map((task) => engine.peek(task.taskId)!);
    for (const task of queued) {
      assert.equal(task.status, 'working');
      assert.equal(task.queue?.size, 8);
      assert.equal(task.statusMessage, `Queued (${task.queue?.position} of 8)`);
    }
    assert.deepEqual(engine.peek(tasks[4].taskId)?.queue, { position: 1, size: 8 });
    await work.waitForStarts(2);
    while (work.started.length < tasks.length) {
      const running = tasks.find((task) => work.isRunning(task.taskId))!;
      const before = work.started.length;
      work.release(running.taskId);
      await work.waitForStarts(before + 1);
    }
    assert.deepEqual(work.started, ['t0', 't1', 't4', 't8', 't3', 't9', 't6', 't5', 't2', 't7']);
    assert.equal(work.maxRunning, 2);
    const started = engine.peek(tasks[7].taskId)!;
    assert.equal(started.queue, undefined);
    assert.equal(started.statusMessage, 'Started');
  });

  it('keeps a per-tool limit while other tools use the free slots', async () => {
    engine = engineWith(4, { slow: 1 });
    const work = new Workload(engine);
    const first = work.start({ tool: 'slow', name: 'slow1' });
    const second = work.start({ tool: 'slow', name: 'slow2' });
    work.start({ tool: 'fast', name: 'fast1' });
    await work.waitForStarts(2);
    assert.deepEqual(work.started, ['slow1', 'fast1']);
    assert.deepEqual(engine.peek(second.taskId)?.queue, { position: 1, size: 1 });
    work.release(first.taskId);
    await work.waitForStarts(3);
    assert.deepEqual(work.started, ['slow1', 'fast1', 'slow2']);
  });

  it('honours run-after: the task waits, saying until when, and does not start earlier', async () => {
    engine = engineWith(4);
    const work = new Workload(engine);
    const createdAt = Date.now();
    const task = work.start({ runAfter: createdAt + 300 });
    assert.match(engine.peek(task.taskId)!.statusMessage ?? '', /^Waiting until \d\d:\d\d(:\d\d)?$/);
    assert.deepEqual(engine.peek(task.taskId)?.queue, { position: 1, size: 1 });
    await work.waitForStarts(1);
    assert.ok(work.startedAt.get(task.taskId)! >= createdAt + 300, `started after ${work.startedAt.get(task.taskId)! - createdAt} ms`);
    assert.equal(engine.peek(task.taskId)?.queue, undefined);
  });

  it('runs a task after its prerequisite completes, and fails it when the prerequisite fails', async () => {
    engine = engineWith(4);
    const work = new Workload(engine);
    const first = work.start({ name: 'first' });
    const second = work.start({ name: 'second', afterTaskId: first.taskId });
    assert.equal(engine.peek(second.taskId)?.statusMessage, `Waiting for task ${first.taskId.slice(0, 8)}`);
    // A task with free slots and nothing to wait for, started after "second": had "second" not
    // waited for "first", it would have started before this one.
    work.start({ name: 'bystander' });
    await work.waitForStarts(2);
    assert.deepEqual(work.started, ['first', 'bystander']);
    work.release(first.taskId);
    await work.waitForStarts(3);
    assert.deepEqual(work.started, ['first', 'bystander', 'second']);

    const doomed = work.start({ name: 'doomed' });
    const dependent = work.start({ name: 'dependent', afterTaskId: doomed.taskId });
    await work.waitForStarts(4);
    engine.cancel('alice', doomed.taskId);
    const failed = engine.peek(dependent.taskId)!;
    assert.equal(failed.status, 'failed');
    assert.equal(failed.statusMessage, `Did not run: task ${doomed.taskId.slice(0, 8)}, which it was to run after, was cancelled`);
    assert.equal(failed.queue, undefined);
    assert.ok(!work.started.includes('dependent'));

    // Already failed when asked: the task is created, then fails without running.
    const late = work.start({ name: 'late', afterTaskId: doomed.taskId });
    assert.equal(late.status, 'working');
    await waitFor(() => engine.peek(late.taskId)?.status === 'failed', { what: 'the late dependent to fail' });
  });

  it("refuses an after-task it cannot see with -32602, whether unknown or another owner's", () => {
    engine = engineWith(4);
    const work = new Workload(engine);
    const foreign = work.start({ owner: 'bob' });
    for (const afterTaskId of ['no-such-task', foreign.taskId]) {
      assert.throws(
        () => work.start({ afterTaskId }),
        (error: unknown) =>
          error instanceof RpcError &&
          error.code === -32602 &&
          error.message === `Cannot run after task ${afterTaskId}: no such task (unknown, expired, or not yours)`,
      );
    }
  });

  it('counts a time budget from the start of the work, not while queued, and ends work that exceeds it', async () => {
    engine = engineWith(1);
    const work = new Workload(engine);
    // The blocker holds the only slot until its own, longer budget ends it: the budgeted task then
    // has waited longer than its budget before it starts (an event to wait on, not a sleep).
    const blocker = work.start({ name: 'blocker', timeBudgetMs: 350 });
    const budgeted = work.start({ name: 'budgeted', timeBudgetMs: 200 });
    await work.waitForStarts(1);
    await waitFor(() => engine.peek(blocker.taskId)?.status === 'failed', { what: "the blocker's budget to end it" });
    await work.waitForStarts(2);
    const waited = work.startedAt.get(budgeted.taskId)! - work.startedAt.get(blocker.taskId)!;
    assert.ok(waited >= 340, `it waited longer than its budget before it started (${waited} ms)`);
    assert.equal(engine.peek(budgeted.taskId)?.status, 'working', 'queue time does not use up the budget');
    const done = await waitFor(() => (engine.peek(budgeted.taskId)?.status === 'failed' ? engine.peek(budgeted.taskId) : undefined), {
      what: 'the budget to run out',
    });
    const ranFor = Date.now() - work.startedAt.get(budgeted.taskId)!;
    assert.ok(ranFor >= 190, `ended ${ranFor} ms after it started`);
    assert.equal(done.statusMessage, 'Ran out of its time budget of 200 ms');
  });

  it('a time budget longer than a Node timer allows (30 days) does not end the work at once', async () => {
    engine = engineWith(1);
    const work = new Workload(engine);
    // The budget's timer is armed when the work starts (on the next turn): no delay Node would overflow (and fire after 1 ms).
    let taskId = '';
    const delays = handedToNode(() => (taskId = work.start({ name: 'budgeted', timeBudgetMs: 30 * 24 * 60 * 60 * 1000 }).taskId));
    await work.waitForStarts(1);
    assert.ok(delays.includes(MAX_TIMER_MS) && delays.every((ms) => ms <= MAX_TIMER_MS), `delays handed to Node: ${delays.join(', ')}`);
    assert.equal(engine.peek(taskId)?.status, 'working');
    work.release(taskId);
  });

  it('setPriority reorders the queue at once and reports only the tasks whose place changed', async () => {
    engine = engineWith(1);
    const work = new Workload(engine);
    const running = work.start({ name: 'a' });
    const [b, c, d, e] = ['b', 'c', 'd', 'e'].map((name) => work.start({ name }));
    const changed: string[] = [];
    const subscription = engine.onDidChange((task) => changed.push(task.taskId));
    const raised = engine.setPriority(d.taskId, 10);
    subscription.dispose();
    assert.equal(raised.priority, 10);
    assert.deepEqual(engine.peek(d.taskId)?.queue, { position: 1, size: 4 });
    assert.deepEqual(engine.peek(b.taskId)?.queue, { position: 2, size: 4 });
    assert.deepEqual(engine.peek(c.taskId)?.queue, { position: 3, size: 4 });
    assert.equal(engine.peek(d.taskId)?.statusMessage, 'Queued (1 of 4)');
    assert.ok(!changed.includes(e.taskId), 'e kept its place and heard nothing');
    assert.deepEqual(new Set(changed), new Set([d.taskId, b.taskId, c.taskId]));
    await work.waitForStarts(1);
    work.release(running.taskId);
    await work.waitForStarts(2);
    assert.deepEqual(work.started, ['a', 'd']);
  });

  it('does not report waiting tasks when the queue only grows behind them, yet their snapshot shows the new size', () => {
    engine = engineWith(1);
    const work = new Workload(engine);
    work.start();
    const waiting = work.start();
    const changed: string[] = [];
    const subscription = engine.onDidChange((task) => changed.push(task.taskId));
    const behind = work.start();
    subscription.dispose();
    assert.deepEqual(changed, [behind.taskId]);
    assert.deepEqual(engine.peek(waiting.taskId)?.queue, { position: 1, size: 2 });
    assert.equal(engine.peek(waiting.taskId)?.statusMessage, 'Queued (1 of 2)');
  });

  it('cancelling a queued task removes it at once and moves the others up', async () => {
    engine = engineWith(1);
    const work = new Workload(engine);
    const running = work.start({ name: 'a' });
    const [b, c, d] = ['b', 'c', 'd'].map((name) => work.start({ name }));
    const cancelled = engine.cancelAny(c.taskId, 'Cancelled from the editor');
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.statusMessage, 'Cancelled from the editor');
    assert.equal(cancelled.queue, undefined);
    assert.deepEqual(engine.peek(b.taskId)?.queue, { position: 1, size: 2 });
    assert.deepEqual(engine.peek(d.taskId)?.queue, { position: 2, size: 2 });
    assert.equal(engine.peek(d.taskId)?.statusMessage, 'Queued (2 of 2)');
    await work.waitForStarts(1);
    work.release(running.taskId);
    await work.waitForStarts(2);
    work.release(b.taskId);
    await work.waitForStarts(3);
    assert.deepEqual(work.started, ['a', 'b', 'd']);
  });

  it('raising the limit with configureScheduler starts queued work at once', async () => {
    engine = engineWith(1);
    const work = new Workload(engine);
    const tasks = [0, 1, 2].map(() => work.start());
    assert.ok(engine.peek(tasks[2].taskId)?.queue);
    engine.configureScheduler({ maxConcurrent: 3, toolLimits: {} });
    assert.equal(engine.peek(tasks[2].taskId)?.queue, undefined);
    await work.waitForStarts(3);
  });

  it("gives the editor every owner's tasks: peek, all, childrenOf and cancelAny", () => {
    engine = engineWith(4);
    const work = new Workload(engine);
    const parent = work.start({ owner: 'alice' });
    const child = work.start({ owner: 'alice', parentTaskId: parent.taskId });
    const foreignChild = work.start({ owner: 'bob', parentTaskId: parent.taskId });
    assert.equal(engine.peek(foreignChild.taskId)?.owner, 'bob');
    assert.equal(foreignChild.parentTaskId, undefined, 'a parent of another owner is dropped');
    assert.deepEqual(
      engine.childrenOf(parent.taskId).map((task) => task.taskId),
      [child.taskId],
    );
    assert.equal(engine.all().length, 3);
    assert.equal(engine.cancelAny(foreignChild.taskId).status, 'cancelled');
    assert.equal(engine.peek('unknown'), undefined);
    assert.throws(() => engine.setPriority('unknown', 1), /Task not found/);
  });
});
