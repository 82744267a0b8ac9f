/**
 * Interop matrix, Tasklane's client side: our TaskService + negotiated clients against
 * server-everything (a server we did not write; 2025-11-25 only) over Streamable HTTP, and
 * against our own standalone server on both wires. Test titles carry
 * `[interop <peer>><server> <wire> <op>]`; scripts/interop-table.mjs turns them into docs/interop.md.
 */
import assert from 'node:assert/strict';
import { TaskStore } from '../../../src/core/taskStore';
import { type NegotiatedConnection, NegotiationError, connectHttpServer } from '../../../src/mcp/client/connectServer';
import { TaskService } from '../../../src/mcp/client/taskService';
import { waitFor } from '../helpers/waitFor';
import { type RunningEverything, startEverythingHttp } from '../mcp/v2client/everything';
import { type OurServer, startOurServer } from '../mcp/v2client/helpers';

const EXT = 'io.modelcontextprotocol/tasks';
const tag = (server: string, wire: string, op: string) => `[interop tasklane-client>${server} ${wire} ${op}]`;

const finished = (store: TaskStore, id: string, status = 'completed') => {
  const record = store.get(id);
  return record?.status === status ? record : undefined;
};

describe('interop matrix: Tasklane client × server-everything (Streamable HTTP)', function () {
  this.timeout(30_000);
  let everything: RunningEverything;
  let connection: NegotiatedConnection;
  let store: TaskStore;
  let service: TaskService;
  let researchId: string;

  before(async () => {
    everything = await startEverythingHttp();
    connection = await connectHttpServer(everything.url);
    store = new TaskStore();
    service = new TaskService(store);
    service.addServer({ id: 'everything', name: 'server-everything', kind: 'http', durable: true, client: connection.client });
  });

  after(async () => {
    service?.dispose();
    store?.dispose();
    await connection?.close();
    await everything?.stop();
  });

  it(`${tag('server-everything', '2025-11-25', 'create')} negotiation falls back to 2025-11-25 and tools/call with params.task creates a task`, async () => {
    assert.equal(connection.wire, '2025-11-25');
    const record = await service.start({ serverId: 'everything', tool: 'simulate-research-query', arguments: { topic: 'coral reefs' } });
    assert.ok(record.taskId, 'a task was created');
    assert.equal(record.wire, '2025-11-25');
    researchId = record.id;
  });

  it(`${tag('server-everything', '2025-11-25', 'get')} tasks/get returns the running task with a stage message`, async () => {
    const state = await connection.client.get(store.require(researchId).taskId!);
    assert.ok(['working', 'completed'].includes(state.status));
    assert.equal(state.taskId, store.require(researchId).taskId);
  });

  it(`${tag('server-everything', '2025-11-25', 'result')} the result arrives through tasks/result when the task completes`, async () => {
    const done = await waitFor(() => finished(store, researchId), { what: 'the research result' });
    assert.match(JSON.stringify(done.result), /Research Report: coral reefs/);
  });

  it(`${tag('server-everything', '2025-11-25', 'list')} tasks/list includes the task`, async () => {
    const listed = await service.listRemote('everything');
    assert.ok(listed.some((t) => t.taskId === store.require(researchId).taskId));
  });

  it(`${tag('server-everything', '2025-11-25', 'cancel')} tasks/cancel ends a running task cancelled`, async () => {
    const record = await service.start({ serverId: 'everything', tool: 'simulate-research-query', arguments: { topic: 'to be cancelled' } });
    const cancelled = await service.cancel(record.id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal((await connection.client.get(record.taskId!)).status, 'cancelled');
  });

  it(`${tag('server-everything', '2025-11-25', 'input')} an ambiguous query asks (input_required + elicitation); the answer completes it`, async () => {
    const record = await service.start({ serverId: 'everything', tool: 'simulate-research-query', arguments: { topic: 'python', ambiguous: true } });
    const asking = await waitFor(() => (store.get(record.id)?.pendingInput.length ? store.get(record.id) : undefined), {
      what: 'the clarification question',
    });
    service.answerInput(record.id, asking.pendingInput[0].key, { action: 'accept', content: { interpretation: 'the snake' } });
    const done = await waitFor(() => finished(store, record.id), { what: 'completion' });
    assert.match(JSON.stringify(done.result), /the snake/);
  });

  it(`${tag('server-everything', EXT, '*')} [n.a.: server-everything does not offer the extension] insisting on the extension wire is refused`, async () => {
    await assert.rejects(connectHttpServer(everything.url, { prefer: EXT }), NegotiationError);
  });
});

for (const wire of ['2025-11-25', EXT] as const) {
  describe(`interop matrix: Tasklane client × Tasklane server (${wire})`, function () {
    this.timeout(20_000);
    let server: OurServer;
    let connection: NegotiatedConnection;
    let store: TaskStore;
    let service: TaskService;
    let waitId: string;

    before(async () => {
      server = await startOurServer({ token: 'matrix-token' });
      connection = await connectHttpServer(server.url, { token: 'matrix-token', prefer: wire });
      store = new TaskStore();
      service = new TaskService(store);
      service.addServer({ id: 'ours', name: 'Tasklane', kind: 'http', durable: true, client: connection.client });
    });

    after(async () => {
      service?.dispose();
      store?.dispose();
      await connection?.close();
      await server?.close();
    });

    it(`${tag('tasklane-server', wire, 'create')} a tool call becomes a task`, async () => {
      assert.equal(connection.wire, wire);
      const record = await service.start({ serverId: 'ours', tool: 'wait', arguments: { durationMs: 300, message: 'matrix' } });
      assert.ok(record.taskId);
      assert.equal(record.wire, wire);
      waitId = record.id;
    });

    it(`${tag('tasklane-server', wire, 'get')} tasks/get reads it`, async () => {
      const state = await connection.client.get(store.require(waitId).taskId!);
      assert.ok(['working', 'completed'].includes(state.status));
    });

    it(`${tag('tasklane-server', wire, 'result')} the result arrives (${wire === EXT ? 'inline in the terminal tasks/get' : 'tasks/result'})`, async () => {
      const done = await waitFor(() => finished(store, waitId), { what: 'the result' });
      assert.deepEqual((done.result as { content: unknown[] }).content, [{ type: 'text', text: 'matrix' }]);
    });

    if (wire === '2025-11-25') {
      it(`${tag('tasklane-server', wire, 'list')} tasks/list includes the task`, async () => {
        const listed = await service.listRemote('ours');
        assert.ok(listed.some((t) => t.taskId === store.require(waitId).taskId));
      });
    } else {
      it(`${tag('tasklane-server', wire, 'list')} [n.a.: the extension has no tasks/list] the client does not offer it and the server answers -32601`, async () => {
        assert.equal(connection.client.supportsList, false);
        const response = await fetch(server.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-protocol-version': '2026-07-28',
            'mcp-method': 'tasks/list',
            authorization: 'Bearer matrix-token',
          },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'tasks/list',
            params: {
              _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': { extensions: { [EXT]: {} } } },
            },
          }),
        });
        assert.equal(((await response.json()) as { error: { code: number } }).error.code, -32601);
      });
    }

    it(`${tag('tasklane-server', wire, 'cancel')} tasks/cancel ends a running task cancelled`, async () => {
      const record = await service.start({ serverId: 'ours', tool: 'wait', arguments: { durationMs: 60_000 } });
      await service.cancel(record.id);
      await waitFor(() => finished(store, record.id, 'cancelled'), { what: 'cancelled' });
      assert.equal((await connection.client.get(record.taskId!)).status, 'cancelled');
    });

    it(`${tag('tasklane-server', wire, 'input')} ask: the question becomes pending input; the answer completes the task`, async () => {
      const record = await service.start({ serverId: 'ours', tool: 'ask', arguments: { question: 'Matrix?' } });
      const asking = await waitFor(() => (store.get(record.id)?.pendingInput.length ? store.get(record.id) : undefined), { what: 'the question' });
      service.answerInput(record.id, asking.pendingInput[0].key, { action: 'accept', content: { answer: 'neo' } });
      const done = await waitFor(() => finished(store, record.id), { what: 'completion' });
      assert.deepEqual((done.result as { content: unknown[] }).content, [{ type: 'text', text: 'neo' }]);
    });
  });
}
