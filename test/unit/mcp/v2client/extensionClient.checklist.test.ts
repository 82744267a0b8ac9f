/**
 * The client MUSTs of the `io.modelcontextprotocol/tasks` extension (shared/docs/mcp-tasks.md
 * §2.2, T-C-09..T-C-15, and T-C-06 on this wire), plus the client SHOULDs we implement
 * (T-CS-02, T-CS-09, T-CS-12, T-CS-13). Each test names its id. They drive TaskClientV2 and
 * TaskService against our own server (through a recording proxy, so the wire itself is checked)
 * and against a fake responder where a server misbehaviour has to be provoked.
 */
import assert from 'node:assert/strict';
import { TaskStore } from '../../../../src/core/taskStore';
import { TaskClientV2 } from '../../../../src/mcp/client/v2/taskClientV2';
import { InvalidResponseError } from '../../../../src/mcp/wires/v2/codec';
import { TaskService } from '../../../../src/mcp/client/taskService';
import { decodeHeaderValue } from '../../../../src/mcp/wires/v2/protocol';
import { waitFor } from '../../helpers/waitFor';
import {
  DISCOVER_WITH_TASKS,
  type FakeServer,
  type Json,
  type OurServer,
  type RecordingProxy,
  SERVER_ID,
  type SeenRequest,
  TASKS,
  startFakeServer,
  startOurServer,
  startRecordingProxy,
  taskJson,
  v2Rig,
  type V2Rig,
} from './helpers';

const CAPS = 'io.modelcontextprotocol/clientCapabilities';

function declaresExtension(request: SeenRequest): boolean {
  const meta = request.body.params?._meta ?? {};
  return (
    meta['io.modelcontextprotocol/protocolVersion'] === '2026-07-28' &&
    typeof meta['io.modelcontextprotocol/clientInfo']?.name === 'string' &&
    JSON.stringify(meta[CAPS]?.extensions?.[TASKS]) === '{}'
  );
}

const terminal = (store: TaskStore, id: string) => {
  const record = store.get(id);
  return record && ['completed', 'failed', 'cancelled'].includes(record.status) ? record : undefined;
};

