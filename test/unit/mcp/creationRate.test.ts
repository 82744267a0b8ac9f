import assert from 'node:assert/strict';
import { CreationBuckets, describeCreationRate, parseCreationRate } from '../../../src/mcp/engine/creationRate';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import type { StartOptions } from '../../../src/mcp/engine/engineTask';

describe('mcp/engine/creationRate', () => {
  it('grants a burst of LIMIT, then one per WINDOW/LIMIT, per principal', () => {
    let now = 0;
    const buckets = new CreationBuckets({ limit: 3, windowMs: 3000 }, () => now);
    assert.deepEqual([buckets.take('a'), buckets.take('a'), buckets.take('a')], [undefined, undefined, undefined]);
    assert.equal(buckets.take('a'), 1000, 'the next token is a second away');
    assert.equal(buckets.take('b'), undefined, 'another principal has its own bucket');
    now = 400;
    assert.equal(buckets.take('a'), 600);
    now = 1000;
    assert.equal(buckets.take('a'), undefined);
    assert.equal(buckets.take('a'), 1000);
    now = 100_000;
    assert.deepEqual([buckets.take('a'), buckets.take('a'), buckets.take('a'), buckets.take('a') !== undefined], [undefined, undefined, undefined, true]);
  });

  it('refuses with -32029, data.retryAfterMs, limit and windowMs, and forgets buckets that filled up again', () => {
    let now = 0;
    const buckets = new CreationBuckets({ limit: 1, windowMs: 60_000 }, () => now);
    buckets.admit('a');
    assert.throws(
      () => buckets.admit('a'),
      (error: { code: number; message: string; data: unknown }) => {
        assert.equal(error.code, -32029);
        assert.deepEqual(error.data, { retryAfterMs: 60_000, limit: 1, windowMs: 60_000 });
        assert.equal(error.message, 'Too many new tasks: this server accepts 1 per minute from each caller. Try again in 60 s.');
        return true;
      },
    );
    now = 60_000;
    buckets.forgetRested();
    assert.equal((buckets as unknown as { buckets: Map<string, unknown> }).buckets.size, 0);
  });

  it('reads and says rates', () => {
    assert.deepEqual(parseCreationRate('60/1m'), { limit: 60, windowMs: 60_000 });
    assert.deepEqual(parseCreationRate('10/s'), { limit: 10, windowMs: 1000 });
    assert.deepEqual(parseCreationRate(' 5 / 500ms '), { limit: 5, windowMs: 500 });
    assert.deepEqual(parseCreationRate('100/2h'), { limit: 100, windowMs: 7_200_000 });
    for (const bad of ['', '60', '0/1m', '-1/1m', '1.5/1m', '60/0m', '60/1d', '60/m1', 'lots/1m']) {
      assert.throws(() => parseCreationRate(bad), /a rate is LIMIT\/WINDOW/, bad);
    }
    assert.equal(describeCreationRate({ limit: 60, windowMs: 60_000 }), '60 per minute');
    assert.equal(describeCreationRate({ limit: 5, windowMs: 10_000 }), '5 per 10 seconds');
    assert.equal(describeCreationRate({ limit: 3, windowMs: 1500 }), '3 per 1500 ms');
    assert.equal(describeCreationRate({ limit: 600, windowMs: 7_200_000 }), '600 per 2 hours');
  });

  it("the engine refuses an owner's task beyond its rate and creates nothing; other owners go on", () => {
    const engine = new TaskEngine({ creationRate: { limit: 2, windowMs: 60_000 } });
    try {
      const start = (owner: string): StartOptions => ({
        owner,
        tool: 'wait',
        settle: () => ({ status: 'completed' }),
        run: () => new Promise(() => undefined),
      });
      engine.start(start('a'));
      engine.start(start('a'));
      assert.throws(() => engine.start(start('a')), { code: -32029 });
      engine.start(start('b'));
      assert.deepEqual(
        engine.all().map((task) => task.owner),
        ['a', 'a', 'b'],
      );
    } finally {
      engine.dispose();
    }
  });
});
