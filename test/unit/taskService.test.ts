import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import type { TaskStore } from '../../src/core/taskStore';
import { EMBEDDED_SERVER_ID } from '../../src/mcp/embeddedServer';
import type { TaskService } from '../../src/mcp/client/taskService';
import { BUILTIN_TOOLS } from '../../src/mcp/server/builtinTools';
import { defineTool, type ToolDefinition } from '../../src/mcp/server/tools/toolDefinition';
import { RpcError } from '../../src/mcp/rpcError';
import { type TaskHarness, makeTaskHarness } from './helpers/taskHarness';
import { waitFor } from './helpers/waitFor';

const protocolErrorTool = defineTool({
  name: 'protocol_error',
  title: 'Protocol error',
  description: 'Fails with a JSON-RPC error',
  inputSchema: z.object({}),
  annotations: {},
  taskSupport: 'optional',
  async run() {
    throw new RpcError(-32050, 'backend refused', { reason: 'test' });
  },
});

describe('TaskService over the embedded server (2025-11-25)', () => {
  let dir: string;
  let store: TaskStore;
  let service: TaskService;
  let harness: TaskHarness;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-svc-'));
    harness = await makeTaskHarness({ storeDir: dir, tools: [...BUILTIN_TOOLS, protocolErrorTool as unknown as ToolDefinition] });
    ({ store, service } = harness);
  });

  afterEach(() => {
    harness.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs a wait task to completion and stores the result', async () => {
    const record = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 50, message: 'done waiting' }, intent: 'demo' });
    assert.ok(record.taskId, 'the server task id is recorded');
    assert.equal(record.wire, '2025-11-25');
    const done = await waitFor(() => (store.get(record.id)?.status === 'completed' ? store.get(record.id) : undefined), { what: 'completion' });
    assert.deepEqual((done.result as { content: unknown[] }).content, [{ type: 'text', text: 'done waiting' }]);
    assert.deepEqual(done.timeline.map((t) => t.status).filter(Boolean), ['working', 'completed']);
  });

  it('runs a shell command and keeps its output', async () => {
    const record = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'run_command', arguments: { command: 'echo hello; echo world' } });
    const done = await waitFor(() => (store.get(record.id)?.status === 'completed' ? store.get(record.id) : undefined), { what: 'completion' });
    assert.match(done.output ?? '', /hello\nworld/);
    assert.equal((done.result as { structuredContent: { exitCode: number } }).structuredContent.exitCode, 0);
  });

  it('ends a non-zero exit as failed (isError → failed on 2025-11-25), keeping the result', async () => {
    const record = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'run_command', arguments: { command: 'echo oops >&2; exit 3' } });
    const done = await waitFor(() => (store.get(record.id)?.status === 'failed' ? store.get(record.id) : undefined), { what: 'failure' });
    assert.equal((done.result as { isError: boolean }).isError, true);
    assert.equal((done.result as { structuredContent: { exitCode: number } }).structuredContent.exitCode, 3);
  });

  it('keeps the exact JSON-RPC error of a protocol failure', async () => {
    const record = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'protocol_error', arguments: {} });
    const done = await waitFor(() => (store.get(record.id)?.status === 'failed' ? store.get(record.id) : undefined), { what: 'failure' });
    assert.deepEqual(done.error, { code: -32050, message: 'backend refused', data: { reason: 'test' } });
  });

  it('asks a question, waits in input_required, and finishes with the answer', async () => {
    const record = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'ask', arguments: { question: 'Favourite colour?' } });
    const asking = await waitFor(
      () => {
        const r = store.get(record.id);
        return r?.status === 'input_required' && r.pendingInput.length === 1 ? r : undefined;
      },
      { what: 'the question' },
    );
    assert.equal(asking.pendingInput[0].params.message, 'Favourite colour?');
    service.answerInput(record.id, asking.pendingInput[0].key, { action: 'accept', content: { answer: 'teal' } });
    const done = await waitFor(() => (store.get(record.id)?.status === 'completed' ? store.get(record.id) : undefined), { what: 'completion' });
    assert.deepEqual((done.result as { content: unknown[] }).content, [{ type: 'text', text: 'teal' }]);
    assert.deepEqual(done.pendingInput, []);
  });

  it('cancels a running task, and retries it as a linked attempt', async () => {
    const record = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 60_000 } });
    const cancelled = await service.cancel(record.id);
    assert.equal(cancelled.status, 'cancelled');
    const retry = await service.retry(record.id, { arguments: { durationMs: 10 } });
    assert.equal(retry.retryOf, record.id);
    assert.equal(retry.attempt, 2);
    assert.equal(store.get(record.id)?.retriedAs, retry.id);
    await waitFor(() => store.get(retry.id)?.status === 'completed', { what: 'the retry to complete' });
    await assert.rejects(service.retry(retry.id), /Only failed or cancelled/);
  });

  it('fails to start on unknown tools and bad arguments with clear messages', async () => {
    const unknown = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'nope', arguments: {} });
    assert.equal(unknown.status, 'failed');
    assert.match(unknown.error?.message ?? '', /no tool named "nope"/);
    const bad = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 'soon' } });
    assert.equal(bad.status, 'failed');
    assert.equal(bad.error?.code, -32602);
    assert.match(bad.error?.message ?? '', /durationMs/);
  });

  it('marks tasks that were running when the host stopped as interrupted and retryable', async () => {
    const record = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 60_000 } });
    harness.dispose();
    harness = await makeTaskHarness({ storeDir: dir });
    ({ store, service } = harness);
    const after = store.require(record.id);
    assert.equal(after.status, 'failed');
    assert.match(after.statusMessage ?? '', /Stopped when the window reloaded/);
  });
});
