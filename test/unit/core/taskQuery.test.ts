import assert from 'node:assert/strict';
import { InvalidCursorError, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, type TaskQuery, encodeCursor } from '../../../src/core/taskQuery';
import type { TaskRecord } from '../../../src/core/taskRecord';
import { TaskStore } from '../../../src/core/taskStore';

const START = Date.UTC(2025, 0, 1);

/** An in-memory store whose clock only moves when the test says so. */
function makeStore(): { store: TaskStore; tick: (ms?: number) => void } {
  let clock = START;
  const store = new TaskStore({ now: () => clock });
  return { store, tick: (ms = 1) => (clock += ms) };
}

/** Every page for `query`, following nextCursor to the end. */
function collect(store: TaskStore, query: TaskQuery): { items: TaskRecord[]; pages: number } {
  const items: TaskRecord[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = store.query({ ...query, cursor });
    pages++;
    assert.ok(pages < 100_000, 'pagination does not terminate');
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { items, pages };
}

const ids = (records: readonly TaskRecord[]) => records.map((r) => r.id);

describe('core/taskQuery over 10,000 tasks', function () {
  this.timeout(10_000);
  const TOTAL = 10_000;
  let store: TaskStore;
  /** Ids in creation order, oldest first. */
  let created: string[];

  before(() => {
    const made = makeStore();
    store = made.store;
    created = [];
    for (let i = 0; i < TOTAL; i++) {
      made.tick();
      created.push(store.create({ serverId: `server-${i % 3}`, tool: `tool-${i % 5}`, arguments: { n: i } }).id);
    }
  });

  after(() => store.dispose());

  it('pages of 100 return every task exactly once, newest first, and the last page has no nextCursor', () => {
    const items: TaskRecord[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = store.query({ limit: 100, cursor });
      pages++;
      assert.ok(page.items.length <= 100);
      items.push(...page.items);
      if (page.nextCursor === undefined) break;
      assert.equal(page.items.length, 100, 'only the last page may be short');
      assert.equal(typeof page.nextCursor, 'string');
      cursor = page.nextCursor;
    }
    assert.equal(pages, TOTAL / 100);
    assert.equal(items.length, TOTAL);
    assert.equal(new Set(ids(items)).size, TOTAL, 'no task twice');
    assert.deepEqual(ids(items), [...created].reverse(), 'newest first');
    for (let i = 1; i < items.length; i++) assert.ok(items[i - 1].createdAt > items[i].createdAt);
  });

  it('uses the default page size without a limit', () => {
    const page = store.query();
    assert.equal(page.items.length, DEFAULT_PAGE_SIZE);
    assert.ok(page.nextCursor);
  });

  it('filters by status, serverId and tool, and pages through filtered results', () => {
    const { items } = collect(store, { serverId: 'server-1', tool: 'tool-2', limit: 37 });
    const expected = [...created].reverse().filter((_, j) => {
      const i = TOTAL - 1 - j;
      return i % 3 === 1 && i % 5 === 2;
    });
    assert.equal(items.length, expected.length);
    assert.deepEqual(ids(items), expected);
    assert.ok(items.every((r) => r.serverId === 'server-1' && r.tool === 'tool-2'));
  });
});

describe('core/taskQuery filters', () => {
  let store: TaskStore;
  let tick: (ms?: number) => void;

  beforeEach(() => {
    ({ store, tick } = makeStore());
  });

  afterEach(() => store.dispose());

  function add(spec: Parameters<TaskStore['create']>[0]): TaskRecord {
    tick();
    return store.create(spec);
  }

  it('filters by one or several statuses; an empty status list means all', () => {
    const working = add({ serverId: 's', tool: 't' });
    const waiting = add({ serverId: 's', tool: 't' });
    const done = add({ serverId: 's', tool: 't' });
    const failed = add({ serverId: 's', tool: 't' });
    store.setStatus(waiting.id, 'input_required');
    store.complete(done.id, 'completed', { result: { ok: true } });
    store.complete(failed.id, 'failed', { error: { code: -1, message: 'x' } });
    assert.deepEqual(ids(store.query({ status: ['working'] }).items), [working.id]);
    assert.deepEqual(ids(store.query({ status: ['input_required'] }).items), [waiting.id]);
    assert.deepEqual(ids(store.query({ status: ['completed', 'failed'] }).items), [failed.id, done.id]);
    assert.deepEqual(ids(store.query({ status: ['cancelled'] }).items), []);
    assert.equal(store.query({ status: [] }).items.length, 4);
  });

  it('filters by serverId and tool exactly', () => {
    const a = add({ serverId: 'alpha', tool: 'build' });
    const b = add({ serverId: 'beta', tool: 'build' });
    const c = add({ serverId: 'alpha', tool: 'test' });
    assert.deepEqual(ids(store.query({ serverId: 'alpha' }).items), [c.id, a.id]);
    assert.deepEqual(ids(store.query({ tool: 'build' }).items), [b.id, a.id]);
    assert.deepEqual(ids(store.query({ serverId: 'alpha', tool: 'build' }).items), [a.id]);
    assert.deepEqual(ids(store.query({ serverId: 'alph' }).items), [], 'no prefix match');
    assert.deepEqual(ids(store.query({ serverId: 'gamma' }).items), []);
  });

  it('matches text case-insensitively against intent, arguments and tags', () => {
    const byIntent = add({ serverId: 's', tool: 't', intent: 'Rebuild the Docs site' });
    const byArgs = add({ serverId: 's', tool: 't', arguments: { path: '/srv/Frobnicate/main.c', depth: 3 } });
    const byTag = add({ serverId: 's', tool: 't', tags: ['nightly', 'Release-Candidate'] });
    add({ serverId: 's', tool: 't', intent: 'unrelated' });
    assert.deepEqual(ids(store.query({ text: 'docs SITE' }).items), [byIntent.id]);
    assert.deepEqual(ids(store.query({ text: 'frobnicate' }).items), [byArgs.id]);
    assert.deepEqual(ids(store.query({ text: 'release-candidate' }).items), [byTag.id]);
    assert.deepEqual(ids(store.query({ text: '  NIGHTLY ' }).items), [byTag.id], 'surrounding spaces are ignored');
    assert.deepEqual(ids(store.query({ text: 'no such words' }).items), []);
    assert.equal(store.query({ text: '' }).items.length, 4, 'empty text matches everything');
  });

  it('leaves archived tasks out by default, returns only them with archived: true, and both with "any"', () => {
    const live = add({ serverId: 's', tool: 't' });
    const archived = add({ serverId: 's', tool: 't' });
    store.archive(archived.id);
    assert.deepEqual(ids(store.query().items), [live.id]);
    assert.deepEqual(ids(store.query({ archived: false }).items), [live.id]);
    assert.deepEqual(ids(store.query({ archived: true }).items), [archived.id]);
    assert.deepEqual(ids(store.query({ archived: 'any' }).items), [archived.id, live.id]);
  });

  it('combines filters with pagination without skipping or repeating', () => {
    const expected: string[] = [];
    for (let i = 0; i < 250; i++) {
      const record = add({ serverId: 's', tool: 't', tags: i % 4 === 0 ? ['wanted'] : ['other'] });
      if (i % 4 === 0) expected.unshift(record.id);
    }
    const { items, pages } = collect(store, { text: 'wanted', limit: 7 });
    assert.deepEqual(ids(items), expected);
    assert.equal(pages, Math.ceil(expected.length / 7));
  });

  it('orders tasks created in the same millisecond consistently across pages', () => {
    const made: string[] = [];
    tick();
    for (let i = 0; i < 50; i++) made.push(store.create({ serverId: 's', tool: 't' }).id);
    const { items } = collect(store, { limit: 3 });
    assert.equal(items.length, 50);
    assert.deepEqual([...ids(items)].sort(), [...made].sort());
    assert.equal(new Set(ids(items)).size, 50);
  });

  it('keeps keyset semantics when tasks are added and removed between page fetches', () => {
    const original: string[] = [];
    for (let i = 0; i < 300; i++) original.unshift(add({ serverId: 's', tool: 't' }).id); // newest first
    const seen: string[] = [];
    const removedUnseen = new Set<string>();
    let cursor: string | undefined;
    let round = 0;
    do {
      const page = store.query({ limit: 25, cursor });
      seen.push(...ids(page.items));
      cursor = page.nextCursor;
      round++;
      // Between fetches: add newer tasks, remove the task the cursor names, one seen task and one not yet seen.
      for (let k = 0; k < 5; k++) add({ serverId: 's', tool: 't' });
      const last = page.items[page.items.length - 1];
      if (last && store.get(last.id)) store.remove(last.id);
      const seenVictim = seen[Math.floor(seen.length / 2)];
      if (store.get(seenVictim)) store.remove(seenVictim);
      const unseen = original.filter((id) => !seen.includes(id) && store.get(id));
      if (unseen.length > 3) {
        const victim = unseen[(round * 7) % unseen.length];
        store.remove(victim);
        removedUnseen.add(victim);
      }
    } while (cursor !== undefined);
    assert.equal(new Set(seen).size, seen.length, 'no duplicates');
    assert.ok(
      seen.every((id) => original.includes(id)),
      'tasks added after the first page are not returned',
    );
    const expected = original.filter((id) => !removedUnseen.has(id));
    assert.deepEqual(seen, expected, 'every pre-existing task not removed before its turn, in order');
  });

  it('continues correctly when the cursor task itself was removed', () => {
    const all: string[] = [];
    for (let i = 0; i < 10; i++) all.unshift(add({ serverId: 's', tool: 't' }).id);
    const first = store.query({ limit: 4 });
    store.remove(first.items[3].id);
    const second = store.query({ limit: 4, cursor: first.nextCursor });
    assert.deepEqual(ids(second.items), all.slice(4, 8));
  });
});

describe('core/taskQuery cursors and limits', () => {
  let store: TaskStore;

  // Shared and read-only: more tasks than MAX_PAGE_SIZE, so a maximal page still has a next one.
  before(() => {
    const made = makeStore();
    store = made.store;
    for (let i = 0; i < MAX_PAGE_SIZE + 200; i++) {
      made.tick();
      store.create({ serverId: 's', tool: 't' });
    }
  });

  after(() => store.dispose());

  const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

  for (const [name, cursor] of [
    ['the empty string', ''],
    ['garbage', 'garbage'],
    ['non-base64 characters', '%%%***'],
    ['base64 of an object', b64({ createdAt: '2025-01-01T00:00:00.000Z', id: 'x' })],
    ['base64 of a one-element array', b64(['2025-01-01T00:00:00.000Z'])],
    ['base64 of a three-element array', b64(['2025-01-01T00:00:00.000Z', 'x', 'y'])],
    ['base64 of an array with a non-date', b64(['yesterday', 'x'])],
    ['base64 of an array with numbers', b64([1, 2])],
    ['base64 of null', b64(null)],
    ['base64 of non-JSON text', b64('["2025-01-01T00:00:00.000Z",')],
  ] as const) {
    it(`rejects a cursor that is ${name} with InvalidCursorError`, () => {
      assert.throws(() => store.query({ cursor }), InvalidCursorError);
    });
  }

  it('rejects a real cursor whose bytes were edited', () => {
    const cursor = store.query({ limit: 10 }).nextCursor!;
    assert.doesNotThrow(() => store.query({ cursor }));
    const edits: Array<[string, string]> = [
      ['truncated by one character', cursor.slice(0, -1)],
      ['truncated by half', cursor.slice(0, cursor.length >> 1)],
      ['first character changed', (cursor[0] === 'A' ? 'B' : 'A') + cursor.slice(1)],
      ['junk appended', cursor + 'AAAA'],
      ['a non-alphabet character inserted', cursor.slice(0, 5) + '!' + cursor.slice(5)],
      ['whitespace prepended', ' ' + cursor],
      ['padding appended', cursor + '=='],
    ];
    for (const [what, edited] of edits) {
      assert.notEqual(edited, cursor);
      assert.throws(() => store.query({ cursor: edited }), InvalidCursorError, `cursor ${what} was accepted`);
    }
  });

  it('returns the same page for the same cursor (cursors are stable)', () => {
    const cursor = store.query({ limit: 10 }).nextCursor!;
    assert.deepEqual(ids(store.query({ limit: 10, cursor }).items), ids(store.query({ limit: 10, cursor }).items));
    const page = store.query({ limit: 10 });
    assert.equal(page.nextCursor, encodeCursor({ createdAt: page.items[9].createdAt, id: page.items[9].id }));
  });

  it('clamps the limit to [1, MAX_PAGE_SIZE]', () => {
    assert.equal(MAX_PAGE_SIZE, 1000);
    const cases: Array<[number, number]> = [
      [0, 1],
      [-5, 1],
      [-Infinity, 1],
      [1, 1],
      [0.5, 1],
      [2.9, 2],
      [MAX_PAGE_SIZE, MAX_PAGE_SIZE],
      [MAX_PAGE_SIZE + 1, MAX_PAGE_SIZE],
      [1e9, MAX_PAGE_SIZE],
      [Infinity, MAX_PAGE_SIZE],
    ];
    for (const [limit, expected] of cases) {
      const page = store.query({ limit });
      assert.equal(page.items.length, expected, `limit ${limit}`);
      assert.ok(page.nextCursor, `limit ${limit} leaves more to fetch`);
    }
  });

  it('does not return more than MAX_PAGE_SIZE for a non-numeric limit', () => {
    const page = store.query({ limit: Number.NaN });
    assert.ok(page.items.length >= 1 && page.items.length <= MAX_PAGE_SIZE, `NaN limit returned ${page.items.length} items`);
    assert.equal(page.items.length, DEFAULT_PAGE_SIZE, 'a NaN limit falls back to the default page size');
  });
});
