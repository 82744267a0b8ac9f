import assert from 'node:assert/strict';
import { type Schedule, type ScheduleTrigger, ScheduleSchema, dueRunDecision, nextDueAt, triggerProblem, upcomingRuns } from '../../../src/core/schedule';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-03-02T08:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function schedule(trigger: ScheduleTrigger, fields: Partial<Schedule> = {}): Schedule {
  return ScheduleSchema.parse({
    id: 's1',
    name: 'Nightly',
    work: { serverId: 'tasklane', tool: 'run_command', arguments: { command: 'echo hi' } },
    trigger,
    createdAt: iso(T0),
    dueFrom: iso(T0),
    ...fields,
  });
}

describe('core/schedule', () => {
  describe('next due time', () => {
    it('an interval is due one interval after the last due time, and paused is never due', () => {
      assert.equal(nextDueAt(schedule({ everyMs: 15 * MIN })), T0 + 15 * MIN);
      assert.equal(nextDueAt(schedule({ everyMs: 15 * MIN }, { dueFrom: iso(T0 + 15 * MIN) })), T0 + 30 * MIN);
      assert.equal(nextDueAt(schedule({ everyMs: 15 * MIN }, { paused: true })), undefined);
    });

    it('a cron expression is read by croner, in its time zone', () => {
      // Monday 2 March 2026, 08:00 UTC = 09:00 in Paris (winter time): the next weekday 9:00 in Paris is Tuesday.
      const paris = schedule({ cron: '0 9 * * 1-5', timezone: 'Europe/Paris' });
      assert.equal(iso(nextDueAt(paris)!), '2026-03-03T08:00:00.000Z');
      const utc = schedule({ cron: '0 9 * * 1-5', timezone: 'UTC' });
      assert.equal(iso(nextDueAt(utc)!), '2026-03-02T09:00:00.000Z');
    });

    it('keeps the local time across a daylight-saving change, and runs a time that does not exist once, after the gap', () => {
      // Paris moves from UTC+1 to UTC+2 on 29 March 2026 at 02:00.
      const from = Date.parse('2026-03-27T12:00:00.000Z');
      assert.deepEqual(upcomingRuns({ cron: '0 9 * * *', timezone: 'Europe/Paris' }, from, 3).map(iso), [
        '2026-03-28T08:00:00.000Z',
        '2026-03-29T07:00:00.000Z',
        '2026-03-30T07:00:00.000Z',
      ]);
      assert.deepEqual(upcomingRuns({ cron: '30 2 * * *', timezone: 'Europe/Paris' }, from, 3).map(iso), [
        '2026-03-28T01:30:00.000Z',
        '2026-03-29T01:00:00.000Z',
        '2026-03-30T00:30:00.000Z',
      ]);
    });

    it('says why a trigger is invalid, in croner’s words or plainly', () => {
      assert.match(triggerProblem({ cron: '61 * * * *' }) ?? '', /minute/);
      assert.match(triggerProblem({ cron: 'every day' }) ?? '', /.+/);
      assert.match(triggerProblem({ cron: '0 9 * * *', timezone: 'Mars/Base' }) ?? '', /Unknown time zone "Mars\/Base"/);
      assert.equal(triggerProblem({ cron: '0 9 * * *', timezone: 'Europe/Paris' }), undefined);
      assert.equal(triggerProblem({ everyMs: 5000 }), undefined);
      assert.ok(triggerProblem({ everyMs: 10 }));
    });
  });

  describe('missed runs', () => {
    it('nothing due: nothing to do; one due time, on time: run, with nothing to say', () => {
      const s = schedule({ everyMs: 15 * MIN });
      assert.equal(dueRunDecision(s, T0 + 15 * MIN - 1), undefined);
      assert.deepEqual(dueRunDecision(s, T0 + 15 * MIN + 200), { run: true, dueFrom: T0 + 15 * MIN, due: 1 });
    });

    it('runOnce: several missed due times are caught up as one run, and the next is counted from the last of them', () => {
      const s = schedule({ everyMs: 15 * MIN });
      const decision = dueRunDecision(s, T0 + 5 * 15 * MIN + 7 * MIN);
      assert.deepEqual(decision, { run: true, dueFrom: T0 + 5 * 15 * MIN, due: 5, note: '5 runs missed while VS Code was closed, caught up as one' });
      assert.deepEqual(dueRunDecision(s, T0 + 15 * MIN + 5 * MIN), { run: true, dueFrom: T0 + 15 * MIN, due: 1, note: '1 missed run caught up' });
    });

    it('skip: missed due times run nothing and are counted', () => {
      const s = schedule({ everyMs: 15 * MIN }, { missedRuns: 'skip' });
      assert.deepEqual(dueRunDecision(s, T0 + 5 * 15 * MIN + 7 * MIN), {
        run: false,
        dueFrom: T0 + 5 * 15 * MIN,
        due: 5,
        note: 'skipped 5 runs missed while VS Code was closed',
      });
    });

    it('runOnce skips a missed run whose due time is more than a day old', () => {
      // Weekly, Mondays 09:00 UTC; the editor was closed from Sunday until Thursday.
      const weekly = schedule({ cron: '0 9 * * 1', timezone: 'UTC' }, { dueFrom: '2026-03-01T00:00:00.000Z' });
      const thursday = Date.parse('2026-03-05T10:00:00.000Z');
      assert.deepEqual(dueRunDecision(weekly, thursday), {
        run: false,
        dueFrom: Date.parse('2026-03-02T09:00:00.000Z'),
        due: 1,
        note: 'skipped 1 run missed while VS Code was closed',
      });
      // Opened Monday at 20:00: within a day of the due time, so it runs once.
      assert.equal(dueRunDecision(weekly, Date.parse('2026-03-02T20:00:00.000Z'))?.run, true);
    });

    it('a paused schedule has nothing due', () => {
      assert.equal(dueRunDecision(schedule({ everyMs: MIN }, { paused: true }), T0 + DAY), undefined);
    });

    it('counts at most a thousand missed due times, and still finds the last one', () => {
      const s = schedule({ everyMs: 1000 }, { missedRuns: 'skip' });
      const decision = dueRunDecision(s, T0 + DAY + 500);
      assert.equal(decision?.dueFrom, T0 + DAY);
      assert.equal(decision?.note, 'skipped more than 1000 runs missed while VS Code was closed');
    });
  });
});
