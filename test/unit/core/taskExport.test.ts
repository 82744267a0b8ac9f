import assert from 'node:assert/strict';
import { asImported, exportFileName, exportFolder, parseExport, recordsForExport, serializeExport } from '../../../src/core/taskExport';
import { InvalidDataError } from '../../../src/core/taskRecord';
import { TaskStore } from '../../../src/core/taskStore';

const START = Date.UTC(2026, 0, 1);

function makeStore(): TaskStore {
  let clock = START;
  return new TaskStore({ now: () => (clock += 1000) });
}

/** A finished task with a timeline, output and result, and a retry linked to it. */
function seed(store: TaskStore) {
  const first = store.create({ serverId: 'tasklane', tool: 'run_command', arguments: { command: 'npm test' }, intent: 'Run the tests' });
  store.appendOutput(first.id, 'FAIL one test\n');
  store.complete(first.id, 'failed', { error: { code: -32603, message: 'Exited with code 1' } }, 'Exited with code 1');
  const second = store.create(
    { serverId: 'tasklane', tool: 'run_command', arguments: { command: 'npm test' }, parentId: first.id },
    { retryOf: first.id, attempt: 2 },
  );
  store.update(first.id, { retriedAs: second.id });
  store.setStatus(second.id, 'working', 'Running 12 tests');
  store.addPendingInput(second.id, { key: 'k1', method: 'elicitation/create', params: { message: 'Go on?' }, at: new Date(START).toISOString() });
  return { first: store.require(first.id), second: store.require(second.id) };
}

describe('core/taskExport', () => {
  it('round-trips records with timeline, output and result into another store', () => {
    const source = makeStore();
    const { first, second } = seed(source);
    const text = serializeExport([first, second], START);
    const parsed = parseExport(text);
    // JSON drops undefined fields; otherwise the records come back as they were.
    assert.deepEqual(parsed, JSON.parse(JSON.stringify([first, second])));
    assert.equal(JSON.parse(text).exportedAt, new Date(START).toISOString());

    const target = makeStore();
    const imported = target.importRecords(parsed);
    assert.deepEqual(
      imported.map((r) => r.id),
      [first.id, second.id],
      'free ids are kept',
    );
    const back = target.require(first.id);
    assert.equal(back.imported, true);
    assert.deepEqual(back.timeline, JSON.parse(JSON.stringify(first.timeline)));
    assert.equal(back.output, 'FAIL one test\n');
    assert.deepEqual(back.error, first.error);
    assert.equal(target.require(second.id).pendingInput.length, 0, 'an imported task has no open question to answer');
  });

  it('gives colliding records fresh ids and re-points the links between them', () => {
    const store = makeStore();
    const { first, second } = seed(store);
    const imported = store.importRecords(parseExport(serializeExport([first, second])));
    assert.equal(store.size, 4);
    const [copyOfFirst, copyOfSecond] = imported;
    assert.notEqual(copyOfFirst!.id, first.id);
    assert.notEqual(copyOfSecond!.id, second.id);
    assert.equal(copyOfFirst!.retriedAs, copyOfSecond!.id);
    assert.equal(copyOfSecond!.retryOf, copyOfFirst!.id);
    assert.equal(copyOfSecond!.parentId, copyOfFirst!.id);
    assert.equal(store.require(first.id).imported, false, 'the originals are untouched');
  });

  it('keeps a link to a record outside the file as it was', () => {
    const [record] = asImported(
      [{ ...makeStore().create({ serverId: 's', tool: 't' }), parentId: 'elsewhere' }],
      () => false,
      () => 'unused',
    );
    assert.equal(record!.parentId, 'elsewhere');
  });

  it('rejects a corrupt or foreign file with one readable error and imports nothing', () => {
    const store = makeStore();
    const { first } = seed(store);
    const good = JSON.parse(serializeExport([first]));
    const cases: [string, RegExp][] = [
      ['{"format": "tasklane-tasks", "version": 1, "tasks": [', /not valid JSON/],
      [JSON.stringify({ tasks: [] }), /no "format": "tasklane-tasks"/],
      [JSON.stringify({ ...good, version: 9 }), /version 9; this Tasklane reads version 1/],
      [JSON.stringify({ ...good, tasks: [{ ...first, status: 'exploded' }] }), /damaged: tasks\.0\.status/],
      [JSON.stringify({ ...good, tasks: [first, first] }), /appears twice/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => parseExport(text),
        (error: Error) => error instanceof InvalidDataError && message.test(error.message),
        text.slice(0, 60),
      );
    }
    const before = store.size;
    assert.throws(
      () =>
        store.importRecords([
          { ...first, id: 'fine' },
          { ...first, id: 'bad', createdAt: 'yesterday' },
        ]),
      /Invalid task 2/,
    );
    assert.equal(store.size, before, 'a bad record stops the whole import');
  });

  it('exports a parent with its children and grandchildren, each once, and they stay linked on import', () => {
    const store = makeStore();
    const spec = (parentId?: string) => ({ serverId: 'tasklane', tool: 'wait', arguments: {}, ...(parentId ? { parentId } : {}) });
    const parent = store.create(spec());
    const child = store.create(spec(parent.id));
    const grandchild = store.create(spec(child.id));
    const unrelated = store.create(spec());
    const ids = (records: readonly { id: string }[]) => records.map((record) => record.id);
    assert.deepEqual(ids(recordsForExport(store.all(), [parent.id])), [parent.id, child.id, grandchild.id]);
    assert.deepEqual(
      ids(recordsForExport(store.all(), [child.id, parent.id, 'gone'])),
      [child.id, grandchild.id, parent.id],
      'a selected child is not repeated',
    );
    assert.deepEqual(ids(recordsForExport(store.all(), [unrelated.id])), [unrelated.id]);

    const target = makeStore();
    const [importedParent, importedChild, importedGrandchild] = target.importRecords(parseExport(serializeExport(recordsForExport(store.all(), [parent.id]))));
    assert.equal(importedChild?.parentId, importedParent?.id);
    assert.equal(importedGrandchild?.parentId, importedChild?.id);
  });

  it('names an export by date and time, and by tool for a single task', () => {
    const at = new Date(2026, 0, 31, 9, 5);
    assert.equal(exportFileName([{ tool: 'wait' }, { tool: 'ask' }], at), 'tasklane-tasks-2026-01-31-0905.json');
    assert.equal(exportFileName([{ tool: 'run_command' }], at), 'tasklane-task-run_command-2026-01-31-0905.json');
    assert.equal(exportFileName([{ tool: 'a/b c' }], at), 'tasklane-task-a_b_c-2026-01-31-0905.json');
  });

  it('offers a folder outside every workspace folder', () => {
    const workspace = ['/home/ada/project', '/srv/other'];
    assert.equal(exportFolder(['/home/ada/Downloads', '/home/ada'], workspace), '/home/ada/Downloads');
    assert.equal(
      exportFolder([undefined, '/home/ada/project/out', '/home/ada/project', '/home/ada'], workspace),
      '/home/ada',
      'the last folder used is skipped when it is inside the workspace',
    );
    assert.equal(exportFolder(['/home/ada/project-notes'], workspace), '/home/ada/project-notes', 'a sibling that shares the prefix is outside');
    assert.equal(exportFolder(['/srv/other'], workspace), undefined);
  });
});
