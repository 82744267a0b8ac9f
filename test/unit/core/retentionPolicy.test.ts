import assert from 'node:assert/strict';
import { decideRetention, describeRetention, retentionOutlook } from '../../../src/core/retentionPolicy';
import type { TaskRecord } from '../../../src/core/taskRecord';
import { TaskRecordSchema } from '../../../src/core/taskRecord';

const NOW = Date.UTC(2026, 5, 30, 12);
const DAY = 24 * 60 * 60 * 1000;

function record(id: string, daysAgo: number, extra: Partial<TaskRecord> = {}): TaskRecord {
  const at = new Date(NOW - daysAgo * DAY).toISOString();
  return TaskRecordSchema.parse({ id, serverId: 'tasklane', tool: 'wait', status: 'completed', createdAt: at, lastUpdatedAt: at, ...extra });
}

describe('core/retentionPolicy', () => {
  it('removes finished tasks older than the number of days, oldest first', () => {
    const records = [record('new', 1), record('old', 40), record('older', 45), record('edge', 30)];
    const decision = decideRetention(records, { days: 30, maxTasks: 0, now: NOW });
    assert.deepEqual(decision.remove, ['older', 'old']);
    assert.equal(decision.byAge, 2);
    assert.equal(decision.byCount, 0);
    assert.equal(describeRetention(decision, { days: 30, maxTasks: 0 }), 'Retention removed 2 tasks older than 30 days');
  });

  it('never removes running or pinned tasks, whatever their age', () => {
    const records = [
      record('running', 90, { status: 'working' }),
      record('asking', 90, { status: 'input_required' }),
      record('pinned', 90, { pinned: true }),
      record('failed', 90, { status: 'failed' }),
    ];
    assert.deepEqual(decideRetention(records, { days: 30, maxTasks: 1, now: NOW }).remove, ['failed']);
  });

  it('counts archived and imported records like any other', () => {
    const records = [record('archived', 50, { archived: true }), record('imported', 60, { imported: true }), record('fresh', 0)];
    assert.deepEqual(decideRetention(records, { days: 30, maxTasks: 0, now: NOW }).remove, ['imported', 'archived']);
  });

  it('keeps at most maxTasks finished tasks, dropping the oldest unpinned ones', () => {
    const records = [record('a', 1), record('b', 2), record('c', 3), record('d', 4), record('p', 5, { pinned: true }), record('w', 6, { status: 'working' })];
    const decision = decideRetention(records, { days: 0, maxTasks: 2, now: NOW });
    assert.deepEqual(decision.remove, ['d', 'c']);
    assert.equal(decision.byCount, 2);
    assert.equal(describeRetention(decision, { days: 0, maxTasks: 2 }), 'Retention removed 2 tasks beyond the limit of 2');
  });

  it('applies age first, then the count limit to what is left', () => {
    const records = [record('a', 1), record('b', 2), record('c', 3), record('gone', 31)];
    const decision = decideRetention(records, { days: 30, maxTasks: 2, now: NOW });
    assert.deepEqual(decision.remove, ['gone', 'c']);
    assert.equal(describeRetention(decision, { days: 30, maxTasks: 2 }), 'Retention removed 1 task older than 30 days and 1 task beyond the limit of 2');
  });

  it('measures age from when the task last changed, not when it started', () => {
    const longRun = record('long', 40, { lastUpdatedAt: new Date(NOW - 1 * DAY).toISOString() });
    assert.deepEqual(decideRetention([longRun], { days: 30, maxTasks: 0, now: NOW }).remove, []);
  });

  it('keeps everything when both limits are 0, and says nothing', () => {
    const decision = decideRetention([record('ancient', 3650)], { days: 0, maxTasks: 0, now: NOW });
    assert.deepEqual(decision.remove, []);
    assert.equal(describeRetention(decision, { days: 0, maxTasks: 0 }), undefined);
  });
});

describe('core/retentionPolicy: retentionOutlook', () => {
  it('tells the day decideRetention removes a finished task', () => {
    const task = record('done', 0);
    const outlook = retentionOutlook(task, { days: 30, maxTasks: 0 });
    assert.equal(outlook.kind, 'until');
    if (outlook.kind !== 'until') return;
    assert.equal(outlook.until, NOW + 30 * DAY);
    assert.deepEqual(decideRetention([task], { days: 30, maxTasks: 0, now: outlook.until }).remove, [], 'kept on the day itself');
    assert.deepEqual(decideRetention([task], { days: 30, maxTasks: 0, now: outlook.until + 1 }).remove, ['done'], 'and removed just after');
  });

  it('never removes running or pinned tasks, and says when neither limit applies', () => {
    assert.deepEqual(retentionOutlook(record('r', 90, { status: 'working' }), { days: 30, maxTasks: 10 }), { kind: 'running' });
    assert.deepEqual(retentionOutlook(record('p', 90, { pinned: true }), { days: 30, maxTasks: 10 }), { kind: 'pinned' });
    assert.deepEqual(retentionOutlook(record('c', 90), { days: 0, maxTasks: 10 }), { kind: 'count', maxTasks: 10 });
    assert.deepEqual(retentionOutlook(record('a', 90), { days: 0, maxTasks: 0 }), { kind: 'always' });
  });
});
