import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { STORE_FILE } from '../../../src/core/storeJournal';
import { TaskStore } from '../../../src/core/taskStore';
import type { TaskRecord } from '../../../src/core/taskRecord';
import { fillDisk, mountTmpfs, type ScratchMount } from './mounts';
import { recordTrials } from './tally';

type Problem = { message: string; error?: Error };

function openStore(dir: string, problems: Problem[]): TaskStore {
  return new TaskStore({ directory: dir, onProblem: (message, error) => problems.push({ message, error }) });
}

/** Tasks with results and output, all settled: what must never be lost. */
function storeFinishedWork(store: TaskStore, count: number, label: string): void {
  for (let i = 0; i < count; i++) {
    const record = store.create({ serverId: 'tasklane', tool: 'run_command', arguments: { command: `${label} ${i}` } });
    store.appendOutput(record.id, `${label} output ${i}\n`);
    if (i % 3 === 2) store.complete(record.id, 'failed', { error: { code: -32603, message: `${label} broke ${i}` } });
    else store.complete(record.id, 'completed', { result: { content: [{ type: 'text', text: `${label} result ${i} `.repeat(20) }] } });
  }
  store.flush();
}

function assertHolds(reopened: TaskStore, expected: readonly TaskRecord[], what: string): void {
  // Compared as JSON: what a store holds is what survives a write and a read.
  for (const record of expected) assert.deepEqual(asJson(reopened.get(record.id)), asJson(record), `${what}: task ${record.id} is intact`);
}

