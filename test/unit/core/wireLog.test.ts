import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importedWireLogs, parseExport, parseExportWireLogs, serializeExport } from '../../../src/core/taskExport';
import { TaskStore } from '../../../src/core/taskStore';
import type { WireEntryDraft } from '../../../src/core/wireLogBuffer';
import { WireLogBuffer } from '../../../src/core/wireLogBuffer';
import { WireLogFiles, WireLogUnavailableError } from '../../../src/core/wireLogFiles';
import { WireLogStore } from '../../../src/core/wireLogStore';
import { REDACTED, keepMessage, keptHeaders } from '../../../src/core/wireRedaction';

function draft(bytes: number, method = 'tasks/get'): WireEntryDraft {
  return { at: new Date(0).toISOString(), direction: 'sent', transport: 'memory', kind: 'request', method, rpcId: 1, bytes, message: {}, flags: [] };
}

describe('Wire log: bounds', () => {
  it('keeps the last N messages, counting what went, and never reuses a sequence number', () => {
    const log = new WireLogBuffer('r', 's', 'w');
    for (let i = 0; i < 5; i++) log.add(draft(10), { maxMessages: 3, maxBytes: 1_000 });
    const snapshot = log.snapshot();
    assert.deepEqual(
      snapshot.entries.map((entry) => entry.seq),
      [3, 4, 5],
    );
    assert.deepEqual(snapshot.dropped, { messages: 2, bytes: 20 });
  });

  it('keeps within M bytes, the newest entry always', () => {
    const log = new WireLogBuffer('r', 's', 'w');
    log.add(draft(400), { maxMessages: 100, maxBytes: 1_000 });
    log.add(draft(400), { maxMessages: 100, maxBytes: 1_000 });
    log.add(draft(400), { maxMessages: 100, maxBytes: 1_000 });
    assert.equal(log.snapshot().entries.length, 2);
    log.add(draft(5_000), { maxMessages: 100, maxBytes: 1_000 });
    assert.deepEqual(
      log.snapshot().entries.map((entry) => entry.seq),
      [4],
    );
  });

  it('continues a log read back from disk after its last sequence number', () => {
    const log = new WireLogBuffer('r', 's', 'w');
    log.add(draft(1), { maxMessages: 10, maxBytes: 1_000 });
    const again = new WireLogBuffer('r', 's', 'w', log.snapshot());
    assert.equal(again.add(draft(1), { maxMessages: 10, maxBytes: 1_000 }).seq, 2);
  });
});

describe('Wire log: redaction and cuts', () => {
  it('redacts values under secret-looking keys, at any depth, and leaves protocol names like progressToken and maxTokens alone', () => {
    const { message } = keepMessage(
      {
        params: { arguments: { apiKey: 'k1', nested: [{ Password: 'p', client_secret: 's', githubToken: 't' }], maxTokens: 100 }, _meta: { progressToken: 7 } },
        headers: { Authorization: 'Bearer abc' },
      },
      { secretValues: [], maxStringChars: 100 },
    );
    assert.deepEqual(message, {
      params: {
        arguments: { apiKey: REDACTED, nested: [{ Password: REDACTED, client_secret: REDACTED, githubToken: REDACTED }], maxTokens: 100 },
        _meta: { progressToken: 7 },
      },
      headers: { Authorization: REDACTED },
    });
  });

  it('redacts the values of password inputs wherever they appear', () => {
    const { message } = keepMessage(
      { params: { arguments: { command: 'login --with hunter2-secret now' } } },
      { secretValues: ['hunter2-secret'], maxStringChars: 100 },
    );
    assert.deepEqual(message, { params: { arguments: { command: `login --with ${REDACTED} now` } } });
  });

  it('cuts long strings with a note of their full size', () => {
    const kept = keepMessage({ result: { text: 'x'.repeat(10_000) } }, { secretValues: [], maxStringChars: 100 });
    assert.equal(kept.cut, true);
    const text = (kept.message as { result: { text: string } }).result.text;
    assert.ok(text.startsWith('x'.repeat(100)));
    assert.match(text, /\[cut: 10000 bytes in all\]$/);
  });

  it('keeps only the relevant headers, Authorization without its value', () => {
    const headers = new Headers({ authorization: 'Bearer abc', 'mcp-session-id': 's1', 'x-other': 'o', 'content-type': 'application/json' });
    assert.deepEqual(
      keptHeaders((name) => headers.get(name)),
      { Authorization: `Bearer ${REDACTED}`, 'Mcp-Session-Id': 's1', 'Content-Type': 'application/json' },
    );
  });
});