describe('extension wire, client MUSTs (T-C-09..T-C-15) and SHOULDs', function () {
  this.timeout(20_000);

  describe('against our server, through a recording proxy', () => {
    let server: OurServer;
    let proxy: RecordingProxy;
    let rig: V2Rig;

    beforeEach(async () => {
      server = await startOurServer({ token: 'checklist' });
      proxy = await startRecordingProxy(server.url);
      rig = await v2Rig(proxy.url, { token: 'checklist' });
    });

    afterEach(async () => {
      rig.dispose();
      await proxy.close();
      await server.close();
    });

    it('T-C-09: accepts both a CallToolResult (resultType "complete") and a CreateTaskResult (resultType "task") for tools/call', async () => {
      const plain = await rig.client.start('greet', { name: 'both' });
      assert.equal(plain.kind, 'result');
      assert.deepEqual(plain.kind === 'result' && plain.outcome.result?.content, [{ type: 'text', text: 'Hello, both!' }]);
      const task = await rig.client.start('slow_compute', { seconds: 0.05 });
      assert.equal(task.kind, 'task');
      assert.equal(task.kind === 'task' && task.task.status, 'working');
      const answers = proxy.of('tools/call');
      assert.equal(answers.length, 2);
      // And through the service: each shape ends as a record.
      const sync = await rig.service.start({ serverId: SERVER_ID, tool: 'greet', arguments: { name: 'svc' } });
      assert.equal(sync.status, 'completed');
      const asTask = await rig.service.start({ serverId: SERVER_ID, tool: 'slow_compute', arguments: { seconds: 0.05 } });
      assert.ok(asTask.taskId);
      assert.equal((await waitFor(() => terminal(rig.store, asTask.id), { what: 'the task' })).status, 'completed');
    });

    it('T-C-11: declares io.modelcontextprotocol/tasks in the per-request clientCapabilities on tools/call, every tasks/* request and subscriptions/listen', async () => {
      const record = await rig.service.start({ serverId: SERVER_ID, tool: 'ask', arguments: { question: 'Declared?' } });
      const asking = await waitFor(() => (rig.store.get(record.id)?.pendingInput.length ? rig.store.get(record.id) : undefined), { what: 'the question' });
      rig.service.answerInput(record.id, asking.pendingInput[0].key, { action: 'accept', content: { answer: 'yes' } });
      await waitFor(() => terminal(rig.store, record.id), { what: 'the end' });
      // Notifications may have carried every change so far: read once more the way a poll does.
      await rig.client.get(record.taskId!);
      const waiting = await rig.service.start({ serverId: SERVER_ID, tool: 'wait', arguments: { durationMs: 60_000 } });
      await rig.service.cancel(waiting.id);
      await waitFor(() => terminal(rig.store, waiting.id), { what: 'the cancelled task' });
      for (const method of ['tools/call', 'tasks/get', 'tasks/update', 'tasks/cancel', 'subscriptions/listen']) {
        const requests = proxy.of(method);
        assert.ok(requests.length > 0, `${method} was sent`);
        for (const request of requests) assert.ok(declaresExtension(request), `${method} declares the extension, protocol version and client info in _meta`);
      }
      const listen = proxy.of('subscriptions/listen')[0];
      assert.deepEqual(listen.body.params.notifications, { taskIds: [record.taskId] });
    });

    it("T-C-12: a task's inputRequests reach the user as pending input, like any elicitation: nothing answers them automatically", async () => {
      let hostHandlerCalls = 0;
      const original = rig.client.inputHandler;
      rig.client.inputHandler = async (request) => {
        hostHandlerCalls++;
        return original!(request);
      };
      const record = await rig.service.start({ serverId: SERVER_ID, tool: 'ask', arguments: { question: 'Trust me?' } });
      const asking = await waitFor(() => (rig.store.get(record.id)?.pendingInput.length ? rig.store.get(record.id) : undefined), { what: 'the question' });
      // An automatic answer would go out as soon as the question was seen: two more polls of the
      // task after that show the client has moved on without sending one.
      const polls = proxy.of('tasks/get').length;
      await waitFor(() => proxy.of('tasks/get').length >= polls + 2, { what: 'two more polls of the asking task' });
      assert.equal(proxy.of('tasks/update').length, 0, "no answer was sent on the user's behalf");
      assert.equal(rig.store.get(record.id)?.status, 'input_required');
      const question = asking.pendingInput[0];
      assert.equal(question.method, 'elicitation/create');
      assert.equal(question.params.message, 'Trust me?');
      assert.ok(question.params.requestedSchema, 'the form schema is kept for the same form UI');
      assert.equal(hostHandlerCalls, 0, 'task questions are pending input, not auto-answered through a handler');
      rig.service.answerInput(record.id, question.key, { action: 'decline' });
      const done = await waitFor(() => terminal(rig.store, record.id), { what: 'the declined task' });
      assert.match(JSON.stringify(done.result), /decline/);
    });

    it('T-C-06: cancelling a task sends tasks/cancel, never notifications/cancelled', async () => {
      const record = await rig.service.start({ serverId: SERVER_ID, tool: 'wait', arguments: { durationMs: 60_000 } });
      await rig.service.cancel(record.id);
      await waitFor(() => terminal(rig.store, record.id), { what: 'cancelled' });
      assert.equal(proxy.of('tasks/cancel').length, 1);
      assert.deepEqual(proxy.of('tasks/cancel')[0].body.params.taskId, record.taskId);
      assert.equal(proxy.of('notifications/cancelled').length, 0);
    });

    it('T-C-14: tasks/get, tasks/update and tasks/cancel carry Mcp-Name = taskId and Mcp-Method (our server validates them, T-S-51)', async () => {
      const record = await rig.service.start({ serverId: SERVER_ID, tool: 'ask', arguments: { question: 'Headers?' } });
      const asking = await waitFor(() => (rig.store.get(record.id)?.pendingInput.length ? rig.store.get(record.id) : undefined), { what: 'the question' });
      rig.service.answerInput(record.id, asking.pendingInput[0].key, { action: 'accept', content: { answer: 'ok' } });
      await waitFor(() => terminal(rig.store, record.id), { what: 'the end' });
      const other = await rig.service.start({ serverId: SERVER_ID, tool: 'wait', arguments: { durationMs: 60_000 } });
      await rig.service.cancel(other.id);
      for (const method of ['tasks/get', 'tasks/update', 'tasks/cancel']) {
        for (const request of proxy.of(method)) {
          assert.equal(request.headers['mcp-method'], method);
          assert.equal(decodeHeaderValue(String(request.headers['mcp-name'])), request.body.params.taskId);
          assert.equal(request.headers['mcp-protocol-version'], '2026-07-28');
        }
      }
      for (const request of proxy.of('tools/call')) assert.equal(request.headers['mcp-name'], request.body.params.name);
    });

    it('T-CS-13: with notifications/tasks from subscriptions/listen, a task ends without waiting for the next poll', async () => {
      rig.dispose();
      await server.close();
      server = await startOurServer({ token: 'checklist', engine: { pollIntervalMs: 60_000 } });
      await proxy.close();
      proxy = await startRecordingProxy(server.url);
      rig = await v2Rig(proxy.url, { token: 'checklist' });
      const started = Date.now();
      const record = await rig.service.start({ serverId: SERVER_ID, tool: 'wait', arguments: { durationMs: 100, message: 'pushed' } });
      const done = await waitFor(() => terminal(rig.store, record.id), { what: 'the pushed end', timeoutMs: 5000 });
      assert.equal(done.status, 'completed');
      assert.ok(Date.now() - started < 5000);
      assert.equal(proxy.of('tasks/get').length, 0, 'no poll was due: the terminal snapshot came as a notification');
    });
  });

  describe('against a fake server', () => {
    let fake: FakeServer;
    let store: TaskStore;
    let client: TaskClientV2;
    let service: TaskService;

    async function connect(handle: FakeServer['handle'], options: { notifications?: boolean } = {}) {
      fake = await startFakeServer((request) => (request.body.method === 'server/discover' ? { result: DISCOVER_WITH_TASKS } : handle(request)));
      store = new TaskStore();
      client = await TaskClientV2.connect({ url: fake.url, notifications: options.notifications ?? false });
      service = new TaskService(store);
      service.addServer({ id: 'fake', name: 'fake', kind: 'http', durable: true, client });
    }

    afterEach(async () => {
      service?.dispose();
      client?.dispose();
      store?.dispose();
      await fake?.close();
    });

    it('T-C-10: a CreateTaskResult answering anything but tools/call is an invalid response', async () => {
      const created = { resultType: 'task', ...taskJson('t-bogus', 'working') };
      await connect(() => ({ result: {} }));
      fake.handle = ({ body }) => (body.method === 'tools/call' ? { result: { resultType: 'task', ...taskJson('t-1', 'working') } } : { result: created });
      await assert.rejects(client.get('t-1'), (error: Error) => error instanceof InvalidResponseError && /tasks\/get.*CreateTaskResult/.test(error.message));
      await assert.rejects(client.listTools(), InvalidResponseError);
      await assert.rejects(client.cancel('t-1'), InvalidResponseError);
      await assert.rejects(client.answer('t-1', 'k', { action: 'decline' }), InvalidResponseError);
      await assert.rejects(client.discover(), InvalidResponseError);
      // Through the service: such a poll is not taken as the task's state.
      const record = await service.start({ serverId: 'fake', tool: 'anything', arguments: {} });
      assert.equal(record.taskId, 't-1');
      await waitFor(() => fake.of('tasks/get').length >= 2, { what: 'a poll' });
      assert.equal(store.get(record.id)?.status, 'working', 'the invalid answer changed nothing');
      assert.equal(store.get(record.id)?.taskId, 't-1');
    });

    it('T-C-09: a CreateTaskResult may arrive already terminal; the outcome is then read with tasks/get', async () => {
      await connect(({ body }) => {
        if (body.method === 'tools/call') return { result: { resultType: 'task', ...taskJson('t-instant', 'completed') } };
        return { result: { resultType: 'complete', ...taskJson('t-instant', 'completed', { result: { content: [{ type: 'text', text: 'instant' }] } }) } };
      });
      const record = await service.start({ serverId: 'fake', tool: 'instant', arguments: {} });
      const done = await waitFor(() => terminal(store, record.id), { what: 'the instant task' });
      assert.equal(done.status, 'completed');
      assert.deepEqual((done.result as Json).content, [{ type: 'text', text: 'instant' }]);
      assert.equal(fake.of('tasks/get').length, 1);
    });

    it('T-C-13: tasks/update carries only keys the task has outstanding', async () => {
      let phase: 'two' | 'one' | 'done' = 'two';
      const ask = (message: string) => ({
        method: 'elicitation/create',
        params: { mode: 'form', message, requestedSchema: { type: 'object', properties: { v: { type: 'string' } } } },
      });
      await connect(({ body }) => {
        if (body.method === 'tools/call') return { result: { resultType: 'task', ...taskJson('t-13', 'working') } };
        if (body.method === 'tasks/update') return { result: { resultType: 'complete' } };
        if (phase === 'two')
          return { result: { resultType: 'complete', ...taskJson('t-13', 'input_required', { inputRequests: { a: ask('A?'), b: ask('B?') } }) } };
        if (phase === 'one') return { result: { resultType: 'complete', ...taskJson('t-13', 'input_required', { inputRequests: { b: ask('B?') } }) } };
        return { result: { resultType: 'complete', ...taskJson('t-13', 'completed', { result: { content: [{ type: 'text', text: 'ok' }] } }) } };
      });
      const record = await service.start({ serverId: 'fake', tool: 'two_questions', arguments: {} });
      await waitFor(() => store.get(record.id)?.pendingInput.length === 2, { what: 'both questions' });
      service.answerInput(record.id, 'a', { action: 'accept', content: { v: '1' } });
      await waitFor(() => fake.of('tasks/update').length === 1, { what: 'the answer' });
      assert.deepEqual(Object.keys(fake.of('tasks/update')[0].body.params.inputResponses), ['a'], 'only the answered, outstanding key');
      // The server withdraws "a" (answered) and keeps "b": a stale answer to "a" is refused locally, nothing is sent.
      phase = 'one';
      const seenPolls = fake.of('tasks/get').length;
      await waitFor(() => fake.of('tasks/get').length >= seenPolls + 2, { what: 'polls that show "a" withdrawn' });
      assert.deepEqual(
        store.get(record.id)?.pendingInput.map((p) => p.key),
        ['b'],
      );
      assert.throws(() => service.answerInput(record.id, 'a', { action: 'accept', content: { v: 'again' } }), /no longer open/);
      await assert.rejects(client.answer('t-13', 'a', { action: 'decline' }), /no longer asks/);
      assert.equal(fake.of('tasks/update').length, 1);
      service.answerInput(record.id, 'b', { action: 'accept', content: { v: '2' } });
      await waitFor(() => fake.of('tasks/update').length === 2, { what: 'the second answer' });
      assert.deepEqual(fake.of('tasks/update')[1].body.params.inputResponses, { b: { action: 'accept', content: { v: '2' } } });
      phase = 'done';
      assert.equal((await waitFor(() => terminal(store, record.id), { what: 'completion' })).status, 'completed');
    });

    it('T-CS-12: inputRequests keys are deduplicated across polls and answered keys are never asked again', async () => {
      const ask = { method: 'elicitation/create', params: { mode: 'form', message: 'Once?', requestedSchema: { type: 'object', properties: {} } } };
      let polls = 0;
      await connect(({ body }) => {
        if (body.method === 'tools/call') return { result: { resultType: 'task', ...taskJson('t-12', 'working') } };
        if (body.method === 'tasks/update') return { result: { resultType: 'complete' } };
        polls++;
        // The same key on every poll, even after it was answered (the server is eventually consistent).
        return { result: { resultType: 'complete', ...taskJson('t-12', 'input_required', { inputRequests: { only: ask } }) } };
      });
      const record = await service.start({ serverId: 'fake', tool: 'once', arguments: {} });
      await waitFor(() => polls >= 4, { what: 'several polls' });
      assert.equal(store.get(record.id)?.pendingInput.length, 1, 'one question, however many polls repeat it');
      service.answerInput(record.id, 'only', { action: 'accept', content: {} });
      const answeredAt = polls;
      await waitFor(() => polls >= answeredAt + 3, { what: 'more polls after the answer' });
      assert.equal(store.get(record.id)?.pendingInput.length, 0, 'the answered key is not asked again');
      assert.equal(fake.of('tasks/update').length, 1);
    });

    it('T-C-14: Mcp-Name uses the Base64 sentinel when the task id or tool name is not header-safe', async () => {
      const odd = ' tâche ✓ 7 ';
      await connect(({ body }) => {
        if (body.method === 'tools/call') return { result: { resultType: 'task', ...taskJson(odd, 'working') } };
        if (body.method === 'tasks/cancel' || body.method === 'tasks/update') return { result: { resultType: 'complete' } };
        return {
          result: {
            resultType: 'complete',
            ...taskJson(odd, 'input_required', {
              inputRequests: { k: { method: 'elicitation/create', params: { message: 'q', requestedSchema: { type: 'object', properties: {} } } } },
            }),
          },
        };
      });
      await client.start('outil spécial', {});
      await client.get(odd);
      await client.answer(odd, 'k', { action: 'decline' });
      await client.cancel(odd);
      const call = fake.of('tools/call')[0];
      assert.match(String(call.headers['mcp-name']), /^=\?base64\?.*\?=$/);
      assert.equal(decodeHeaderValue(String(call.headers['mcp-name'])), 'outil spécial');
      for (const method of ['tasks/get', 'tasks/update', 'tasks/cancel']) {
        const request = fake.of(method)[0];
        assert.equal(request.headers['mcp-method'], method);
        assert.match(String(request.headers['mcp-name']), /^=\?base64\?[A-Za-z0-9+/=]+\?=$/);
        assert.equal(decodeHeaderValue(String(request.headers['mcp-name'])), odd);
      }
      // A plain id goes as it is.
      assert.equal(client.headersFor('tasks/get', { taskId: 'abc-123' })['mcp-name'], 'abc-123');
    });

    it('T-C-15: a result without resultType (an older server) is treated as "complete"', async () => {
      await connect(({ body }) => {
        if (body.method === 'tools/call') return { result: { content: [{ type: 'text', text: 'no resultType here' }] } };
        if (body.method === 'tasks/get') return { result: taskJson('t-15', 'completed', { result: { content: [{ type: 'text', text: 'done' }] } }) };
        if (body.method === 'tools/list') return { result: { tools: [{ name: 'legacy', inputSchema: { type: 'object' } }] } };
        return { result: {} };
      });
      const started = await client.start('legacy', {});
      assert.equal(started.kind, 'result');
      assert.deepEqual(started.kind === 'result' && started.outcome.result?.content, [{ type: 'text', text: 'no resultType here' }]);
      const state = await client.get('t-15');
      assert.equal(state.status, 'completed');
      assert.deepEqual(state.result?.content, [{ type: 'text', text: 'done' }]);
      assert.equal((await client.listTools())[0].name, 'legacy');
      const record = await service.start({ serverId: 'fake', tool: 'legacy', arguments: {} });
      assert.equal(record.status, 'completed');
      // An unknown resultType, by contrast, is not guessed at.
      fake.handle = () => ({ result: { resultType: 'mystery', content: [] } });
      await assert.rejects(client.start('legacy', {}), /Unknown resultType/);
    });

    it('T-CS-02: polls no faster than pollIntervalMs, re-read from every answer', async () => {
      const times: number[] = [];
      await connect(({ body }) => {
        if (body.method === 'tools/call') return { result: { resultType: 'task', ...taskJson('t-02', 'working', { pollIntervalMs: 150 }) } };
        times.push(Date.now());
        const interval = times.length < 3 ? 150 : 400;
        return {
          result: {
            resultType: 'complete',
            ...(times.length >= 5
              ? taskJson('t-02', 'completed', { result: { content: [] }, pollIntervalMs: 400 })
              : taskJson('t-02', 'working', { pollIntervalMs: interval })),
          },
        };
      });
      const record = await service.start({ serverId: 'fake', tool: 'x', arguments: {} });
      await waitFor(() => terminal(store, record.id), { what: 'completion' });
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      assert.ok(gaps[0] >= 140 && gaps[1] >= 140, `first gaps honour 150 ms: ${gaps.join(', ')}`);
      assert.ok(gaps[2] >= 390 && gaps[3] >= 390, `later gaps honour the new 400 ms: ${gaps.join(', ')}`);
      assert.equal(store.get(record.id)?.pollInterval, 400);
    });

    it('T-CS-09: after tasks/cancel (an ack) the task is followed until terminal, whatever state it ends in', async () => {
      let cancelled = false;
      let pollsAfterCancel = 0;
      await connect(({ body }) => {
        if (body.method === 'tools/call') return { result: { resultType: 'task', ...taskJson('t-09', 'working') } };
        if (body.method === 'tasks/cancel') {
          cancelled = true;
          return { result: { resultType: 'complete' } };
        }
        if (cancelled) pollsAfterCancel++;
        // Cooperative: the server finishes the work anyway.
        return {
          result: {
            resultType: 'complete',
            ...(pollsAfterCancel >= 3
              ? taskJson('t-09', 'completed', { result: { content: [{ type: 'text', text: 'finished anyway' }] } })
              : taskJson('t-09', 'working')),
          },
        };
      });
      const record = await service.start({ serverId: 'fake', tool: 'x', arguments: {} });
      const after = await service.cancel(record.id);
      assert.equal(after.status, 'working');
      assert.match(after.statusMessage ?? '', /Cancellation requested/);
      const done = await waitFor(() => terminal(store, record.id), { what: 'the end' });
      assert.equal(done.status, 'completed');
      assert.deepEqual((done.result as Json).content, [{ type: 'text', text: 'finished anyway' }]);
      assert.ok(pollsAfterCancel >= 3);
    });

    it('T-CS-13: a server without subscriptions/listen is simply polled (silent fall-back)', async () => {
      let polls = 0;
      await connect(
        ({ body }) => {
          if (body.method === 'tools/call') return { result: { resultType: 'task', ...taskJson('t-13b', 'working') } };
          if (body.method === 'subscriptions/listen') return { status: 404, error: { code: -32601, message: 'Method not found: subscriptions/listen' } };
          polls++;
          return {
            result: { resultType: 'complete', ...(polls >= 2 ? taskJson('t-13b', 'completed', { result: { content: [] } }) : taskJson('t-13b', 'working')) },
          };
        },
        { notifications: true },
      );
      const record = await service.start({ serverId: 'fake', tool: 'x', arguments: {} });
      assert.equal((await waitFor(() => terminal(store, record.id), { what: 'completion' })).status, 'completed');
      assert.equal(fake.of('subscriptions/listen').length, 1);
      // Once refused, it is not asked again.
      const second = await service.start({ serverId: 'fake', tool: 'x', arguments: {} });
      polls = 0;
      await waitFor(() => terminal(store, second.id), { what: 'the second completion' });
      assert.equal(fake.of('subscriptions/listen').length, 1);
    });

    it('MRTR: an input_required tools/call result is answered through the host and retried with inputResponses and the echoed requestState', async () => {
      const calls: Json[] = [];
      await connect(({ body }) => {
        if (body.method !== 'tools/call') return { result: {} };
        calls.push(body.params);
        if (!body.params.inputResponses) {
          return {
            result: {
              resultType: 'input_required',
              requestState: 'opaque-state-1',
              inputRequests: {
                who: {
                  method: 'elicitation/create',
                  params: { mode: 'form', message: 'Who?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } },
                },
              },
            },
          };
        }
        return { result: { resultType: 'complete', content: [{ type: 'text', text: `hi ${body.params.inputResponses.who.content.name}` }] } };
      });
      const pending = service.start({ serverId: 'fake', tool: 'greet_me', arguments: {} });
      const asking = await waitFor(() => store.all().find((r) => r.pendingInput.length), { what: 'the MRTR question' });
      assert.equal(asking.status, 'input_required');
      service.answerInput(asking.id, asking.pendingInput[0].key, { action: 'accept', content: { name: 'Grace' } });
      const record = await pending;
      assert.equal(record.status, 'completed');
      assert.deepEqual((record.result as Json).content, [{ type: 'text', text: 'hi Grace' }]);
      assert.equal(calls.length, 2);
      assert.equal(calls[1].requestState, 'opaque-state-1');
      assert.deepEqual(calls[1].inputResponses, { who: { action: 'accept', content: { name: 'Grace' } } });
    });
  });
});
