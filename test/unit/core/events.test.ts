import assert from 'node:assert/strict';
import { Emitter, waitForEvent } from '../../../src/core/events';
import { Disposable, DisposableStore, type IDisposable, toDisposable } from '../../../src/core/lifecycle';

describe('core/events Emitter', () => {
  it('delivers every event to every listener, in firing order', () => {
    const emitter = new Emitter<number>();
    const a: number[] = [];
    const b: number[] = [];
    emitter.event((e) => a.push(e));
    emitter.event((e) => b.push(e * 10));
    for (let i = 0; i < 5; i++) emitter.fire(i);
    assert.deepEqual(a, [0, 1, 2, 3, 4]);
    assert.deepEqual(b, [0, 10, 20, 30, 40]);
  });

  it('calls listeners in subscription order', () => {
    const emitter = new Emitter<string>();
    const calls: string[] = [];
    emitter.event(() => calls.push('first'));
    emitter.event(() => calls.push('second'));
    emitter.event(() => calls.push('third'));
    emitter.fire('x');
    assert.deepEqual(calls, ['first', 'second', 'third']);
  });

  it('keeps delivering to the other listeners when one throws, and reports the error', () => {
    const errors: unknown[] = [];
    const emitter = new Emitter<number>((error) => errors.push(error));
    const before: number[] = [];
    const after: number[] = [];
    const boom = new Error('listener bug');
    emitter.event((e) => before.push(e));
    emitter.event(() => {
      throw boom;
    });
    emitter.event((e) => after.push(e));
    assert.doesNotThrow(() => emitter.fire(1));
    emitter.fire(2);
    assert.deepEqual(before, [1, 2]);
    assert.deepEqual(after, [1, 2]);
    assert.deepEqual(errors, [boom, boom]);
  });

  it('stops delivering to a listener once its subscription is disposed, leaving the others', () => {
    const emitter = new Emitter<number>();
    const a: number[] = [];
    const b: number[] = [];
    const subA = emitter.event((e) => a.push(e));
    emitter.event((e) => b.push(e));
    emitter.fire(1);
    subA.dispose();
    emitter.fire(2);
    subA.dispose(); // disposing twice is harmless
    emitter.fire(3);
    assert.deepEqual(a, [1]);
    assert.deepEqual(b, [1, 2, 3]);
  });

  it('treats each subscription separately, even for the same listener function', () => {
    const emitter = new Emitter<number>();
    const seen: number[] = [];
    const listener = (e: number) => seen.push(e);
    const first = emitter.event(listener);
    emitter.event(listener);
    emitter.fire(1);
    assert.deepEqual(seen, [1, 1], 'both subscriptions are called');
    first.dispose();
    emitter.fire(2);
    assert.deepEqual(seen, [1, 1, 2], 'disposing one subscription leaves the other working');
  });

  it('pushes the subscription into the disposables array it is given', () => {
    const emitter = new Emitter<number>();
    const disposables: IDisposable[] = [];
    const seen: number[] = [];
    const subscription = emitter.event((e) => seen.push(e), undefined, disposables);
    assert.equal(disposables.length, 1);
    assert.equal(disposables[0], subscription);
    disposables[0].dispose();
    emitter.fire(1);
    assert.deepEqual(seen, []);
  });

  it('binds thisArgs as `this` for the listener', () => {
    const emitter = new Emitter<number>();
    const target = {
      total: 0,
      add(this: { total: number }, e: number) {
        this.total += e;
      },
    };
    emitter.event(target.add, target);
    emitter.fire(2);
    emitter.fire(3);
    assert.equal(target.total, 5);
  });

  it('delivers an event only to listeners subscribed when it was fired, and survives listeners unsubscribing mid-fire', () => {
    const emitter = new Emitter<number>();
    const calls: string[] = [];
    const subscriptions: IDisposable[] = [];
    subscriptions.push(
      emitter.event((e) => {
        calls.push(`a${e}`);
        subscriptions[1].dispose(); // b was already snapshotted for this event
        emitter.event((n) => calls.push(`late${n}`));
      }),
    );
    subscriptions.push(emitter.event((e) => calls.push(`b${e}`)));
    emitter.fire(1);
    assert.deepEqual(calls, ['a1', 'b1']);
  });

  it('reports hasListeners and drops every listener on dispose', () => {
    const emitter = new Emitter<number>();
    assert.equal(emitter.hasListeners, false);
    const seen: number[] = [];
    const subscription = emitter.event((e) => seen.push(e));
    assert.equal(emitter.hasListeners, true);
    emitter.dispose();
    assert.equal(emitter.hasListeners, false);
    emitter.fire(1);
    emitter.event((e) => seen.push(e)); // subscribing after dispose is a no-op
    emitter.fire(2);
    assert.deepEqual(seen, []);
    assert.doesNotThrow(() => subscription.dispose());
  });

  it('waitForEvent resolves with the first matching event and unsubscribes', async () => {
    const emitter = new Emitter<number>();
    const pending = waitForEvent(emitter.event, (e) => e > 2);
    emitter.fire(1);
    emitter.fire(3);
    emitter.fire(4);
    assert.equal(await pending, 3);
    assert.equal(emitter.hasListeners, false);
  });
});

describe('core/lifecycle DisposableStore', () => {
  it('disposes its items in reverse order of adding, once', () => {
    const order: string[] = [];
    const store = new DisposableStore();
    for (const name of ['a', 'b', 'c']) store.add(toDisposable(() => order.push(name)));
    store.dispose();
    store.dispose();
    assert.deepEqual(order, ['c', 'b', 'a']);
  });

  it('disposes an item added after dispose immediately, and returns it', () => {
    const store = new DisposableStore();
    store.dispose();
    let disposed = 0;
    const item = toDisposable(() => disposed++);
    assert.equal(store.add(item), item);
    assert.equal(disposed, 1);
    store.dispose();
    assert.equal(disposed, 1);
  });

  it('disposes every item even when some throw, then rethrows', () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => order.push('a')));
    store.add(
      toDisposable(() => {
        throw new Error('b failed');
      }),
    );
    store.add(toDisposable(() => order.push('c')));
    assert.throws(() => store.dispose(), /b failed/);
    assert.deepEqual(order, ['c', 'a']);
  });

  it('aggregates several failures', () => {
    const store = new DisposableStore();
    for (const n of [1, 2]) {
      store.add(
        toDisposable(() => {
          throw new Error(`fail ${n}`);
        }),
      );
    }
    assert.throws(
      () => store.dispose(),
      (error: unknown) => error instanceof AggregateError && error.errors.length === 2,
    );
  });

  it('toDisposable runs its function only once', () => {
    let runs = 0;
    const d = toDisposable(() => runs++);
    d.dispose();
    d.dispose();
    assert.equal(runs, 1);
  });

  it('Disposable base class ties registered items to its own lifetime', () => {
    const order: string[] = [];
    class Owner extends Disposable {
      constructor() {
        super();
        this._register(toDisposable(() => order.push('first')));
        this._register(toDisposable(() => order.push('second')));
      }
      late(): void {
        this._register(toDisposable(() => order.push('late')));
      }
    }
    const owner = new Owner();
    owner.dispose();
    assert.deepEqual(order, ['second', 'first']);
    owner.late();
    assert.deepEqual(order, ['second', 'first', 'late']);
  });
});
