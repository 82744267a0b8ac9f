/**
 * Checklist tests (docs/mcp-tasks.md §2) for the `io.modelcontextprotocol/tasks` extension on the
 * server side: one test per MUST / MUST NOT (T-S-27..T-S-51, and the V1+V2 lines), plus the key
 * SHOULDs (T-SS-13..19). Each drives the real HTTP endpoint, or the dispatcher where a second
 * principal or a failing engine is needed, and asserts the JSON on the wire.
 */
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { CreateTaskResultSchema } from '../../../../src/mcp/wires/v1/codec';
import { TaskEngine } from '../../../../src/mcp/engine/taskEngine';
import { ToolCatalog } from '../../../../src/mcp/server/toolCatalog';
import { CONFORMANCE_TOOLS } from '../../../../src/mcp/server/tools/fixtures';
import { askTool } from '../../../../src/mcp/server/tools/ask';
import type { ToolDefinition } from '../../../../src/mcp/server/tools/toolDefinition';
import { TaskServerV2 } from '../../../../src/mcp/server/v2/taskServerV2';
import { ISO, type Json, NON_DECLARING, TASKS, TEST_TOOLS, gate, meta, startTestServer, testServerPerTest, withoutEnvelope } from './helpers';
import { waitFor } from '../../helpers/waitFor';

