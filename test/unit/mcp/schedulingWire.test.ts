/**
 * Scheduling, agent identity and parent links as they travel on both task wires: `_meta` hints in,
 * the queue place out, and Tasklane's own client mirroring that place into the task record.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { META, SPEC_META } from '../../../src/core/meta';
import { EMBEDDED_SERVER_ID } from '../../../src/mcp/embeddedServer';
import { BUILTIN_TOOLS } from '../../../src/mcp/server/builtinTools';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { createTaskServerV1 } from '../../../src/mcp/server/v1/taskServerV1';
import { type TaskHost, ToolCatalog } from '../../../src/mcp/server/toolCatalog';
import { TaskServerV2, type V2Reply } from '../../../src/mcp/server/v2/taskServerV2';
import { makeTaskHarness } from '../helpers/taskHarness';
import { waitFor } from '../helpers/waitFor';
import { RawClient, type Wire } from './helpers/rawClient';

const HOLD = { durationMs: 10_000 };

function hostFor(): TaskHost {
  return { catalog: new ToolCatalog(BUILTIN_TOOLS), defaultCwd: os.tmpdir(), isTrusted: () => true };
}

describe('mcp/server scheduling on the 2025-11-25 wire', () => {
  let engine: TaskEngine;
  let raw: RawClient;
  let dispose: () => void;

  beforeEach(async () => {
    engine = new TaskEngine({ scheduler: { maxConcurrent: 1, toolLimits: {} } });
    const connection = createTaskServerV1(hostFor(), engine, { connection: 'editor' });
    dispose = connection.dispose;
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await connection.server.connect(serverTransport);
    raw = new RawClient(clientTransport);
    await raw.start();
    await raw.initialize({ protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'agent-x', version: '2.0.0' } });
  });

  afterEach(async () => {
    dispose();
    engine.dispose();
    await raw.close();
  });

  async function call(meta: Wire = {}): Promise<Wire> {
    const response = await raw.request('tools/call', { name: 'wait', arguments: HOLD, task: {}, _meta: meta });
    assert.ok(response.result, JSON.stringify(response.error));
    return response.result;
  }

  it('records the agent from the initialize handshake and the connection label', async () => {
    const created = await call();
    assert.deepEqual(engine.peek(created.task.taskId)?.agent, { name: 'agent-x', version: '2.0.0', connection: 'editor' });
  });

  it('reports the queue place in _meta of the creation result, tasks/get and status notifications, never in a tasks/list item', async () => {
    const first = await call();
    assert.equal(first._meta, undefined, 'a task that starts at once has no queue place');
    const second = await call({ [META.priority]: 3 });
    assert.deepEqual(second._meta, { [META.queue]: { position: 1, size: 1 } });
    assert.equal(second.task.statusMessage, 'Queued (1 of 1)');
    assert.equal(engine.peek(second.task.taskId)?.priority, 3);

    const got = await raw.request('tasks/get', { taskId: second.task.taskId });
    assert.deepEqual(got.result?._meta, { [META.queue]: { position: 1, size: 1 } });
    const listed = await raw.request('tasks/list', {});
    assert.ok((listed.result?.tasks as Wire[]).every((task) => task._meta === undefined));

    await raw.request('tasks/cancel', { taskId: first.task.taskId });
    const started = await raw.waitForNotification(
      'notifications/tasks/status',
      (params) => params.taskId === second.task.taskId && params.statusMessage === 'Started',
    );
    assert.equal(started.params._meta, undefined, 'the place is cleared once the work starts');
  });

  it('takes the parent from our parentTaskId key, or from related-task naming a running task, and drops one it cannot see', async () => {
    const parent = await call();
    const byKey = await call({ [META.parentTaskId]: parent.task.taskId });
    const byRelated = await call({ [SPEC_META.relatedTask]: { taskId: parent.task.taskId } });
    const foreign = engine.start({ owner: 'someone-else', tool: 'wait', settle: () => ({ status: 'completed' }), run: () => new Promise(() => undefined) });
    const orphan = await call({ [META.parentTaskId]: foreign.taskId });
    assert.equal(engine.peek(byKey.task.taskId)?.parentTaskId, parent.task.taskId);
    assert.equal(engine.peek(byRelated.task.taskId)?.parentTaskId, parent.task.taskId);
    assert.equal(engine.peek(orphan.task.taskId)?.parentTaskId, undefined);
    assert.deepEqual(
      engine.childrenOf(parent.task.taskId).map((task) => task.taskId),
      [byKey.task.taskId, byRelated.task.taskId],
    );
  });

  it('answers -32602 for malformed hints and for an after-task it cannot see', async () => {
    const badPriority = await raw.request('tools/call', { name: 'wait', arguments: HOLD, task: {}, _meta: { [META.priority]: 1000 } });
    assert.equal(badPriority.error?.code, -32602);
    assert.match(badPriority.error?.message ?? '', /dev\.tasklane\/priority/);
    const unknownAfter = await raw.request('tools/call', { name: 'wait', arguments: HOLD, task: {}, _meta: { [META.scheduling]: { afterTaskId: 'nope' } } });
    assert.deepEqual(unknownAfter.error, { code: -32602, message: 'Cannot run after task nope: no such task (unknown, expired, or not yours)' });
  });
});

describe('mcp/server scheduling on the 2026-07-28 extension wire', () => {
  let engine: TaskEngine;
  let server: TaskServerV2;
  let nextId = 1;

  beforeEach(() => {
    engine = new TaskEngine({ scheduler: { maxConcurrent: 1, toolLimits: {} } });
    server = new TaskServerV2(hostFor(), engine, { connection: 'http stateless' });
  });

  afterEach(() => {
    server.dispose();
    engine.dispose();
  });

  async function send(method: string, params: Wire): Promise<Wire> {
    const reply: V2Reply = await server.handle({
      principal: 'token:abc',
      message: {
        jsonrpc: '2.0',
        id: nextId++,
        method,
        params: {
          ...params,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientInfo': { name: 'stateless-agent', version: '0.9.1' },
            'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
            ...(params._meta ?? {}),
          },
        },
      },
    });
    assert.equal(reply.kind, 'response');
    const body = (reply as Extract<V2Reply, { kind: 'response' }>).body as Wire;
    assert.ok(body.result, JSON.stringify(body.error));
    return body.result;
  }

  it('records the agent from the clientInfo each request carries, with the connection label', async () => {
    const created = await send('tools/call', { name: 'wait', arguments: HOLD });
    assert.equal(created.resultType, 'task');
    assert.deepEqual(engine.peek(created.taskId)?.agent, { name: 'stateless-agent', version: '0.9.1', connection: 'http stateless' });
  });

  it('reports the queue place in _meta of the creation result and tasks/get, and links a child through related-task', async () => {
    const first = await send('tools/call', { name: 'wait', arguments: HOLD });
    const second = await send('tools/call', { name: 'wait', arguments: HOLD, _meta: { [SPEC_META.relatedTask]: { taskId: first.taskId } } });
    assert.deepEqual(second._meta, { [META.queue]: { position: 1, size: 1 } });
    assert.equal(second.statusMessage, 'Queued (1 of 1)');
    const got = await send('tasks/get', { taskId: second.taskId });
    assert.deepEqual(got._meta, { [META.queue]: { position: 1, size: 1 } });
    assert.equal(engine.peek(second.taskId)?.parentTaskId, first.taskId);
  });
});

describe("TaskService mirrors the embedded server's queue place into the record", () => {
  it('sets queue while the task waits and clears it when the task starts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-queue-'));
    const harness = await makeTaskHarness({ storeDir: dir, scheduler: { maxConcurrent: 1, toolLimits: {} } });
    const { store, embedded, service } = harness;
    try {
      const first = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 300 } });
      const second = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 10 } });
      assert.deepEqual(store.get(second.id)?.queue, { position: 1, size: 1 });
      assert.equal(store.get(second.id)?.statusMessage, 'Queued (1 of 1)');
      assert.equal(store.get(first.id)?.queue, undefined);
      // The version unbundled code announces is package.json's (esbuild puts the same one in the bundles).
      const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../package.json'), 'utf8')) as { version: string };
      assert.deepEqual(embedded.engine.peek(second.taskId!)?.agent, { name: 'tasklane', version, connection: 'editor' });
      const done = await waitFor(() => (store.get(second.id)?.status === 'completed' ? store.get(second.id) : undefined), {
        what: 'the queued task to finish',
      });
      assert.equal(done.queue, undefined);
      assert.ok(
        done.timeline.some((entry) => entry.message === 'Started'),
        'the start shows in the timeline',
      );
    } finally {
      harness.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
