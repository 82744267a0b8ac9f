import assert from 'node:assert/strict';
import { EMBEDDED_SERVER_ID } from '../../../src/core/embeddedServer';
import type { TaskRecord } from '../../../src/core/taskRecord';
import {
  canAnswer,
  canCancelTask,
  canChangePriority,
  canPutAway,
  canRetryTask,
  canRunAgain,
  isFailureNews,
  isOpenFailure,
  isQueued,
  needsAttention,
  runsAgainOnlyWhenAsked,
} from '../../../src/core/taskRules';
import { RELOAD_INTERRUPTION } from '../../../src/core/reloadInterruption';
import { TaskStore } from '../../../src/core/taskStore';

describe('core/taskRules: one answer per rule, whichever view asks', () => {
  let store: TaskStore;
  beforeEach(() => {
    store = new TaskStore();
  });

  const start = (serverId = 's'): TaskRecord => store.create({ serverId, tool: 'run_command', arguments: { command: 'true' } });
  const end = (status: 'completed' | 'failed' | 'cancelled', serverId = 's'): TaskRecord => store.complete(start(serverId).id, status, {}, status);
  const imported = (record: TaskRecord): TaskRecord => store.importRecords([{ ...record, id: `${record.id}-copy` }])[0];

  it('retries a failed or cancelled attempt once: never a retried attempt, a completed task or an imported copy', () => {
    const failed = end('failed');
    assert.equal(canRetryTask(failed), true);
    assert.equal(canRetryTask(end('cancelled')), true);
    assert.equal(canRetryTask(end('completed')), false);
    assert.equal(canRetryTask(start()), false);
    const retried = store.update(failed.id, { retriedAs: start().id });
    assert.equal(canRetryTask(retried), false, 'the latest attempt is the one to retry');
    assert.equal(canRetryTask(imported(end('failed'))), false);
  });

  it('cancels running work only, and never an imported copy', () => {
    assert.equal(canCancelTask(start()), true);
    assert.equal(canCancelTask(end('completed')), false);
    const running = start();
    assert.equal(canCancelTask(imported(running)), false);
  });

  it('runs any finished task again, but not running work or an imported copy', () => {
    for (const status of ['completed', 'failed', 'cancelled'] as const) assert.equal(canRunAgain(end(status)), true, status);
    assert.equal(canRunAgain(start()), false);
    assert.equal(canRunAgain(imported(end('completed'))), false);
  });

  it('changes the priority of unfinished tasks on the embedded server only', () => {
    assert.equal(canChangePriority(start(EMBEDDED_SERVER_ID)), true);
    assert.equal(canChangePriority(start('elsewhere')), false);
    assert.equal(canChangePriority(end('completed', EMBEDDED_SERVER_ID)), false);
  });

  it('archives and deletes finished work, and any imported copy, which runs nowhere', () => {
    assert.equal(canPutAway(end('completed')), true);
    assert.equal(canPutAway(start()), false);
    assert.equal(canPutAway(imported(start())), true, 'an unfinished imported copy can be put away: nothing will ever finish it');
    assert.equal(canPutAway(imported(end('failed'))), true);
  });

  it('answers only a task with a pending question', () => {
    const record = start();
    assert.equal(canAnswer(record), false);
    const asking = store.update(record.id, {
      pendingInput: [{ key: 'k', method: 'elicitation/create', params: { message: 'Proceed?' }, at: new Date().toISOString() }],
    });
    assert.equal(canAnswer(asking), true);
  });

  it('counts a queued task as queued only while it is working', () => {
    const record = store.update(start().id, { queue: { position: 1, size: 2 } });
    assert.equal(isQueued(record), true);
    assert.equal(isQueued(start()), false);
  });

  it('needs attention for a question or an open failure; a retried, archived or imported failure does not', () => {
    const failed = end('failed');
    assert.equal(isOpenFailure(failed), true);
    assert.equal(needsAttention(failed), true);
    assert.equal(needsAttention(store.archive(end('failed').id)), false);
    assert.equal(needsAttention(store.update(failed.id, { retriedAs: start().id })), false);
    assert.equal(needsAttention(imported(end('failed'))), false);
    assert.equal(needsAttention(end('completed')), false);
  });

  it('tells of a failure only once its automatic retry chain gave up: not while a retry waits, nor after a retry or a reload', () => {
    const failed = end('failed');
    assert.equal(isFailureNews(failed), true, 'no retry follows: the chain gave up');
    const due = { at: new Date(Date.now() + 4000).toISOString(), attempt: 2, of: 3, failure: 'boom' };
    const waiting = store.update(failed.id, { retryDue: due, statusMessage: 'Retrying in 4 s (attempt 2 of 3)' });
    assert.equal(isFailureNews(waiting), false, 'a retry waits: its countdown is the news');
    assert.equal(needsAttention(waiting), false);
    const cancelled = store.update(failed.id, { retryDue: undefined, statusMessage: 'boom · automatic retry cancelled' });
    assert.equal(isFailureNews(cancelled), true, 'the waiting retry was cancelled: the chain gave up');
    assert.equal(isFailureNews(store.update(failed.id, { retriedAs: start().id })), false, 'the next attempt carries the news');
    const reloaded = store.complete(start().id, 'failed', { error: RELOAD_INTERRUPTION.error }, RELOAD_INTERRUPTION.statusMessage);
    assert.equal(isFailureNews(reloaded), false, 'a reload is no failure of the task');
    assert.equal(isFailureNews(imported(end('failed'))), false);
  });

  it("neither counts nor tells of another principal's team task, and runs one again only when asked", () => {
    const listed = store.create({ serverId: 's', tool: 'wait' }, { teamListed: true });
    const failed = store.complete(listed.id, 'failed', {}, 'failed');
    assert.equal(isFailureNews(failed), false);
    assert.equal(needsAttention(failed), false);
    assert.equal(runsAgainOnlyWhenAsked(failed), true);
    assert.equal(canRetryTask(failed), true, 'asked, it is retried as the board’s own');
    assert.equal(canCancelTask(listed), true, 'the board may cancel it');
    const own = end('failed');
    assert.deepEqual([isFailureNews(own), needsAttention(own), runsAgainOnlyWhenAsked(own)], [true, true, false]);
  });
});
