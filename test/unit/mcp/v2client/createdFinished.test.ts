/** The extension-wire client: a task created already finished, with its outcome in the answer, ends without a `tasks/get`. */
import assert from 'node:assert/strict';
import { TaskStore } from '../../../../src/core/taskStore';
import { TaskClientV2 } from '../../../../src/mcp/client/v2/taskClientV2';
import { TaskService } from '../../../../src/mcp/client/taskService';
import { waitFor } from '../../helpers/waitFor';
import { DISCOVER_WITH_TASKS, type Json, startFakeServer, taskJson } from './helpers';

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
