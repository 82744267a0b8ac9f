import assert from 'node:assert/strict';
import { MAX_TIMER_MS, type TimerApi, setLongTimeout } from '../../../src/core/longTimer';
import { handedToNode } from '../helpers/handedToNode';

const DAY = 24 * 60 * 60 * 1000;

/** A manual clock whose timers behave like Node's: a delay above MAX_TIMER_MS fires after 1 ms. */
class ManualTimers implements TimerApi {
  time = 0;
  readonly delays: number[] = [];
  private readonly pending = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;
  /** Added to when each timer fires, as a loaded machine would run it late. */
  lateBy = 0;

  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    this.delays.push(ms);
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + (ms > MAX_TIMER_MS ? 1 : ms) + this.lateBy, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  get live(): number {
    return this.pending.size;
  }
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.pending].filter(([, timer]) => timer.at <= until).sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = until;
  }
}

describe('core/longTimer', () => {
  it('a 30-day timeout does not fire early, and fires once at its deadline', () => {
    const timers = new ManualTimers();
    let fired = 0;
    setLongTimeout(() => fired++, 30 * DAY, { timers });
    timers.advance(30 * DAY - 1);
    assert.equal(fired, 0);
    assert.equal(timers.live, 1, 'still waiting for the rest');
    timers.advance(1);
    assert.equal(fired, 1);
    assert.equal(timers.live, 0);
    assert.ok(
      timers.delays.every((ms) => ms <= MAX_TIMER_MS),
      `no step overflows: ${timers.delays.join(', ')}`,
    );
  });

  it('measures each further step against the deadline, so a late step does not push it back', () => {
    const timers = new ManualTimers();
    let firedAt: number | undefined;
    const total = 40 * DAY;
    timers.lateBy = 5_000;
    setLongTimeout(() => (firedAt = timers.time), total, { timers });
    timers.advance(total + 10_000);
    // The first step (the longest a Node timer keeps) fires 5 s late; the second asks only for what is left.
    assert.deepEqual(timers.delays, [MAX_TIMER_MS, total - MAX_TIMER_MS - 5_000]);
    assert.equal(firedAt, total + 5_000, 'only the last step is late');
  });

  it('a delay within one Node timer takes a single timer', () => {
    const timers = new ManualTimers();
    let fired = 0;
    setLongTimeout(() => fired++, 1_000, { timers });
    timers.advance(1_000);
    assert.equal(fired, 1);
    assert.deepEqual(timers.delays, [1_000]);
  });

  it('clear stops it, in any step', () => {
    const timers = new ManualTimers();
    let fired = 0;
    const timeout = setLongTimeout(() => fired++, 30 * DAY, { timers });
    timers.advance(MAX_TIMER_MS + 1);
    timeout.clear();
    assert.equal(timers.live, 0);
    timers.advance(30 * DAY);
    assert.equal(fired, 0);
  });

  it('with real timers, a delay of 2^31 ms never reaches Node as a delay it would overflow (fire after 1 ms)', () => {
    const delays = handedToNode(() => setLongTimeout(() => undefined, 2 ** 31, { unref: true }).clear());
    assert.deepEqual(delays, [MAX_TIMER_MS]);
  });

  it('with real timers, a short delay fires', async () => {
    await new Promise<void>((resolve) => setLongTimeout(resolve, 5));
  });
});
