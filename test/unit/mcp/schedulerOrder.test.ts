import * as assert from 'node:assert/strict';
import { type QueuePlace, REPORTED_FRONT, Scheduler, type SchedulerHost, type SchedulerLimits } from '../../../src/mcp/engine/scheduler';
import { RankedTree } from '../../../src/mcp/engine/rankedTree';
import { SortedArrayScheduler } from './helpers/sortedArrayScheduler';

/** A hand-driven clock both schedulers share, so their timers fire at the same moments. */
class Clock {
  time = 1_000_000;
  readonly hosts: Host[] = [];
  advance(ms: number): void {
    this.time += ms;
    for (const host of this.hosts) host.fireDue();
  }
}

/** Records what a scheduler asks for; each scheduler gets its own. */
class Host implements SchedulerHost {
  readonly started: string[] = [];
  readonly failed: string[] = [];
  readonly reports: Map<string, QueuePlace>[] = [];
  private timers: { at: number; callback: () => void; live: boolean }[] = [];
  constructor(private readonly clock: Clock) {
    clock.hosts.push(this);
  }
  start(id: string): void {
    this.started.push(id);
  }
  placesChanged(changes: ReadonlyMap<string, QueuePlace>): void {
    this.reports.push(new Map(changes));
  }
  prerequisiteFailed(id: string, afterTaskId: string): void {
    this.failed.push(`${id} after ${afterTaskId}`);
  }
  now(): number {
    return this.clock.time;
  }
  setTimer(callback: () => void, ms: number): unknown {
    const timer = { at: this.clock.time + ms, callback, live: true };
    this.timers.push(timer);
    return timer;
  }
  clearTimer(handle: unknown): void {
    (handle as { live: boolean }).live = false;
  }
  fireDue(): void {
    for (const timer of this.timers.filter((t) => t.live && t.at <= this.clock.time)) {
      timer.live = false;
      timer.callback();
    }
  }
}

