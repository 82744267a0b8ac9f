import * as assert from 'node:assert/strict';
import { type QueuePlace, Scheduler, type SchedulerHost, type SchedulerLimits } from '../../../src/mcp/engine/scheduler';

/** A scheduler host with a hand-driven clock, recording what the scheduler asks for. */
class Recorder implements SchedulerHost {
  time = 1_000_000;
  readonly started: string[] = [];
  readonly failed: [string, string][] = [];
  readonly placeEvents: Map<string, QueuePlace>[] = [];
  private timers: { at: number; callback: () => void; live: boolean }[] = [];

  start(id: string): void {
    this.started.push(id);
  }
  placesChanged(changes: ReadonlyMap<string, QueuePlace>): void {
    this.placeEvents.push(new Map(changes));
  }
  prerequisiteFailed(id: string, afterTaskId: string): void {
    this.failed.push([id, afterTaskId]);
  }
  now(): number {
    return this.time;
  }
  setTimer(callback: () => void, ms: number): unknown {
    const timer = { at: this.time + ms, callback, live: true };
    this.timers.push(timer);
    return timer;
  }
  clearTimer(handle: unknown): void {
    (handle as { live: boolean }).live = false;
  }
  get liveTimers(): number {
    return this.timers.filter((timer) => timer.live).length;
  }
  advance(ms: number): void {
    this.time += ms;
    for (const timer of this.timers.filter((t) => t.live && t.at <= this.time)) {
      timer.live = false;
      timer.callback();
    }
  }
}

function setup(limits: SchedulerLimits): { host: Recorder; scheduler: Scheduler } {
  const host = new Recorder();
  return { host, scheduler: new Scheduler(host, limits) };
}

