import assert from 'node:assert/strict';
import { HistoryMatcher, HistorySearch, parseHistoryQuery } from '../../../src/core/historySearch';
import { Emitter } from '../../../src/core/events';
import type { LifecycleEvent } from '../../../src/core/lifecycleEvents';
import type { TaskRecord } from '../../../src/core/taskRecord';
import { TaskRecordSchema } from '../../../src/core/taskRecord';

const AT = '2026-06-01T10:00:00.000Z';

function record(id: string, extra: Record<string, unknown> = {}): TaskRecord {
  return TaskRecordSchema.parse({ id, serverId: 'tasklane', tool: 'run_command', status: 'completed', createdAt: AT, lastUpdatedAt: AT, ...extra });
}

const ids = (records: readonly TaskRecord[]) => records.map((r) => r.id);

describe('core/historySearch', () => {
  const records = [
    record('build', {
      intent: 'Build the site',
      arguments: { command: 'npm run build' },
      result: { content: [{ type: 'text', text: 'Bundle written to dist/' }] },
    }),
    record('tests', {
      status: 'failed',
      arguments: { command: 'npm test' },
      context: { agent: { name: 'claude-code', version: '2.1' } },
      output: 'AssertionError: expected 3\n',
    }),
    record('wait', { tool: 'wait', serverId: 'remote', status: 'cancelled', context: { agent: { name: 'Copilot' } }, pinned: true }),
    record('queued', { tool: 'wait', status: 'working', queue: { position: 2, size: 5 }, archived: true }),
  ];

  it('parses field tokens, aliases and quoted phrases', () => {
    const query = parseHistoryQuery('tool:run status:running status:Canceled agent:"claude code" is:pinned "npm test" Bundle https://x.y/z');
    assert.deepEqual(query.tools, ['run']);
    assert.deepEqual(query.statuses, ['working', 'cancelled']);
    assert.deepEqual(query.agents, ['claude code']);
    assert.deepEqual(query.flags, ['pinned']);
    assert.deepEqual(query.words, ['npm test', 'bundle', 'https://x.y/z']);
    assert.deepEqual(query.unknown, []);
  });

  it('reports tokens it cannot use and keeps searching with the rest', () => {
    const query = parseHistoryQuery('status:sleeping is:shiny build');
    assert.deepEqual(query.unknown, ['status:sleeping', 'is:shiny']);
    assert.deepEqual(query.statuses, []);
    assert.deepEqual(query.words, ['build']);
  });

  it("filters by tool, status, agent (Editor for the editor's own tasks), server and flags", () => {
    const matcher = new HistoryMatcher();
    const find = (text: string) => ids(matcher.filter(records, parseHistoryQuery(text)));
    assert.deepEqual(find('tool:run_command'), ['build', 'tests']);
    assert.deepEqual(find('status:failed'), ['tests']);
    assert.deepEqual(find('status:failed status:cancelled'), ['tests', 'wait']);
    assert.deepEqual(find('agent:claude'), ['tests']);
    assert.deepEqual(find('agent:editor'), ['build', 'queued']);
    assert.deepEqual(find('server:remote'), ['wait']);
    assert.deepEqual(find('is:pinned'), ['wait']);
    assert.deepEqual(find('is:queued is:archived'), ['queued']);
    assert.deepEqual(find(''), ['build', 'tests', 'wait', 'queued']);
  });

  it('finds free text in intent, arguments, results and output, every word required', () => {
    const matcher = new HistoryMatcher();
    const find = (text: string) => ids(matcher.filter(records, parseHistoryQuery(text)));
    assert.deepEqual(find('site'), ['build']);
    assert.deepEqual(find('"npm run"'), ['build']);
    assert.deepEqual(find('dist/'), ['build']);
    assert.deepEqual(find('assertionerror'), ['tests']);
    assert.deepEqual(find('npm agent:claude'), ['tests']);
    assert.deepEqual(find('npm nothing-like-this'), []);
  });

  it('sees a changed record, because the store replaces records instead of mutating them', () => {
    const matcher = new HistoryMatcher();
    const before = record('x', { intent: 'first' });
    assert.ok(matcher.matches(before, parseHistoryQuery('first')));
    const after = { ...before, intent: 'second' };
    assert.ok(matcher.matches(after, parseHistoryQuery('second')));
    assert.ok(!matcher.matches(after, parseHistoryQuery('first')));
  });

  it('builds each record’s search text once: later searches over 10,000 records read the cached text, not the record', () => {
    const big = Array.from({ length: 10_000 }, (_, i) =>
      record(`r${i}`, {
        intent: `job ${i}`,
        arguments: { command: `make target-${i}` },
        result: { content: [{ type: 'text', text: 'x'.repeat(2000) + (i === 9_999 ? ' needle' : '') }] },
      }),
    );
    // One record counts how often its text is read (the search time itself is a benchmark: bench/historySearch.ts).
    let reads = 0;
    const watched = big[5_000]!;
    const intent = watched.intent;
    Object.defineProperty(watched, 'intent', { get: () => (reads++, intent), enumerable: true });
    const matcher = new HistoryMatcher();
    assert.deepEqual(ids(matcher.filter(big, parseHistoryQuery('needle'))), ['r9999']);
    const afterFirst = reads;
    assert.ok(afterFirst > 0, 'the first search reads the record');
    for (let i = 1; i <= 10; i++) assert.ok(ids(matcher.filter(big, parseHistoryQuery(`target-${i}9 make`))).length >= 1);
    assert.equal(reads, afterFirst, 'later searches use the cached text');
  });

  describe('HistorySearch', () => {
    /** A store in miniature: records replaced, never mutated, and an event for each change. */
    function reader(initial: TaskRecord[]) {
      const changed = new Emitter<LifecycleEvent>();
      let current = initial;
      let reads = 0;
      return {
        all: () => {
          reads++;
          return current;
        },
        onDidLifecycle: changed.event,
        replace(next: TaskRecord) {
          current = current.map((r) => (r.id === next.id ? next : r));
          changed.fire({ type: 'updated', id: next.id });
        },
        get reads() {
          return reads;
        },
      };
    }

    it('searches a changed record by its new text, and no longer by its old one', () => {
      const store = reader(records);
      const search = new HistorySearch(store, new HistoryMatcher());
      assert.deepEqual(ids(search.search(parseHistoryQuery('bundle'))), ['build']);
      store.replace({ ...store.all()[0], intent: 'Deploy the site', result: { content: [{ type: 'text', text: 'Shipped' }] } });
      assert.deepEqual(ids(search.search(parseHistoryQuery('bundle'))), [], 'the same query again, after the change');
      assert.deepEqual(ids(search.search(parseHistoryQuery('shipped'))), ['build']);
      assert.deepEqual(ids(search.search(parseHistoryQuery('deploy'))), ['build']);
      search.dispose();
    });

    it('answers a repeated query without reading the store again, and narrows a refined one to the same answer as a full scan', () => {
      const store = reader(records);
      const search = new HistorySearch(store);
      const full = new HistoryMatcher();
      for (const typed of ['n', 'np', 'npm', 'npm t', 'npm te', 'npm test', 'npm test status:failed', 'npm', 'r', 'ru', 'run', 'run is:archived'])
        assert.deepEqual(ids(search.search(parseHistoryQuery(typed))), ids(full.filter(records, parseHistoryQuery(typed))), typed);
      const reads = store.reads;
      search.search(parseHistoryQuery('run is:archived'));
      assert.equal(store.reads, reads, 'nothing changed, so the store is not read again');
      search.dispose();
    });
  });
});