/** A small deterministic generator (mulberry32), so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('mcp/engine scheduler order', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`keeps the same starts, failures and places as a sorted array through random operations (seed ${seed})`, () => {
      const next = random(seed);
      const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(next() * items.length)];
      const clock = new Clock();
      const limits: SchedulerLimits = { maxConcurrent: 4, toolLimits: { x: 1 }, maxPerPrincipal: 3 };
      const realHost = new Host(clock);
      const oracleHost = new Host(clock);
      const real = new Scheduler(realHost, limits);
      const oracle = new SortedArrayScheduler(oracleHost, limits);
      let ids = 0;
      let maxWaiting = 0;
      for (let step = 0; step < 1200; step++) {
        const roll = next();
        const waiting = oracle.waitingIds();
        const running = oracle.runningIds();
        if (roll < 0.45 || waiting.length < 5) {
          const id = `t${++ids}`;
          const hint = next();
          const entry = {
            id,
            tool: pick(['x', 'y', 'z'])!,
            principal: pick(['p', 'q', 'r'])!,
            priority: Math.floor(next() * 7) - 3,
            runAfter: hint < 0.1 ? clock.time + Math.floor(next() * 500) : undefined,
            afterTaskId: hint > 0.9 ? pick([...waiting, ...running]) : undefined,
          };
          real.submit(entry);
          oracle.submit(entry);
        } else if (roll < 0.55) {
          const id = pick(waiting)!;
          real.ended(id, false);
          oracle.ended(id, false);
        } else if (roll < 0.67) {
          const id = pick(waiting)!;
          const priority = Math.floor(next() * 7) - 3;
          assert.equal(real.setPriority(id, priority), oracle.setPriority(id, priority));
        } else if (roll < 0.93 && running.length > 0) {
          const id = pick(running)!;
          const succeeded = next() < 0.8;
          real.ended(id, succeeded);
          oracle.ended(id, succeeded);
        } else if (roll < 0.99) {
          clock.advance(Math.floor(next() * 200));
        } else {
          const raised = { ...limits, maxConcurrent: 4 + Math.floor(next() * 3) };
          real.configure(raised);
          oracle.configure(raised);
        }
        assert.deepEqual(realHost.started, oracleHost.started, `starts at step ${step}`);
        assert.deepEqual(realHost.failed, oracleHost.failed, `failures at step ${step}`);
        for (const id of oracle.waitingIds()) assert.deepEqual(real.place(id), oracle.place(id), `place of ${id} at step ${step}`);
        for (const id of oracle.runningIds()) assert.ok(real.isRunning(id) && !real.isWaiting(id), `${id} runs at step ${step}`);
        assert.equal(real.waitingCount, oracle.waitingIds().length);
        maxWaiting = Math.max(maxWaiting, real.waitingCount);
        // Whatever was reported was true when it was reported (the size aside, which is read, not pushed).
        for (const report of realHost.reports.splice(0))
          for (const [id, place] of report) assert.deepEqual({ ...place, size: 0 }, { ...oracle.place(id)!, size: 0 }, `report for ${id} at step ${step}`);
      }
      assert.ok(oracleHost.started.length > 100, 'the sequence ran work, not only queued it');
      assert.ok(maxWaiting > 30, `the queue grew (${maxWaiting})`);
    });
  }

  it('tells each entry at the front of the queue of every change of its position, and nobody behind it of an arrival at the back', () => {
    const host = new Host(new Clock());
    const scheduler = new Scheduler(host, { maxConcurrent: 1, toolLimits: {} });
    const count = REPORTED_FRONT * 3;
    for (let i = 0; i < count; i++) scheduler.submit({ id: `t${i}`, tool: 'w', priority: 0 });
    assert.ok(
      host.reports.every((report) => report.size === 1),
      'an arrival at the back is news only to itself',
    );
    host.reports.length = 0;
    scheduler.submit({ id: 'urgent', tool: 'w', priority: 5 });
    const told = new Map(host.reports.flatMap((report) => [...report]));
    assert.equal(told.size, REPORTED_FRONT, 'the newcomer, and each entry that moved back while at the front');
    assert.deepEqual(told.get('urgent'), { position: 1, size: count, reason: 'slot' });
    assert.equal(told.get(`t${REPORTED_FRONT - 1}`)?.position, REPORTED_FRONT);
    assert.equal(told.get(`t${REPORTED_FRONT}`), undefined, 'behind the front a place is read, not pushed');
    assert.deepEqual(scheduler.place(`t${count - 1}`), { position: count, size: count, reason: 'slot' });
    host.reports.length = 0;
    // The entry that fell behind the front unreported hears again as soon as it is back at the front.
    scheduler.ended('urgent', false);
    const back = new Map(host.reports.flatMap((report) => [...report]));
    assert.equal(back.get(`t${REPORTED_FRONT - 1}`)?.position, REPORTED_FRONT - 1);
    assert.equal(back.get(`t${REPORTED_FRONT}`)?.position, REPORTED_FRONT);
  });

  it('does work in O(log n) per enqueue, cancel and reprioritise (tree nodes visited, not time)', () => {
    const host = new Host(new Clock());
    const scheduler = new Scheduler(host, { maxConcurrent: 1, toolLimits: {} });
    const next = random(42);
    const n = 20_000;
    const bound = 6 * Math.log2(n) + 2 * REPORTED_FRONT + 20;
    let worst = 0;
    const measure = (operation: () => void) => {
      const before = scheduler.visits;
      operation();
      worst = Math.max(worst, scheduler.visits - before);
    };
    for (let i = 0; i < n; i++) measure(() => scheduler.submit({ id: `t${i}`, tool: 'w', priority: Math.floor(next() * 201) - 100 }));
    for (let i = 0; i < 2_000; i++) {
      measure(() => scheduler.setPriority(`t${Math.floor(next() * n)}`, Math.floor(next() * 201) - 100));
      measure(() => scheduler.ended(`t${Math.floor(next() * n)}`, false));
      measure(() => scheduler.place(`t${Math.floor(next() * n)}`));
    }
    assert.ok(worst <= bound, `at most ${Math.round(bound)} nodes per operation at ${n} waiting, saw ${worst}`);
  });

  it('ranks, selects and walks a ranked tree like a sorted array, visiting O(log n) nodes each', () => {
    const tree = new RankedTree<number>((a, b) => a - b);
    const sorted: number[] = [];
    const next = random(7);
    for (let step = 0; step < 4000; step++) {
      const value = Math.floor(next() * 1000);
      const at = sorted.indexOf(value);
      if (at >= 0 && next() < 0.5) {
        assert.equal(tree.remove(value), true);
        sorted.splice(at, 1);
      } else if (at < 0) {
        const rank = sorted.filter((x) => x < value).length;
        assert.equal(tree.insert(value), rank);
        sorted.splice(rank, 0, value);
      }
      const probe = sorted[Math.floor(next() * sorted.length)];
      if (probe !== undefined) assert.equal(tree.rankOf(probe), sorted.indexOf(probe));
      assert.equal(tree.size, sorted.length);
    }
    assert.deepEqual([...tree.from(0)], sorted);
    assert.deepEqual([...tree.from(17)].slice(0, 5), sorted.slice(17, 22));
    assert.equal(tree.at(3), sorted[3]);
    assert.equal(tree.remove(-1), false);
    const before = tree.visits;
    tree.rankOf(sorted[sorted.length - 1]);
    assert.ok(tree.visits - before <= 1.45 * Math.log2(sorted.length + 2), 'a lookup walks one path of a balanced tree');
  });
});