const TASK_FIELDS = ['taskId', 'status', 'createdAt', 'lastUpdatedAt', 'ttlMs'];
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('extension wire server checklist (io.modelcontextprotocol/tasks, 2026-07-28)', function () {
  this.timeout(20_000);
  const server = testServerPerTest();

  const v2 = () => server.client;

  async function startTask(name: string, args: Json = {}): Promise<Json> {
    const created = await v2().callTool(name, args);
    assert.equal(created.resultType, 'task', `${name} should have become a task: ${JSON.stringify(created)}`);
    return created;
  }

  // ---- V1+V2 lines ----------------------------------------------------------------------------

  it('T-S-05: a new task is first observed as working', async () => {
    const created = await startTask('gated', { gate: 't-s-05' });
    assert.equal(created.status, 'working');
    assert.equal((await v2().getTask(created.taskId)).status, 'working');
    gate('t-s-05').open();
  });

  it('T-S-06: only the allowed transitions occur (working → input_required → working → completed)', async () => {
    const created = await startTask('confirm_delete', { filename: 'a.txt' });
    const { messages } = await v2().listen(
      { taskIds: [created.taskId] },
      {
        onFirst: async () => {
          const waiting = await v2().poll(created.taskId, (task) => task.status === 'input_required');
          const [key] = Object.keys(waiting.inputRequests);
          await v2().result('tasks/update', { taskId: created.taskId, inputResponses: { [key]: { action: 'accept', content: { confirm: true } } } });
        },
      },
    );
    const seen: string[] = [created.status];
    for (const message of messages)
      if (message.method === 'notifications/tasks' && message.params.status !== seen[seen.length - 1]) seen.push(message.params.status);
    const allowed: Record<string, string[]> = {
      working: ['input_required', 'completed', 'failed', 'cancelled'],
      input_required: ['working', 'completed', 'failed', 'cancelled'],
    };
    for (let i = 1; i < seen.length; i++)
      assert.ok(allowed[seen[i - 1]]?.includes(seen[i]), `illegal transition ${seen[i - 1]} → ${seen[i]} in ${seen.join(' → ')}`);
    assert.deepEqual(seen, ['working', 'input_required', 'working', 'completed']);
  });

  it('T-S-07: a terminal task never changes again (get twice, even after a late cancel)', async () => {
    const created = await startTask('slow_compute', { seconds: 0, label: 't-s-07' });
    const first = await v2().poll(created.taskId);
    await v2().result('tasks/cancel', { taskId: created.taskId });
    // Nothing should change, so there is nothing to wait for: a task started after the cancel runs
    // to its end instead, and whatever the cancel set off in the engine is handled before that.
    await v2().poll((await startTask('slow_compute', { seconds: 0, label: 'later' })).taskId);
    const second = await v2().getTask(created.taskId);
    assert.equal(first.status, 'completed');
    assert.deepEqual(second, first);
  });

  it('T-S-23: an internal failure of a task operation is -32603 (HTTP 500)', async () => {
    const broken = new TaskEngine();
    const dispatcher = new TaskServerV2({ catalog: new ToolCatalog(CONFORMANCE_TOOLS), defaultCwd: process.cwd(), isTrusted: () => true }, broken);
    broken.get = () => {
      throw new Error('the store is on fire');
    };
    const reply = await dispatcher.handle({ principal: 'p', message: { jsonrpc: '2.0', id: 1, method: 'tasks/get', params: { taskId: 'x', _meta: meta() } } });
    broken.dispose();
    assert.equal(reply.kind, 'response');
    if (reply.kind !== 'response' || !('error' in reply.body)) return assert.fail('expected an error');
    assert.equal(reply.body.error.code, -32603);
    assert.equal(reply.status, 500);
  });

  // ---- T-S-27..T-S-51 -------------------------------------------------------------------------

  it('T-S-27: no CreateTaskResult for a tools/call whose own _meta lacks the extension, even after a declaring request', async () => {
    await startTask('slow_compute', { seconds: 0 });
    const result = await v2().callTool('slow_compute', { seconds: 0, label: 'plain' }, { capabilities: NON_DECLARING });
    assert.equal(result.resultType, 'complete');
    assert.equal(result.taskId, undefined);
    assert.equal(result.content[0].text, 'Computed plain after 0 s');
  });

  it('T-S-28: a task-only tool called without the extension is -32021 naming the extension in data.requiredCapabilities', async () => {
    const reply = await v2().send('tools/call', { name: 'failing_job', arguments: {} }, { capabilities: NON_DECLARING });
    assert.equal(reply.status, 400);
    assert.equal(reply.body.error.code, -32021);
    assert.deepEqual(reply.body.error.data, { requiredCapabilities: { extensions: { [TASKS]: {} } } });
  });

  it('T-S-28: ask without elicitation declared is refused by tools/call itself with -32021 naming elicitation; no task is created', async () => {
    const askServer = await startTestServer({ tools: [askTool as unknown as ToolDefinition] });
    try {
      const reply = await askServer.client.send(
        'tools/call',
        { name: 'ask', arguments: { question: 'Deploy?' } },
        { capabilities: { extensions: { [TASKS]: {} } } },
      );
      assert.equal(reply.status, 400);
      assert.equal(reply.body.result, undefined);
      assert.equal(reply.body.error.code, -32021);
      assert.deepEqual(reply.body.error.data, { requiredCapabilities: { elicitation: {} } });
      assert.match(reply.body.error.message, /ask asks the user a question \(elicitation\)/);
      assert.deepEqual(askServer.engine.all(), [], 'no task was created');
      const declared = await askServer.client.callTool('ask', { question: 'Deploy?' });
      assert.equal(declared.resultType, 'task', 'with elicitation declared, ask becomes a task');
    } finally {
      await askServer.close();
    }
  });

  it('T-S-29: CreateTaskResult is flat with resultType "task" and taskId, status, createdAt, lastUpdatedAt, ttlMs', async () => {
    const created = await startTask('slow_compute', { seconds: 0 });
    for (const field of TASK_FIELDS) assert.ok(field in created, `missing ${field}`);
    assert.equal(created.task, undefined);
    assert.match(created.createdAt, ISO);
    assert.match(created.lastUpdatedAt, ISO);
    assert.ok(created.ttlMs === null || (Number.isInteger(created.ttlMs) && created.ttlMs > 0));
    assert.ok(Number.isInteger(created.pollIntervalMs) && created.pollIntervalMs > 0);
    for (const legacy of ['ttl', 'pollInterval', 'result', 'error', 'inputRequests', 'requestState']) assert.ok(!(legacy in created), `unexpected ${legacy}`);
  });

  it('T-S-30: no result but CreateTaskResult carries resultType "task"', async () => {
    const sync = await v2().callTool('greet', { name: 'x' });
    const created = await startTask('confirm_delete', { filename: 'b.txt' });
    const waiting = await v2().poll(created.taskId, (task) => task.status === 'input_required');
    const update = await v2().result('tasks/update', { taskId: created.taskId, inputResponses: { nope: { action: 'decline' } } });
    const cancel = await v2().result('tasks/cancel', { taskId: created.taskId });
    const discover = await v2().result('server/discover');
    const list = await v2().result('tools/list');
    for (const [what, result] of Object.entries({ sync, waiting, update, cancel, discover, list })) assert.equal(result.resultType, 'complete', what);
  });

  it('T-S-31: tasks/get succeeds immediately after CreateTaskResult', async () => {
    const created = await startTask('slow_compute', { seconds: 60 });
    const got = await v2().getTask(created.taskId);
    assert.equal(got.taskId, created.taskId);
    await v2().result('tasks/cancel', { taskId: created.taskId });
  });

  it('T-S-32: tasks/get has resultType "complete" and the status payload (inputRequests / result / error)', async () => {
    const asking = await startTask('confirm_delete', { filename: 'c.txt' });
    const waiting = await v2().poll(asking.taskId, (task) => task.status === 'input_required');
    assert.equal(waiting.resultType, 'complete');
    assert.equal(typeof waiting.inputRequests, 'object');
    const [request] = Object.values(waiting.inputRequests) as Json[];
    assert.equal(request.method, 'elicitation/create');
    assert.equal(request.params.message, 'Delete c.txt?');

    const done = await v2().poll((await startTask('slow_compute', { seconds: 0, label: 'd' })).taskId);
    assert.equal(done.status, 'completed');
    assert.equal(done.result.content[0].text, 'Computed d after 0 s');
    assert.ok(!('error' in done));

    const broken = await v2().poll((await startTask('protocol_error_job')).taskId);
    assert.equal(broken.status, 'failed');
    assert.equal(broken.error.code, -32603);
    assert.ok(!('result' in broken));
  });

  it('T-S-33: inputRequests lists every outstanding request (two concurrent elicitations → both keys)', async () => {
    const created = await startTask('multi_input');
    const task = await v2().poll(created.taskId, (t) => t.status === 'input_required' && Object.keys(t.inputRequests).length >= 2);
    const messages = (Object.values(task.inputRequests) as Json[]).map((r) => r.params.message).sort();
    assert.deepEqual(messages, ['Proceed?', 'What is your name?']);
  });

  it('T-S-34: an inputRequests key is never reused within a task, not even for the same question', async () => {
    const created = await startTask('ask_twice');
    const first = await v2().poll(created.taskId, (t) => t.status === 'input_required');
    const [key1] = Object.keys(first.inputRequests);
    await v2().result('tasks/update', { taskId: created.taskId, inputResponses: { [key1]: { action: 'accept', content: { answer: 'one' } } } });
    const second = await v2().poll(created.taskId, (t) => t.status === 'input_required' && !(key1 in t.inputRequests));
    const [key2] = Object.keys(second.inputRequests);
    assert.notEqual(key2, key1);
    // Answering the old key again must not answer the new question.
    await v2().result('tasks/update', { taskId: created.taskId, inputResponses: { [key1]: { action: 'accept', content: { answer: 'stale' } } } });
    assert.deepEqual(Object.keys((await v2().getTask(created.taskId)).inputRequests), [key2]);
    await v2().result('tasks/update', { taskId: created.taskId, inputResponses: { [key2]: { action: 'accept', content: { answer: 'two' } } } });
    assert.equal((await v2().poll(created.taskId)).result.content[0].text, 'one then two');
  });

  it('T-S-35: a successful tasks/update answers exactly {"resultType":"complete"}', async () => {
    const created = await startTask('confirm_delete', { filename: 'e.txt' });
    const waiting = await v2().poll(created.taskId, (t) => t.status === 'input_required');
    const [key] = Object.keys(waiting.inputRequests);
    const ack = await v2().result('tasks/update', { taskId: created.taskId, inputResponses: { [key]: { action: 'accept', content: { confirm: false } } } });
    assert.deepEqual(ack, { resultType: 'complete' });
    assert.equal((await v2().poll(created.taskId)).result.content[0].text, 'Kept e.txt (accept)');
  });

  it('T-S-36: a successful tasks/cancel answers exactly {"resultType":"complete"} (also for a task already over)', async () => {
    const running = await startTask('slow_compute', { seconds: 60 });
    assert.deepEqual(await v2().result('tasks/cancel', { taskId: running.taskId }), { resultType: 'complete' });
    assert.equal((await v2().poll(running.taskId)).status, 'cancelled');
    assert.deepEqual(await v2().result('tasks/cancel', { taskId: running.taskId }), { resultType: 'complete' });
  });

  it('T-S-37: tasks/get with an unknown, invalid or expired taskId is -32602', async () => {
    for (const taskId of ['00000000-0000-4000-8000-000000000000', 'not-a-task']) {
      const reply = await v2().send('tasks/get', { taskId });
      assert.equal(reply.body.error.code, -32602, taskId);
    }
    // The engine's clock, moved on by hand past the TTL instead of waiting for it.
    let now = Date.now();
    const short = await startTestServer({ engine: { defaultTtlMs: 1000, now: () => now } });
    try {
      const created = await short.client.callTool('slow_compute', { seconds: 0 });
      // Retention counts from the end of the work: let it end first.
      await short.client.poll(created.taskId);
      now += 1100;
      assert.equal((await short.client.send('tasks/get', { taskId: created.taskId })).body.error.code, -32602);
    } finally {
      await short.close();
    }
  });

  it('T-S-38: tasks/get, tasks/update and tasks/cancel without the extension in their own _meta are -32021', async () => {
    const created = await startTask('slow_compute', { seconds: 60 });
    for (const [method, params] of [
      ['tasks/get', { taskId: created.taskId }],
      ['tasks/update', { taskId: created.taskId, inputResponses: {} }],
      ['tasks/cancel', { taskId: created.taskId }],
    ] as const) {
      const reply = await v2().send(method, params, { capabilities: NON_DECLARING });
      assert.equal(reply.body.error.code, -32021, method);
      assert.equal(reply.status, 400, method);
      assert.deepEqual(reply.body.error.data.requiredCapabilities, { extensions: { [TASKS]: {} } }, method);
    }
    assert.equal((await v2().getTask(created.taskId)).status, 'working');
    await v2().result('tasks/cancel', { taskId: created.taskId });
  });

  it('T-S-39: subscriptions/listen asking for taskIds without the extension is -32021', async () => {
    const created = await startTask('slow_compute', { seconds: 0 });
    const { status, messages, contentType } = await v2().listen({ taskIds: [created.taskId] }, { capabilities: NON_DECLARING });
    assert.equal(status, 400);
    assert.ok(contentType?.includes('application/json'));
    assert.equal(messages[0].error.code, -32021);
  });

  it('T-S-40: a JSON-RPC error during execution ends the task failed with that error object', async () => {
    const failed = await v2().poll((await startTask('protocol_error_job')).taskId);
    assert.equal(failed.status, 'failed');
    assert.deepEqual(failed.error, {
      code: -32603,
      message: 'protocol_error_job raised a protocol-level error on purpose',
      data: { fixture: 'protocol_error_job' },
    });
    assert.ok(failed.statusMessage, 'a failed task says why (T-SS-08)');
    const crashed = await v2().poll((await startTask('crash')).taskId);
    assert.equal(crashed.status, 'failed');
    assert.deepEqual(crashed.error, { code: -32603, message: 'the tool crashed' });
  });

  it('T-S-41: a tool result with isError ends the task completed, never failed', async () => {
    const done = await v2().poll((await startTask('failing_job')).taskId);
    assert.equal(done.status, 'completed');
    assert.equal(done.result.isError, true);
    assert.ok(!('error' in done));
  });

  it('T-S-42: a completed task result deep-equals what a synchronous tools/call returns', async () => {
    const args = { seconds: 0, label: 'same' };
    const sync = await v2().callTool('slow_compute', args, { capabilities: NON_DECLARING });
    const done = await v2().poll((await startTask('slow_compute', args)).taskId);
    assert.deepEqual(done.result, sync);
  });

  it('T-S-43: no notifications/progress or notifications/message on a task listen stream', async () => {
    const created = await startTask('slow_compute', { seconds: 0.2, label: 'quiet' });
    const { messages } = await v2().listen({ taskIds: [created.taskId] });
    assert.ok(
      messages.some((m) => m.method === 'notifications/tasks'),
      'some task notification arrived',
    );
    for (const message of messages)
      assert.ok(message.method !== 'notifications/progress' && message.method !== 'notifications/message', JSON.stringify(message));
  });

  it('T-S-44: notifications/tasks params equal the tasks/get result at that moment', async () => {
    const created = await startTask('confirm_delete', { filename: 'f.txt' });
    await v2().poll(created.taskId, (t) => t.status === 'input_required');
    let atInput: Json | undefined;
    const { messages } = await v2().listen(
      { taskIds: [created.taskId] },
      {
        onFirst: async () => {
          atInput = await v2().getTask(created.taskId);
          const [key] = Object.keys(atInput.inputRequests);
          await v2().result('tasks/update', { taskId: created.taskId, inputResponses: { [key]: { action: 'accept', content: { confirm: true } } } });
        },
      },
    );
    const notes = messages.filter((m) => m.method === 'notifications/tasks').map((m) => withoutEnvelope(m.params));
    assert.deepEqual(notes[0], withoutEnvelope(atInput!), 'the snapshot sent on subscribe equals tasks/get');
    const last = notes[notes.length - 1];
    assert.equal(last.status, 'completed');
    assert.deepEqual(last, withoutEnvelope(await v2().getTask(created.taskId)), 'the terminal notification equals tasks/get');
    assert.equal(messages[0].method, 'notifications/subscriptions/acknowledged');
    assert.deepEqual(messages[0].params.notifications, { taskIds: [created.taskId] });
    const subscriptionId = messages[0].params._meta['io.modelcontextprotocol/subscriptionId'];
    for (const message of messages.slice(1)) {
      const tag = message.method ? message.params._meta : message.result._meta;
      assert.equal(tag['io.modelcontextprotocol/subscriptionId'], subscriptionId);
    }
    assert.equal(messages[messages.length - 1].result?.resultType, 'complete', 'the stream ends with the listen result once every task is over');
  });

  it('T-S-45: task IDs are high-entropy (UUID v4: 122 random bits) and not sequential', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) ids.add((await startTask('slow_compute', { seconds: 0 })).taskId);
    assert.equal(ids.size, 50);
    for (const id of ids) assert.match(id, UUID_V4);
  });

  it('T-S-46: another principal can neither read, answer, cancel nor subscribe to a task', async () => {
    const engine = new TaskEngine();
    const dispatcher = new TaskServerV2(
      { catalog: new ToolCatalog([...CONFORMANCE_TOOLS, ...TEST_TOOLS]), defaultCwd: process.cwd(), isTrusted: () => true },
      engine,
    );
    const send = async (principal: string, method: string, params: Json) => {
      const reply = await dispatcher.handle({ principal, message: { jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: meta() } } });
      return reply;
    };
    try {
      const created = await send('alice', 'tools/call', { name: 'confirm_delete', arguments: { filename: 'secret' } });
      assert.ok(created.kind === 'response' && 'result' in created.body);
      const taskId = (created.body as Json).result.taskId as string;
      await waitFor(() => engine.peek(taskId)?.status === 'input_required', { what: 'the task to ask its question' });
      for (const [method, params] of [
        ['tasks/get', { taskId }],
        ['tasks/update', { taskId, inputResponses: { 'input-1': { action: 'accept', content: { confirm: true } } } }],
        ['tasks/cancel', { taskId }],
      ] as const) {
        const reply = await send('bob', method, params);
        assert.ok(reply.kind === 'response' && 'error' in reply.body, method);
        assert.equal(reply.body.error.code, -32602, `${method}: same answer as an unknown task`);
      }
      const listen = await send('bob', 'subscriptions/listen', { notifications: { taskIds: [taskId] } });
      assert.equal(listen.kind, 'stream');
      const sent: Json[] = [];
      if (listen.kind === 'stream') listen.open({ send: (m) => sent.push(m as Json), end: (m) => m && sent.push(m as Json) }).dispose();
      assert.deepEqual(sent[0].params.notifications, { taskIds: [] }, "bob is not subscribed to alice's task");
      assert.ok(!sent.some((m) => m.method === 'notifications/tasks'));
      const mine = await send('alice', 'tasks/get', { taskId });
      assert.ok(mine.kind === 'response' && 'result' in mine.body);
      assert.equal(mine.body.result.status, 'input_required', "bob's answer and cancel did nothing");
    } finally {
      dispatcher.dispose();
      engine.dispose();
    }
  });

  it('T-S-47: under a 2025-11-25 session, declaring the extension does not enable extension tasks', async () => {
    const client = new Client({ name: 'legacy', version: '1' }, { capabilities: { extensions: { [TASKS]: {} } } as never });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.http.url)));
    try {
      const result = (await client.request(
        { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds: 0, label: 'v1' } } },
        CallToolResultSchema,
      )) as Json;
      assert.equal(result.resultType, undefined);
      assert.equal(result.taskId, undefined);
      assert.equal(result.content[0].text, 'Computed v1 after 0 s');
      assert.equal((client.getServerCapabilities() as Json | undefined)?.extensions, undefined, 'the 2025-11-25 session does not advertise the extension');
    } finally {
      await client.close();
    }
  });

  it('T-S-48: tasks/result under 2026-07-28 is -32601', async () => {
    const created = await startTask('slow_compute', { seconds: 0 });
    const reply = await v2().send('tasks/result', { taskId: created.taskId });
    assert.equal(reply.body.error.code, -32601);
    assert.equal(reply.status, 404);
    assert.equal((await v2().send('tasks/list', {})).body.error.code, -32601);
  });

  it('T-S-49: a legacy params.task on tools/call is ignored: it neither forces nor prevents a task', async () => {
    const legacy = { task: { ttl: 60_000, pollInterval: 100 } };
    const sync = await v2().callTool('greet', { name: 'legacy' }, { extra: legacy });
    assert.equal(sync.resultType, 'complete');
    const notForced = await v2().callTool('slow_compute', { seconds: 0 }, { extra: legacy, capabilities: NON_DECLARING });
    assert.equal(notForced.resultType, 'complete');
    const notPrevented = await v2().callTool('slow_compute', { seconds: 0 }, { extra: legacy });
    assert.equal(notPrevented.resultType, 'task');
    assert.notEqual(notPrevented.ttlMs, 60_000, 'the legacy ttl is not a request either');
  });

  it('T-S-50: a client declaring only legacy capabilities.tasks is non-declaring; discover advertises no legacy tasks capability', async () => {
    const legacyOnly = { elicitation: {}, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } };
    const result = await v2().callTool('slow_compute', { seconds: 0 }, { capabilities: legacyOnly });
    assert.equal(result.resultType, 'complete');
    const created = await startTask('slow_compute', { seconds: 0 });
    assert.equal((await v2().send('tasks/get', { taskId: created.taskId }, { capabilities: legacyOnly })).body.error.code, -32021);
    const discover = await v2().result('server/discover', {}, { capabilities: legacyOnly });
    assert.equal(discover.capabilities.tasks, undefined);
    assert.deepEqual(discover.capabilities.extensions, { [TASKS]: {} });
  });

  it('T-S-51: tasks/* with a missing or mismatching Mcp-Name is -32020 (HTTP 400); a Base64-sentinel value is decoded first', async () => {
    const created = await startTask('slow_compute', { seconds: 60 });
    const { taskId } = created;
    const missing = await v2().send('tasks/get', { taskId }, { headers: { 'mcp-name': undefined } });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.code, -32020);
    const wrong = await v2().send('tasks/cancel', { taskId }, { headers: { 'mcp-name': 'someone-else' } });
    assert.equal(wrong.body.error.code, -32020);
    assert.equal((await v2().getTask(taskId)).status, 'working', 'the rejected cancel did nothing');
    const encoded = `=?base64?${Buffer.from(taskId).toString('base64')}?=`;
    assert.equal((await v2().send('tasks/get', { taskId }, { headers: { 'mcp-name': encoded } })).body.result.taskId, taskId);
    const encodedWrong = `=?base64?${Buffer.from('other').toString('base64')}?=`;
    assert.equal((await v2().send('tasks/get', { taskId }, { headers: { 'mcp-name': encodedWrong } })).body.error.code, -32020);
    assert.equal((await v2().send('tasks/get', { taskId }, { headers: { 'mcp-name': '=?base64?SGVs!!!bG8=?=' } })).body.error.code, -32020);
    assert.equal(
      (await v2().send('tasks/get', { taskId }, { headers: { 'mcp-name': `  ${taskId}  ` } })).body.result.taskId,
      taskId,
      'surrounding whitespace is not part of the value',
    );
    await v2().result('tasks/cancel', { taskId });
  });

  // ---- SHOULDs --------------------------------------------------------------------------------

  it('T-SS-13: input asked up front (MRTR) is resolved before CreateTaskResult', async () => {
    const round1 = await v2().callTool('test_tool_with_task');
    assert.equal(round1.resultType, 'input_required');
    assert.equal(round1.taskId, undefined);
    assert.deepEqual(Object.keys(round1.inputRequests), ['user_name']);
    const round2 = await v2().callTool('test_tool_with_task', {}, { extra: { inputResponses: { user_name: { action: 'accept', content: { name: 'Ada' } } } } });
    assert.equal(round2.resultType, 'task');
    assert.ok(!('requestState' in round2) && !('inputRequests' in round2));
    const done = await v2().poll(round2.taskId);
    assert.match(done.result.content[0].text, /Ada/);
  });

  it('T-SS-14: tasks/update and tasks/cancel with an unknown taskId are -32602', async () => {
    assert.equal((await v2().send('tasks/update', { taskId: 'nope', inputResponses: {} })).body.error.code, -32602);
    assert.equal((await v2().send('tasks/cancel', { taskId: 'nope' })).body.error.code, -32602);
  });

  it('T-SS-15: answers for never-issued keys are acknowledged and change nothing', async () => {
    const created = await startTask('confirm_delete', { filename: 'g.txt' });
    const before = await v2().poll(created.taskId, (t) => t.status === 'input_required');
    assert.deepEqual(await v2().result('tasks/update', { taskId: created.taskId, inputResponses: { 'never-issued': { whatever: true } } }), {
      resultType: 'complete',
    });
    assert.deepEqual(await v2().getTask(created.taskId), before);
    await v2().result('tasks/cancel', { taskId: created.taskId });
  });

  it('T-SS-16: a partial answer keeps the task input_required with only the unanswered key', async () => {
    const created = await startTask('multi_input');
    const task = await v2().poll(created.taskId, (t) => t.status === 'input_required' && Object.keys(t.inputRequests).length === 2);
    const [first, second] = Object.keys(task.inputRequests);
    await v2().result('tasks/update', { taskId: created.taskId, inputResponses: { [first]: { action: 'accept', content: { name: 'Grace', confirm: true } } } });
    const partial = await v2().getTask(created.taskId);
    assert.equal(partial.status, 'input_required');
    assert.deepEqual(Object.keys(partial.inputRequests), [second]);
    await v2().result('tasks/update', {
      taskId: created.taskId,
      inputResponses: { [second]: { action: 'accept', content: { name: 'Grace', confirm: true } } },
    });
    assert.equal((await v2().poll(created.taskId)).status, 'completed');
  });

  it('T-SS-17: ttlMs is retention, not a timeout: work that outlives it keeps running with ttlMs moved on, and is kept ttlMs after it ends (fake clock)', async () => {
    const T0 = Date.parse('2026-03-01T00:00:00.000Z');
    let now = T0;
    const short = await startTestServer({ engine: { defaultTtlMs: 1000, now: () => now } });
    try {
      const created = await short.client.callTool('gated', { gate: 't-ss-17' });
      assert.equal(created.ttlMs, 1000);
      now = T0 + 1_500;
      assert.equal((await short.client.getTask(created.taskId)).status, 'working', 'alive past its first ttlMs');
      for (const at of [1_500, 2_999]) {
        now = T0 + at;
        short.engine.sweepExpired();
        const running = await short.client.getTask(created.taskId);
        assert.equal(running.status, 'working', `running at ${at} ms`);
        assert.ok(T0 + running.ttlMs > now, `at ${at} ms its expiry is still ahead (ttlMs ${running.ttlMs})`);
      }
      now = T0 + 3_000;
      gate('t-ss-17').open();
      const done = await short.client.poll(created.taskId);
      assert.deepEqual([done.status, done.ttlMs], ['completed', 4_000], 'its ttlMs: 3 s of work, then 1 s of retention');
      assert.deepEqual(done.result.structuredContent, { gate: 't-ss-17' });
      now = T0 + 3_999;
      assert.equal(short.engine.sweepExpired(), 0);
      assert.equal((await short.client.getTask(created.taskId)).status, 'completed', 'the result is still there');
      now = T0 + 4_000;
      assert.equal(short.engine.sweepExpired(), 1, 'then it expires as before');
      assert.equal((await short.client.send('tasks/get', { taskId: created.taskId })).body.error.code, -32602);
    } finally {
      await short.close();
    }
  });

  it('T-SS-17: work still unfinished at the engine ceiling fails with a JSON-RPC error that says why, then is kept for its retention', async () => {
    let now = Date.parse('2026-03-01T00:00:00.000Z');
    const capped = await startTestServer({ engine: { defaultTtlMs: 10_000, maxUnfinishedMs: 60_000, now: () => now } });
    try {
      const created = await capped.client.callTool('gated', { gate: 't-ss-17b' });
      now += 60_000;
      assert.equal(capped.engine.sweepExpired(), 0, 'ended, not removed');
      const failed = await capped.client.getTask(created.taskId);
      assert.equal(failed.status, 'failed');
      assert.deepEqual([failed.error.code, failed.error.message], [-32603, 'Ended: the task ran longer than this server allows (1m)']);
      assert.equal(failed.ttlMs, 70_000);
    } finally {
      await capped.close();
    }
  });

  it('T-SS-19: with one principal on both wires, a 2025-11-25 task can be read and cancelled over the extension', async () => {
    const shared = await startTestServer({ token: 'both-wires' });
    const client = new Client({ name: 'legacy', version: '1' }, { capabilities: {} });
    await client.connect(new StreamableHTTPClientTransport(new URL(shared.http.url), { requestInit: { headers: { Authorization: 'Bearer both-wires' } } }));
    try {
      const created = (await client.request(
        { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds: 60 }, task: {} } },
        CreateTaskResultSchema,
      )) as Json;
      const taskId = created.task.taskId as string;
      const got = await shared.client.getTask(taskId);
      assert.equal(got.status, 'working');
      assert.deepEqual(await shared.client.result('tasks/cancel', { taskId }), { resultType: 'complete' });
      assert.equal((await shared.client.getTask(taskId)).status, 'cancelled');
    } finally {
      await client.close();
      await shared.close();
    }
  });

  it('records the wire on every task it creates', async () => {
    const created = await startTask('slow_compute', { seconds: 0 });
    assert.equal(server.engine.get('local', created.taskId).wire, TASKS);
  });
});
