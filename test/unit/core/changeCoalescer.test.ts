import assert from 'node:assert/strict';
import { ChangeCoalescer } from '../../../src/core/changeCoalescer';
import { Emitter } from '../../../src/core/events';
import type { LifecycleEvent, TaskChanges } from '../../../src/core/lifecycleEvents';
import type { TaskRecord } from '../../../src/core/taskRecord';
import { TaskStore } from '../../../src/core/taskStore';
import { waitFor } from '../helpers/waitFor';

const DELAY = 20;

/**
 * Resolves from a timer due in `ms`. Node runs due timers in the order they fall due, however
 * loaded the machine: one due after the coalescer's fires after it, one due before fires before
 * it. That order, not the time, is what the "nothing (more) is delivered" checks rely on.
 */
const afterTimer = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Enough of a record for a `created` event; the coalescer only reads ids. */
const fakeTask = (id: string) => ({ id }) as unknown as TaskRecord;

const created = (id: string): LifecycleEvent => ({ type: 'created', id, task: fakeTask(id) });
const updated = (id: string): LifecycleEvent => ({ type: 'updated', id });
const output = (id: string): LifecycleEvent => ({ type: 'output', id, chunk: 'x' });
const status = (id: string): LifecycleEvent => ({ type: 'statusChanged', id, from: 'working', to: 'input_required' });
const removed = (id: string): LifecycleEvent => ({ type: 'removed', id });

const sorted = (set: ReadonlySet<string>) => [...set].sort();

