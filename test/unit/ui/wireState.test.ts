import assert from 'node:assert/strict';
import { EMBEDDED_SERVER_ID, EMBEDDED_SERVER_NAME } from '../../../src/core/embeddedServer';
import { Emitter } from '../../../src/core/events';
import type { WireEntry, WireLog, WireLogReader } from '../../../src/core/wireLog';
import { detailHtml } from '../../../src/ui/detail/detailHtml';
import { describeCut, describeDropped, formatClock, formatOffset } from '../../../src/ui/detail/format';
import { HostToWebviewSchema, type HostToWebview } from '../../../src/ui/detail/protocol';
import { WireSync, toWireView } from '../../../src/ui/detail/wireState';

// The Wire section's state: what a page is sent of a task's wire log, first whole, then as it grows.

const T0 = Date.UTC(2026, 6, 28, 12, 0, 0);
const TASK = { serverId: 'srv', createdAt: new Date(T0).toISOString() };

function entry(seq: number, patch: Partial<WireEntry> = {}): WireEntry {
  return {
    seq,
    at: new Date(T0 + seq * 100).toISOString(),
    direction: seq % 2 ? 'sent' : 'received',
    transport: 'http',
    kind: seq % 2 ? 'request' : 'response',
    method: 'tasks/get',
    rpcId: seq,
    bytes: 120,
    message: { jsonrpc: '2.0', id: seq, method: 'tasks/get', params: { taskId: '<img src=x onerror=alert(1)>' } },
    http: { method: 'POST', url: 'http://127.0.0.1/mcp', headers: { 'Mcp-Method': 'tasks/get' } },
    flags: [],
    ...patch,
  };
}

/** A reader over logs the test sets, as capture would keep them. */
class TestReader implements WireLogReader {
  private readonly logs = new Map<string, WireLog>();
  private readonly changed = new Emitter<string>();
  readonly onDidChangeWireLog = this.changed.event;
  reads = 0;

  set(log: WireLog | undefined, recordId = 'r1'): void {
    if (log) this.logs.set(recordId, log);
    else this.logs.delete(recordId);
    this.changed.fire(recordId);
  }

  readWireLog(recordId: string): WireLog | undefined {
    this.reads++;
    return this.logs.get(recordId);
  }
}

function log(entries: WireEntry[], dropped = { messages: 0, bytes: 0 }): WireLog {
  return { recordId: 'r1', serverId: 'srv', wire: '2026-07-28', entries, dropped };
}

/** Every message a page is sent passes the page's own schema. */
function valid(messages: HostToWebview[]): HostToWebview[] {
  for (const message of messages) assert.deepEqual(HostToWebviewSchema.parse(message), message);
  return messages;
}

