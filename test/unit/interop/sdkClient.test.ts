import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { BUILTIN_TOOLS } from '../../../src/mcp/server/builtinTools';
import { type RunningHttpServer, startHttpServer } from '../../../src/mcp/server/httpServer';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { ToolCatalog } from '../../../src/mcp/server/toolCatalog';

const CLI = path.resolve('out/src/mcp/server/cli.js');

async function collect(client: Client, name: string, args: Record<string, unknown>) {
  // The SDK decides to augment from the tool list it has cached.
  await client.listTools();
  const seen: string[] = [];
  let result: unknown;
  for await (const message of client.experimental.tasks.callToolStream({ name, arguments: args }, CallToolResultSchema)) {
    seen.push(message.type);
    if (message.type === 'result') result = message.result;
    if (message.type === 'error') throw message.error;
  }
  return { seen, result };
}

function sdkClient(): Client {
  const client = new Client({ name: 'sdk-interop', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler(ElicitRequestSchema, async (request) => ({ action: 'accept', content: { answer: `re: ${request.params.message}` } }));
  return client;
}

for (const transportKind of ['stdio', 'http'] as const) {
  describe(`interop: the official SDK client against our standalone server (${transportKind})`, function () {
    this.timeout(20_000);
    let client: Client;
    let http: RunningHttpServer | undefined;
    let engine: TaskEngine | undefined;

    beforeEach(async () => {
      client = sdkClient();
      if (transportKind === 'stdio') {
        await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, '--stdio', '--log', 'warn'], stderr: 'ignore' }));
      } else {
        engine = new TaskEngine();
        http = await startHttpServer({ catalog: new ToolCatalog(BUILTIN_TOOLS), defaultCwd: process.cwd(), isTrusted: () => true }, engine, {
          token: 'secret-token',
        });
        await client.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { Authorization: 'Bearer secret-token' } } }));
      }
    });

    afterEach(async () => {
      await client.close();
      await http?.close();
      engine?.dispose();
    });

    it('lists tools with execution.taskSupport and honest annotations', async () => {
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((t) => [t.name, t]));
      assert.equal(byName.get('run_command')?.execution?.taskSupport, 'optional');
      assert.equal(byName.get('run_command')?.annotations?.destructiveHint, true);
      assert.equal(byName.get('ask')?.execution?.taskSupport, 'required');
      assert.equal(byName.get('wait')?.annotations?.readOnlyHint, true);
    });

    it('runs a task through callToolStream: taskCreated → result', async () => {
      const { seen, result } = await collect(client, 'wait', { durationMs: 20, message: 'ok' });
      assert.equal(seen[0], 'taskCreated');
      assert.equal(seen[seen.length - 1], 'result');
      assert.deepEqual((result as { content: unknown[] }).content, [{ type: 'text', text: 'ok' }]);
    });

    it('answers an elicitation tied to the task (ask)', async () => {
      const { result } = await collect(client, 'ask', { question: 'name?' });
      assert.deepEqual((result as { content: unknown[] }).content, [{ type: 'text', text: 're: name?' }]);
    });

    it('gets, lists and cancels tasks with the SDK task API', async () => {
      const created = await client.request(
        { method: 'tools/call', params: { name: 'wait', arguments: { durationMs: 60_000 }, task: { ttl: 60_000 } } },
        (await import('@modelcontextprotocol/sdk/types.js')).CreateTaskResultSchema,
      );
      const taskId = created.task.taskId;
      assert.equal((await client.experimental.tasks.getTask(taskId)).status, 'working');
      const listed = await client.experimental.tasks.listTasks();
      assert.ok(listed.tasks.some((t) => t.taskId === taskId));
      const cancelled = await client.experimental.tasks.cancelTask(taskId);
      assert.equal(cancelled.status, 'cancelled');
    });

    it('runs a plain synchronous tools/call on a task-optional tool', async () => {
      const result = await client.callTool({ name: 'run_command', arguments: { command: 'echo sync' } });
      assert.equal((result.structuredContent as { exitCode: number }).exitCode, 0);
    });
  });
}

describe('standalone HTTP server refuses what it must', () => {
  let http: RunningHttpServer;
  let engine: TaskEngine;
  const init = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
  };

  before(async () => {
    engine = new TaskEngine();
    http = await startHttpServer({ catalog: new ToolCatalog(BUILTIN_TOOLS), defaultCwd: process.cwd(), isTrusted: () => true }, engine, {
      token: 'right',
      maxBodyBytes: 1024,
    });
  });
  after(async () => {
    await http.close();
    engine.dispose();
  });

  const post = (headers: Record<string, string>, body: string = JSON.stringify(init)) =>
    fetch(http.url, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers }, body });

  it('binds to loopback only', () => {
    assert.match(http.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
  });

  it('refuses a request without a token (401) and with a wrong token (401)', async () => {
    assert.equal((await post({})).status, 401);
    assert.equal((await post({ Authorization: 'Bearer wrong' })).status, 401);
  });

  it('refuses a foreign Origin (403)', async () => {
    assert.equal((await post({ Authorization: 'Bearer right', Origin: 'http://evil.example' })).status, 403);
  });

  it('answers malformed JSON with a parse error and an oversized body with 413', async () => {
    const bad = await post({ Authorization: 'Bearer right' }, '{not json');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: number } }).error.code, -32700);
    assert.equal((await post({ Authorization: 'Bearer right' }, JSON.stringify({ ...init, pad: 'x'.repeat(2048) }))).status, 413);
  });

  it('accepts the right token', async () => {
    assert.equal((await post({ Authorization: 'Bearer right' })).status, 200);
  });
});
