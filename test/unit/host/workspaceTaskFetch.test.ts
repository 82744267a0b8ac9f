import assert from 'node:assert/strict';
import type { Clock } from '../../../src/mcp/client/clock';
import { FETCH_TASKS_TIMEOUT_MS, fetchTasksWithin } from '../../../src/host/tools/workspaceTaskFetch';

/** Timers that fire only when the test moves time on. */
class ManualClock implements Clock {
  private time = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private nextHandle = 1;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.time + ms, fn });
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  advance(ms: number): void {
    this.time += ms;
    for (const [handle, timer] of [...this.timers]) {
      if (timer.at > this.time) continue;
      this.timers.delete(handle);
      timer.fn();
    }
  }
  get pending(): number {
    return this.timers.size;
  }
}

/** VS Code's `tasks.fetchTasks` when a task provider never answers. */
const hangingFetch = () => new Promise<string[]>(() => undefined);

describe("Listing the workspace's tasks (VS Code's tasks.fetchTasks)", () => {
  it('gives up after the timeout, saying why in plain words', async () => {
    const clock = new ManualClock();
    const listing = fetchTasksWithin(hangingFetch, { clock });
    clock.advance(FETCH_TASKS_TIMEOUT_MS - 1);
    clock.advance(1);
    await assert.rejects(listing, /^Error: VS Code did not list the workspace's tasks within 15 s: a task provider \(an extension\) may be stuck/);
  });

  it('stops waiting as soon as the tool is cancelled, with the cancel as the reason', async () => {
    const clock = new ManualClock();
    const cancel = new AbortController();
    const listing = fetchTasksWithin(hangingFetch, { clock, signal: cancel.signal });
    cancel.abort(new Error('Cancelled by the client'));
    await assert.rejects(listing, /^Error: Cancelled by the client$/);
    assert.equal(clock.pending, 0, 'no timer left behind');
  });

  it('does not ask VS Code at all when already cancelled', async () => {
    let asked = false;
    const cancel = new AbortController();
    cancel.abort(new Error('gone'));
    await assert.rejects(
      fetchTasksWithin(
        () => {
          asked = true;
          return Promise.resolve([]);
        },
        { signal: cancel.signal },
      ),
      /gone/,
    );
    assert.equal(asked, false);
  });

  it('passes the tasks through when VS Code answers in time, leaving no timer', async () => {
    const clock = new ManualClock();
    assert.deepEqual(await fetchTasksWithin(() => Promise.resolve(['build', 'test']), { clock }), ['build', 'test']);
    assert.equal(clock.pending, 0);
  });
});