describe('reliability: the store on a failing disk', function () {
  this.timeout(30_000);
  let mount: ScratchMount | undefined;
  const stores: TaskStore[] = [];

  afterEach(() => {
    for (const store of stores.splice(0)) store.dispose();
    if (mount) {
      try {
        mount.remount('rw');
      } catch {
        // already unmounted or never read-only
      }
      mount.unmount();
    }
    mount = undefined;
  });

  function scratch(sizeKb: number): ScratchMount | undefined {
    const mounted = mountTmpfs(sizeKb);
    if ('refused' in mounted) return undefined;
    mount = mounted;
    return mounted;
  }

  it('a full disk (a real tmpfs filled to ENOSPC): one clear warning, work goes on in memory, nothing stored is lost, the file catches up once space is back', async function () {
    const disk = scratch(512);
    if (!disk) {
      // No mount allowed: the store file is /dev/full before the first write, which refuses every write with ENOSPC.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-full-'));
      const problems: Problem[] = [];
      const store = openStore(dir, problems);
      stores.push(store);
      fs.symlinkSync('/dev/full', path.join(dir, STORE_FILE));
      const tries = await workThroughRefusals(store, 40);
      assert.equal(store.size, 40);
      assert.equal(problems.filter((p) => /could not save task changes.*ENOSPC/.test(p.message)).length, 1);
      recordTrials('fault', 'Disk full: store file on /dev/full (mounting refused)', tries, '1 warning; tasks kept in memory');
      return;
    }
    const problems: Problem[] = [];
    const store = openStore(disk.dir, problems);
    stores.push(store);
    storeFinishedWork(store, 20, 'before');
    const stored = store.all().map((r) => structuredClone(r));
    const filler = path.join(disk.dir, 'filler');
    fillDisk(filler);

    const tries = await workThroughRefusals(store, 40);
    const warnings = problems.filter((p) => /Tasklane could not/.test(p.message));
    assert.equal(warnings.length, 1, `one warning for the whole streak, not: ${warnings.map((w) => w.message).join(' | ')}`);
    assert.match(warnings[0].message, /could not save task changes to .*ENOSPC.*kept in memory/);
    assert.ok(warnings[0].message.includes(disk.dir), 'the warning names the directory');
    assert.equal(store.size, 60, 'every task, old and new, is still served from memory');
    assert.equal(store.all().filter((r) => r.status === 'completed').length, 14 + 40);

    const whileFull = openStore(disk.dir, []);
    assertHolds(whileFull, stored, 'reopened while the disk is full');
    whileFull.dispose();

    fs.rmSync(filler);
    const memory = store.all().map((r) => structuredClone(r));
    store.dispose();
    stores.splice(stores.indexOf(store), 1);
    const after = openStore(disk.dir, []);
    stores.push(after);
    assert.equal(after.size, 60, 'once space is back, closing the store writes memory out whole');
    assertHolds(after, memory, 'after space came back');
    assert.deepEqual(
      fs.readdirSync(disk.dir).filter((n) => n.includes('.tmp-')),
      [],
      'no half-written temp file was left behind',
    );
    recordTrials(
      'fault',
      'Disk full: a 512 KiB tmpfs filled to ENOSPC under a live store',
      tries,
      `1 warning; 60 tasks kept in memory; the ${stored.length} stored tasks intact; the file caught up once space returned`,
    );
  });

  it('a store directory that turns read-only (a tmpfs remounted ro, EROFS): warning, work goes on, the old file is untouched and reopens', async function () {
    const disk = scratch(2048);
    if (!disk) {
      // No mount allowed: a directory under /proc refuses new files, so the store can only run in memory.
      const problems: Problem[] = [];
      const store = openStore('/proc/self/tasklane-store', problems);
      stores.push(store);
      storeFinishedWork(store, 5, 'proc');
      assert.equal(store.size, 5);
      assert.ok(problems.some((p) => /could not save task changes/.test(p.message)));
      recordTrials('fault', 'Read-only store directory: a directory under /proc (mounting refused)', 5, 'warning; tasks kept in memory');
      return;
    }
    const problems: Problem[] = [];
    const store = openStore(disk.dir, problems);
    stores.push(store);
    storeFinishedWork(store, 20, 'before');
    const stored = store.all().map((r) => structuredClone(r));
    // Compaction leaves no file open for writing (the next append reopens it), so the mount can turn read-only under the live store.
    store.compact();
    const bytesBefore = fs.readFileSync(path.join(disk.dir, STORE_FILE));
    disk.remount('ro');

    let refused = 0;
    for (let i = 0; i < 30; i++) {
      const record = store.create({ serverId: 'tasklane', tool: 'wait', arguments: { durationMs: i } });
      store.complete(record.id, 'completed', { result: { content: [{ type: 'text', text: `ro ${i}` }] } });
      store.flush();
      store.compact();
      refused++;
    }
    assert.equal(store.size, 50);
    const warnings = problems.filter((p) => /Tasklane could not/.test(p.message));
    assert.equal(warnings.length, 1, `one warning, not ${warnings.map((w) => w.message).join(' | ')}`);
    assert.match(warnings[0].message, /EROFS/);
    assert.deepEqual(fs.readFileSync(path.join(disk.dir, STORE_FILE)), bytesBefore, 'the file on disk was not touched');

    // A window opened on the read-only directory loads everything and keeps working in memory.
    const reopenProblems: Problem[] = [];
    const reopened = openStore(disk.dir, reopenProblems);
    stores.push(reopened);
    assertHolds(reopened, stored, 'reopened read-only');
    const fresh = reopened.create({ serverId: 'tasklane', tool: 'wait' });
    reopened.flush();
    assert.equal(reopened.get(fresh.id)?.status, 'working');
    assert.ok(
      reopenProblems.some((p) => /EROFS/.test(p.message)),
      'the second window is told too',
    );
    assert.deepEqual(fs.readFileSync(path.join(disk.dir, STORE_FILE)), bytesBefore);
    recordTrials(
      'fault',
      'Read-only store directory: tmpfs remounted read-only under a live store (EROFS)',
      refused + 1,
      `1 warning per window; tasks kept in memory; the ${stored.length} stored tasks reopen intact; file bytes unchanged`,
    );
  });
});

/** Creates, fills and completes `count` tasks against a disk that refuses them, one event-loop turn each. */
async function workThroughRefusals(store: TaskStore, count: number): Promise<number> {
  for (let i = 0; i < count; i++) {
    const record = store.create({ serverId: 'tasklane', tool: 'wait', arguments: { durationMs: i } });
    store.appendOutput(record.id, 'x'.repeat(2048));
    store.complete(record.id, 'completed', { result: { content: [{ type: 'text', text: `during ${i}` }] } });
    await new Promise((resolve) => setImmediate(resolve));
  }
  store.flush();
  return count;
}

function asJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
