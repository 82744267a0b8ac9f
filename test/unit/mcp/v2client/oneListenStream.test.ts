/**
 * The extension-wire client's push channel and early ends: one `subscriptions/listen` stream per
 * server names every awaited task (not one stream per task), and a task created already finished
 * with its outcome in the answer ends without a `tasks/get`.
 */
import assert from 'node:assert/strict';
import { TaskStore } from '../../../../src/core/taskStore';
import { TaskClientV2 } from '../../../../src/mcp/client/v2/taskClientV2';
import { TaskService } from '../../../../src/mcp/client/taskService';
import { waitFor } from '../../helpers/waitFor';
import { DISCOVER_WITH_TASKS, type Json, type OurServer, startFakeServer, startOurServer, taskJson, v2Rig, type V2Rig } from './helpers';

interface ListenCall {
  readonly taskIds: readonly string[];
  readonly signal: AbortSignal;
}

describe('extension wire client: one listen stream per server', function () {
  this.timeout(20_000);
  let server: OurServer;
  let rig: V2Rig;
  const listens: ListenCall[] = [];

  /** Records each subscriptions/listen the client sends; it is open until the client aborts it (it always does once it is done with it). */
  const recordingFetch: typeof fetch = (input, init) => {
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Json) : {};
    if (body.method === 'subscriptions/listen' && init?.signal) listens.push({ taskIds: body.params.notifications.taskIds, signal: init.signal });
    return fetch(input, init);
  };
  const open = () => listens.filter((listen) => !listen.signal.aborted);

  beforeEach(async () => {
    listens.length = 0;
    // A poll interval far beyond the test: every end arrives on the stream.
    server = await startOurServer({ engine: { pollIntervalMs: 60_000 } });
    rig = await v2Rig(server.url, { fetch: recordingFetch });
  });

  afterEach(async () => {
    rig.dispose();
    await server.close();
  });

  it('tasks awaited together share one stream that names them all; it closes when the last one ends', async () => {
    const records = [];
    for (const durationMs of [600, 700, 800]) records.push(await rig.service.start({ serverId: 'tasklane-http', tool: 'wait', arguments: { durationMs } }));
    const taskIds = records.map((record) => record.taskId!);
    const streams = await waitFor(
      () => {
        const now = open();
        return now.length === 1 && taskIds.every((taskId) => now[0].taskIds.includes(taskId)) ? now : undefined;
      },
      { what: 'one open stream naming the three tasks', timeoutMs: 10_000 },
    );
    assert.deepEqual([...streams[0].taskIds].sort(), [...taskIds].sort());
    for (const record of records) assert.equal((await waitFor(() => terminal(rig.store, record.id), { what: `task ${record.id} to end` })).status, 'completed');
    await waitFor(() => open().length === 0, { what: 'the stream to close once nobody waits' });
    assert.ok(listens.length <= records.length, `at most one listen request per task that joined: ${listens.length}`);
  });
});

describe('extension wire client: a task created already finished', function () {
  this.timeout(20_000);

  it('ends from the outcome in the tools/call answer, without a tasks/get', async () => {
    const fake = await startFakeServer(({ body }) => {
      if (body.method === 'server/discover') return { result: DISCOVER_WITH_TASKS };
      if (body.method === 'tools/call')
        return { result: { resultType: 'task', ...taskJson('t-done', 'completed', { result: { content: [{ type: 'text', text: 'done already' }] } }) } };
      return { status: 500, error: { code: -32603, message: `unexpected ${String(body.method)}` } };
    });
    const store = new TaskStore();
    const client = await TaskClientV2.connect({ url: fake.url, notifications: false });
    const service = new TaskService(store);
    service.addServer({ id: 'fake', name: 'fake', kind: 'http', durable: true, client });
    try {
      const record = await service.start({ serverId: 'fake', tool: 'x', arguments: {} });
      const done = await waitFor(() => terminal(store, record.id), { what: 'the task to end' });
      assert.equal(done.status, 'completed');
      assert.equal(done.taskId, 't-done');
      assert.deepEqual((done.result as Json).content, [{ type: 'text', text: 'done already' }]);
      assert.equal(fake.of('tasks/get').length, 0);
    } finally {
      service.dispose();
      client.dispose();
      store.dispose();
      await fake.close();
    }
  });
});

function terminal(store: TaskStore, id: string) {
  const record = store.get(id);
  return record && ['completed', 'failed', 'cancelled'].includes(record.status) ? record : undefined;
}
