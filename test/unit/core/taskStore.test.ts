import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { waitFor } from '../helpers/waitFor';
import type { LifecycleEvent } from '../../../src/core/lifecycleEvents';
import { InvalidDataError, type TaskRecord } from '../../../src/core/taskRecord';
import { OUTPUT_TAIL_CHARS, TIMELINE_MESSAGE_LIMIT } from '../../../src/core/recordLimits';
import { STORE_FILE } from '../../../src/core/storeJournal';
import { IllegalTransitionError, TaskStore, type TaskStoreOptions, UnknownTaskError } from '../../../src/core/taskStore';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/** JSON round trip: the persisted form drops keys whose value is undefined, which is not a difference. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Records in a stable order (by id), in their persisted form. */
const snapshot = (store: TaskStore) => plain([...store.all()].sort((a, b) => (a.id < b.id ? -1 : 1)));

function assertNoRecovery(store: TaskStore): void {
  assert.equal(store.recovery.badLines, 0);
  assert.equal(store.recovery.tornTail, false);
  assert.equal(store.recovery.backupPath, undefined);
}

function fakeClock(start = T0) {
  const clock = { now: start, tick: (ms = 1) => (clock.now += ms) };
  return clock;
}

describe('core/TaskStore', () => {
  const opened: TaskStore[] = [];
  const dirs: string[] = [];

  /** A store that is disposed after the test. */
  function open(options: TaskStoreOptions = {}): TaskStore {
    const store = new TaskStore(options);
    opened.push(store);
    return store;
  }

  function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-store-'));
    dirs.push(dir);
    return dir;
  }

  function record(store: TaskStore): LifecycleEvent[] {
    const events: LifecycleEvent[] = [];
    store.onDidLifecycle((e) => events.push(e));
    return events;
  }

  afterEach(() => {
    for (const store of opened.splice(0)) store.dispose();
    for (const dir of dirs.splice(0)) {
      try {
        fs.chmodSync(dir, 0o700);
      } catch {
        // already gone
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('create', () => {
    it('records a working task with defaults, a timeline entry and a created event', () => {
      const clock = fakeClock();
      const store = open({ now: () => clock.now });
      const events = record(store);
      const task = store.create({ serverId: 'srv', tool: 'echo', arguments: { a: 1 }, intent: 'say hi' }, { statusMessage: 'queued' });
      assert.equal(task.status, 'working');
      assert.equal(task.createdAt, iso(T0));
      assert.equal(task.lastUpdatedAt, iso(T0));
      assert.equal(task.attempt, 1);
      assert.deepEqual(task.tags, []);
      assert.deepEqual(task.pendingInput, []);
      assert.equal(task.archived, false);
      assert.equal(task.expired, false);
      assert.deepEqual(plain(task.timeline), [{ at: iso(T0), status: 'working', message: 'queued' }]);
      assert.equal(store.get(task.id), task);
      assert.equal(store.size, 1);
      assert.deepEqual(events, [{ type: 'created', id: task.id, task }]);
    });

    const badSpecs: Array<[string, unknown, RegExp]> = [
      ['missing serverId', { tool: 'echo' }, /serverId/],
      ['empty tool', { serverId: 's', tool: '' }, /tool/],
      ['arguments that are not an object', { serverId: 's', tool: 't', arguments: 'x=1' }, /arguments/],
      ['priority out of range', { serverId: 's', tool: 't', priority: 1000 }, /priority/],
      ['tags that are not strings', { serverId: 's', tool: 't', tags: [1, 2] }, /tags/],
      ['a negative ttl', { serverId: 's', tool: 't', ttl: -5 }, /ttl/],
      ['a bad scheduling date', { serverId: 's', tool: 't', scheduling: { runAfter: 'soonish' } }, /scheduling\.runAfter/],
      ['not an object at all', 42, /\(root\)/],
    ];
    for (const [what, spec, field] of badSpecs) {
      it(`rejects a spec with ${what} with a readable InvalidDataError naming the field`, () => {
        const store = open();
        const events = record(store);
        assert.throws(
          () => store.create(spec as never),
          (error: unknown) => {
            assert.ok(error instanceof InvalidDataError, `expected InvalidDataError, got ${String(error)}`);
            assert.match(error.message, /^Invalid task: /);
            assert.match(error.message, field);
            assert.doesNotMatch(error.message, /\[object Object\]|^\s*\{/);
            return true;
          },
        );
        assert.equal(store.size, 0);
        assert.deepEqual(events, []);
      });
    }

    it('refuses a duplicate id', () => {
      const store = open();
      store.create({ serverId: 's', tool: 't' }, { id: 'same' });
      assert.throws(() => store.create({ serverId: 's', tool: 't' }, { id: 'same' }), /already exists/);
      assert.equal(store.size, 1);
    });
  });

  describe('status machine', () => {
    it('allows working → input_required → working → completed and records each change with its time', () => {
      const clock = fakeClock();
      const store = open({ now: () => clock.now });
      const events = record(store);
      const { id } = store.create({ serverId: 's', tool: 't' });
      clock.tick(10);
      store.setStatus(id, 'input_required', 'need a token');
      clock.tick(10);
      store.setStatus(id, 'working');
      clock.tick(10);
      const done = store.complete(id, 'completed', { result: { ok: 1 } }, 'all done');
      assert.equal(done.status, 'completed');
      assert.equal(done.lastUpdatedAt, iso(T0 + 30));
      assert.deepEqual(plain(done.timeline), [
        { at: iso(T0), status: 'working' },
        { at: iso(T0 + 10), status: 'input_required', message: 'need a token' },
        { at: iso(T0 + 20), status: 'working' },
        { at: iso(T0 + 30), status: 'completed', message: 'all done' },
      ]);
      assert.deepEqual(
        events.filter((e) => e.type === 'statusChanged').map((e) => e.type === 'statusChanged' && [e.from, e.to]),
        [
          ['working', 'input_required'],
          ['input_required', 'working'],
          ['working', 'completed'],
        ],
      );
    });

    it('throws IllegalTransitionError leaving a terminal state, and leaves the record untouched', () => {
      const store = open();
      const { id } = store.create({ serverId: 's', tool: 't' });
      const done = store.complete(id, 'completed', { result: 1 });
      const events = record(store);
      assert.throws(() => store.setStatus(id, 'working'), IllegalTransitionError);
      assert.throws(() => store.setStatus(id, 'input_required'), IllegalTransitionError);
      assert.throws(() => store.setStatus(id, 'failed'), IllegalTransitionError);
      assert.throws(() => store.complete(id, 'cancelled', {}), IllegalTransitionError);
      assert.throws(() => store.complete(id, 'completed', { result: 2 }), IllegalTransitionError);
      assert.equal(store.get(id), done);
      assert.deepEqual(events, []);
    });

    it('updates only the message for the same status, as a message-only timeline entry', () => {
      const store = open();
      const events = record(store);
      const { id } = store.create({ serverId: 's', tool: 't' });
      const updated = store.setStatus(id, 'working', '50%');
      assert.equal(updated.statusMessage, '50%');
      assert.equal(updated.timeline.length, 2);
      assert.equal(updated.timeline[1].status, undefined);
      assert.equal(updated.timeline[1].message, '50%');
      assert.equal(store.setStatus(id, 'working', '50%'), updated, 'the same status and message is a no-op');
      assert.deepEqual(
        events.map((e) => e.type),
        ['created', 'message'],
      );
    });

    it('throws UnknownTaskError for an id it does not hold', () => {
      const store = open();
      assert.throws(() => store.setStatus('nope', 'working'), UnknownTaskError);
      assert.throws(() => store.update('nope', { tags: [] }), UnknownTaskError);
      assert.throws(() => store.appendOutput('nope', 'x'), UnknownTaskError);
      assert.throws(() => store.require('nope'), UnknownTaskError);
    });

    it('never changes a record object a caller already holds', () => {
      const store = open();
      const created = store.create({ serverId: 's', tool: 't' });
      const frozen = plain(created);
      store.setStatus(created.id, 'input_required', 'q');
      store.appendOutput(created.id, 'out');
      store.update(created.id, { tags: ['x'] });
      assert.deepEqual(plain(created), frozen);
      assert.notEqual(store.get(created.id), created);
    });
  });

  describe('complete', () => {
    it('stores the result, clears pending input and announces resultStored then statusChanged', () => {
      const clock = fakeClock();
      const store = open({ now: () => clock.now });
      const { id } = store.create({ serverId: 's', tool: 't' });
      store.addPendingInput(id, { key: 'k1', method: 'elicitation/create', params: { message: 'token?' }, at: iso(T0) });
      store.addPendingInput(id, { key: 'k2', method: 'elicitation/create', params: {}, at: iso(T0) });
      assert.equal(store.require(id).pendingInput.length, 2);
      const events = record(store);
      const done = store.complete(id, 'completed', { result: { content: [{ type: 'text', text: 'hi' }] } });
      assert.deepEqual(done.result, { content: [{ type: 'text', text: 'hi' }] });
      assert.equal(done.error, undefined);
      assert.deepEqual(done.pendingInput, []);
      assert.deepEqual(
        events.map((e) => e.type),
        ['resultStored', 'statusChanged'],
      );
    });

    it('stores a JSON-RPC error on failure', () => {
      const store = open();
      const { id } = store.create({ serverId: 's', tool: 't' });
      const failed = store.complete(id, 'failed', { error: { code: -32000, message: 'boom', data: { at: 'step 2' } } }, 'it broke');
      assert.equal(failed.status, 'failed');
      assert.deepEqual(failed.error, { code: -32000, message: 'boom', data: { at: 'step 2' } });
      assert.equal(failed.statusMessage, 'it broke');
    });

    it('cancels without a result and fires no resultStored', () => {
      const store = open();
      const { id } = store.create({ serverId: 's', tool: 't' });
      const events = record(store);
      store.complete(id, 'cancelled', {});
      assert.deepEqual(
        events.map((e) => e.type),
        ['statusChanged'],
      );
    });

    it('replaces a pending input with the same key and removes one by key', () => {
      const store = open();
      const { id } = store.create({ serverId: 's', tool: 't' });
      store.addPendingInput(id, { key: 'k', method: 'm', params: { v: 1 }, at: iso(T0) });
      store.addPendingInput(id, { key: 'k', method: 'm', params: { v: 2 }, at: iso(T0) });
      assert.deepEqual(
        store.require(id).pendingInput.map((p) => p.params),
        [{ v: 2 }],
      );
      store.removePendingInput(id, 'k');
      assert.deepEqual(store.require(id).pendingInput, []);
    });
  });

  describe('bounded output and timeline', () => {
    it('keeps only the last OUTPUT_TAIL_CHARS of output', () => {
      const store = open();
      const { id } = store.create({ serverId: 's', tool: 't' });
      const chunks = ['a'.repeat(OUTPUT_TAIL_CHARS / 2), 'b'.repeat(OUTPUT_TAIL_CHARS / 2), 'c'.repeat(1000), '<end>'];
      const events = record(store);
      for (const chunk of chunks) store.appendOutput(id, chunk);
      store.appendOutput(id, ''); // empty chunks are ignored
      const output = store.require(id).output!;
      assert.equal(output.length, OUTPUT_TAIL_CHARS);
      assert.equal(output, chunks.join('').slice(-OUTPUT_TAIL_CHARS));
      assert.ok(output.endsWith('c'.repeat(1000) + '<end>'));
      assert.ok(output.startsWith('a'), 'the tail keeps part of the oldest chunk still inside the window');
      assert.equal(events.length, chunks.length);
      assert.ok(events.every((e) => e.type === 'output'));
    });

    it('keeps at most TIMELINE_MESSAGE_LIMIT message entries, dropping the oldest, and every status entry', () => {
      const clock = fakeClock();
      const store = open({ now: () => clock.now });
      const { id } = store.create({ serverId: 's', tool: 't' });
      const total = TIMELINE_MESSAGE_LIMIT + 250;
      let statusChanges = 1; // the initial `working`
      for (let i = 0; i < total; i++) {
        clock.tick();
        store.setStatus(id, 'working', `progress ${i}`);
        if (i % 100 === 50) {
          store.setStatus(id, 'input_required', `question ${i}`);
          store.setStatus(id, 'working', `answered ${i}`);
          statusChanges += 2;
        }
      }
      const timeline = store.require(id).timeline;
      const messages = timeline.filter((e) => e.status === undefined);
      const statuses = timeline.filter((e) => e.status !== undefined);
      assert.equal(messages.length, TIMELINE_MESSAGE_LIMIT);
      assert.equal(statuses.length, statusChanges);
      assert.equal(messages[messages.length - 1].message, `progress ${total - 1}`);
      assert.equal(messages[0].message, `progress ${total - TIMELINE_MESSAGE_LIMIT}`);
      for (let i = 1; i < timeline.length; i++) assert.ok(timeline[i - 1].at <= timeline[i].at, 'timeline stays in time order');
    });
  });

  describe('archive and remove', () => {
    it('archive sets archived and archivedAt and emits once', () => {
      const clock = fakeClock();
      const store = open({ now: () => clock.now });
      const { id } = store.create({ serverId: 's', tool: 't' });
      const events = record(store);
      clock.tick(5);
      const archived = store.archive(id);
      assert.equal(archived.archived, true);
      assert.equal(archived.archivedAt, iso(T0 + 5));
      assert.equal(store.archive(id), archived, 'archiving again is a no-op');
      assert.deepEqual(events, [{ type: 'archived', id }]);
      assert.equal(store.get(id), archived, 'an archived task is kept');
    });

    it('remove deletes the task and emits removed', () => {
      const store = open();
      const keep = store.create({ serverId: 's', tool: 't' });
      const { id } = store.create({ serverId: 's', tool: 't' });
      const events = record(store);
      store.remove(id);
      assert.deepEqual(events, [{ type: 'removed', id }]);
      assert.equal(store.get(id), undefined);
      assert.equal(store.size, 1);
      assert.deepEqual(
        store.all().map((r) => r.id),
        [keep.id],
      );
      assert.throws(() => store.remove(id), UnknownTaskError);
    });
  });

  describe('persistence', () => {
    /** A store with one of everything the journal has to carry. */
    function populate(store: TaskStore, clock: { tick: (ms?: number) => number }): void {
      const a = store.create({ serverId: 's', tool: 'build', arguments: { target: 'all' }, intent: 'build it', tags: ['ci'], priority: 5, ttl: 60_000 });
      clock.tick();
      store.update(a.id, { taskId: 'remote-1', wire: '2025-11-25', grantedTtl: 3_600_000, pollInterval: 500 });
      store.appendOutput(a.id, 'compiling\n');
      store.appendOutput(a.id, 'linking\n');
      store.setStatus(a.id, 'input_required', 'confirm?');
      store.addPendingInput(a.id, { key: 'q1', method: 'elicitation/create', params: { message: 'ok?' }, at: iso(T0) });
      clock.tick();
      const b = store.create({ serverId: 's', tool: 'test' });
      store.appendOutput(b.id, 'x'.repeat(OUTPUT_TAIL_CHARS + 10) + 'END');
      store.complete(b.id, 'completed', { result: { content: [{ type: 'text', text: 'passed' }] } }, 'done');
      store.archive(b.id);
      clock.tick();
      const c = store.create({ serverId: 's2', tool: 'deploy' }, { attempt: 2, retryOf: 'old' });
      store.complete(c.id, 'failed', { error: { code: 1, message: 'nope' } });
      store.update(c.id, { retriedAs: 'newer', expired: true });
      clock.tick();
      const d = store.create({ serverId: 's', tool: 'gone' });
      store.remove(d.id);
    }

    it('reopening the same directory gives deep-equal records, including output, timeline, pending input and archived', () => {
      const dir = tempDir();
      const clock = fakeClock();
      const first = open({ directory: dir, now: () => clock.now });
      populate(first, clock);
      const before = snapshot(first);
      const order = first.all().map((r) => r.id);
      first.dispose();
      const problems: string[] = [];
      const second = open({ directory: dir, now: () => clock.now, onProblem: (m) => problems.push(m) });
      assert.deepEqual(snapshot(second), before);
      assert.deepEqual(
        second.all().map((r) => r.id),
        order,
      );
      assert.equal(second.size, 3);
      const a = second.all().find((r) => r.tool === 'build')!;
      assert.equal(a.output, 'compiling\nlinking\n');
      assert.equal(a.pendingInput.length, 1);
      assert.equal(second.all().find((r) => r.tool === 'test')!.archived, true);
      assert.deepEqual(problems, []);
      assertNoRecovery(second);
    });

    it('persists a cleared field: a status message removed in memory stays removed after reopening', () => {
      const dir = tempDir();
      const first = open({ directory: dir });
      const { id } = first.create({ serverId: 's', tool: 't' });
      first.setStatus(id, 'input_required', 'Which branch?');
      first.setStatus(id, 'working'); // no message: the question is no longer current
      first.complete(id, 'completed', { result: 'ok' });
      assert.equal(first.require(id).statusMessage, undefined);
      first.dispose();
      const second = open({ directory: dir });
      assert.equal(second.require(id).statusMessage, undefined, 'a completed task must not come back showing the old question');
    });

    it('persists appends made after reopening', () => {
      const dir = tempDir();
      const clock = fakeClock();
      const first = open({ directory: dir, now: () => clock.now });
      populate(first, clock);
      first.dispose();
      const second = open({ directory: dir, now: () => clock.now });
      const task = second.all().find((r) => r.status === 'input_required')!;
      second.setStatus(task.id, 'working');
      second.complete(task.id, 'completed', { result: 42 });
      const expected = snapshot(second);
      second.dispose();
      const third = open({ directory: dir, now: () => clock.now });
      assert.deepEqual(snapshot(third), expected);
    });

    it('drops a torn last line without a backup and keeps every complete record', () => {
      const dir = tempDir();
      const first = open({ directory: dir });
      for (let i = 0; i < 5; i++) first.create({ serverId: 's', tool: `t${i}` });
      const expected = snapshot(first);
      first.dispose();
      const file = path.join(dir, STORE_FILE);
      fs.appendFileSync(file, '{"op":"put","task":{"id":"half-writ');
      const problems: string[] = [];
      const second = open({ directory: dir, onProblem: (m) => problems.push(m) });
      assert.deepEqual(snapshot(second), expected);
      assert.equal(second.recovery.tornTail, true);
      assert.equal(second.recovery.badLines, 0);
      assert.equal(second.recovery.backupPath, undefined);
      assert.deepEqual(
        fs.readdirSync(dir).filter((name) => name.includes('corrupt')),
        [],
        'no backup for a torn tail',
      );
      assert.equal(problems.length, 1);
      assert.match(problems[0], /incomplete last write/);
      // The recovered file is clean: a later append is not glued onto the torn fragment.
      second.create({ serverId: 's', tool: 'after' });
      const after = snapshot(second);
      second.dispose();
      const problems3: string[] = [];
      const third = open({ directory: dir, onProblem: (m) => problems3.push(m) });
      assert.deepEqual(snapshot(third), after);
      assert.deepEqual(problems3, []);
    });

    function corruptCase(lines: (original: string[]) => string[]) {
      const dir = tempDir();
      const clock = fakeClock();
      const first = open({ directory: dir, now: () => clock.now });
      for (let i = 0; i < 4; i++) {
        clock.tick();
        const task = first.create({ serverId: 's', tool: `t${i}` });
        first.setStatus(task.id, 'working', `step ${i}`);
      }
      const expected = snapshot(first);
      first.dispose();
      const file = path.join(dir, STORE_FILE);
      const original = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
      const corrupted = lines(original).join('\n') + '\n';
      fs.writeFileSync(file, corrupted);
      const problems: string[] = [];
      const second = open({ directory: dir, now: () => clock.now, onProblem: (m) => problems.push(m) });
      return { dir, file, clock, expected, corrupted, problems, second };
    }

    function assertCleanReopen(dir: string, expected: unknown) {
      const problems: string[] = [];
      const again = open({ directory: dir, onProblem: (m) => problems.push(m) });
      assert.deepEqual(snapshot(again), expected);
      assert.deepEqual(problems, []);
      assertNoRecovery(again);
    }

    function assertBackup(dir: string, file: string, corrupted: string, backupPath: string | undefined) {
      const backups = fs.readdirSync(dir).filter((name) => name.startsWith(`${STORE_FILE}.corrupt-`));
      assert.equal(backups.length, 1, `expected one backup, found ${backups.join(', ')}`);
      assert.equal(backupPath, path.join(dir, backups[0]));
      assert.equal(fs.readFileSync(backupPath!, 'utf8'), corrupted, 'the backup holds the original bytes');
      assert.notEqual(fs.readFileSync(file, 'utf8'), corrupted, 'the store file itself was rewritten');
    }

    it('skips a garbage line and a schema-invalid record, backs the file up and says how many', () => {
      const { dir, file, expected, corrupted, problems, second } = corruptCase((lines) => [
        ...lines.slice(0, 3),
        'this is \u0000 not json {{{',
        ...lines.slice(3),
        JSON.stringify({ op: 'put', task: { id: 'bad', serverId: 's', status: 'exploded', createdAt: 'never' } }),
      ]);
      assert.deepEqual(snapshot(second), expected);
      assert.equal(second.recovery.badLines, 2);
      assert.equal(second.recovery.tornTail, false);
      assertBackup(dir, file, corrupted, second.recovery.backupPath);
      assert.equal(problems.length, 1);
      assert.match(problems[0], /\b2 unreadable entries\b/);
      assert.ok(problems[0].includes(second.recovery.backupPath!), 'the message names the backup');
      assertCleanReopen(dir, expected);
    });

    it('backs up a file whose only problem is a schema-invalid record', () => {
      const { dir, file, expected, corrupted, problems, second } = corruptCase((lines) => [
        ...lines.slice(0, 2),
        JSON.stringify({ op: 'put', task: { id: 'bad', tool: 7 } }),
        ...lines.slice(2),
      ]);
      assert.deepEqual(snapshot(second), expected);
      assert.equal(second.recovery.badLines, 1);
      assertBackup(dir, file, corrupted, second.recovery.backupPath);
      assert.match(problems[0], /\b1 unreadable entry was skipped\b/);
      assertCleanReopen(dir, expected);
    });

    it('backs up a file whose only problem is a garbage line', () => {
      const { dir, file, expected, corrupted, problems, second } = corruptCase((lines) => [lines[0], '\u00ff\u00fe garbage', ...lines.slice(1)]);
      assert.deepEqual(snapshot(second), expected);
      assert.equal(second.recovery.badLines, 1);
      assertBackup(dir, file, corrupted, second.recovery.backupPath);
      assert.equal(problems.length, 1);
      assertCleanReopen(dir, expected);
    });

    it('does not throw on well-formed JSON entries of the wrong shape', () => {
      const odd = [
        'null',
        '42',
        '[]',
        '"text"',
        '{}',
        '{"op":"nope"}',
        '{"op":"put"}',
        '{"op":"put","task":null}',
        '{"op":"patch","id":"unknown","set":{"status":"completed"}}',
        '{"op":"out","id":"unknown","chunk":"x"}',
        '{"op":"del","id":"unknown"}',
      ];
      const { dir, expected, problems, second } = corruptCase((lines) => [...lines.slice(0, 4), ...odd, ...lines.slice(4)]);
      assert.deepEqual(snapshot(second), expected);
      assert.ok(second.recovery.badLines >= 7, `badLines ${second.recovery.badLines}`);
      assert.equal(problems.length, 1);
      assertCleanReopen(dir, expected);
    });

    it('survives a crash at any byte of the last 300: never throws, never loses an entry that was fully written', function () {
      this.timeout(10_000);
      const source = tempDir();
      const clock = fakeClock();
      const store = open({ directory: source, now: () => clock.now });
      const file = path.join(source, STORE_FILE);
      // After each write: the journal's length and the state it stands for.
      const states: Array<{ size: number; records: unknown }> = [];
      const mark = () => {
        store.flush();
        states.push({ size: fs.statSync(file).size, records: snapshot(store) });
      };
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        clock.tick();
        ids.push(store.create({ serverId: 's', tool: `tool-${i}`, arguments: { i, text: 'é✓ unicode' } }).id);
        mark();
        store.appendOutput(ids[i], `out ${i} ✓\n`);
        mark();
      }
      store.setStatus(ids[2], 'input_required', 'why?');
      mark();
      store.complete(ids[3], 'completed', { result: 'ok' });
      mark();
      store.appendOutput(ids[7], 'z');
      mark();
      store.update(ids[1], { tags: ['t'] });
      mark();
      store.remove(ids[0]);
      mark();
      for (const chunk of ['a', 'bb', 'ccc']) {
        store.appendOutput(ids[4], chunk);
        mark();
      }
      const bytes = fs.readFileSync(file);
      assert.equal(bytes.length, states[states.length - 1].size);
      assert.ok(states.filter((s) => s.size >= bytes.length - 300).length >= 5, 'the window covers several entries');

      const scratch = tempDir();
      const copy = path.join(scratch, STORE_FILE);
      let cutsWithTornTail = 0;
      for (let cut = bytes.length - 300; cut <= bytes.length; cut++) {
        for (const name of fs.readdirSync(scratch)) fs.rmSync(path.join(scratch, name), { recursive: true });
        fs.writeFileSync(copy, bytes.subarray(0, cut));
        const problems: string[] = [];
        let reopened: TaskStore;
        try {
          reopened = new TaskStore({ directory: scratch, now: () => clock.now, onProblem: (m) => problems.push(m) });
        } catch (error) {
          assert.fail(`opening a journal cut at byte ${cut} of ${bytes.length} threw: ${(error as Error).stack}`);
        }
        try {
          // The state after the last entry that ended at or before the cut; an entry missing only its newline counts too.
          const complete = [...states].reverse().find((s) => s.size <= cut)!;
          const nearly = states.find((s) => s.size === cut + 1);
          const actual = snapshot(reopened);
          if (nearly && isDeepStrictEqual(actual, nearly.records)) continue;
          assert.deepEqual(actual, complete.records, `cut at byte ${cut} of ${bytes.length}`);
          if (complete.size < cut) {
            cutsWithTornTail++;
            assert.equal(reopened.recovery.tornTail, true, `cut at ${cut} should report a torn tail`);
          }
          assert.equal(reopened.recovery.badLines, 0, `cut at ${cut}: a torn tail is not a bad line`);
          assert.deepEqual(
            fs.readdirSync(scratch).filter((n) => n.includes('corrupt')),
            [],
            `cut at ${cut}: a torn tail needs no backup`,
          );
        } finally {
          reopened.dispose();
        }
      }
      assert.ok(cutsWithTornTail > 250, `only ${cutsWithTornTail} cuts landed mid-entry`);
    });
  });

  describe('TTL expiry', () => {
    it('sweepExpired marks finished records past their granted TTL as expired, keeps them and their result, and emits updated', () => {
      const clock = fakeClock();
      const store = open({ now: () => clock.now });
      const a = store.create({ serverId: 's', tool: 't' });
      const b = store.create({ serverId: 's', tool: 't' });
      const unlimited = store.create({ serverId: 's', tool: 't' });
      const noTtl = store.create({ serverId: 's', tool: 't' });
      store.complete(a.id, 'completed', { result: { answer: 42 } });
      store.update(a.id, { grantedTtl: 1000 });
      store.update(b.id, { grantedTtl: 5000 });
      store.complete(b.id, 'failed', { error: { code: -32603, message: 'boom' } });
      store.update(unlimited.id, { grantedTtl: null });
      store.complete(unlimited.id, 'cancelled', {});
      store.complete(noTtl.id, 'completed', {});
      const events = record(store);

      assert.deepEqual(store.sweepExpired(T0 + 999), []);
      assert.equal(store.require(a.id).expired, false);
      assert.deepEqual(events, []);

      assert.deepEqual(store.sweepExpired(T0 + 1000), [a.id]);
      const expired = store.require(a.id);
      assert.equal(expired.expired, true);
      assert.deepEqual(expired.result, { answer: 42 });
      assert.equal(expired.status, 'completed');
      assert.deepEqual(events, [{ type: 'updated', id: a.id }]);
      assert.equal(store.require(b.id).expired, false);

      assert.deepEqual(store.sweepExpired(T0 + 1000), [], 'an expired record is not expired again');
      assert.deepEqual(store.sweepExpired(T0 + 10 ** 12), [b.id]);
      assert.equal(store.require(unlimited.id).expired, false, 'null TTL never expires');
      assert.equal(store.require(noTtl.id).expired, false, 'no TTL never expires');
      assert.equal(store.size, 4);

      const listed = store.all().map((r) => r.id);
      assert.ok(listed.includes(a.id) && listed.includes(b.id), 'expired records are still listed');
    });

    it('sweeps on its own once the earliest TTL runs out', async () => {
      const clock = fakeClock();
      const store = open({ now: () => clock.now });
      const { id } = store.create({ serverId: 's', tool: 't' });
      store.complete(id, 'completed', {});
      const events = record(store);
      store.update(id, { grantedTtl: 15 });
      clock.tick(15); // the store's clock passes the expiry; the real timer fires ~15 ms later
      await waitFor(() => store.require(id).expired, { what: 'the expiry timer' });
      assert.deepEqual(
        events.map((e) => e.type),
        ['updated', 'updated'],
      );
    });

    it('never expires an unfinished record: its server may keep the work past the TTL it first granted; once finished, the TTL counts', async () => {
      const clock = fakeClock();
      const store = open({ now: () => clock.now });
      const { id } = store.create({ serverId: 's', tool: 't' });
      store.update(id, { grantedTtl: 15 });
      clock.tick(1_000);
      assert.deepEqual(store.sweepExpired(), [], 'still running');
      assert.equal(store.require(id).expired, false);
      // The server reports the end with the TTL moved on (the run time plus its retention).
      store.update(id, { grantedTtl: 1_015 });
      store.complete(id, 'completed', { result: { ok: true } });
      assert.equal(store.require(id).expired, false);
      clock.tick(15);
      await waitFor(() => store.require(id).expired, { what: 'the expiry timer, armed when the record finished' });
    });

    it('persists the expired flag', () => {
      const dir = tempDir();
      const clock = fakeClock();
      const store = open({ directory: dir, now: () => clock.now });
      const { id } = store.create({ serverId: 's', tool: 't' });
      store.update(id, { grantedTtl: 10 });
      store.complete(id, 'completed', {});
      store.sweepExpired(T0 + 10);
      const expected = snapshot(store);
      store.dispose();
      const reopened = open({ directory: dir, now: () => clock.now });
      assert.deepEqual(snapshot(reopened), expected);
      assert.equal(reopened.require(id).expired, true);
    });
  });

  describe('compaction', () => {
    it('compact() shrinks a journal of many updates and reopens identical', () => {
      const dir = tempDir();
      const clock = fakeClock();
      const store = open({ directory: dir, now: () => clock.now });
      const ids = Array.from({ length: 5 }, (_, i) => store.create({ serverId: 's', tool: `t${i}` }).id);
      for (let round = 0; round < 200; round++) {
        clock.tick();
        for (const id of ids) {
          store.setStatus(id, 'working', `round ${round}`);
          store.appendOutput(id, `${round}\n`);
        }
      }
      store.flush();
      const file = path.join(dir, STORE_FILE);
      const before = fs.statSync(file).size;
      const expected = snapshot(store);
      store.compact();
      const after = fs.statSync(file).size;
      assert.ok(after < before / 2, `compacted ${before} → ${after} bytes`);
      const [header, ...entries] = fs.readFileSync(file, 'utf8').trim().split('\n');
      assert.match(header, /^\{"op":"snapshot"/, 'a snapshot header first');
      assert.equal(entries.length, ids.length, 'then one entry per task');
      assert.deepEqual(snapshot(store), expected, 'compaction does not change the live state');
      // Writes after compaction append to the new file.
      store.complete(ids[0], 'completed', { result: 'done' });
      const expectedAfter = snapshot(store);
      store.dispose();
      const reopened = open({ directory: dir, now: () => clock.now });
      assert.deepEqual(snapshot(reopened), expectedAfter);
      assert.deepEqual(
        fs.readdirSync(dir).filter((n) => n !== STORE_FILE),
        [],
        'no temp files left behind',
      );
    });

    it("a second store compacting the same file loses none of the first store's later writes", () => {
      const dir = tempDir();
      const first = open({ directory: dir });
      const ids = Array.from({ length: 3 }, (_, i) => first.create({ serverId: 's', tool: `t${i}` }).id);
      for (let round = 0; round < 100; round++) for (const id of ids) first.appendOutput(id, `${round}\n`);
      first.flush();
      // Opening a journal of many updates compacts it: the file is renamed over while `first` holds it open.
      const second = open({ directory: dir });
      second.dispose();
      const late = first.create({ serverId: 's', tool: 'late' });
      first.complete(ids[0], 'completed', { result: 'done' });
      first.flush();
      const expected = snapshot(first);
      first.dispose();
      const reopened = open({ directory: dir });
      assert.ok(reopened.get(late.id), 'the task created after the other compaction is on disk');
      assert.deepEqual(snapshot(reopened), expected);
    });

    it('compacting with writes still pending loses nothing', () => {
      const dir = tempDir();
      const store = open({ directory: dir });
      const { id } = store.create({ serverId: 's', tool: 't' });
      store.appendOutput(id, 'pending');
      store.compact(); // the create and output were not flushed yet
      store.setStatus(id, 'input_required', 'q');
      const expected = snapshot(store);
      store.dispose();
      assert.deepEqual(snapshot(open({ directory: dir })), expected);
    });
  });

  describe('a disk that refuses writes', () => {
    function exercise(store: TaskStore) {
      const a = store.create({ serverId: 's', tool: 't' });
      const b = store.create({ serverId: 's', tool: 't' });
      store.setStatus(a.id, 'input_required', 'q');
      store.appendOutput(a.id, 'out');
      store.complete(b.id, 'completed', { result: 1 });
      store.archive(b.id);
      const c = store.create({ serverId: 's', tool: 't' });
      store.remove(c.id);
      store.flush();
      store.compact();
      return { a, b };
    }

    function assertState(store: TaskStore, ids: { a: TaskRecord; b: TaskRecord }) {
      assert.equal(store.size, 2);
      assert.equal(store.require(ids.a.id).status, 'input_required');
      assert.equal(store.require(ids.a.id).output, 'out');
      assert.equal(store.require(ids.b.id).archived, true);
      assert.equal(store.require(ids.b.id).result, 1);
    }

    it('reports a journal path that turns out to be a directory and keeps working in memory', () => {
      const dir = tempDir();
      const problems: Array<[string, Error | undefined]> = [];
      const store = open({ directory: dir, onProblem: (m, e) => problems.push([m, e]) });
      fs.mkdirSync(path.join(dir, STORE_FILE)); // before the first write opens the file
      let ids!: ReturnType<typeof exercise>;
      assert.doesNotThrow(() => (ids = exercise(store)));
      assertState(store, ids);
      assert.ok(problems.length >= 1);
      assert.ok(
        problems.some(([m]) => m.includes(dir)),
        'a message names the directory',
      );
      assert.ok(problems.every(([, e]) => e instanceof Error));
    });

    it('opens a directory whose journal is a directory without throwing, reports it and works in memory', () => {
      const dir = tempDir();
      fs.mkdirSync(path.join(dir, STORE_FILE));
      const problems: Array<[string, Error | undefined]> = [];
      let store!: TaskStore;
      assert.doesNotThrow(() => (store = open({ directory: dir, onProblem: (m, e) => problems.push([m, e]) })));
      assert.ok(problems.length >= 1, 'the unreadable journal is reported');
      let ids!: ReturnType<typeof exercise>;
      assert.doesNotThrow(() => (ids = exercise(store)));
      assertState(store, ids);
      assert.ok(fs.statSync(path.join(dir, STORE_FILE)).isDirectory(), 'nothing replaced what was there');
    });
  });
});
