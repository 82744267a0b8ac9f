import assert from 'node:assert/strict';
import type { Logger } from '../../../src/core/logger';
import { TaskStore } from '../../../src/core/taskStore';
import { RetentionRunner } from '../../../src/core/retentionRunner';
import { waitFor } from '../helpers/waitFor';

const NOW = Date.UTC(2026, 5, 30);
const DAY = 24 * 60 * 60 * 1000;

function recordingLogger(lines: string[]): Logger {
  const keep = (message: string | Error) => lines.push(String(message));
  return { trace: keep, debug: keep, info: keep, warn: keep, error: keep };
}

describe('ui/retentionRunner', () => {
  it('removes what the policy no longer keeps and logs it in one sentence', () => {
    const store = new TaskStore({ now: () => NOW });
    const old = new Date(NOW - 40 * DAY).toISOString();
    store.importRecords([
      { id: 'old', serverId: 's', tool: 't', status: 'completed', createdAt: old, lastUpdatedAt: old },
      { id: 'pinned', serverId: 's', tool: 't', status: 'failed', createdAt: old, lastUpdatedAt: old, pinned: true },
    ]);
    const lines: string[] = [];
    const runner = new RetentionRunner(
      store,
      () => ({ days: 30, maxTasks: 0 }),
      recordingLogger(lines),
      () => NOW,
    );
    assert.equal(runner.apply(), 1);
    assert.deepEqual(
      store.all().map((r) => r.id),
      ['pinned'],
    );
    assert.deepEqual(lines, ['[history] Retention removed 1 task older than 30 days']);
    assert.equal(runner.apply(), 0, 'nothing more to remove');
    assert.equal(lines.length, 1, 'and nothing more to say');
    runner.dispose();
  });

  it('trims history shortly after a burst of tasks finishes, once', async () => {
    const store = new TaskStore({ now: () => NOW });
    const lines: string[] = [];
    const runner = new RetentionRunner(
      store,
      () => ({ days: 0, maxTasks: 2 }),
      recordingLogger(lines),
      () => NOW,
      20,
    );
    const ids = ['a', 'b', 'c', 'd'].map((tool) => store.create({ serverId: 's', tool }).id);
    for (const id of ids) store.complete(id, 'completed', {});
    assert.equal(store.size, 4, 'nothing is removed while tasks are still finishing');
    await waitFor(() => store.size === 2, { what: 'the deferred retention pass' });
    assert.deepEqual(lines, ['[history] Retention removed 2 tasks beyond the limit of 2']);
    runner.dispose();
  });

  it('trims by age in an idle window too, on its periodic sweep', async () => {
    let now = NOW;
    const store = new TaskStore({ now: () => now });
    const at = new Date(NOW).toISOString();
    store.importRecords([{ id: 'done', serverId: 's', tool: 't', status: 'completed', createdAt: at, lastUpdatedAt: at }]);
    const lines: string[] = [];
    const runner = new RetentionRunner(
      store,
      () => ({ days: 1, maxTasks: 0 }),
      recordingLogger(lines),
      () => now,
      20,
      30,
    );
    assert.equal(runner.apply(), 0, 'a fresh task is kept');
    now += 2 * DAY;
    await waitFor(() => store.size === 0, { what: 'the periodic sweep to remove it with no task finishing' });
    assert.deepEqual(lines, ['[history] Retention removed 1 task older than 1 day']);
    runner.dispose();
  });
});
