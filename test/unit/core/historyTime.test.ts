import assert from 'node:assert/strict';
import { HistoryMatcher, HistorySearch, parseHistoryQuery } from '../../../src/core/historySearch';
import { parseTimeBound } from '../../../src/core/historyTime';
import { Emitter } from '../../../src/core/events';
import type { LifecycleEvent } from '../../../src/core/lifecycleEvents';
import { type TaskRecord, TaskRecordSchema } from '../../../src/core/taskRecord';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** A fixed "now" for the tests: 6 December 2026, 12:00 local time. */
const NOON = new Date(2026, 11, 6, 12, 0).getTime();

function createdAt(id: string, at: number, extra: Record<string, unknown> = {}): TaskRecord {
  const iso = new Date(at).toISOString();
  return TaskRecordSchema.parse({ id, serverId: 'tasklane', tool: 'run_command', status: 'failed', createdAt: iso, lastUpdatedAt: iso, ...extra });
}

const ids = (records: readonly TaskRecord[]) => records.map((r) => r.id);

describe('core/historyTime: since: and before: in the history search', () => {
  const records = [
    createdAt('now', NOON - 1_000),
    createdAt('20m', NOON - 20 * MINUTE),
    createdAt('90m', NOON - 90 * MINUTE),
    createdAt('yesterday', new Date(2026, 11, 5, 9, 30).getTime()),
    createdAt('last-week', new Date(2026, 10, 28, 8, 0).getTime(), { status: 'completed' }),
  ];
  const find = (text: string, now = NOON) => ids(new HistoryMatcher().filter(records, parseHistoryQuery(text), now));

  it('reads durations back from now, alone or combined, in s, m, h, d and w', () => {
    assert.deepEqual(parseTimeBound('30m'), { ago: 30 * MINUTE });
    assert.deepEqual(parseTimeBound('1h'), { ago: HOUR });
    assert.deepEqual(parseTimeBound('2d'), { ago: 48 * HOUR });
    assert.deepEqual(parseTimeBound('1w'), { ago: 7 * 24 * HOUR });
    assert.deepEqual(parseTimeBound('1h30m'), { ago: 90 * MINUTE });
    assert.deepEqual(parseTimeBound('45s'), { ago: 45_000 });
  });

  it('reads dates and dates with a time as local time, and refuses dates that do not exist', () => {
    assert.deepEqual(parseTimeBound('2026-12-01'), { at: new Date(2026, 11, 1).getTime() });
    assert.deepEqual(parseTimeBound('2026-12-06T10:00'), { at: new Date(2026, 11, 6, 10, 0).getTime() });
    assert.deepEqual(parseTimeBound('2026-12-06t10:00:30'), { at: new Date(2026, 11, 6, 10, 0, 30).getTime() });
    for (const bad of ['2026-02-30', '2026-13-01', '2026-12-06T25:00', '2026-12-6', 'yesterday', '1x', 'h', '-1h', '1.5h', '1h 30m', ''])
      assert.equal(parseTimeBound(bad), undefined, bad);
  });

  it('filters by creation time: since: keeps what was created at or after, before: what was created earlier', () => {
    assert.deepEqual(find('since:30m'), ['now', '20m']);
    assert.deepEqual(find('since:2h'), ['now', '20m', '90m']);
    assert.deepEqual(find('since:2d'), ['now', '20m', '90m', 'yesterday']);
    assert.deepEqual(find('before:1h'), ['90m', 'yesterday', 'last-week']);
    assert.deepEqual(find('since:2026-12-05 before:2026-12-06'), ['yesterday']);
    assert.deepEqual(find('since:2026-12-05T09:30'), ['now', '20m', '90m', 'yesterday'], 'the bound itself is included');
    assert.deepEqual(find('before:2026-12-05T09:30'), ['last-week'], 'and excluded from before:');
    assert.deepEqual(find('since:1w status:failed'), ['now', '20m', '90m', 'yesterday'], 'with other fields, all must hold');
    assert.deepEqual(find('since:1d since:30m'), ['now', '20m'], 'the last since: counts');
  });

  it('says plainly when a value is no time, and does not quietly drop it', () => {
    for (const text of ['since:yesterday', 'since:', 'since:"1 hour"', 'status:failed SINCE:2026-02-30']) {
      const query = parseHistoryQuery(text);
      assert.deepEqual(query.errors, ['since: expects a duration like 1h or a date like 2026-12-01'], text);
      assert.equal(query.since, undefined, text);
    }
    assert.deepEqual(parseHistoryQuery('before:soon since:later').errors, [
      'before: expects a duration like 1h or a date like 2026-12-01',
      'since: expects a duration like 1h or a date like 2026-12-01',
    ]);
    assert.deepEqual(parseHistoryQuery('since:1h before:2026-12-06T10:00').errors, []);
  });

  describe('HistorySearch with a scripted clock', () => {
    function reader(initial: TaskRecord[]) {
      const changed = new Emitter<LifecycleEvent>();
      let reads = 0;
      return {
        all: () => (reads++, initial),
        onDidLifecycle: changed.event,
        get reads() {
          return reads;
        },
      };
    }

    it('answers a relative since: again from the clock, not from the last answer, as time passes (nothing in the store changed)', () => {
      let now = NOON;
      const store = reader(records);
      const search = new HistorySearch(store, new HistoryMatcher(), () => now);
      const since = parseHistoryQuery('since:30m');
      assert.deepEqual(ids(search.search(since)), ['now', '20m']);
      now += 15 * MINUTE;
      assert.deepEqual(ids(search.search(since)), ['now'], 'the 20-minute-old task is 35 minutes old now');
      now += HOUR;
      assert.deepEqual(ids(search.search(parseHistoryQuery('since:30m'))), [], 'typed again an hour later');
      assert.equal(store.reads, 1, 'the store did not change, so its records are taken once');
      search.dispose();
    });

    it('widens a relative before: as time passes, which a search narrowed from the last answer would miss', () => {
      let now = NOON;
      const search = new HistorySearch(reader(records), new HistoryMatcher(), () => now);
      const before = parseHistoryQuery('before:1h');
      assert.deepEqual(ids(search.search(before)), ['90m', 'yesterday', 'last-week']);
      now += 45 * MINUTE;
      assert.deepEqual(ids(search.search(before)), ['20m', '90m', 'yesterday', 'last-week'], 'the 20-minute-old task is 65 minutes old now');
      search.dispose();
    });

    it('narrows from the last answer to the same matches as a full scan, keystroke after keystroke, while the clock moves', () => {
      let now = NOON;
      const search = new HistorySearch(reader(records), new HistoryMatcher(), () => now);
      const typed = [
        'status:failed',
        'status:failed since:2d',
        'status:failed since:2h',
        'status:failed since:2h before:30m',
        'since:2h before:30m',
        'since:1d',
      ];
      for (const text of typed) {
        now += 7 * MINUTE;
        assert.deepEqual(ids(search.search(parseHistoryQuery(text))), ids(new HistoryMatcher().filter(records, parseHistoryQuery(text), now)), text);
      }
      search.dispose();
    });
  });
});