describe('core/ChangeCoalescer', () => {
  let source: Emitter<LifecycleEvent>;
  let coalescer: ChangeCoalescer;
  let batches: TaskChanges[];

  beforeEach(() => {
    source = new Emitter<LifecycleEvent>();
    coalescer = new ChangeCoalescer(source.event, DELAY);
    batches = [];
    coalescer.onDidChange((changes) => batches.push(changes));
  });

  afterEach(() => {
    coalescer.dispose();
    source.dispose();
  });

  it('folds 1,000 synchronous events across 200 tasks into exactly one batch, after the delay', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `t${i}`);
    const kinds = [
      updated,
      output,
      status,
      (id: string): LifecycleEvent => ({ type: 'message', id, message: 'm' }),
      (id: string): LifecycleEvent => ({ type: 'archived', id }),
    ];
    for (let i = 0; i < 1000; i++) source.fire(kinds[i % kinds.length](ids[i % ids.length]));
    assert.equal(batches.length, 0, 'nothing is delivered synchronously');
    await afterTimer(DELAY / 4);
    assert.equal(batches.length, 0, 'nothing is delivered before the delay');
    await waitFor(() => batches.length > 0, { what: 'the batch' });
    assert.equal(batches.length, 1);
    const [batch] = batches;
    assert.equal(batch.eventCount, 1000);
    assert.deepEqual(sorted(batch.updated), [...ids].sort());
    assert.equal(batch.added.size, 0);
    assert.equal(batch.removed.size, 0);
    await afterTimer(DELAY * 2);
    assert.equal(batches.length, 1, 'no empty follow-up batch');
  });

  it('coalesces a real store burst: 200 creates plus 800 changes is one batch with every task added', async () => {
    const store = new TaskStore();
    const storeCoalescer = new ChangeCoalescer(store.onDidLifecycle, DELAY);
    const storeBatches: TaskChanges[] = [];
    storeCoalescer.onDidChange((c) => storeBatches.push(c));
    try {
      const ids = Array.from({ length: 200 }, () => store.create({ serverId: 's', tool: 'echo' }).id);
      for (let round = 0; round < 4; round++) {
        for (const id of ids) store.appendOutput(id, `line ${round}\n`);
      }
      await waitFor(() => storeBatches.length > 0, { what: 'the batch' });
      assert.equal(storeBatches.length, 1);
      assert.equal(storeBatches[0].eventCount, 1000);
      assert.deepEqual(sorted(storeBatches[0].added), [...ids].sort());
      assert.equal(storeBatches[0].updated.size, 0, 'a task added in this batch is not also reported as updated');
    } finally {
      storeCoalescer.dispose();
      store.dispose();
    }
  });

  it('reports a task created and removed within one batch in no set', () => {
    source.fire(created('a'));
    source.fire(updated('a'));
    source.fire(removed('a'));
    source.fire(created('b'));
    coalescer.flush();
    assert.equal(batches.length, 1);
    assert.deepEqual(sorted(batches[0].added), ['b']);
    assert.deepEqual(sorted(batches[0].updated), []);
    assert.deepEqual(sorted(batches[0].removed), []);
    assert.equal(batches[0].eventCount, 4);
  });

  it('reports a task updated and then removed only as removed', () => {
    source.fire(updated('a'));
    source.fire(output('a'));
    source.fire(removed('a'));
    source.fire(updated('b'));
    coalescer.flush();
    assert.deepEqual(sorted(batches[0].removed), ['a']);
    assert.deepEqual(sorted(batches[0].updated), ['b']);
    assert.deepEqual(sorted(batches[0].added), []);
  });

  it('reports a task created and then changed only as added', () => {
    source.fire(created('a'));
    source.fire(status('a'));
    source.fire(output('a'));
    coalescer.flush();
    assert.deepEqual(sorted(batches[0].added), ['a']);
    assert.equal(batches[0].updated.size, 0);
  });

  it('reports a task removed in one batch and updated in the next only where it belongs', () => {
    source.fire(created('a'));
    coalescer.flush();
    source.fire(updated('a'));
    coalescer.flush();
    source.fire(removed('a'));
    coalescer.flush();
    assert.deepEqual(
      batches.map((b) => [sorted(b.added), sorted(b.updated), sorted(b.removed)]),
      [
        [['a'], [], []],
        [[], ['a'], []],
        [[], [], ['a']],
      ],
    );
  });

  it('flush() delivers immediately and cancels the pending timer', async () => {
    source.fire(updated('a'));
    coalescer.flush();
    assert.equal(batches.length, 1, 'delivered synchronously');
    assert.deepEqual(sorted(batches[0].updated), ['a']);
    await afterTimer(DELAY * 2);
    assert.equal(batches.length, 1, 'the timer does not deliver a second (empty) batch');
  });

  it('flush() with nothing pending delivers nothing', () => {
    coalescer.flush();
    assert.equal(batches.length, 0);
  });

  it('starts a new batch for events after a flush', async () => {
    source.fire(updated('a'));
    coalescer.flush();
    source.fire(updated('b'));
    source.fire(created('c'));
    await waitFor(() => batches.length > 1, { what: 'the second batch' });
    assert.equal(batches.length, 2);
    assert.deepEqual(sorted(batches[1].updated), ['b']);
    assert.deepEqual(sorted(batches[1].added), ['c']);
    assert.equal(batches[1].eventCount, 2);
    assert.ok(!batches[1].updated.has('a'), 'the first batch is not repeated');
  });

  it('delivers during a continuous stream instead of waiting for it to go quiet', async () => {
    const started = Date.now();
    while (Date.now() - started < DELAY * 5) {
      source.fire(updated(`t${Date.now() % 7}`));
      await afterTimer(2);
    }
    assert.ok(batches.length >= 2, `expected several batches during a ${DELAY * 5} ms stream, got ${batches.length}`);
  });

  it('never drops a touched id: the union of batches covers every id, and each batch puts an id in at most one set', async () => {
    // Deterministic pseudo-random sequence of events over 300 ids, spread over several batches.
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const touched = new Set<string>();
    const live = new Set<string>();
    let next = 0;
    let fired = 0;
    for (let burst = 0; burst < 5; burst++) {
      for (let i = 0; i < 400; i++) {
        const roll = random();
        if (roll < 0.3 || live.size === 0) {
          const id = `t${next++}`;
          live.add(id);
          touched.add(id);
          source.fire(created(id));
        } else {
          const id = [...live][Math.floor(random() * live.size)];
          if (roll < 0.45) {
            live.delete(id);
            source.fire(removed(id));
          } else {
            source.fire(roll < 0.7 ? updated(id) : output(id));
          }
        }
        fired++;
      }
      const delivered = batches.length;
      if (burst % 2 === 0) coalescer.flush();
      else await waitFor(() => batches.length > delivered, { what: `the batch of burst ${burst}` });
    }
    coalescer.flush();
    const seen = new Set<string>();
    let count = 0;
    for (const batch of batches) {
      count += batch.eventCount;
      for (const id of batch.added) {
        assert.ok(!batch.updated.has(id) && !batch.removed.has(id), `${id} is in more than one set of a batch`);
      }
      for (const id of batch.updated) assert.ok(!batch.removed.has(id), `${id} is both updated and removed in one batch`);
      for (const set of [batch.added, batch.updated, batch.removed]) for (const id of set) seen.add(id);
    }
    assert.equal(count, fired, 'every event is counted in some batch');
    // A task created and removed in the same batch is legitimately in no set; every other touched id must appear.
    const createdAndRemovedInOneBatch = [...touched].filter((id) => !seen.has(id));
    for (const id of createdAndRemovedInOneBatch) assert.ok(!live.has(id), `${id} is still live but was never reported`);
    for (const id of live) assert.ok(seen.has(id), `live task ${id} never reported`);
    // Replaying the batches must reproduce the live set exactly.
    const replayed = new Set<string>();
    for (const batch of batches) {
      for (const id of batch.added) replayed.add(id);
      for (const id of batch.removed) replayed.delete(id);
    }
    assert.deepEqual(sorted(replayed), sorted(live));
  });

  it('delivers nothing after dispose', async () => {
    source.fire(updated('a'));
    coalescer.dispose();
    await afterTimer(DELAY * 2);
    source.fire(updated('b'));
    await afterTimer(DELAY * 2);
    assert.equal(batches.length, 0);
  });
});
