import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { SNAPSHOT_FORMAT, STORE_FILE } from '../../../src/core/storeJournal';
import { TaskStore, type TaskStoreOptions } from '../../../src/core/taskStore';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
/** Records in a stable order (by id), in their persisted form. */
const contents = (store: TaskStore) => plain([...store.all()].sort((a, b) => (a.id < b.id ? -1 : 1)));

/** The compacted file's parts: its header line (parsed), the snapshot's lines, and what follows. */
function parts(file: string): { header: Record<string, unknown>; lines: string[]; tail: string } {
  const text = fs.readFileSync(file, 'utf8');
  const newline = text.indexOf('\n');
  const header = JSON.parse(text.slice(0, newline)) as Record<string, unknown>;
  const body = Buffer.from(text.slice(newline + 1))
    .subarray(0, header.bytes as number)
    .toString('utf8');
  return { header, lines: body.split('\n').slice(0, -1), tail: text.slice(newline + 1 + body.length) };
}

/** Writes a header and snapshot lines back, the header vouching for the lines as given (a checksum that matches). */
function writeVouched(file: string, lines: string[], tail = '', header: Record<string, unknown> = {}): void {
  const body = Buffer.from(lines.map((l) => l + '\n').join(''));
  const line = JSON.stringify({ op: 'snapshot', v: SNAPSHOT_FORMAT, entries: lines.length, bytes: body.length, crc32: zlib.crc32(body), ...header });
  fs.writeFileSync(file, line.padEnd(127) + '\n' + body.toString('utf8') + tail);
}