describe('mcp/server/scheduler', () => {
  it('runs ten entries of mixed priority two at a time, highest priority first, then first come', () => {
    const { host, scheduler } = setup({ maxConcurrent: 2, toolLimits: {} });
    const priorities = [0, 5, -3, 5, 10, 0, 1, -3, 10, 2];
    priorities.forEach((priority, index) => scheduler.submit({ id: `t${index}`, tool: 'wait', priority }));
    // The first two arrive while slots are free and start at once, whatever their priority.
    assert.deepEqual(host.started, ['t0', 't1']);
    let maxRunning = scheduler.runningCount;
    while (host.started.length < priorities.length) {
      const running = host.started.filter((id) => scheduler.isRunning(id));
      scheduler.ended(running[0], true);
      maxRunning = Math.max(maxRunning, scheduler.runningCount);
    }
    assert.deepEqual(host.started, ['t0', 't1', 't4', 't8', 't3', 't9', 't6', 't5', 't2', 't7']);
    assert.equal(maxRunning, 2);
  });

  it('keeps a per-tool limit inside the global one, letting other tools past', () => {
    const { host, scheduler } = setup({ maxConcurrent: 3, toolLimits: { run_command: 1 } });
    scheduler.submit({ id: 'c1', tool: 'run_command', priority: 0 });
    scheduler.submit({ id: 'c2', tool: 'run_command', priority: 50 });
    scheduler.submit({ id: 'w1', tool: 'wait', priority: 0 });
    assert.deepEqual(host.started, ['c1', 'w1']);
    assert.equal(scheduler.place('c2')?.position, 1);
    scheduler.ended('w1', true);
    assert.deepEqual(host.started, ['c1', 'w1'], 'the free slot is not for another run_command');
    scheduler.ended('c1', true);
    assert.deepEqual(host.started, ['c1', 'w1', 'c2']);
  });

  it('reports queue places, only for entries whose place changed', () => {
    const { host, scheduler } = setup({ maxConcurrent: 1, toolLimits: {} });
    scheduler.submit({ id: 'a', tool: 'wait', priority: 0 });
    scheduler.submit({ id: 'b', tool: 'wait', priority: 0 });
    scheduler.submit({ id: 'c', tool: 'wait', priority: 0 });
    assert.deepEqual(scheduler.place('b'), { position: 1, size: 2, reason: 'slot' });
    assert.deepEqual(scheduler.place('c'), { position: 2, size: 2, reason: 'slot' });
    host.placeEvents.length = 0;
    scheduler.setPriority('c', 1);
    assert.deepEqual([...host.placeEvents[0].keys()].sort(), ['b', 'c']);
    host.placeEvents.length = 0;
    scheduler.submit({ id: 'd', tool: 'wait', priority: -1 });
    // Only the newcomer hears: the others kept their positions, and their new size is read, not pushed.
    assert.deepEqual([...host.placeEvents[0].keys()].sort(), ['d']);
    assert.deepEqual(scheduler.place('b'), { position: 2, size: 3, reason: 'slot' });
    // A second identical pump says nothing.
    host.placeEvents.length = 0;
    host.placeEvents.length = 0;
    scheduler.configure({ maxConcurrent: 1, toolLimits: {} });
    assert.equal(host.placeEvents.length, 0);
  });

  it('removes an ended (cancelled) waiting entry at once and moves the others up', () => {
    const { host, scheduler } = setup({ maxConcurrent: 1, toolLimits: {} });
    for (const id of ['a', 'b', 'c', 'd']) scheduler.submit({ id, tool: 'wait', priority: 0 });
    scheduler.ended('b', false);
    assert.equal(scheduler.isWaiting('b'), false);
    assert.deepEqual(scheduler.place('c'), { position: 1, size: 2, reason: 'slot' });
    assert.deepEqual(scheduler.place('d'), { position: 2, size: 2, reason: 'slot' });
    scheduler.ended('a', true);
    assert.deepEqual(host.started, ['a', 'c']);
  });

  it('starts queued work at once when the limit is raised', () => {
    const { host, scheduler } = setup({ maxConcurrent: 1, toolLimits: {} });
    for (const id of ['a', 'b', 'c']) scheduler.submit({ id, tool: 'wait', priority: 0 });
    scheduler.configure({ maxConcurrent: 3, toolLimits: {} });
    assert.deepEqual(host.started, ['a', 'b', 'c']);
  });

  it('holds run-after entries on one timer until their time, then queues them by priority', () => {
    const { host, scheduler } = setup({ maxConcurrent: 4, toolLimits: {} });
    scheduler.submit({ id: 'late', tool: 'wait', priority: 0, runAfter: host.time + 500 });
    scheduler.submit({ id: 'soon', tool: 'wait', priority: 0, runAfter: host.time + 300 });
    assert.deepEqual(scheduler.place('soon'), { position: 2, size: 2, reason: 'time', until: host.time + 300 });
    assert.equal(host.liveTimers, 1);
    host.advance(299);
    assert.deepEqual(host.started, []);
    host.advance(1);
    assert.deepEqual(host.started, ['soon']);
    assert.equal(host.liveTimers, 1);
    host.advance(200);
    assert.deepEqual(host.started, ['soon', 'late']);
    assert.equal(host.liveTimers, 0);
  });

  it('reaches a run-after time beyond the longest Node timer in steps, without starting early', () => {
    const { host, scheduler } = setup({ maxConcurrent: 4, toolLimits: {} });
    const days40 = 40 * 24 * 60 * 60 * 1000;
    scheduler.submit({ id: 'far', tool: 'wait', priority: 0, runAfter: host.time + days40 });
    host.advance(2 ** 31 - 1);
    assert.deepEqual(host.started, []);
    assert.equal(host.liveTimers, 1, 'the timer is armed again for the rest');
    host.advance(days40 - (2 ** 31 - 1));
    assert.deepEqual(host.started, ['far']);
  });

  it('runs an entry after its prerequisite succeeds, and reports it when the prerequisite fails', () => {
    const { host, scheduler } = setup({ maxConcurrent: 4, toolLimits: {} });
    scheduler.submit({ id: 'first', tool: 'wait', priority: 0 });
    scheduler.submit({ id: 'second', tool: 'wait', priority: 0, afterTaskId: 'first' });
    scheduler.submit({ id: 'third', tool: 'wait', priority: 0, afterTaskId: 'second' });
    assert.deepEqual(scheduler.place('second'), { position: 1, size: 2, reason: 'task', afterTaskId: 'first' });
    scheduler.ended('first', true);
    assert.deepEqual(host.started, ['first', 'second']);
    scheduler.ended('second', false);
    assert.deepEqual(host.failed, [['third', 'second']]);
    assert.equal(scheduler.isWaiting('third'), false);
    assert.deepEqual(host.started, ['first', 'second']);
  });
});
