/**
 * Checklist tests (docs/mcp-tasks.md §2.2) for the 2025-11-25 task client: the real TaskClientV1 /
 * TaskService talk to a server while both directions of the wire are recorded.
 */
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { z } from 'zod';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import {
  CallToolRequestSchema,
  ElicitResultSchema,
  type JSONRPCMessage,
  ListToolsRequestSchema,
  type ServerCapabilities,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { TaskStore } from '../../../src/core/taskStore';
import { TaskClientV1 } from '../../../src/mcp/client/v1/taskClientV1';
import { TaskService } from '../../../src/mcp/client/taskService';
import { CreateTaskResultSchema, GetTaskResultSchema, ListTasksRequestSchema, ListTasksResultSchema } from '../../../src/mcp/wires/v1/codec';
import { BUILTIN_TOOLS } from '../../../src/mcp/server/builtinTools';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { createTaskServerV1 } from '../../../src/mcp/server/v1/taskServerV1';
import { type TaskHost, ToolCatalog } from '../../../src/mcp/server/toolCatalog';
import { type ToolDefinition, defineTool } from '../../../src/mcp/server/tools/toolDefinition';
import { waitFor } from '../helpers/waitFor';
import { type Wire, onWire } from './helpers/rawClient';

const RELATED = 'io.modelcontextprotocol/related-task';
const SERVER_ID = 'srv';

interface Logged {
  readonly dir: 'c→s' | 's→c';
  readonly message: Wire;
}

/** Links a client and a server transport, recording every message in both directions (after drops). */
function tappedPair(dropFromServer: (message: Wire) => boolean = () => false) {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const log: Logged[] = [];
  const dropped: Wire[] = [];
  const clientSend = clientTransport.send.bind(clientTransport);
  clientTransport.send = (message: JSONRPCMessage, options?: never) => {
    log.push({ dir: 'c→s', message: onWire(message) as Wire });
    return clientSend(message, options);
  };
  const serverSend = serverTransport.send.bind(serverTransport);
  serverTransport.send = (message: JSONRPCMessage, options?: never) => {
    const wire = onWire(message) as Wire;
    if (dropFromServer(wire)) {
      dropped.push(wire);
      return Promise.resolve();
    }
    log.push({ dir: 's→c', message: wire });
    return serverSend(message, options);
  };
  const sent = () => log.filter((l) => l.dir === 'c→s').map((l) => l.message);
  const received = () => log.filter((l) => l.dir === 's→c').map((l) => l.message);
  return { clientTransport, serverTransport, log, dropped, sent, received };
}

const optionalTool = defineTool({
  name: 'plain',
  title: 'Plain',
  description: 'Optional in its definition; the listing may hide that.',
  inputSchema: z.object({}),
  annotations: {},
  taskSupport: 'optional',
  async run() {
    return { content: [{ type: 'text', text: 'plain done' }] };
  },
});

const forbiddenTool = defineTool({
  name: 'forbidden_tool',
  title: 'Forbidden',
  description: 'Never a task.',
  inputSchema: z.object({}),
  annotations: {},
  taskSupport: 'forbidden',
  async run() {
    return { content: [{ type: 'text', text: 'forbidden done' }] };
  },
});

const requiredTool = defineTool({
  name: 'required_tool',
  title: 'Required',
  description: 'Always a task.',
  inputSchema: z.object({}),
  annotations: {},
  taskSupport: 'required',
  async run() {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { content: [{ type: 'text', text: 'required done' }] };
  },
});

const TOOLS = [...BUILTIN_TOOLS, ...[optionalTool, forbiddenTool, requiredTool].map((t) => t as unknown as ToolDefinition)];

/** A catalog whose listing omits `execution` for the `plain` tool (an unannotated tool). */
class UnannotatedPlainCatalog extends ToolCatalog {
  override list(): Tool[] {
    return super.list().map((tool) => {
      if (tool.name !== 'plain') return tool;
      const { execution: _omit, ...rest } = tool;
      void _omit;
      return rest as Tool;
    });
  }
}

const toDispose: (() => void)[] = [];

/** Our own task server, a real TaskClientV1 and a TaskService over a recorded in-memory link. */
async function realServer(options: { catalog?: ToolCatalog; dropFromServer?: (m: Wire) => boolean; pollIntervalMs?: number } = {}) {
  const engine = new TaskEngine({ pollIntervalMs: options.pollIntervalMs ?? 20 });
  toDispose.push(() => engine.dispose());
  const host: TaskHost = { catalog: options.catalog ?? new ToolCatalog(TOOLS), defaultCwd: os.tmpdir(), isTrusted: () => true };
  const connection = createTaskServerV1(host, engine, { ownerOf: () => 'editor', outputFlushMs: 5 });
  toDispose.push(() => connection.dispose());
  const pair = tappedPair(options.dropFromServer);
  await connection.server.connect(pair.serverTransport);
  const client = new TaskClientV1();
  toDispose.push(() => client.dispose());
  await client.connect(pair.clientTransport);
  const store = new TaskStore();
  toDispose.push(() => store.dispose());
  const service = new TaskService(store);
  toDispose.push(() => service.dispose());
  service.addServer({ id: SERVER_ID, name: 'Test server', kind: 'stdio', durable: true, client });
  return { engine, client, store, service, ...pair };
}

/** A plain SDK server (not ours) with the given capabilities and tool listing. */
async function plainServer(capabilities: ServerCapabilities, tools: Tool[], setup: (server: Server) => void = () => undefined) {
  const server = new Server({ name: 'plain', version: '1' }, { capabilities });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, (request) => ({ content: [{ type: 'text', text: `called ${request.params.name}` }] }));
  setup(server);
  const pair = tappedPair();
  await server.connect(pair.serverTransport);
  toDispose.push(() => void server.close());
  const client = new TaskClientV1();
  toDispose.push(() => client.dispose());
  await client.connect(pair.clientTransport);
  const store = new TaskStore();
  toDispose.push(() => store.dispose());
  const service = new TaskService(store);
  toDispose.push(() => service.dispose());
  service.addServer({ id: SERVER_ID, name: 'Plain server', kind: 'stdio', durable: true, client });
  return { server, client, store, service, ...pair };
}

