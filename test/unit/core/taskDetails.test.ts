import assert from 'node:assert/strict';
import { MAX_TIME_BUDGET_MS, formatDuration, parseDuration, parsePriority, specOfDetails } from '../../../src/core/taskDetails';
import { MAX_PRIORITY, MIN_PRIORITY } from '../../../src/core/taskRecord';

describe('task details (intent, priority, time budget)', () => {
  it('reads time budgets the way people write them', () => {
    const ms = (text: string) => {
      const parsed = parseDuration(text);
      assert.ok(parsed.ok, `${text}: ${parsed.ok ? '' : parsed.error}`);
      return parsed.value;
    };
    assert.equal(ms('90s'), 90_000);
    assert.equal(ms('10m'), 600_000);
    assert.equal(ms('1h 30m'), 5_400_000);
    assert.equal(ms('1h30m'), 5_400_000);
    assert.equal(ms('1.5h'), 5_400_000);
    assert.equal(ms('2 hours and 5 minutes'), 7_500_000);
    assert.equal(ms(' 500ms '), 500);
    assert.equal(ms('1D'), 86_400_000);
    assert.equal(ms(''), undefined, 'empty is no budget');
  });

  it('refuses durations it cannot read, with what to write instead', () => {
    assert.deepEqual(parseDuration('10'), { ok: false, error: 'Add a unit: 10s, 10m or 10h' });
    assert.deepEqual(parseDuration('soon'), { ok: false, error: 'Write a duration like 90s, 10m or 1h 30m' });
    assert.deepEqual(parseDuration('10 parsecs'), { ok: false, error: 'Write a duration like 90s, 10m or 1h 30m' });
    assert.deepEqual(parseDuration('5m x'), { ok: false, error: 'Write a duration like 90s, 10m or 1h 30m' });
    assert.deepEqual(parseDuration('0s'), { ok: false, error: 'A time budget must be longer than zero' });
    assert.equal(parseDuration('8d').ok, false);
    assert.equal(parseDuration('7d').ok, true);
    assert.ok(MAX_TIME_BUDGET_MS < 2 ** 31 - 1, 'a budget always fits in a timer');
  });

  it('writes durations back in the words it reads', () => {
    for (const ms of [500, 90_000, 600_000, 5_400_000, 86_400_000 + 1000]) {
      const parsed = parseDuration(formatDuration(ms));
      assert.deepEqual(parsed, { ok: true, value: ms }, formatDuration(ms));
    }
    assert.equal(formatDuration(5_400_000), '1h 30m');
    assert.equal(formatDuration(90_000), '1m 30s');
  });

  it("reads priorities within the scheduler's bounds", () => {
    assert.deepEqual(parsePriority('50'), { ok: true, value: 50 });
    assert.deepEqual(parsePriority(`${MIN_PRIORITY}`), { ok: true, value: MIN_PRIORITY });
    assert.deepEqual(parsePriority(`+${MAX_PRIORITY}`), { ok: true, value: MAX_PRIORITY });
    assert.deepEqual(parsePriority(''), { ok: true, value: undefined });
    for (const bad of [`${MAX_PRIORITY + 1}`, `${MIN_PRIORITY - 1}`, '1.5', 'high', '1e2']) {
      assert.deepEqual(parsePriority(bad), { ok: false, error: 'A priority is a whole number from -100 (last) to 100 (first)' }, bad);
    }
  });

  it("puts only the details given into the task's spec", () => {
    assert.deepEqual(specOfDetails({}), {});
    assert.deepEqual(specOfDetails({ intent: '  ', priority: 0 }), { priority: 0 });
    assert.deepEqual(specOfDetails({ intent: ' Nightly build ', priority: -5, timeBudgetMs: 600_000 }), {
      intent: 'Nightly build',
      priority: -5,
      resourceLimits: { timeBudgetMs: 600_000 },
    });
  });
});
