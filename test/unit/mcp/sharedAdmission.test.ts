/**
 * The engine's `begin` with a store shared by several engines (a fake SharedAdmission here; the
 * team database's is tested in test/unit/team/teamLimits.test.ts): the store's bucket decides the
 * rate, a key held in the store returns its holder and gives the token back, and a store that
 * cannot be asked leaves the engine to its own rate and keys. Without a store, `begin` is `start`.
 */
import assert from 'node:assert/strict';
import type { CreationRate } from '../../../src/mcp/engine/creationRate';
import type { EngineTask, StartOptions } from '../../../src/mcp/engine/engineTask';
import type { SharedAdmission, TokenAnswer } from '../../../src/mcp/engine/sharedAdmission';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';

/** A store whose answers the test sets, recording what it was asked. */
class FakeStore implements SharedAdmission {
  tokens: TokenAnswer = { granted: true };
  /** Which task holds each key in the store ("owner key" → task id); undefined: the store is away. */
  keys: Map<string, string> | undefined = new Map();
  readonly asked: string[] = [];
  /** Another engine's tasks, which `load` hands to this one. */
  readonly elsewhere = new Map<string, EngineTask>();
  engine: TaskEngine | undefined;

  takeToken(owner: string, rate: CreationRate): Promise<TokenAnswer> {
    this.asked.push(`token ${owner} ${rate.limit}`);
    return Promise.resolve(this.tokens);
  }
  claimKey(task: EngineTask, key: string): Promise<string | undefined> {
    this.asked.push(`claim ${task.owner} ${key}`);
    if (!this.keys) return Promise.resolve(undefined);
    const entry = `${task.owner} ${key}`;
    if (!this.keys.has(entry)) this.keys.set(entry, task.taskId);
    return Promise.resolve(this.keys.get(entry));
  }
  returnToken(owner: string): Promise<void> {
    this.asked.push(`return ${owner}`);
    return Promise.resolve();
  }
  load(taskId: string): Promise<void> {
    this.asked.push(`load ${taskId}`);
    const task = this.elsewhere.get(taskId);
    if (task) this.engine!.shared.apply(task, null);
    return Promise.resolve();
  }
}

const RATE: CreationRate = { limit: 2, windowMs: 60_000 };

function wait(owner: string, key?: string): StartOptions {
  return {
    owner,
    tool: 'wait',
    ...(key === undefined ? {} : { idempotencyKey: key }),
    settle: () => ({ status: 'completed' }),
    run: () => new Promise(() => undefined),
  };
}

describe('mcp/engine/sharedAdmission: begin with a shared store', () => {
  let store: FakeStore;
  let engine: TaskEngine;
  const open = (creationRate: CreationRate | null = RATE) => {
    engine?.dispose();
    store = new FakeStore();
    engine = new TaskEngine({ admission: store, ...(creationRate ? { creationRate } : {}) });
    store.engine = engine;
  };
  afterEach(() => engine?.dispose());

  it("takes every creation's token from the store, whose refusal is the engine's usual -32029; none asked without a rate", async () => {
    open();
    await engine.begin(wait('a'));
    await engine.begin(wait('a'));
    await engine.begin(wait('a'));
    assert.equal(engine.all().length, 3, 'the store granted a third: the engine does not count its own bucket as well');
    store.tokens = { granted: false, retryAfterMs: 2500 };
    await assert.rejects(engine.begin(wait('a')), (error: { code: number; message: string; data: unknown }) => {
      assert.equal(error.code, -32029);
      assert.deepEqual(error.data, { retryAfterMs: 2500, limit: 2, windowMs: 60_000 });
      assert.equal(error.message, 'Too many new tasks: this server accepts 2 per minute from each caller. Try again in 3 s.');
      return true;
    });
    assert.equal(engine.all().length, 3, 'nothing created');

    open(null);
    await engine.begin(wait('a'));
    assert.deepEqual(store.asked, [], 'no rate, no statement');
  });

  it("a key the store says another engine's task holds returns that task, and the token goes back", async () => {
    open();
    const theirs = { ...(await engine.begin(wait('a'))), taskId: 'b1d0e6b8-0000-4000-8000-000000000001' };
    open();
    store.elsewhere.set(theirs.taskId, theirs);
    store.keys!.set('a build', theirs.taskId);
    const answered = await engine.begin(wait('a', 'build'));
    assert.equal(answered.taskId, theirs.taskId);
    assert.deepEqual(store.asked, ['token a 2', 'claim a build', 'return a', `load ${theirs.taskId}`]);
    assert.deepEqual(
      engine.all().map((task) => task.taskId),
      [theirs.taskId],
      'nothing created here',
    );
    // Another owner's same key is its own.
    const other = await engine.begin(wait('b', 'build'));
    assert.notEqual(other.taskId, theirs.taskId);
  });

  it('a key it claims is held here too: a repeat through this engine asks the store nothing', async () => {
    open();
    const first = await engine.begin(wait('a', 'nightly'));
    store.asked.length = 0;
    assert.equal((await engine.begin(wait('a', 'nightly'))).taskId, first.taskId);
    assert.deepEqual(store.asked, []);
  });

  it('with the store away, the engine keeps its own rate and keys', async () => {
    open();
    store.tokens = undefined;
    store.keys = undefined;
    const first = await engine.begin(wait('a', 'k'));
    assert.equal((await engine.begin(wait('a', 'k'))).taskId, first.taskId);
    await engine.begin(wait('a'));
    await assert.rejects(engine.begin(wait('a')), { code: -32029 });
    assert.equal(engine.all().length, 2);
  });

  it('plain calls take their token from the store too', async () => {
    engine?.dispose();
    store = new FakeStore();
    engine = new TaskEngine({ admission: store, creationRate: RATE, limitPlainCalls: true });
    const release = await engine.acquireSlot({ owner: 'a', tool: 'wait' });
    release();
    store.tokens = { granted: false, retryAfterMs: 10 };
    await assert.rejects(engine.acquireSlot({ owner: 'a', tool: 'wait' }), (error: { code: number; message: string }) => {
      assert.equal(error.code, -32029);
      assert.match(error.message, /^Too many tool calls/);
      return true;
    });
    assert.deepEqual(store.asked, ['token a 2', 'token a 2']);
  });
});
