import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RESULTS_FOLDER } from '../../../src/core/resultFiles';
import { STORE_FILE } from '../../../src/core/storeJournal';
import { parseExport, serializeExport } from '../../../src/core/taskExport';
import { ResultUnavailableError, RESULT_PREVIEW_CHARS } from '../../../src/core/taskResult';
import { TaskStore, type TaskStoreOptions } from '../../../src/core/taskStore';
import { displayResult } from '../../../src/ui/detail/resultDisplay';

const MB = 1024 * 1024;

/** A tool result whose one text block is `bytes` long (ASCII, so characters are bytes). */
function resultOf(bytes: number, fill = 'x'): { content: { type: 'text'; text: string }[] } {
  return { content: [{ type: 'text', text: fill.repeat(bytes) }] };
}

describe('core/result side files', () => {
  const opened: TaskStore[] = [];
  const dirs: string[] = [];

  function open(options: TaskStoreOptions = {}): TaskStore {
    const store = new TaskStore(options);
    opened.push(store);
    return store;
  }

  function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-results-'));
    dirs.push(dir);
    return dir;
  }

  function finished(store: TaskStore, result: unknown, id?: string) {
    const record = store.create({ serverId: 's', tool: 'run_command', arguments: { command: 'make report' } }, id ? { id } : {});
    return store.complete(record.id, 'completed', { result });
  }

  const resultFolder = (dir: string) => path.join(dir, RESULTS_FOLDER);
  const sideFiles = (dir: string) => (fs.existsSync(resultFolder(dir)) ? fs.readdirSync(resultFolder(dir)) : []);

  afterEach(() => {
    for (const store of opened.splice(0)) store.dispose();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes a 3 MB result to a side file, keeps the journal small, and reads it back after a reopen', () => {
    const dir = tempDir();
    const store = open({ directory: dir });
    const result = resultOf(3 * MB);
    const record = finished(store, result, 'big-1');
    store.flush();

    assert.equal(record.result, undefined, 'the record does not hold the result');
    assert.ok(record.resultFile, 'the record refers to its side file');
    assert.ok(record.resultFile.bytes > 3 * MB && record.resultFile.bytes < 3 * MB + 100, `size ${record.resultFile.bytes}`);
    assert.equal(record.resultFile.preview.length, RESULT_PREVIEW_CHARS);
    assert.deepEqual(sideFiles(dir), ['big-1.json']);
    const journalBytes = fs.statSync(path.join(dir, STORE_FILE)).size;
    assert.ok(journalBytes < 8 * 1024, `the journal is ${journalBytes} bytes`);

    store.dispose();
    const reopened = open({ directory: dir });
    const again = reopened.require('big-1');
    assert.equal(again.result, undefined, 'reopening does not load the result');
    assert.deepEqual(again.resultFile, record.resultFile);
    assert.deepEqual(reopened.readResult(again), result);
  });

  it('keeps results up to the limit in the record, and honours the threshold setting', () => {
    const dir = tempDir();
    let limitKb = 1024;
    const store = open({ directory: dir, resultSideFileBytes: () => limitKb * 1024 });
    const small = finished(store, resultOf(200 * 1024), 'small');
    assert.ok(small.result !== undefined && small.resultFile === undefined, '200 KB stays in the record under a 1 MB limit');
    limitKb = 100;
    const aside = finished(store, resultOf(200 * 1024), 'aside');
    assert.ok(aside.result === undefined && aside.resultFile !== undefined, '200 KB goes aside under a 100 KB limit');
    limitKb = 8 * 1024;
    const large = finished(store, resultOf(3 * MB), 'large');
    assert.ok(large.result !== undefined && large.resultFile === undefined, '3 MB stays in the record under an 8 MB limit');
    assert.deepEqual(sideFiles(dir), ['aside.json']);
  });

  it('keeps a large result in memory in a store without a directory', () => {
    const store = open();
    const result = resultOf(3 * MB);
    const record = finished(store, result);
    assert.equal(record.resultFile, undefined);
    assert.equal(record.result, result);
    assert.equal(store.readResult(record), result);
  });

  it('deletes side files with their records, by remove and by removeMany', () => {
    const dir = tempDir();
    const store = open({ directory: dir });
    for (const id of ['a', 'b', 'c']) finished(store, resultOf(2 * MB), id);
    assert.deepEqual(sideFiles(dir).sort(), ['a.json', 'b.json', 'c.json']);
    store.remove('a');
    assert.deepEqual(sideFiles(dir).sort(), ['b.json', 'c.json']);
    assert.equal(store.removeMany(['b', 'c', 'gone']), 2);
    assert.deepEqual(sideFiles(dir), []);
  });

  it('sweeps side files no record refers to when the store opens', () => {
    const dir = tempDir();
    const store = open({ directory: dir });
    finished(store, resultOf(2 * MB), 'kept');
    store.dispose();
    fs.writeFileSync(path.join(resultFolder(dir), 'orphan.json'), '{}');
    fs.writeFileSync(path.join(resultFolder(dir), 'kept.json.tmp-1234'), '{"content":');
    open({ directory: dir });
    assert.deepEqual(sideFiles(dir), ['kept.json']);
  });

  it('names a side file that is gone or damaged in a plain error, and the panel shows it instead of failing', () => {
    const dir = tempDir();
    const store = open({ directory: dir });
    const missing = finished(store, resultOf(2 * MB), 'missing');
    const damaged = finished(store, resultOf(2 * MB), 'damaged');
    fs.rmSync(path.join(resultFolder(dir), 'missing.json'));
    fs.writeFileSync(path.join(resultFolder(dir), 'damaged.json'), '{"content":[{"type":"te');

    assert.throws(
      () => store.readResult(missing),
      (error: Error) => error instanceof ResultUnavailableError && /^The result of "make report" is no longer on disk/.test(error.message),
    );
    assert.throws(
      () => store.readResult(damaged),
      (error: Error) => error instanceof ResultUnavailableError && /is no longer on disk intact: .*damaged\.json is damaged/.test(error.message),
    );
    const shown = displayResult(missing, store);
    assert.equal(shown.kind, 'unavailable');
    assert.match(shown.kind === 'unavailable' ? shown.message : '', /no longer on disk/);
    assert.throws(() => serializeExport([damaged], 0, store), ResultUnavailableError, 'an export does not quietly leave the result out');
  });

  it('exports the whole result, and an import of it goes aside again', () => {
    const dir = tempDir();
    const store = open({ directory: dir });
    const result = resultOf(3 * MB, 'é');
    const record = finished(store, result, 'exported');
    const text = serializeExport([record], 0, store);
    const [read] = parseExport(text);
    assert.deepEqual(read!.result, result, 'the file holds the whole result');
    assert.equal(read!.resultFile, undefined);

    const target = open({ directory: tempDir() });
    const [imported] = target.importRecords([read]);
    assert.equal(imported!.result, undefined);
    assert.ok(imported!.resultFile);
    assert.deepEqual(target.readResult(imported!), result);
  });
});