describe('core/TaskStore snapshot', () => {
  const opened: TaskStore[] = [];
  const dirs: string[] = [];

  function open(options: TaskStoreOptions): TaskStore {
    const store = new TaskStore(options);
    opened.push(store);
    return store;
  }

  afterEach(() => {
    for (const store of opened.splice(0)) store.dispose();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A compacted store of five finished tasks, closed; with `tail`, some changes after the snapshot too. */
  function compactedStore(withTail = false) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-snapshot-'));
    dirs.push(dir);
    let clock = T0;
    const first = new TaskStore({ directory: dir, now: () => (clock += 1000) });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const task = first.create({ serverId: 's', tool: `tool${i}`, arguments: { n: i }, tags: i % 2 ? ['odd'] : [] });
      first.appendOutput(task.id, `line ${i}\n`);
      first.complete(task.id, 'completed', { result: { content: [{ type: 'text', text: `result ${i}` }] } });
      ids.push(task.id);
    }
    first.compact();
    if (withTail) {
      first.setPinned(ids[0], true);
      first.create({ serverId: 's', tool: 'after-snapshot' });
    }
    const expected = contents(first);
    first.dispose();
    return { dir, file: path.join(dir, STORE_FILE), ids, expected };
  }

  function reopen(dir: string) {
    const problems: string[] = [];
    const store = open({ directory: dir, onProblem: (m) => problems.push(m) });
    return { store, problems };
  }

  function backups(dir: string): string[] {
    return fs.readdirSync(dir).filter((name) => name.startsWith(`${STORE_FILE}.corrupt-`));
  }

  /** After a recovery the file is clean: the next open is quiet and trusts its snapshot. */
  function assertCleanAgain(dir: string, expected: unknown): void {
    const { store, problems } = reopen(dir);
    assert.deepEqual(problems, []);
    assert.deepEqual(contents(store), expected);
    assert.equal(store.recovery.untrustedSnapshot, undefined);
    assert.equal(parts(path.join(dir, STORE_FILE)).header.v, SNAPSHOT_FORMAT);
  }

  it('compaction writes a snapshot that reopens identical, quietly, with the changes after it', () => {
    const { dir, file, expected } = compactedStore(true);
    const { header, lines, tail } = parts(file);
    assert.equal(header.entries, 5);
    assert.equal(lines.length, 5);
    assert.ok(tail.length > 0, 'the later changes are appended after the snapshot');
    const { store, problems } = reopen(dir);
    assert.deepEqual(problems, []);
    assert.deepEqual(contents(store), expected);
    assert.equal(store.recovery.untrustedSnapshot, undefined);
  });

  it('a snapshot whose checksum does not match: every entry is checked, nothing valid is lost, the file is backed up and rewritten', () => {
    const { dir, file, expected } = compactedStore(true);
    const original = fs.readFileSync(file, 'utf8');
    // One byte changed inside a string: still valid JSON and a valid record, but not what was written.
    fs.writeFileSync(file, original.replace('"result 2"', '"result 9"'));
    const { store, problems } = reopen(dir);
    assert.match(store.recovery.untrustedSnapshot ?? '', /checksum/);
    assert.equal(problems.length, 1);
    assert.match(problems[0], /snapshot could not be trusted \(its checksum does not match\)/);
    assert.equal(store.size, expected.length, 'every task is kept');
    assert.equal(backups(dir).length, 1);
    assert.equal(store.recovery.backupPath, path.join(dir, backups(dir)[0]));
    assertCleanAgain(dir, contents(store));
  });

  it('a snapshot with a damaged line: that task is dropped and reported, the others and the later changes are kept', () => {
    const { dir, file, ids, expected } = compactedStore(true);
    const { lines, tail } = parts(file);
    const broken = lines.findIndex((l) => l.includes(ids[3]));
    lines[broken] = lines[broken].slice(0, 40) + '\u0000garbage';
    // The header still claims the old checksum.
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.slice(0, original.indexOf('\n') + 1) + lines.map((l) => l + '\n').join('') + tail);
    const { store, problems } = reopen(dir);
    assert.ok(store.recovery.untrustedSnapshot);
    assert.equal(store.recovery.badLines, 1);
    assert.match(problems[0], /1 unreadable entry was skipped/);
    assert.deepEqual(
      contents(store),
      expected.filter((r) => r.id !== ids[3]),
    );
    assert.equal(store.get(ids[0])?.pinned, true, 'the change after the snapshot is replayed');
    assertCleanAgain(dir, contents(store));
  });

  it('a snapshot cut short: the tasks before the cut are kept, the cut line is dropped', () => {
    const { dir, file, ids, expected } = compactedStore();
    const original = fs.readFileSync(file);
    const { lines } = parts(file);
    const cut = original.indexOf(lines[3]) + 30;
    fs.writeFileSync(file, original.subarray(0, cut));
    const { store, problems } = reopen(dir);
    assert.match(store.recovery.untrustedSnapshot ?? '', /cut short/);
    assert.equal(store.recovery.tornTail, true);
    const lost = ids.filter((id) => lines.slice(3).some((l) => l.includes(id)));
    assert.deepEqual(
      contents(store),
      expected.filter((r) => !lost.includes(r.id)),
    );
    assert.equal(problems.length, 1);
    assertCleanAgain(dir, contents(store));
  });

  it('a snapshot in another format version: read entry by entry, every task kept, rewritten in this version', () => {
    const { dir, file, expected } = compactedStore(true);
    const { lines, tail } = parts(file);
    writeVouched(file, lines, tail, { v: SNAPSHOT_FORMAT + 1 });
    const { store, problems } = reopen(dir);
    assert.match(store.recovery.untrustedSnapshot ?? '', /format 2/);
    assert.deepEqual(contents(store), expected);
    assert.equal(problems.length, 1);
    assertCleanAgain(dir, expected);
  });

  it('a vouched snapshot holding an invalid record: the record never reaches a reader, is reported, and the file backed up', () => {
    const { dir, file, ids, expected } = compactedStore(true);
    const { lines, tail } = parts(file);
    const bad = lines.findIndex((l) => l.includes(ids[1]));
    const entry = JSON.parse(lines[bad]) as { task: Record<string, unknown> };
    entry.task.status = 'paused';
    lines[bad] = JSON.stringify(entry);
    writeVouched(file, lines, tail);
    const { store, problems } = reopen(dir);
    assert.equal(store.recovery.untrustedSnapshot, undefined, 'the checksum matched');
    assert.equal(store.recovery.badLines, 1);
    assert.equal(store.get(ids[1]), undefined);
    assert.ok(!store.all().some((r) => r.id === ids[1]));
    assert.equal(store.size, expected.length - 1);
    assert.match(problems[0], /1 unreadable entry was skipped/);
    assert.equal(backups(dir).length, 1);
    assert.match(fs.readFileSync(path.join(dir, backups(dir)[0]), 'utf8'), /"paused"/, 'the backup holds the original');
    assertCleanAgain(
      dir,
      expected.filter((r) => r.id !== ids[1]),
    );
  });

  it('a torn journal tail after a snapshot: the fragment is dropped, the snapshot and complete changes are kept', () => {
    const { dir, file, expected } = compactedStore(true);
    fs.appendFileSync(file, '{"op":"patch","id":"x","set":{"stat');
    const { store, problems } = reopen(dir);
    assert.equal(store.recovery.tornTail, true);
    assert.equal(store.recovery.badLines, 0);
    assert.equal(store.recovery.untrustedSnapshot, undefined);
    assert.deepEqual(contents(store), expected);
    assert.deepEqual(backups(dir), []);
    assert.match(problems[0], /incomplete last write/);
    assertCleanAgain(dir, expected);
  });

  it('a change after the snapshot that makes a record invalid drops that record, as before snapshots', () => {
    const { dir, file, ids, expected } = compactedStore();
    fs.appendFileSync(file, JSON.stringify({ op: 'patch', id: ids[2], set: { status: 'paused' } }) + '\n');
    const { store } = reopen(dir);
    assert.equal(store.get(ids[2]), undefined);
    assert.equal(store.recovery.badLines, 1);
    assert.equal(store.size, expected.length - 1);
  });

  it('a store written before snapshots (put and patch lines, no header) opens whole and gets its snapshot', () => {
    const { dir, file, expected } = compactedStore(true);
    const { lines, tail } = parts(file);
    // What an earlier version wrote: the same entries, with no header.
    fs.writeFileSync(file, lines.map((l) => l + '\n').join('') + tail);
    const { store, problems } = reopen(dir);
    assert.deepEqual(problems, []);
    assert.deepEqual(contents(store), expected);
    assert.equal(parts(file).header.op, 'snapshot', 'upgraded on open');
    assertCleanAgain(dir, expected);
  });
});
