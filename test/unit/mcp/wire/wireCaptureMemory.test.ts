import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WireLogStore } from '../../../../src/core/wireLogStore';
import { WireCaptureManager } from '../../../../src/mcp/client/wireCaptureManager';
import { EMBEDDED_SERVER_ID } from '../../../../src/mcp/embeddedServer';
import { type TaskHarness, makeTaskHarness } from '../../helpers/taskHarness';
import { waitFor } from '../../helpers/waitFor';

describe('Wire capture over the in-memory pair', () => {
  let dir: string;
  let harness: TaskHarness;
  let logs: WireLogStore;
  let capture: WireCaptureManager;
  let captured: Set<string>;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-wire-'));
    harness = await makeTaskHarness({ storeDir: dir });
    logs = new WireLogStore({ directory: dir, lifecycle: harness.store.onDidLifecycle, writeDelayMs: 10 });
    captured = new Set([EMBEDDED_SERVER_ID]);
    capture = new WireCaptureManager(harness.service, harness.store, logs, { isCaptured: (id) => captured.has(id) });
  });

  afterEach(() => {
    capture.dispose();
    logs.dispose();
    harness.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the creating call, its answer, tasks/get and the status notifications of a task, with no flags from the embedded server', async () => {
    const record = await harness.service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 50 } });
    await waitFor(() => harness.store.get(record.id)?.status === 'completed', { what: 'the task to complete' });
    const log = await waitFor(
      () => {
        const read = logs.readWireLog(record.id);
        return read && read.entries.some((entry) => entry.method === 'tasks/result' && entry.kind === 'response') ? read : undefined;
      },
      { what: 'the tasks/result answer in the log' },
    );
    assert.equal(log.serverId, EMBEDDED_SERVER_ID);
    const [first, second] = log.entries;
    assert.deepEqual([first?.direction, first?.kind, first?.method], ['sent', 'request', 'tools/call']);
    assert.deepEqual([second?.direction, second?.kind, second?.method, second?.rpcId], ['received', 'response', 'tools/call', first?.rpcId]);
    assert.ok(log.entries.every((entry) => entry.transport === 'memory'));
    assert.ok(log.entries.some((entry) => entry.method === 'notifications/tasks/status'));
    assert.deepEqual(
      log.entries.flatMap((entry) => entry.flags),
      [],
    );
    assert.deepEqual(
      log.entries.map((entry) => entry.seq),
      log.entries.map((_, index) => index + 1),
    );
  });

  it('survives a reload: the log is on disk, and goes with its record', async () => {
    const record = await harness.service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 10 } });
    await waitFor(() => harness.store.get(record.id)?.status === 'completed', { what: 'the task to complete' });
    await waitFor(() => (logs.readWireLog(record.id)?.entries.length ?? 0) >= 2, { what: 'entries' });
    logs.flush();
    const again = new WireLogStore({ directory: dir });
    assert.deepEqual(again.readWireLog(record.id)?.entries, logs.readWireLog(record.id)?.entries);
    harness.store.remove(record.id);
    assert.equal(again.readWireLog(record.id), undefined);
    again.dispose();
  });

  it('puts no tap on a server whose capture is off, and takes it off when capture goes off', async () => {
    const client = harness.embedded.client as unknown as { transport: { send: unknown; onmessage: unknown } };
    assert.equal(capture.isTapped(EMBEDDED_SERVER_ID), true);
    assert.equal(Object.hasOwn(client.transport, 'send'), true, 'the tap is on send');
    captured.clear();
    capture.refresh();
    assert.equal(capture.isTapped(EMBEDDED_SERVER_ID), false);
    assert.equal(Object.hasOwn(client.transport, 'send'), false, 'send is the transport’s own method again');
    const record = await harness.service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 10 } });
    await waitFor(() => harness.store.get(record.id)?.status === 'completed', { what: 'the task to complete' });
    assert.equal(logs.readWireLog(record.id), undefined);
  });
});
