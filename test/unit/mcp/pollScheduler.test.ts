import assert from 'node:assert/strict';
import { MAX_TIMER_MS } from '../../../src/core/longTimer';
import { PollScheduler } from '../../../src/mcp/client/pollScheduler';

describe('PollScheduler: a server-suggested interval longer than a Node timer', () => {
  it('never asks for a timer longer than Node can wait, so a 30-day pollInterval does not poll every millisecond', () => {
    const asked: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    // Records every delay the scheduler asks for; the timer itself is the real one, cleared below.
    globalThis.setTimeout = ((callback: () => void, ms?: number) => {
      asked.push(ms ?? 0);
      return realSetTimeout(callback, Math.min(ms ?? 0, MAX_TIMER_MS));
    }) as typeof setTimeout;
    const scheduler = new PollScheduler();
    try {
      scheduler.schedule('task', 30 * 24 * 60 * 60 * 1000, async () => undefined);
      assert.ok(scheduler.timerArmed, 'a timer is armed for the poll');
    } finally {
      globalThis.setTimeout = realSetTimeout;
      scheduler.cancel('task');
      scheduler.dispose();
    }
    assert.ok(asked.length > 0, 'the scheduler armed a timer');
    assert.ok(Math.max(...asked) <= MAX_TIMER_MS, `asked for ${Math.max(...asked)} ms`);
  });
});
