import assert from 'node:assert/strict';
import { nextRunWords, parseInterval, triggerWords } from '../../../src/ui/schedules/scheduleText';

const MIN = 60_000;

describe('ui/scheduleText', () => {
  it('says a trigger in words', () => {
    assert.equal(triggerWords({ everyMs: 15 * MIN }), 'every 15 min');
    assert.equal(triggerWords({ everyMs: 3000 }), 'every 3 s');
    assert.equal(triggerWords({ everyMs: 2 * 60 * MIN }), 'every 2 h');
    assert.equal(triggerWords({ everyMs: 24 * 60 * MIN }), 'every day');
    assert.equal(triggerWords({ everyMs: 90_000 }), 'every 90 s');
    assert.equal(triggerWords({ cron: '0 9 * * 1-5', timezone: 'Europe/Paris' }), 'cron 0 9 * * 1-5 (Europe/Paris)');
    assert.equal(triggerWords({ cron: '*/5 * * * *' }), 'cron */5 * * * *');
  });

  it('says when a schedule next runs, from now', () => {
    const now = 1_000_000;
    assert.equal(nextRunWords(now + 12 * MIN, now, false), 'in 12 min');
    assert.equal(nextRunWords(now + 40_000, now, false), 'in 40 s');
    assert.equal(nextRunWords(now + 3 * 60 * MIN, now, false), 'in 3 h');
    assert.equal(nextRunWords(now + 36 * 60 * MIN, now, false), 'in 1.5 days');
    assert.equal(nextRunWords(now + 500, now, false), 'due now');
    assert.equal(nextRunWords(undefined, now, true), 'paused');
  });

  it('reads an interval as people type it', () => {
    assert.equal(parseInterval('15 min'), 15 * MIN);
    assert.equal(parseInterval('15m'), 15 * MIN);
    assert.equal(parseInterval('30s'), 30_000);
    assert.equal(parseInterval('2 hours'), 2 * 60 * MIN);
    assert.equal(parseInterval('1 day'), 24 * 60 * MIN);
    assert.equal(parseInterval('soon'), undefined);
    assert.equal(parseInterval('0 s'), undefined);
  });
});
