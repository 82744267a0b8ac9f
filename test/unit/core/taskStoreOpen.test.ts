import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LifecycleEvent } from '../../../src/core/lifecycleEvents';
import { STORE_FILE } from '../../../src/core/storeJournal';
import { STORE_LOADING_MESSAGE, StoreLoadingError, TaskStore, type TaskStoreOptions } from '../../../src/core/taskStore';

/** A store opened later (`openLater`): created empty, reading its records on `open()`, as the extension's is. */
describe('core/TaskStore opened later', () => {
  const stores: TaskStore[] = [];
  const dirs: string[] = [];

  function make(options: TaskStoreOptions): TaskStore {
    const store = new TaskStore(options);
    stores.push(store);
    return store;
  }

  function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-open-'));
    dirs.push(dir);
    return dir;
  }

  /** A directory whose store already holds `n` finished tasks (written by a store that opened at once). */
  function directoryWith(n: number): { dir: string; ids: string[] } {
    const dir = tempDir();
    const writer = new TaskStore({ directory: dir });
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const record = writer.create({ serverId: 's', tool: `t${i}` });
      writer.complete(record.id, 'completed', { result: { i } });
      ids.push(record.id);
    }
    writer.dispose();
    return { dir, ids };
  }

  function record(store: TaskStore): string[] {
    const seen: string[] = [];
    store.onDidLifecycle((event: LifecycleEvent) => seen.push(event.type === 'opened' ? `opened:${event.count}` : `${event.type}`));
    return seen;
  }

  afterEach(() => {
    for (const store of stores.splice(0)) store.dispose();
    for (const dir of dirs.splice(0)) {
      fs.chmodSync(dir, 0o700);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads nothing until open(): empty, not open, and an import is refused with a plain message', () => {
    const { dir } = directoryWith(3);
    const store = make({ directory: dir, openLater: true });
    assert.equal(store.isOpen, false);
    assert.equal(store.size, 0);
    assert.deepEqual(store.all(), []);
    assert.throws(
      () => store.importRecords([]),
      (error: Error) => error instanceof StoreLoadingError && error.message === STORE_LOADING_MESSAGE,
    );
    store.open();
    assert.equal(store.isOpen, true);
    assert.equal(store.size, 3);
  });

  it("announces 'opened' first, with the count, then runs what waited for it, then settles whenOpen()", async () => {
    const { dir, ids } = directoryWith(2);
    const store = make({ directory: dir, openLater: true });
    const events = record(store);
    const order: string[] = [];
    store.afterOpen(() => {
      order.push(`hook saw ${store.size} tasks and events [${events.join(', ')}]`);
      // What a hook changes is announced after 'opened'.
      store.archive(ids[0]);
    });
    void store.whenOpen().then(() => order.push('whenOpen'));
    store.open();
    order.push('open returned');
    await store.whenOpen();
    assert.deepEqual(order, ['hook saw 2 tasks and events [opened:2]', 'open returned', 'whenOpen']);
    assert.deepEqual(events, ['opened:2', 'archived']);
    store.open();
    assert.deepEqual(events, ['opened:2', 'archived'], 'a second open() does nothing');
  });

  it('runs an afterOpen hook at once on an open store, and not at all once disposed before the open', () => {
    const open = make({});
    let ran = 0;
    open.afterOpen(() => ran++);
    assert.equal(ran, 1);
    const later = make({ directory: tempDir(), openLater: true });
    later.afterOpen(() => ran++).dispose();
    later.open();
    assert.equal(ran, 1);
  });

  it('keeps a task created before the open, with its changes, among the records read, and on disk', async () => {
    const { dir, ids } = directoryWith(2);
    const store = make({ directory: dir, openLater: true });
    const events = record(store);
    const early = store.create({ serverId: 's', tool: 'early' });
    store.appendOutput(early.id, 'first line\n');
    store.complete(early.id, 'failed', { error: { code: 1, message: 'boom' } }, 'broke');
    store.open();
    assert.deepEqual(events[events.length - 1], 'opened:3', 'the count includes the early task');
    assert.deepEqual(new Set(store.all().map((r) => r.id)), new Set([...ids, early.id]));
    assert.equal(store.require(early.id).output, 'first line\n');
    store.dispose();

    const reopened = make({ directory: dir });
    assert.equal(reopened.size, 3);
    const back = reopened.require(early.id);
    assert.equal(back.status, 'failed');
    assert.equal(back.statusMessage, 'broke');
    assert.equal(back.output, 'first line\n');
    assert.equal(reopened.recovery.badLines, 0);
  });

  it('writes a task created before the open to disk even when the store is disposed without opening', () => {
    const { dir, ids } = directoryWith(1);
    const store = make({ directory: dir, openLater: true });
    const early = store.create({ serverId: 's', tool: 'early' });
    store.dispose();
    const reopened = make({ directory: dir });
    assert.deepEqual(new Set(reopened.all().map((r) => r.id)), new Set([...ids, early.id]));
  });

  it('opens in memory, says why, and keeps early tasks when the file cannot be read', async () => {
    const dir = tempDir();
    // A directory where the file should be: reading it fails whoever runs the tests (root included).
    fs.mkdirSync(path.join(dir, STORE_FILE));
    const problems: string[] = [];
    const store = make({ directory: dir, openLater: true, onProblem: (message) => problems.push(message) });
    const events = record(store);
    const early = store.create({ serverId: 's', tool: 'early' });
    store.open();
    await store.whenOpen();
    assert.equal(store.isOpen, true);
    assert.deepEqual(events, ['created', 'opened:1']);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /could not read its task store .* kept in memory only/);
    assert.equal(store.require(early.id).tool, 'early');
    const later = store.create({ serverId: 's', tool: 'later' });
    assert.equal(store.require(later.id).status, 'working', 'the store keeps working in memory');
  });

  it('settles whenOpen() when disposed before opening, so nobody waits forever', async () => {
    const store = make({ directory: tempDir(), openLater: true });
    store.dispose();
    await store.whenOpen();
    assert.equal(store.isOpen, false);
  });
});
