import assert from 'node:assert/strict';
import type { TaskStore } from '../../../src/core/taskStore';
import { isTerminal } from '../../../src/core/taskStatus';
import { EMBEDDED_SERVER_ID, type EmbeddedServer } from '../../../src/mcp/embeddedServer';
import type { TaskService } from '../../../src/mcp/client/taskService';
import { type TaskHarness, makeTaskHarness } from '../helpers/taskHarness';
import { waitFor } from '../helpers/waitFor';

describe('TaskService: task families and imported records', () => {
  let store: TaskStore;
  let embedded: EmbeddedServer;
  let service: TaskService;
  let harness: TaskHarness;

  beforeEach(async () => {
    // Each test adds the embedded server itself, once the records it is about are in place.
    harness = await makeTaskHarness({ addServer: false });
    ({ store, embedded, service } = harness);
  });

  afterEach(() => harness.dispose());

  it("names a parent on the same server by that server's task id, so the server links the two", async () => {
    service.addServer(embedded.entry);
    const parent = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 60_000 } });
    const child = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 60_000 }, parentId: parent.id });
    assert.ok(parent.taskId && child.taskId);
    assert.equal(embedded.engine.peek(child.taskId)?.parentTaskId, parent.taskId);
    assert.deepEqual(
      embedded.engine.childrenOf(parent.taskId).map((task) => task.taskId),
      [child.taskId],
    );
    await service.cancel(child.id);
    await service.cancel(parent.id);
  });

  it("names the task to run after by the server's task id, so the server waits for it", async () => {
    service.addServer(embedded.entry);
    const first = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 60_000 } });
    const second = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 10 }, scheduling: { afterTaskId: first.id } });
    assert.ok(first.taskId && second.taskId);
    assert.match(embedded.engine.peek(second.taskId)?.statusMessage ?? '', /^Waiting for task /);
    assert.equal(store.require(second.id).scheduling.afterTaskId, first.id, 'the record keeps the host-local id');
    await service.cancel(first.id);
    await waitFor(() => store.require(second.id).status === 'failed', { what: 'the dependent task to fail with its prerequisite' });
  });

  it("retries an agent's task as the editor's own, also when the agent is long gone", async () => {
    const earlier = store.create({
      serverId: EMBEDDED_SERVER_ID,
      tool: 'wait',
      arguments: { durationMs: 10 },
      context: { agent: { name: 'claude-code', connection: 'http stateless' } },
    });
    store.complete(earlier.id, 'failed', { error: { code: -32603, message: 'Stopped when the window reloaded' } });
    service.addServer(embedded.entry);
    const next = await service.retry(earlier.id);
    assert.equal(next.context.agent, undefined);
    assert.equal(next.retryOf, earlier.id);
    await waitFor(() => isTerminal(store.require(next.id).status), { what: 'the retry to finish' });
  });

  it('never re-attaches, cancels or retries an imported record', async () => {
    const at = new Date().toISOString();
    const base = { serverId: EMBEDDED_SERVER_ID, tool: 'wait', status: 'working', taskId: 'server-task-1', createdAt: at, lastUpdatedAt: at };
    const [copy] = store.importRecords([{ ...base, id: 'copy' }]);
    const interrupted = store.create({ serverId: EMBEDDED_SERVER_ID, tool: 'wait' });
    service.addServer(embedded.entry);
    assert.equal(store.require(interrupted.id).status, 'failed', 'a live record of the non-durable server is ended at start');
    assert.equal(store.require(copy!.id).status, 'working', 'the imported copy keeps the state it was exported in');
    await assert.rejects(service.cancel(copy!.id), /imported task is a read-only copy/);
    await assert.rejects(service.retry(copy!.id), /imported task is a read-only copy/);
  });
});