const toolEntry = (name: string, taskSupport?: 'forbidden' | 'optional' | 'required'): Tool => ({
  name,
  inputSchema: { type: 'object' },
  ...(taskSupport ? { execution: { taskSupport } } : {}),
});

const toolCalls = (sent: Wire[], name?: string) => sent.filter((m) => m.method === 'tools/call' && (name === undefined || m.params.name === name));

async function finished(store: TaskStore, id: string, what = 'the task to end') {
  return waitFor(
    () => {
      const record = store.get(id);
      return record && ['completed', 'failed', 'cancelled'].includes(record.status) ? record : undefined;
    },
    { what },
  );
}

describe('2025-11-25 task client — checklist (recorded wire)', function () {
  this.timeout(10_000);

  afterEach(() => {
    for (const dispose of toDispose.splice(0).reverse()) {
      try {
        dispose();
      } catch {
        // already gone
      }
    }
  });

  it('T-C-01 never sends params.task to a server without capabilities.tasks.requests.tools.call (even for required/optional tools)', async () => {
    const tools = [toolEntry('req', 'required'), toolEntry('opt', 'optional')];
    for (const capabilities of [{ tools: {} }, { tools: {}, tasks: { list: {}, cancel: {} } }] as ServerCapabilities[]) {
      const { client, service, store, sent } = await plainServer(capabilities, tools);
      assert.equal(client.supportsTasks, false);
      const direct = await client.start('req', {}, { preferTask: true });
      assert.equal(direct.kind, 'result');
      await client.start('opt', {}, { preferTask: true });
      const viaService = await service.start({ serverId: SERVER_ID, tool: 'req', arguments: {} });
      assert.equal((await finished(store, viaService.id)).status, 'completed');
      const calls = toolCalls(sent());
      assert.equal(calls.length, 3);
      for (const call of calls)
        assert.ok(!('task' in call.params), `no params.task with capabilities ${JSON.stringify(capabilities)}: ${JSON.stringify(call.params)}`);
    }
  });

  it('T-C-02 never sends params.task for a tool whose execution.taskSupport is absent or "forbidden"', async () => {
    const { client, service, store, sent } = await realServer({ catalog: new UnannotatedPlainCatalog(TOOLS) });
    assert.equal(client.supportsTasks, true);
    const tools = await client.listTools();
    assert.equal(tools.find((t) => t.name === 'plain')?.execution, undefined, 'plain is unannotated in the listing');
    assert.equal(tools.find((t) => t.name === 'forbidden_tool')?.execution?.taskSupport, 'forbidden');
    for (const tool of ['plain', 'forbidden_tool']) {
      const started = await client.start(tool, {}, { preferTask: true });
      assert.equal(started.kind, 'result', tool);
      const record = await service.start({ serverId: SERVER_ID, tool, arguments: {}, ttl: 60_000 });
      assert.equal((await finished(store, record.id)).status, 'completed', tool);
      const calls = toolCalls(sent(), tool);
      assert.equal(calls.length, 2);
      for (const call of calls) assert.ok(!('task' in call.params), `${tool}: ${JSON.stringify(call.params)}`);
    }
  });

  it('T-C-03 always sends params.task for a tool whose execution.taskSupport is "required" (even when a sync call is preferred)', async () => {
    const { client, service, store, sent } = await realServer();
    const direct = await client.start('required_tool', {}, { preferTask: false });
    assert.equal(direct.kind, 'task');
    const record = await service.start({ serverId: SERVER_ID, tool: 'required_tool', arguments: {}, ttl: 30_000 });
    const done = await finished(store, record.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual((done.result as { content: unknown }).content, [{ type: 'text', text: 'required done' }]);
    const calls = toolCalls(sent(), 'required_tool');
    assert.equal(calls.length, 2);
    for (const call of calls) assert.equal(typeof call.params.task, 'object', JSON.stringify(call.params));
    assert.deepEqual(calls[1].params.task, { ttl: 30_000 });
    // Also against a server that is not ours.
    const other = await plainServer({ tools: {}, tasks: { requests: { tools: { call: {} } } } }, [toolEntry('req', 'required')], (server) => {
      server.setRequestHandler(CallToolRequestSchema, (request) =>
        request.params.task
          ? ({ task: { taskId: 't-1', status: 'working', createdAt: new Date().toISOString(), lastUpdatedAt: new Date().toISOString(), ttl: null } } as never)
          : { content: [], isError: true },
      );
    });
    const started = await other.client.start('req', {}, { preferTask: false });
    assert.equal(started.kind, 'task');
    assert.equal(typeof toolCalls(other.sent(), 'req')[0].params.task, 'object');
  });

  it('T-C-04 reaches the result when the server never sends notifications/tasks/status (completed, and cancelled elsewhere)', async () => {
    const { engine, service, store, sent, received, dropped } = await realServer({ dropFromServer: (m) => m.method === 'notifications/tasks/status' });
    const record = await service.start({ serverId: SERVER_ID, tool: 'wait', arguments: { durationMs: 150, message: 'no pushes needed' } });
    assert.ok(record.taskId);
    const done = await finished(store, record.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual((done.result as { content: unknown }).content, [{ type: 'text', text: 'no pushes needed' }]);
    assert.ok(dropped.length > 0, 'the server did try to push status (and we dropped it)');
    assert.equal(received().filter((m) => m.method === 'notifications/tasks/status').length, 0, 'no status notification reached the client');
    assert.ok(
      sent().some((m) => m.method === 'tasks/get' && m.params.taskId === record.taskId),
      'the client polled tasks/get',
    );
    // A task that ends on the server's side (cancelled by someone else) is noticed too.
    const other = await service.start({ serverId: SERVER_ID, tool: 'wait', arguments: { durationMs: 60_000 } });
    await waitFor(() => sent().some((m) => m.method === 'tasks/get' && m.params.taskId === other.taskId), { what: 'a poll of the second task' });
    engine.cancel('editor', other.taskId!);
    const cancelled = await finished(store, other.id, 'the externally cancelled task');
    assert.equal(cancelled.status, 'cancelled');
  });

  it('T-C-05 tasks/list cursors are passed back byte-for-byte, never parsed or edited', async () => {
    const cursors = ['a b/+=ü', '  padded\t', '%2F%3D%20', 'eyJwYWdlIjoyfQ==', '😀\u0000\\"quoted"', '0'];
    const received: (string | undefined)[] = [];
    const now = new Date().toISOString();
    const { service, sent } = await plainServer({ tools: {}, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } }, [], (server) => {
      server.setRequestHandler(ListTasksRequestSchema, (request) => {
        const cursor = request.params?.cursor;
        received.push(cursor);
        const index = cursor === undefined ? 0 : cursors.indexOf(cursor) + 1;
        if (cursor !== undefined && index === 0) throw Object.assign(new Error(`unknown cursor ${JSON.stringify(cursor)}`), { code: -32602 });
        return {
          tasks: [{ taskId: `t${index}`, status: 'completed', createdAt: now, lastUpdatedAt: now, ttl: null }],
          ...(index < cursors.length ? { nextCursor: cursors[index] } : {}),
        } as never;
      });
    });
    const tasks = await service.listRemote(SERVER_ID);
    assert.deepEqual(
      tasks.map((t) => t.taskId),
      cursors.map((_, i) => `t${i}`).concat(`t${cursors.length}`),
    );
    assert.deepEqual(received, [undefined, ...cursors], 'the server got each cursor exactly as it sent it');
    const wireCursors = sent()
      .filter((m) => m.method === 'tasks/list')
      .map((m) => m.params?.cursor);
    assert.deepEqual(wireCursors, [undefined, ...cursors]);
    assert.equal(tasks[0].ttl, null, 'ttl: null (unlimited) is kept as null');
  });

  it('T-C-06 cancelling a task sends tasks/cancel, never notifications/cancelled for the task', async () => {
    const { client, service, store, sent } = await realServer();
    const record = await service.start({ serverId: SERVER_ID, tool: 'wait', arguments: { durationMs: 60_000 } });
    await waitFor(() => sent().some((m) => m.method === 'tasks/result'), { what: 'the blocking tasks/result' });
    const cancelled = await service.cancel(record.id);
    assert.equal(cancelled.status, 'cancelled');
    const direct = await service.start({ serverId: SERVER_ID, tool: 'wait', arguments: { durationMs: 60_000 } });
    assert.equal((await client.cancel(direct.taskId!))?.status, 'cancelled');
    await finished(store, direct.id);
    const messages = sent();
    const cancels = messages.filter((m) => m.method === 'tasks/cancel');
    assert.deepEqual(
      cancels.map((m) => m.params),
      [{ taskId: record.taskId }, { taskId: direct.taskId }],
    );
    const creatingCalls = new Set(toolCalls(messages, 'wait').map((m) => m.id));
    const taskResultCalls = new Set(messages.filter((m) => m.method === 'tasks/result').map((m) => m.id));
    for (const note of messages.filter((m) => m.method === 'notifications/cancelled')) {
      assert.ok(!creatingCalls.has(note.params.requestId), `notifications/cancelled names the task-creating tools/call: ${JSON.stringify(note)}`);
      assert.ok(taskResultCalls.has(note.params.requestId), `notifications/cancelled only ever withdraws a tasks/result wait: ${JSON.stringify(note)}`);
    }
  });

  it('T-C-07 declares tasks.requests.elicitation.create and sampling.createMessage (and tasks/list, tasks/cancel) as a receiver', async () => {
    const { sent } = await realServer();
    const init = sent().find((m) => m.method === 'initialize');
    assert.ok(init);
    assert.equal(init.params.protocolVersion, '2025-11-25');
    assert.deepEqual(init.params.capabilities, {
      elicitation: { form: {} },
      sampling: {},
      tasks: { list: {}, cancel: {}, requests: { elicitation: { create: {} }, sampling: { createMessage: {} } } },
    });
  });

  it('T-C-07 as receiver obeys the T-S rules: a task-augmented elicitation answers with CreateTaskResult (T-S-10), tasks/get and tasks/list show it (T-S-08/17), tasks/result returns the answer with related-task _meta (T-S-11/13)', async () => {
    const { server, client } = await plainServer({ tools: {} }, []);
    let answerNow!: (value: { action: 'accept'; content: { answer: string } }) => void;
    client.inputHandler = () => new Promise((resolve) => (answerNow = resolve));
    const created = (await server.request(
      {
        method: 'elicitation/create',
        params: { mode: 'form', message: 'q?', requestedSchema: { type: 'object', properties: { answer: { type: 'string' } } }, task: { ttl: 60_000 } },
      } as never,
      CreateTaskResultSchema,
    )) as { task: { taskId: string; status: string; ttl: number; createdAt: string; lastUpdatedAt: string } };
    assert.equal(created.task.status, 'working', 'T-S-05: the first status is working');
    assert.equal(created.task.ttl, 60_000);
    assert.ok(Date.parse(created.task.createdAt) && Date.parse(created.task.lastUpdatedAt));
    const taskId = created.task.taskId;
    assert.equal((await server.request({ method: 'tasks/get', params: { taskId } } as never, GetTaskResultSchema)).status, 'working');
    assert.ok((await server.request({ method: 'tasks/list', params: {} } as never, ListTasksResultSchema)).tasks.some((t) => t.taskId === taskId));
    const payload = server.request({ method: 'tasks/result', params: { taskId } } as never, ElicitResultSchema);
    await waitFor(() => answerNow, { what: 'the question to reach the host' });
    answerNow({ action: 'accept', content: { answer: 'later' } });
    const result = (await payload) as { action: string; content: unknown; _meta?: Record<string, unknown> };
    assert.equal(result.action, 'accept');
    assert.deepEqual(result.content, { answer: 'later' });
    assert.deepEqual(result._meta?.[RELATED], { taskId });
    assert.equal((await server.request({ method: 'tasks/get', params: { taskId } } as never, GetTaskResultSchema)).status, 'completed');
    await assert.rejects(
      server.request({ method: 'tasks/get', params: { taskId: 'nope' } } as never, GetTaskResultSchema),
      (error: { code?: number }) => error.code === -32602,
    );
  });

  it('T-C-07 (T-S-02 as receiver) a plain elicitation/create (no task) is answered directly', async () => {
    const { server, client } = await plainServer({ tools: {} }, []);
    client.inputHandler = async () => ({ action: 'accept', content: { answer: 'plain' } });
    const answer = await server.request(
      {
        method: 'elicitation/create',
        params: { mode: 'form', message: 'q?', requestedSchema: { type: 'object', properties: { answer: { type: 'string' } } } },
      } as never,
      ElicitResultSchema,
    );
    assert.deepEqual(answer, { action: 'accept', content: { answer: 'plain' } });
  });

  it('T-C-08 while blocked in tasks/result, services an elicitation/create with related-task _meta and keeps that _meta in its response', async () => {
    const { service, store, log } = await realServer();
    const record = await service.start({ serverId: SERVER_ID, tool: 'ask', arguments: { question: 'Favourite colour?' } });
    const asking = await waitFor(
      () => {
        const r = store.get(record.id);
        return r?.pendingInput.length === 1 ? r : undefined;
      },
      { what: 'the question to reach the store' },
    );
    assert.equal(asking.pendingInput[0].params.message, 'Favourite colour?');
    service.answerInput(record.id, asking.pendingInput[0].key, { action: 'accept', content: { answer: 'teal' } });
    const done = await finished(store, record.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual((done.result as { content: unknown }).content, [{ type: 'text', text: 'teal' }]);

    const index = (predicate: (l: (typeof log)[number]) => boolean) => log.findIndex(predicate);
    const question = log.find((l) => l.dir === 's→c' && l.message.method === 'elicitation/create')!;
    assert.deepEqual(question.message.params._meta?.[RELATED], { taskId: record.taskId });
    const answerAt = index((l) => l.dir === 'c→s' && l.message.id === question.message.id && l.message.method === undefined);
    assert.ok(answerAt >= 0, 'the client answered the question');
    const answer = log[answerAt].message;
    assert.equal(answer.error, undefined);
    assert.equal(answer.result.action, 'accept');
    assert.deepEqual(answer.result._meta?.[RELATED], { taskId: record.taskId }, 'the response keeps related-task');
    // It was serviced while a tasks/result call for that task was outstanding.
    const resultCalls = log.filter((l) => l.dir === 'c→s' && l.message.method === 'tasks/result' && l.message.params.taskId === record.taskId);
    assert.ok(
      resultCalls.some((call) => {
        const sentAt = log.indexOf(call);
        const answeredAt = index((l) => l.dir === 's→c' && l.message.id === call.message.id && l.message.method === undefined);
        return sentAt < answerAt && (answeredAt === -1 || answeredAt > answerAt);
      }),
      'a tasks/result for the task was pending while the question was answered',
    );
  });
});
