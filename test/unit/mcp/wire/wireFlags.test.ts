import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { TaskStore } from '../../../../src/core/taskStore';
import type { WireLog } from '../../../../src/core/wireLog';
import { WireLogStore } from '../../../../src/core/wireLogStore';
import { type NegotiatedConnection, connectStdioServer } from '../../../../src/mcp/client/connectServer';
import { TaskService } from '../../../../src/mcp/client/taskService';
import { WireCaptureManager } from '../../../../src/mcp/client/wireCaptureManager';
import { waitFor } from '../../helpers/waitFor';

const RUDE_SERVER = path.resolve(__dirname, '../../../../../test/fixtures/wire/rudeTaskServer.mjs');

/** The checklist ids the log's entries are flagged with, by method. */
function flagsByMethod(log: WireLog): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const entry of log.entries) for (const flag of entry.flags) (found[`${entry.kind} ${entry.method}`] ??= []).push(flag.rule);
  return found;
}

describe('Wire log flags, against a server that breaks three rules on purpose (stdio)', () => {
  let connection: NegotiatedConnection;
  let store: TaskStore;
  let service: TaskService;
  let logs: WireLogStore;
  let capture: WireCaptureManager;

  before(async () => {
    connection = await connectStdioServer(process.execPath, [RUDE_SERVER]);
    store = new TaskStore();
    service = new TaskService(store);
    service.addServer({ id: 'rude', name: 'Rude', kind: 'stdio', durable: true, client: connection.client });
    logs = new WireLogStore();
    capture = new WireCaptureManager(service, store, logs, { isCaptured: () => true });
  });

  after(async () => {
    capture.dispose();
    logs.dispose();
    service.dispose();
    await connection.close();
    store.dispose();
  });

  it('flags T-S-08 (createdAt/lastUpdatedAt not ISO 8601), T-S-13 (tasks/result without related-task _meta) and T-S-07 (a terminal status changed)', async () => {
    const record = await service.start({ serverId: 'rude', tool: 'slow', arguments: {} });
    const log = await waitFor(
      () => {
        const read = logs.readWireLog(record.id);
        return read?.entries.some((entry) => entry.flags.some((flag) => flag.rule === 'T-S-07')) ? read : undefined;
      },
      { what: 'the T-S-07 flag in the log' },
    );
    assert.ok(log.entries.every((entry) => entry.transport === 'stdio'));
    const flags = flagsByMethod(log);
    assert.deepEqual(flags['response tools/call'], ['T-S-08']);
    assert.deepEqual(flags['response tasks/result'], ['T-S-13']);
    const statusFlags = flags['notification notifications/tasks/status'] ?? [];
    assert.ok(statusFlags.includes('T-S-07'), `status notifications flagged ${statusFlags.join(', ')}`);
    assert.ok(statusFlags.every((rule) => rule === 'T-S-08' || rule === 'T-S-07'));
    assert.deepEqual([...new Set(Object.values(flags).flat())].sort(), ['T-S-07', 'T-S-08', 'T-S-13'], 'no other rule is flagged');
    const entry = log.entries.find((e) => e.flags.some((flag) => flag.rule === 'T-S-07'))!;
    assert.match(entry.flags.find((flag) => flag.rule === 'T-S-07')!.text, /completed.*failed/);
    // Sent messages are Tasklane's own: never flagged.
    assert.ok(log.entries.filter((e) => e.direction === 'sent').every((e) => e.flags.length === 0));
  });
});
