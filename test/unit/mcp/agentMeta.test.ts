/**
 * Whose a task is and where it runs, on both task wires: an engine that records a machine (a team
 * server) sends `dev.tasklane/agent` in the `_meta` of whatever carries the task (and of each
 * `tasks/list` item), each codec reads it back, and Tasklane's client keeps it in the record's
 * `context.agent`, which the tree groups by.
 */
import assert from 'node:assert/strict';
import { META } from '../../../src/core/meta';
import { machineName } from '../../../src/core/taskRecord';
import { EMBEDDED_SERVER_ID } from '../../../src/mcp/embeddedServer';
import { TASKLANE_CLIENT_INFO } from '../../../src/mcp/identity';
import type { EngineTask } from '../../../src/mcp/engine/engineTask';
import {
  fromStatusNotificationParams,
  fromWireTask,
  toCreateTaskResult,
  toStatusNotificationParams,
  toWireListItem,
  toWireTask,
  toWireTaskResult,
} from '../../../src/mcp/wires/v1/codec';
import { parseTask, parseTaskNotification, toDetailedTask } from '../../../src/mcp/wires/v2/codec';
import { withQueueMeta } from '../../../src/mcp/wires/queueMeta';
import { makeTaskHarness } from '../helpers/taskHarness';
import { waitFor } from '../helpers/waitFor';

const AT = '2026-06-01T12:00:00.000Z';
const AGENT = { name: 'alice', client: { name: 'claude-code', version: '2.0.1' }, machine: 'build-7' };

function engineTask(fields: Partial<EngineTask> = {}): EngineTask {
  return {
    taskId: 't1',
    owner: 'alice',
    tool: 'wait',
    status: 'working',
    createdAt: AT,
    lastUpdatedAt: AT,
    ttl: 60_000,
    pollInterval: 500,
    inputRequests: new Map(),
    agent: { name: 'claude-code', version: '2.0.1', connection: 'http session 1f3a' },
    machine: 'build-7',
    ...fields,
  };
}

type Meta = Record<string, unknown> | undefined;

describe('mcp/wires: dev.tasklane/agent, encoded and decoded by each codec', () => {
  it('2025-11-25: the creation, get and cancel results, a status notification and each list item carry it; the codec reads it back', () => {
    const task = engineTask();
    const created = toCreateTaskResult(task);
    assert.deepEqual((created._meta as Meta)?.[META.agent], AGENT);
    assert.deepEqual(fromWireTask(toWireTask(task), created._meta).agent, AGENT);
    assert.deepEqual(fromWireTask(toWireTask(task), toWireTaskResult(task)._meta).agent, AGENT);
    assert.deepEqual(fromStatusNotificationParams(toStatusNotificationParams(task, 'out')).agent, AGENT);
    const { _meta, ...item } = toWireListItem(task) as ReturnType<typeof toWireTask> & { _meta?: Meta };
    assert.deepEqual(
      _meta,
      { [META.agent]: AGENT, [META.call]: { tool: 'wait', ...(task.arguments ? { arguments: task.arguments } : {}) } },
      'a list item carries whose it is and the call that made it, never the queue place or steps',
    );
    assert.deepEqual(fromWireTask(item, _meta).call, { tool: 'wait', ...(task.arguments ? { arguments: task.arguments } : {}) });
    assert.deepEqual(fromWireTask(item, _meta).agent, AGENT);
  });

  it('2026-07-28: a tasks/get result and a notifications/tasks snapshot carry it; the codec reads it back', () => {
    const task = engineTask();
    assert.deepEqual(parseTask({ ...toDetailedTask(task), resultType: 'complete', ...withQueueMeta(task) }, 'tasks/get').agent, AGENT);
    const parsed = parseTaskNotification({ ...toDetailedTask(task), ...withQueueMeta(task) });
    assert.ok('state' in parsed, JSON.stringify(parsed));
    assert.deepEqual(parsed.state.agent, AGENT);
  });

  it('names no client it does not know, sends nothing for an engine without a machine, and reads nothing malformed', () => {
    assert.deepEqual((toWireTaskResult(engineTask({ agent: undefined }))._meta as Meta)?.[META.agent], { name: 'alice', machine: 'build-7' });
    assert.equal(toWireTaskResult(engineTask({ machine: undefined }))._meta, undefined);
    assert.equal((toWireListItem(engineTask({ machine: undefined })) as { _meta?: unknown })._meta, undefined);
    for (const bad of [{ name: 'alice' }, { machine: 'm' }, { name: '', machine: 'm' }, 'alice', null]) {
      assert.equal(fromWireTask(toWireTask(engineTask()), { [META.agent]: bad }).agent, undefined, JSON.stringify(bad));
    }
    assert.deepEqual(fromWireTask(toWireTask(engineTask()), { [META.agent]: { name: 'a', machine: 'm', client: 7 } }).agent, { name: 'a', machine: 'm' });
  });
});

describe("TaskService keeps a team server's owner and machine in the record", () => {
  it('as context.agent, which names the machine the task runs on', async () => {
    const harness = await makeTaskHarness({ engine: { machine: 'build-7' } });
    try {
      const record = await harness.service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 10 } });
      const done = await waitFor(() => (harness.store.get(record.id)?.status === 'completed' ? harness.store.get(record.id) : undefined), { what: 'the end' });
      assert.equal(done.context.agent?.name, 'editor', 'the owner the server reported');
      assert.equal(done.context.agent?.machine, 'build-7');
      assert.equal(done.context.agent?.client?.name, TASKLANE_CLIENT_INFO.name, 'the client the task was started with');
      assert.equal(machineName(done, 'this-host'), 'build-7');
    } finally {
      harness.dispose();
    }
  });

  it('leaves the context as it was when the server reports no machine, and the task on this machine', async () => {
    const harness = await makeTaskHarness();
    try {
      const record = await harness.service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 10 } });
      const done = await waitFor(() => (harness.store.get(record.id)?.status === 'completed' ? harness.store.get(record.id) : undefined), { what: 'the end' });
      assert.equal(done.context.agent, undefined);
      assert.equal(machineName(done, 'this-host'), 'this-host');
    } finally {
      harness.dispose();
    }
  });
});