describe('Wire log: on disk', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-wirelog-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a damaged file is a plain WireLogUnavailableError, and a new log starts over it', () => {
    const files = new WireLogFiles(dir);
    fs.mkdirSync(files.folder, { recursive: true });
    fs.writeFileSync(files.fileOf('r1'), '{"recordId": "r1", "entr');
    const problems: string[] = [];
    const logs = new WireLogStore({ directory: dir, onProblem: (message) => problems.push(message) });
    assert.throws(
      () => logs.readWireLog('r1'),
      (error: Error) => error instanceof WireLogUnavailableError && /damaged/.test(error.message),
    );
    fs.writeFileSync(files.fileOf('r1'), JSON.stringify({ recordId: 'r1', entries: 'no' }));
    assert.throws(() => logs.readWireLog('r1'), WireLogUnavailableError);
    logs.append('r1', 's', 'w', draft(1));
    assert.equal(logs.readWireLog('r1')?.entries.length, 1);
    assert.equal(problems.length, 1);
    logs.dispose();
    assert.equal(new WireLogStore({ directory: dir }).readWireLog('r1')?.entries.length, 1, 'rewritten whole on flush');
  });

  it('is written debounced, not at every message, and deleted with its record', async () => {
    const store = new TaskStore({ directory: dir });
    const record = store.create({ serverId: 's', tool: 't' });
    const logs = new WireLogStore({ directory: dir, lifecycle: store.onDidLifecycle, writeDelayMs: 60_000 });
    const files = new WireLogFiles(dir);
    logs.append(record.id, 's', 'w', draft(1));
    assert.equal(fs.existsSync(files.fileOf(record.id)), false, 'not yet written');
    logs.flush();
    assert.equal(fs.existsSync(files.fileOf(record.id)), true);
    assert.deepEqual(fs.readdirSync(files.folder), [path.basename(files.fileOf(record.id))], 'no temp file left');
    store.remove(record.id);
    assert.equal(fs.existsSync(files.fileOf(record.id)), false);
    logs.dispose();
    store.dispose();
  });
});

describe('Wire log: export and import', () => {
  it('an export carries the wire logs of its tasks, and an import keeps them under the copies’ new ids', () => {
    const store = new TaskStore();
    const record = store.create({ serverId: 's', tool: 't' });
    const logs = new WireLogStore();
    logs.append(record.id, 's', 'w', draft(12, 'tools/call'));
    const text = serializeExport([record], 0, undefined, logs);
    const exported = parseExport(text);
    const carried = parseExportWireLogs(text);
    assert.equal(carried[record.id]?.entries[0]?.method, 'tools/call');
    // Imported beside the original: the copy gets a fresh id, and its log follows it.
    const imported = store.importRecords(exported);
    const moved = importedWireLogs(exported, imported, carried);
    assert.notEqual(imported[0]!.id, record.id);
    assert.deepEqual(
      moved.map((log) => [log.recordId, log.entries.length]),
      [[imported[0]!.id, 1]],
    );
    assert.equal(parseExportWireLogs(serializeExport([record], 0)).constructor, Object, 'a file without logs has none');
    logs.dispose();
    store.dispose();
  });
});
