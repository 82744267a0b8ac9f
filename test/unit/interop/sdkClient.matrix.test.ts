/**
 * Interop matrix: the official TypeScript SDK 1.x client (`@modelcontextprotocol/sdk`, its
 * experimental task API) against our standalone server over Streamable HTTP. Titles carry
 * `[interop sdk-1.x-client>tasklane-server <wire> <op>]` for scripts/interop-table.mjs.
 */
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, CreateTaskResultSchema, ElicitRequestSchema, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { type OurServer, startOurServer } from '../mcp/v2client/helpers';

const tag = (wire: string, op: string) => `[interop sdk-1.x-client>tasklane-server ${wire} ${op}]`;

describe('interop matrix: SDK 1.x client × Tasklane server (Streamable HTTP)', function () {
  this.timeout(20_000);
  let server: OurServer;
  let client: Client;
  let taskId: string;

  before(async () => {
    server = await startOurServer({ token: 'sdk-matrix' });
    client = new Client({ name: 'sdk-1.x-interop', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => ({ action: 'accept', content: { answer: `sdk: ${request.params.message}` } }));
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: 'Bearer sdk-matrix' } } }));
  });

  after(async () => {
    await client?.close();
    await server?.close();
  });

  it(`${tag('2025-11-25', 'create')} tools/call with params.task answers CreateTaskResult`, async () => {
    const created = await client.request(
      { method: 'tools/call', params: { name: 'wait', arguments: { durationMs: 300, message: 'sdk' }, task: { ttl: 60_000 } } },
      CreateTaskResultSchema,
    );
    assert.equal(created.task.status, 'working');
    taskId = created.task.taskId;
  });

  it(`${tag('2025-11-25', 'get')} experimental.tasks.getTask`, async () => {
    const task = await client.experimental.tasks.getTask(taskId);
    assert.equal(task.taskId, taskId);
    assert.ok(['working', 'completed'].includes(task.status));
  });

  it(`${tag('2025-11-25', 'result')} experimental.tasks.getTaskResult blocks until the result`, async () => {
    const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    assert.deepEqual(result.content, [{ type: 'text', text: 'sdk' }]);
  });

  it(`${tag('2025-11-25', 'list')} experimental.tasks.listTasks includes it`, async () => {
    const listed = await client.experimental.tasks.listTasks();
    assert.ok(listed.tasks.some((t) => t.taskId === taskId));
  });

  it(`${tag('2025-11-25', 'cancel')} experimental.tasks.cancelTask answers the cancelled task`, async () => {
    const created = await client.request(
      { method: 'tools/call', params: { name: 'wait', arguments: { durationMs: 60_000 }, task: {} } },
      CreateTaskResultSchema,
    );
    const cancelled = await client.experimental.tasks.cancelTask(created.task.taskId);
    assert.equal(cancelled.status, 'cancelled');
    // It should stay cancelled, so there is nothing to wait for: a task started after the cancel
    // runs to its end instead, and whatever the cancel set off on the server is handled before that.
    const later = await client.request({ method: 'tools/call', params: { name: 'wait', arguments: { durationMs: 0 }, task: {} } }, CreateTaskResultSchema);
    await client.experimental.tasks.getTaskResult(later.task.taskId, CallToolResultSchema);
    assert.equal((await client.experimental.tasks.getTask(created.task.taskId)).status, 'cancelled');
  });

  it(`${tag('2025-11-25', 'input')} callToolStream on ask: the elicitation tied to the task is answered`, async () => {
    await client.listTools();
    let result: unknown;
    const seen: string[] = [];
    for await (const message of client.experimental.tasks.callToolStream({ name: 'ask', arguments: { question: 'name?' } }, CallToolResultSchema)) {
      seen.push(message.type);
      if (message.type === 'result') result = message.result;
      if (message.type === 'error') throw message.error;
    }
    assert.equal(seen[0], 'taskCreated');
    assert.deepEqual((result as { content: unknown[] }).content, [{ type: 'text', text: 'sdk: name?' }]);
  });

  it(`${tag('io.modelcontextprotocol/tasks', '*')} [n.a.: SDK 1.x speaks no 2026-07-28] its protocol versions end at 2025-11-25`, () => {
    assert.ok(!SUPPORTED_PROTOCOL_VERSIONS.includes('2026-07-28'));
    assert.equal(SUPPORTED_PROTOCOL_VERSIONS[0], '2025-11-25');
  });
});
