import assert from 'node:assert/strict';
import { RELOAD_INTERRUPTION } from '../../../src/core/reloadInterruption';
import { TaskStore } from '../../../src/core/taskStore';
import { SeenFailures } from '../../../src/ui/attention';
import { summarizeTasks } from '../../../src/ui/statusSummary';

/** A memento stand-in: what SeenFailures saved, readable by the next "session". */
function memory(initial: string[] = []) {
  let saved = [...initial];
  return { get: () => saved, set: (ids: readonly string[]) => (saved = [...ids]), read: () => saved };
}

describe('ui/attention and ui/statusSummary: the status bar is red only for failures not seen yet', () => {
  let store: TaskStore;
  beforeEach(() => {
    store = new TaskStore();
  });

  const fail = (message = 'Exited with code 1') => {
    const record = store.create({ serverId: 's', tool: 'run_command', arguments: { command: 'exit 1' } });
    return store.complete(record.id, 'failed', { error: { code: -32603, message } }, message);
  };

  it('turns red for a new failure and stops once the person has seen it', () => {
    const seen = new SeenFailures(memory());
    const failed = fail();
    assert.equal(summarizeTasks(store.all(), (r) => seen.isNew(r)).tone, 'error');
    assert.equal(seen.markSeen(failed), true);
    const after = summarizeTasks(store.all(), (r) => seen.isNew(r));
    assert.equal(after.tone, undefined, 'a seen failure leaves the item plain');
    assert.equal(after.counts.failed, 1, 'it is still counted');
    assert.equal(after.counts.newFailures, 0);
    assert.equal(seen.markSeen(failed), false, 'seeing it twice changes nothing');
  });

  it('remembers what was seen across sessions and forgets tasks that are no longer failures', () => {
    const storage = memory();
    const first = fail();
    const second = fail();
    new SeenFailures(storage).markSeen(first);
    const nextSession = new SeenFailures(storage);
    assert.equal(nextSession.isNew(first), false);
    assert.equal(nextSession.isNew(second), true);
    store.archive(first.id);
    nextSession.prune(store.all());
    assert.deepEqual(storage.read(), [], 'an archived failure is dropped from the kept list');
  });

  it('never counts a task stopped by a window reload as new', () => {
    const seen = new SeenFailures(memory());
    const record = store.create({ serverId: 's', tool: 'wait' });
    store.complete(record.id, 'failed', { error: { ...RELOAD_INTERRUPTION.error } }, RELOAD_INTERRUPTION.statusMessage);
    const summary = summarizeTasks(store.all(), (r) => seen.isNew(r));
    assert.equal(summary.counts.failed, 1);
    assert.equal(summary.counts.newFailures, 0);
    assert.equal(summary.tone, undefined);
    assert.match(RELOAD_INTERRUPTION.statusMessage, /^Stopped when the window reloaded/);
  });

  it('a click answers the oldest question first, else shows the newest unseen failure, else the Tasks view', () => {
    const seen = new SeenFailures(memory());
    const click = () => summarizeTasks(store.all(), (r) => seen.isNew(r)).click;
    assert.deepEqual(click(), { kind: 'showTasks' });
    const failed = fail();
    assert.deepEqual(click(), { kind: 'showFailure', id: failed.id });
    const later = store.create({ serverId: 's', tool: 'ask' });
    store.addPendingInput(later.id, { key: 'k2', method: 'elicitation/create', params: { message: 'Second?' }, at: '2030-01-01T00:00:02.000Z' });
    const earlier = store.create({ serverId: 's', tool: 'ask' });
    store.addPendingInput(earlier.id, { key: 'k1', method: 'elicitation/create', params: { message: 'First?' }, at: '2030-01-01T00:00:01.000Z' });
    assert.deepEqual(click(), { kind: 'answer', id: earlier.id, key: 'k1', question: 'First?' });
    const summary = summarizeTasks(store.all(), (r) => seen.isNew(r));
    assert.match(summary.clickHint, /answer: First\?/);
  });
});