describe('ui/detail: the Wire section', () => {
  it('says capture is off, naming the server, when the task has no log or there is no reader', () => {
    const whole = new WireSync(undefined).whole('r1', TASK);
    assert.deepEqual(valid([whole]), [{ type: 'wire', wire: { capture: 'off', serverId: 'srv', serverName: 'srv' } }]);
    const embedded = toWireView(undefined, { ...TASK, serverId: EMBEDDED_SERVER_ID });
    assert.equal(embedded.capture === 'off' && embedded.serverName, EMBEDDED_SERVER_NAME);
  });

  it('sends the whole log once, with the HTTP side, flags and cuts, absent values as null', () => {
    const reader = new TestReader();
    reader.set(
      log([
        entry(1, { flags: [{ rule: 'T-S-07', text: 'tasks/get answered without lastUpdatedAt' }], cut: { keptBytes: 64 }, bytes: 9000 }),
        entry(2, { http: { status: 200, headers: {} }, method: undefined, rpcId: undefined }),
      ]),
    );
    const [message] = valid([new WireSync(reader).whole('r1', TASK)]);
    assert.equal(message.type, 'wire');
    if (message.type !== 'wire' || message.wire.capture !== 'on') return assert.fail('a log is shown');
    assert.equal(message.wire.taskCreatedAt, TASK.createdAt);
    assert.deepEqual(
      message.wire.entries.map((e) => [e.seq, e.direction, e.method, e.rpcId, e.http?.status ?? null, e.cut, e.flags.map((f) => f.rule)]),
      [
        [1, 'sent', 'tasks/get', 1, null, { keptBytes: 64 }, ['T-S-07']],
        [2, 'received', null, null, 200, null, []],
      ],
    );
    // Hostile text travels as data; the page sets it as text.
    assert.deepEqual(message.wire.entries[0].message, entry(1).message);
  });

  it('sends only what is new as the log grows: one entry of a long log, not the log again', () => {
    const reader = new TestReader();
    const entries = Array.from({ length: 2000 }, (_, i) => entry(i + 1));
    reader.set(log(entries));
    const sync = new WireSync(reader);
    sync.whole('r1', TASK);
    assert.deepEqual(sync.changes('r1', TASK), [], 'nothing changed, nothing sent');
    reader.set(log([...entries, entry(2001)]));
    const messages = valid(sync.changes('r1', TASK));
    assert.deepEqual(
      messages.map((m) => (m.type === 'wireEntries' ? [m.patch.entries.map((e) => e.seq), m.patch.keepFrom] : m.type)),
      [[[2001], 1]],
    );
    // The reader's fresh copy of an unchanged entry is not sent again either.
    reader.set(log([...entries.map((e) => ({ ...e })), entry(2001)]));
    assert.deepEqual(sync.changes('r1', TASK), []);
  });

  it('sends an entry again when capture flags it after the fact', () => {
    const reader = new TestReader();
    reader.set(log([entry(1), entry(2)]));
    const sync = new WireSync(reader);
    sync.whole('r1', TASK);
    reader.set(log([entry(1), entry(2, { flags: [{ rule: 'T-S-03', text: 'the result came before the task was done' }] })]));
    const [message] = valid(sync.changes('r1', TASK));
    assert.ok(message.type === 'wireEntries');
    assert.deepEqual(
      message.patch.entries.map((e) => [e.seq, e.flags]),
      [[2, [{ rule: 'T-S-03', text: 'the result came before the task was done' }]]],
    );
  });

  it('tells the page where the kept log now begins when the bounds drop its oldest entries', () => {
    const reader = new TestReader();
    reader.set(log([entry(1), entry(2), entry(3)]));
    const sync = new WireSync(reader);
    sync.whole('r1', TASK);
    reader.set(log([entry(3), entry(4)], { messages: 2, bytes: 240 }));
    const [message] = valid(sync.changes('r1', TASK));
    assert.ok(message.type === 'wireEntries');
    assert.deepEqual([message.patch.entries.map((e) => e.seq), message.patch.keepFrom, message.patch.dropped], [[4], 3, { messages: 2, bytes: 240 }]);
    // Every entry dropped: the page keeps none.
    reader.set(log([], { messages: 4, bytes: 480 }));
    const [emptied] = valid(sync.changes('r1', TASK));
    assert.deepEqual(emptied, { type: 'wireEntries', patch: { entries: [], keepFrom: 5, dropped: { messages: 4, bytes: 480 } } });
  });

  it('sends the whole section when capture starts or stops for the task', () => {
    const reader = new TestReader();
    const sync = new WireSync(reader);
    assert.equal((sync.whole('r1', TASK) as { wire: { capture: string } }).wire.capture, 'off');
    reader.set(log([entry(1)]));
    assert.deepEqual(
      sync.changes('r1', TASK).map((m) => (m.type === 'wire' ? m.wire.capture : m.type)),
      ['on'],
    );
    reader.set(undefined);
    assert.deepEqual(
      sync.changes('r1', TASK).map((m) => (m.type === 'wire' ? m.wire.capture : m.type)),
      ['off'],
    );
    sync.reset();
    assert.equal(sync.changes('r1', TASK)[0].type, 'wire', 'after a reload the page gets the whole section');
  });

  it('words times, cuts and dropped messages the way the section shows them', () => {
    assert.equal(formatOffset(1204), '+1.204 s');
    assert.equal(formatOffset(0), '+0.000 s');
    assert.equal(formatOffset(-12), '−0.012 s');
    assert.equal(formatOffset(125_310), '+2 m 05.310 s');
    assert.equal(formatOffset(3_725_000), '+1 h 02 m 05 s');
    assert.match(formatClock(new Date(2026, 0, 5, 14, 5, 9, 4).toISOString()), /^14:05:09\.004$/);
    assert.equal(describeDropped({ messages: 42, bytes: 118 * 1024 }), '42 earlier messages (118.0 KB) not kept');
    assert.equal(describeDropped({ messages: 1, bytes: 100 }), '1 earlier message (100 B) not kept');
    assert.equal(describeCut(2 * 1024 * 1024, 4096), 'Cut: 4.0 KB of 2.0 MB kept');
  });

  it('links the section style sheet after the page style sheet, escaped, with no inline style', () => {
    const html = detailHtml({
      cspSource: 'https://x',
      nonce: 'n',
      scriptUri: 'https://x/dist/webview.js',
      styleUri: 'https://x/media/detail.css',
      sectionStyleUris: ['https://x/media/wire.css?a="b"'],
      taskId: 't',
    });
    assert.ok(html.indexOf('media/detail.css') < html.indexOf('href="https://x/media/wire.css?a=&quot;b&quot;"'));
    assert.ok(!/style=|<style/.test(html));
  });
});
