/**
 * Checklist tests (docs/mcp-tasks.md §2) for the 2025-11-25 task server, observed on the raw wire:
 * the test drives the client end of an in-memory transport by hand and asserts the exact JSON.
 */
import type * as nodeCrypto from 'node:crypto';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { z } from 'zod';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { BUILTIN_TOOLS } from '../../../src/mcp/server/builtinTools';
import { type EngineOptions, TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { createTaskServerV1 } from '../../../src/mcp/server/v1/taskServerV1';
import { type TaskHost, ToolCatalog } from '../../../src/mcp/server/toolCatalog';
import { type ToolDefinition, defineTool } from '../../../src/mcp/server/tools/toolDefinition';
import { RpcError } from '../../../src/mcp/rpcError';
import { INIT_PARAMS, RawClient, type RawResponse, type Wire, onWire } from './helpers/rawClient';
import { waitFor } from '../helpers/waitFor';

const RELATED = 'io.modelcontextprotocol/related-task';
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TASK_KEYS = new Set(['taskId', 'status', 'statusMessage', 'createdAt', 'lastUpdatedAt', 'ttl', 'pollInterval']);

// ---------------------------------------------------------------------------------------------
// Test-only tools

type Finish = () => CallToolResult;

interface Gate {
  readonly promise: Promise<Finish>;
  open(finish?: Finish): void;
  started: boolean;
  signal?: AbortSignal;
}

/** Named latches the `gated` tool waits on; the test opens them (with a result or a throw). */
const gates = new Map<string, Gate>();
function gate(name: string): Gate {
  let g = gates.get(name);
  if (!g) {
    let open!: (finish: Finish) => void;
    const promise = new Promise<Finish>((resolve) => (open = resolve));
    g = { promise, open: (finish = () => ({ content: [{ type: 'text', text: `gate ${name} opened` }] })) => open(finish), started: false };
    gates.set(name, g);
  }
  return g;
}

function abortPromise(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

const gatedTool = defineTool({
  name: 'gated',
  title: 'Gated',
  description: 'Completes when the test opens its gate. Ignores cancellation unless honourAbort.',
  inputSchema: z.object({ gate: z.string(), honourAbort: z.boolean().optional(), status: z.string().optional(), output: z.string().optional() }),
  annotations: {},
  taskSupport: 'optional',
  async run({ gate: name, honourAbort, status, output }, context) {
    const g = gate(name);
    g.started = true;
    g.signal = context.signal;
    if (status) context.status(status);
    if (output) context.output(output);
    const finish = honourAbort ? await Promise.race([g.promise, abortPromise(context.signal)]) : await g.promise;
    return finish();
  },
});

const requiredTool = defineTool({
  name: 'required_tool',
  title: 'Required',
  description: 'Must be called as a task; completes at once.',
  inputSchema: z.object({}),
  annotations: {},
  taskSupport: 'required',
  async run() {
    return { content: [{ type: 'text', text: 'required done' }] };
  },
});

const forbiddenTool = defineTool({
  name: 'forbidden_tool',
  title: 'Forbidden',
  description: 'Must not be called as a task.',
  inputSchema: z.object({}),
  annotations: {},
  taskSupport: 'forbidden',
  async run() {
    return { content: [{ type: 'text', text: 'forbidden done' }] };
  },
});

const echoTool = defineTool({
  name: 'echo',
  title: 'Echo',
  description: 'Returns its input.',
  inputSchema: z.object({ text: z.string() }),
  annotations: {},
  taskSupport: 'optional',
  async run({ text }) {
    return { content: [{ type: 'text', text: `echo: ${text}` }], structuredContent: { text, n: 1 } };
  },
});

const protocolErrorTool = defineTool({
  name: 'protocol_error',
  title: 'Protocol error',
  description: 'Fails with a JSON-RPC error.',
  inputSchema: z.object({}),
  annotations: {},
  taskSupport: 'optional',
  async run() {
    throw new RpcError(-32050, 'backend refused', { reason: 'test' });
  },
});

const crashTool = defineTool({
  name: 'crash',
  title: 'Crash',
  description: 'Throws a plain Error (an internal failure).',
  inputSchema: z.object({}),
  annotations: {},
  taskSupport: 'optional',
  async run() {
    throw new Error('kaboom');
  },
});

const isErrorTool = defineTool({
  name: 'is_error',
  title: 'isError',
  description: 'Returns a tool result with isError: true.',
  inputSchema: z.object({}),
  annotations: {},
  taskSupport: 'optional',
  async run() {
    return { content: [{ type: 'text', text: 'it broke: disk full\nsecond line' }], isError: true };
  },
});

/** Racer work that has started and not yet returned. */
let racersRunning = 0;

const racerTool = defineTool({
  name: 'racer',
  title: 'Racer',
  description: 'Completes after a number of microtasks, ticks or immediates.',
  inputSchema: z.object({ mode: z.enum(['micro', 'tick', 'immediate']), n: z.number().int().min(0) }),
  annotations: {},
  taskSupport: 'optional',
  async run({ mode, n }) {
    racersRunning++;
    try {
      for (let i = 0; i < n; i++) {
        if (mode === 'micro') await Promise.resolve();
        else if (mode === 'tick') await new Promise<void>((resolve) => process.nextTick(resolve));
        else await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return { content: [{ type: 'text', text: 'raced' }] };
    } finally {
      racersRunning--;
    }
  },
});

const TEST_TOOLS = [gatedTool, requiredTool, forbiddenTool, echoTool, protocolErrorTool, crashTool, isErrorTool, racerTool].map(
  (t) => t as unknown as ToolDefinition,
);

// ---------------------------------------------------------------------------------------------
// Fixture

interface Conn {
  readonly raw: RawClient;
  /** Everything the server transport sent, with the request it was related to (the stream it would use over HTTP). */
  readonly serverSends: { message: Wire; relatedRequestId?: string | number }[];
  readonly initResponse: RawResponse;
  dispose(): void;
}

const host: TaskHost = { catalog: new ToolCatalog([...BUILTIN_TOOLS, ...TEST_TOOLS]), defaultCwd: os.tmpdir(), isTrusted: () => true };
const toDispose: (() => void)[] = [];

function newEngine(options: EngineOptions = {}): TaskEngine {
  const engine = new TaskEngine(options);
  toDispose.push(() => engine.dispose());
  return engine;
}

async function connect(engine: TaskEngine, ownerOf: (() => string) | null = () => 'alice', init: Wire = INIT_PARAMS): Promise<Conn> {
  const connection = createTaskServerV1(host, engine, ownerOf === null ? { outputFlushMs: 5 } : { ownerOf, outputFlushMs: 5 });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const serverSends: Conn['serverSends'] = [];
  const send = serverTransport.send.bind(serverTransport);
  serverTransport.send = (message: JSONRPCMessage, options?: { relatedRequestId?: string | number }) => {
    serverSends.push({ message: onWire(message) as Wire, relatedRequestId: options?.relatedRequestId });
    return send(message, options as never);
  };
  await connection.server.connect(serverTransport);
  const raw = new RawClient(clientTransport);
  await raw.start();
  const initResponse = await raw.initialize(init);
  const conn = { raw, serverSends, initResponse, dispose: connection.dispose };
  toDispose.unshift(() => connection.dispose());
  return conn;
}

async function createTask(raw: RawClient, name: string, args: Wire = {}, task: Wire = {}, extraParams: Wire = {}): Promise<Wire> {
  const response = await raw.request('tools/call', { name, arguments: args, task, ...extraParams });
  assert.equal(response.error, undefined, `tools/call ${name} as a task failed: ${JSON.stringify(response.error)}`);
  assert.ok(response.result?.task, `expected a CreateTaskResult, got ${JSON.stringify(response.result)}`);
  return response.result.task;
}

async function getTask(raw: RawClient, taskId: string): Promise<Wire> {
  const response = await raw.request('tasks/get', { taskId });
  assert.equal(response.error, undefined, `tasks/get failed: ${JSON.stringify(response.error)}`);
  return response.result!;
}

/** Polls tasks/get until `predicate` holds; a timeout names the last snapshot. */
function pollUntil(raw: RawClient, taskId: string, predicate: (task: Wire) => boolean, what: string): Promise<Wire> {
  return waitFor(
    async () => {
      const task = await getTask(raw, taskId);
      assert.ok(predicate(task), `the task is ${JSON.stringify(task)}`);
      return task;
    },
    { what, intervalMs: 2 },
  );
}

const untilTerminal = (raw: RawClient, taskId: string) => pollUntil(raw, taskId, (t) => TERMINAL.has(t.status), 'a terminal status');

function assertError(response: RawResponse, code: number, what: string): void {
  assert.equal(response.result, undefined, `${what}: expected error ${code}, got result ${JSON.stringify(response.result)}`);
  assert.ok(response.error, `${what}: expected an error`);
  assert.equal(response.error.code, code, `${what}: expected code ${code}, got ${JSON.stringify(response.error)}`);
}

function assertIsoTimes(task: Wire, where: string): void {
  for (const key of ['createdAt', 'lastUpdatedAt']) {
    assert.equal(typeof task[key], 'string', `${where}: ${key} missing in ${JSON.stringify(task)}`);
    assert.match(task[key], ISO, `${where}: ${key} is not ISO 8601`);
    assert.ok(!Number.isNaN(Date.parse(task[key])), `${where}: ${key} does not parse`);
  }
}

/**
 * Stands in for "wait a while" where a test shows that nothing more happens: a task created now
 * runs to its end and its terminal notification arrives. What the engine set off before (a late
 * result, an abort, a notification, work starting on the next turn) is handled and sent first.
 */
async function aLaterTaskEnds(raw: RawClient): Promise<void> {
  const later = await createTask(raw, 'echo', { text: 'later' });
  await raw.waitForNotification('notifications/tasks/status', (p) => p.taskId === later.taskId && TERMINAL.has(p.status), 'a later task to end');
}

/** The status notification that says `taskId` reached `status`. */
const statusNotified = (raw: RawClient, taskId: string, status: string) =>
  raw.waitForNotification('notifications/tasks/status', (p) => p.taskId === taskId && p.status === status, `the ${status} notification of ${taskId}`);
const immediate = () => new Promise((resolve) => setImmediate(resolve));

/** Allowed status changes (same-status updates are message changes, not transitions). */
function allowedTransition(from: string, to: string): boolean {
  if (TERMINAL.has(from)) return false;
  if (from === to) return true;
  if (from === 'working') return ['input_required', 'completed', 'failed', 'cancelled'].includes(to);
  if (from === 'input_required') return ['working', 'completed', 'failed', 'cancelled'].includes(to);
  return false;
}

/** Answers the next elicitation/create for `taskId` with `answer`. */
async function answerElicitation(raw: RawClient, taskId: string, answer: Wire): Promise<Wire> {
  const request = await raw.waitForServerRequest('elicitation/create', (p) => p._meta?.[RELATED]?.taskId === taskId, `elicitation for ${taskId}`);
  await raw.respond(request.id, answer);
  return request;
}

// ---------------------------------------------------------------------------------------------

describe('2025-11-25 task server — checklist (raw wire)', function () {
  this.timeout(10_000);

  afterEach(() => {
    for (const dispose of toDispose.splice(0)) {
      try {
        dispose();
      } catch {
        // already disposed
      }
    }
    for (const g of gates.values()) g.open();
    gates.clear();
  });

  // ----- capabilities & negotiation -----

  it('T-S-01 initialize result declares capabilities.tasks with list, cancel and requests.tools.call', async () => {
    const { initResponse } = await connect(newEngine());
    assert.equal(initResponse.error, undefined);
    assert.equal(initResponse.result!.protocolVersion, '2025-11-25');
    assert.deepEqual(initResponse.result!.capabilities.tasks, { list: {}, cancel: {}, requests: { tools: { call: {} } } });
    assert.ok(initResponse.result!.capabilities.tools, 'tools capability');
  });

  it('T-S-02 a request type without declared task support (tools/list, ping) carrying params.task is processed normally', async () => {
    const { raw } = await connect(newEngine());
    const list = await raw.request('tools/list', { task: { ttl: 60_000 } });
    assert.equal(list.error, undefined, JSON.stringify(list.error));
    assert.ok(Array.isArray(list.result!.tools), 'a normal ListToolsResult');
    assert.equal(list.result!.task, undefined, 'no CreateTaskResult');
    assert.ok(list.result!.tools.some((t: Wire) => t.name === 'wait'));
    const ping = await raw.request('ping', { task: {} });
    assert.equal(ping.error, undefined, JSON.stringify(ping.error));
    assert.deepEqual(ping.result, {});
    const tasks = await raw.request('tasks/list', {});
    assert.deepEqual(tasks.result!.tasks, [], 'no task was created');
  });

  it('T-S-03 tools/call without task on a required tool → -32601 (and no task is created)', async () => {
    const { raw } = await connect(newEngine());
    assertError(await raw.request('tools/call', { name: 'required_tool', arguments: {} }), -32601, 'required_tool');
    assertError(await raw.request('tools/call', { name: 'ask', arguments: { question: 'q?' } }), -32601, 'ask');
    const tasks = await raw.request('tasks/list', {});
    assert.deepEqual(tasks.result!.tasks, []);
  });

  it('T-S-04 task ids are receiver-generated strings, unique across all tasks (two connections, one engine)', async () => {
    const engine = newEngine();
    const a = await connect(engine, () => 'alice');
    const b = await connect(engine, () => 'bob');
    const ids: string[] = [];
    const created = await Promise.all([
      ...Array.from({ length: 100 }, () => createTask(a.raw, 'required_tool')),
      ...Array.from({ length: 100 }, () => createTask(b.raw, 'gated', { gate: 'never' })),
    ]);
    for (const task of created) {
      assert.equal(typeof task.taskId, 'string');
      assert.ok(task.taskId.length > 0);
      ids.push(task.taskId);
    }
    assert.equal(new Set(ids).size, ids.length, 'all ids distinct');
  });

  // ----- state machine -----

  it('T-S-05 the first observable status of a new task is working (even for work that ends at once)', async () => {
    const { raw } = await connect(newEngine());
    for (const [name, args] of [
      ['required_tool', {}],
      ['crash', {}],
      ['is_error', {}],
      ['protocol_error', {}],
      ['gated', { gate: 'g5' }],
    ] as const) {
      const task = await createTask(raw, name, args);
      assert.equal(task.status, 'working', `${name}: CreateTaskResult status`);
      const first = raw.statusNotifications(task.taskId)[0];
      // Any notification comes after the creation result; the creation result is the first observation.
      const createIndex = raw.received.findIndex((m) => m.result?.task?.taskId === task.taskId);
      const firstNoteIndex = first ? raw.received.indexOf(first) : Infinity;
      assert.ok(createIndex < firstNoteIndex, `${name}: no status notification before the CreateTaskResult`);
    }
  });

  it('T-S-06 only working⇄input_required and non-terminal→terminal transitions occur (ask flow, and cancel during input_required)', async () => {
    const { raw } = await connect(newEngine());
    const check = (taskId: string, initial: string) => {
      const seen = [initial, ...raw.statusNotifications(taskId).map((n) => n.params.status)];
      for (let i = 1; i < seen.length; i++) assert.ok(allowedTransition(seen[i - 1], seen[i]), `illegal ${seen[i - 1]} → ${seen[i]} in ${seen.join(',')}`);
      return seen;
    };
    // working → input_required → working → completed
    const asked = await createTask(raw, 'ask', { question: 'Colour?' });
    await answerElicitation(raw, asked.taskId, { action: 'accept', content: { answer: 'teal' } });
    await untilTerminal(raw, asked.taskId);
    await statusNotified(raw, asked.taskId, 'completed');
    const seen = check(asked.taskId, asked.status);
    assert.ok(seen.includes('input_required'), `saw input_required: ${seen}`);
    assert.equal(seen[seen.length - 1], 'completed');
    // input_required → cancelled
    const second = await createTask(raw, 'ask', { question: 'Shape?' });
    await pollUntil(raw, second.taskId, (t) => t.status === 'input_required', 'input_required');
    const cancel = await raw.request('tasks/cancel', { taskId: second.taskId });
    assert.equal(cancel.result?.status, 'cancelled');
    await statusNotified(raw, second.taskId, 'cancelled');
    const seen2 = check(second.taskId, second.status);
    assert.equal(seen2[seen2.length - 1], 'cancelled');
  });

  it('T-S-07 a completed/failed/cancelled task never changes again (get twice → identical; no later notifications)', async () => {
    const { raw } = await connect(newEngine());
    const done = await createTask(raw, 'required_tool');
    const failed = await createTask(raw, 'crash');
    const cancelled = await createTask(raw, 'gated', { gate: 'g7' });
    assert.equal((await raw.request('tasks/cancel', { taskId: cancelled.taskId })).result?.status, 'cancelled');
    gate('g7').open();
    for (const [task, status] of [
      [done, 'completed'],
      [failed, 'failed'],
      [cancelled, 'cancelled'],
    ] as const) {
      const first = await untilTerminal(raw, task.taskId);
      assert.equal(first.status, status);
      await aLaterTaskEnds(raw);
      const second = await getTask(raw, task.taskId);
      assert.deepEqual(second, first, `${status}: tasks/get twice after terminal is identical`);
      // Results and cancel attempts do not move it either.
      await raw.request('tasks/result', { taskId: task.taskId });
      assertError(await raw.request('tasks/cancel', { taskId: task.taskId }), -32602, 'cancel terminal');
      assert.deepEqual(await getTask(raw, task.taskId), first);
      const notes = raw.statusNotifications(task.taskId).map((n) => n.params.status);
      const firstTerminal = notes.findIndex((s) => TERMINAL.has(s));
      assert.ok(firstTerminal === -1 || firstTerminal === notes.length - 1, `${status}: nothing after the terminal notification: ${notes}`);
    }
  });

  it('T-S-07 cancel racing completion (200 runs): each task ends in exactly one terminal state, stable across gets', async () => {
    const { raw } = await connect(newEngine());
    const modes = ['micro', 'tick', 'immediate'] as const;
    const outcomes = { completed: 0, cancelled: 0 } as Record<string, number>;
    for (let i = 0; i < 200; i++) {
      const mode = modes[i % 3];
      const n = Math.floor(Math.random() * 4);
      const task = await createTask(raw, 'racer', { mode, n });
      const delay = Math.floor(Math.random() * 4);
      for (let d = 0; d < delay; d++) {
        if (Math.random() < 0.5) await Promise.resolve();
        else await immediate();
      }
      const cancel = await raw.request('tasks/cancel', { taskId: task.taskId });
      const final = await untilTerminal(raw, task.taskId);
      const again = await getTask(raw, task.taskId);
      assert.equal(again.status, final.status, `run ${i}: get twice`);
      assert.deepEqual(again, final, `run ${i}: terminal snapshot stable`);
      if (cancel.error) {
        assert.equal(cancel.error.code, -32602, `run ${i}: a refused cancel is -32602`);
        assert.equal(final.status, 'completed', `run ${i}: cancel refused → the work had completed`);
      } else {
        assert.equal(cancel.result!.status, 'cancelled', `run ${i}: cancel reply`);
        assert.equal(final.status, 'cancelled', `run ${i}: an accepted cancel sticks`);
      }
      const payload = await raw.request('tasks/result', { taskId: task.taskId });
      if (final.status === 'completed') assert.deepEqual(payload.result?.content, [{ type: 'text', text: 'raced' }], `run ${i}`);
      else assert.equal(payload.result?.isError, true, `run ${i}: cancelled payload`);
      outcomes[final.status] = (outcomes[final.status] ?? 0) + 1;
    }
    // A second terminal notification could only come from work still running after its cancel:
    // once every racer has returned, what its result set off has been handled and sent.
    await waitFor(() => racersRunning === 0, { what: 'every racer to return' });
    // Exactly one terminal status notification per task.
    const perTask = new Map<string, string[]>();
    for (const n of raw.notifications.filter((m) => m.method === 'notifications/tasks/status' && TERMINAL.has(m.params.status))) {
      perTask.set(n.params.taskId, [...(perTask.get(n.params.taskId) ?? []), n.params.status]);
    }
    for (const [taskId, statuses] of perTask) assert.equal(statuses.length, 1, `${taskId}: terminal notifications ${statuses}`);
    assert.equal(perTask.size, 200, 'each task announced its terminal state once');
    assert.equal(outcomes.completed + outcomes.cancelled, 200);
    assert.ok(outcomes.completed > 0 && outcomes.cancelled > 0, `both sides of the race were exercised: ${JSON.stringify(outcomes)}`);
  });

  // ----- task fields -----

  it('T-S-08 createdAt/lastUpdatedAt (ISO 8601) on CreateTaskResult, tasks/get, tasks/list items, tasks/cancel and every status notification', async () => {
    const { raw } = await connect(newEngine());
    const a = await createTask(raw, 'gated', { gate: 'g8', status: 'going', output: 'some output\n' });
    assertIsoTimes(a, 'CreateTaskResult.task');
    const b = await createTask(raw, 'required_tool');
    assertIsoTimes(b, 'CreateTaskResult.task');
    assertIsoTimes(await getTask(raw, a.taskId), 'tasks/get');
    await untilTerminal(raw, b.taskId);
    const list = await raw.request('tasks/list', {});
    assert.equal(list.result!.tasks.length, 2);
    for (const t of list.result!.tasks) assertIsoTimes(t, 'tasks/list item');
    await raw.waitForNotification('notifications/tasks/status', (p) => p._meta?.['dev.tasklane/output'] !== undefined, 'an output notification');
    const cancel = await raw.request('tasks/cancel', { taskId: a.taskId });
    assertIsoTimes(cancel.result!, 'tasks/cancel');
    await statusNotified(raw, a.taskId, 'cancelled');
    const notes = raw.notifications.filter((n) => n.method === 'notifications/tasks/status');
    assert.ok(notes.length >= 3, `notifications seen: ${notes.length}`);
    for (const n of notes) assertIsoTimes(n.params, 'notifications/tasks/status');
    assert.ok(Date.parse(cancel.result!.lastUpdatedAt) >= Date.parse(cancel.result!.createdAt));
  });

  it('T-S-09 tasks/get carries ttl = the granted value (requested, clamped to max, or default) — never omitted', async () => {
    const engine = newEngine({ maxTtlMs: 60_000, defaultTtlMs: 30_000 });
    const { raw } = await connect(engine);
    const cases: [Wire, number][] = [
      [{ ttl: 5_000 }, 5_000],
      [{ ttl: 10 ** 9 }, 60_000],
      [{}, 30_000],
    ];
    for (const [requested, granted] of cases) {
      const created = await createTask(raw, 'gated', { gate: 'g9' }, requested);
      assert.ok('ttl' in created, 'CreateTaskResult.task has ttl');
      assert.equal(created.ttl, granted, `requested ${JSON.stringify(requested)}`);
      const got = await getTask(raw, created.taskId);
      assert.ok('ttl' in got, 'tasks/get has ttl');
      assert.equal(got.ttl, granted, `tasks/get for requested ${JSON.stringify(requested)}`);
      assert.equal(typeof got.ttl, 'number');
    }
  });

  it('T-S-09 an engine with unlimited retention reports ttl: null (not omitted, not a number)', async () => {
    const engine = newEngine({ maxTtlMs: Infinity, defaultTtlMs: Infinity });
    const { raw } = await connect(engine);
    const response = await raw.request('tools/call', { name: 'gated', arguments: { gate: 'g9b' }, task: {} });
    assert.equal(response.error, undefined, `creating an unlimited task failed: ${JSON.stringify(response.error)}`);
    assert.ok('ttl' in response.result!.task);
    assert.equal(response.result!.task.ttl, null);
    const got = await getTask(raw, response.result!.task.taskId);
    assert.ok('ttl' in got);
    assert.equal(got.ttl, null);
  });

  it('T-S-09 ttl is retention, not a timeout: work that outlives its ttl keeps running, reports a ttl moved on, and is kept for its ttl after it ends (fake clock)', async () => {
    const T0 = Date.parse('2026-03-01T00:00:00.000Z');
    let now = T0;
    const engine = newEngine({ now: () => now });
    const { raw } = await connect(engine);
    const task = await createTask(raw, 'gated', { gate: 'g9c' }, { ttl: 1_000 });
    assert.equal(task.ttl, 1_000, 'granted as asked');
    await pollUntil(raw, task.taskId, () => gate('g9c').started, 'the work to start');
    const blocked = raw.send('tasks/result', { taskId: task.taskId });
    now = T0 + 1_500;
    assert.equal((await getTask(raw, task.taskId)).status, 'working', 'alive past its first ttl');
    for (const at of [1_500, 2_999]) {
      now = T0 + at;
      engine.sweepExpired();
      const running = await getTask(raw, task.taskId);
      assert.equal(running.status, 'working', `running at ${at} ms`);
      assert.ok(T0 + running.ttl > now, `at ${at} ms its expiry is still ahead (ttl ${running.ttl})`);
    }
    await raw.waitForNotification(
      'notifications/tasks/status',
      (p) => p.taskId === task.taskId && p.ttl > 1_500,
      'a status notification with the ttl moved on',
    );
    now = T0 + 3_000;
    gate('g9c').open();
    const released = await raw.waitForMessage((m) => m.id === blocked && m.method === undefined, { what: 'the blocked tasks/result' });
    assert.equal(released.error, undefined);
    assert.deepEqual(released.result?.content, [{ type: 'text', text: 'gate g9c opened' }]);
    const done = await untilTerminal(raw, task.taskId);
    assert.deepEqual([done.status, done.ttl], ['completed', 4_000], 'its ttl: 3 s of work, then 1 s of retention');
    now = T0 + 3_999;
    assert.equal(engine.sweepExpired(), 0);
    assert.equal((await raw.request('tasks/result', { taskId: task.taskId })).error, undefined, 'the result is still there');
    now = T0 + 4_000;
    assert.equal(engine.sweepExpired(), 1, 'then it expires as before');
    for (const method of ['tasks/get', 'tasks/result']) assertError(await raw.request(method, { taskId: task.taskId }), -32602, `${method} after expiry`);
  });

  it('T-S-10 a task-augmented tools/call answers with CreateTaskResult {task:{…}}, not the tool result', async () => {
    const { raw } = await connect(newEngine());
    const response = await raw.request('tools/call', { name: 'echo', arguments: { text: 'hi' }, task: { ttl: 60_000 } });
    assert.equal(response.error, undefined);
    const result = response.result!;
    assert.deepEqual(
      Object.keys(result).filter((k) => k !== '_meta'),
      ['task'],
    );
    assert.equal(result.content, undefined);
    assert.equal(result.structuredContent, undefined);
    const task = result.task;
    for (const key of Object.keys(task)) assert.ok(TASK_KEYS.has(key), `unexpected Task field ${key}`);
    for (const key of ['taskId', 'status', 'createdAt', 'lastUpdatedAt', 'ttl']) assert.ok(key in task, `Task.${key} present`);
    assert.equal(task.status, 'working');
    assert.equal(task.ttl, 60_000);
    assert.equal(typeof task.pollInterval, 'number');
  });

  // ----- tasks/result -----

  it('T-S-11 tasks/result on a terminal task returns exactly the original outcome (success, isError result, JSON-RPC error)', async () => {
    const { raw } = await connect(newEngine());
    const stripRelated = (result: Wire) => {
      const { _meta, ...rest } = result;
      const meta = { ...(_meta ?? {}) };
      delete meta[RELATED];
      return Object.keys(meta).length ? { ...rest, _meta: meta } : rest;
    };
    for (const [name, args] of [
      ['echo', { text: 'same' }],
      ['is_error', {}],
      ['protocol_error', {}],
      ['crash', {}],
    ] as const) {
      const sync = await raw.request('tools/call', { name, arguments: args });
      const task = await createTask(raw, name, args);
      await untilTerminal(raw, task.taskId);
      const payload = await raw.request('tasks/result', { taskId: task.taskId });
      if (sync.error) {
        assert.equal(payload.result, undefined, `${name}: error, not a result`);
        assert.deepEqual(payload.error, sync.error, `${name}: the same JSON-RPC error object`);
      } else {
        assert.equal(payload.error, undefined, `${name}: ${JSON.stringify(payload.error)}`);
        assert.deepEqual(stripRelated(payload.result!), sync.result, `${name}: the same result`);
      }
    }
    // And the protocol error is exactly what the tool threw.
    const t = await createTask(raw, 'protocol_error');
    await untilTerminal(raw, t.taskId);
    assert.deepEqual((await raw.request('tasks/result', { taskId: t.taskId })).error, { code: -32050, message: 'backend refused', data: { reason: 'test' } });
  });

  it('T-S-12 tasks/result on a working task does not answer until it is terminal, then returns the payload', async () => {
    const { raw } = await connect(newEngine());
    const task = await createTask(raw, 'gated', { gate: 'g12' });
    const id = raw.send('tasks/result', { taskId: task.taskId });
    await aLaterTaskEnds(raw);
    assert.equal((await getTask(raw, task.taskId)).status, 'working');
    assert.equal(raw.responseTo(id), undefined, 'no answer while working');
    gate('g12').open(() => ({ content: [{ type: 'text', text: 'finally' }], structuredContent: { v: 12 } }));
    const response = await raw.waitForMessage((m) => m.id === id && m.method === undefined, { what: 'the tasks/result response' });
    assert.deepEqual(response.result.content, [{ type: 'text', text: 'finally' }]);
    assert.deepEqual(response.result.structuredContent, { v: 12 });
    assert.equal((await getTask(raw, task.taskId)).status, 'completed');
  });

  it('T-S-12 tasks/result on an input_required task does not answer until it is terminal', async () => {
    const { raw } = await connect(newEngine());
    const task = await createTask(raw, 'ask', { question: 'Why?' });
    const id = raw.send('tasks/result', { taskId: task.taskId });
    const question = await raw.waitForServerRequest('elicitation/create', (p) => p._meta?.[RELATED]?.taskId === task.taskId);
    assert.equal((await getTask(raw, task.taskId)).status, 'input_required');
    await aLaterTaskEnds(raw);
    assert.equal(raw.responseTo(id), undefined, 'no answer while input_required');
    await raw.respond(question.id, { action: 'accept', content: { answer: 'because' } });
    const response = await raw.waitForMessage((m) => m.id === id && m.method === undefined, { what: 'the tasks/result response' });
    assert.deepEqual(response.result.content, [{ type: 'text', text: 'because' }]);
  });

  it('T-S-12 several concurrent tasks/result calls for one task all block, then all get the same payload', async () => {
    const { raw } = await connect(newEngine());
    const task = await createTask(raw, 'gated', { gate: 'g12c' });
    const ids = [
      raw.send('tasks/result', { taskId: task.taskId }),
      raw.send('tasks/result', { taskId: task.taskId }),
      raw.send('tasks/result', { taskId: task.taskId }),
    ];
    await aLaterTaskEnds(raw);
    for (const id of ids) assert.equal(raw.responseTo(id), undefined, 'blocked');
    gate('g12c').open();
    const answers = await Promise.all(ids.map((id) => raw.waitForMessage((m) => m.id === id && m.method === undefined, { what: `tasks/result ${id}` })));
    for (const answer of answers) {
      assert.deepEqual(answer.result.content, [{ type: 'text', text: 'gate g12c opened' }]);
      assert.deepEqual(answer.result._meta?.[RELATED], { taskId: task.taskId });
    }
  });

  it('T-S-13 tasks/result results carry _meta["io.modelcontextprotocol/related-task"] = {taskId} (completed, failed-isError, cancelled)', async () => {
    const { raw } = await connect(newEngine());
    const ok = await createTask(raw, 'echo', { text: 'x' });
    const bad = await createTask(raw, 'is_error');
    const gone = await createTask(raw, 'gated', { gate: 'g13' });
    await raw.request('tasks/cancel', { taskId: gone.taskId });
    for (const task of [ok, bad, gone]) {
      await untilTerminal(raw, task.taskId);
      const payload = await raw.request('tasks/result', { taskId: task.taskId });
      assert.ok(payload.result, JSON.stringify(payload));
      assert.deepEqual(payload.result._meta?.[RELATED], { taskId: task.taskId });
    }
  });

  it('T-S-14 requests and notifications issued for a task (elicitation/create, notifications/progress) carry related-task {taskId}', async () => {
    const { raw } = await connect(newEngine());
    const task = await createTask(raw, 'ask', { question: 'Name?' });
    const question = await raw.waitForServerRequest('elicitation/create');
    assert.deepEqual(question.params._meta?.[RELATED], { taskId: task.taskId });
    assert.equal(question.params.message, 'Name?');
    await raw.respond(question.id, { action: 'accept', content: { answer: 'Ada' } });
    await untilTerminal(raw, task.taskId);
    // Progress for a task-augmented call with a progressToken.
    const progressed = await createTask(raw, 'gated', { gate: 'g14', status: 'step one' }, {}, { _meta: { progressToken: 'p-14' } });
    const progress = await raw.waitForNotification('notifications/progress', (p) => p.progressToken === 'p-14');
    assert.deepEqual(progress.params._meta?.[RELATED], { taskId: progressed.taskId });
  });

  it('T-S-15 a related-task _meta naming another task is ignored on tasks/get, tasks/result and tasks/cancel (params.taskId wins)', async () => {
    const { raw } = await connect(newEngine());
    const running = await createTask(raw, 'gated', { gate: 'g15' });
    const done = await createTask(raw, 'echo', { text: 'done' });
    await untilTerminal(raw, done.taskId);
    const get = await raw.request('tasks/get', { taskId: running.taskId, _meta: { [RELATED]: { taskId: done.taskId } } });
    assert.equal(get.result?.taskId, running.taskId);
    assert.equal(get.result?.status, 'working');
    const result = await raw.request('tasks/result', { taskId: done.taskId, _meta: { [RELATED]: { taskId: running.taskId } } });
    assert.deepEqual(result.result?.content, [{ type: 'text', text: 'echo: done' }]);
    assert.deepEqual(result.result?._meta?.[RELATED], { taskId: done.taskId });
    const cancel = await raw.request('tasks/cancel', { taskId: running.taskId, _meta: { [RELATED]: { taskId: done.taskId } } });
    assert.equal(cancel.error, undefined, JSON.stringify(cancel.error));
    assert.equal(cancel.result?.taskId, running.taskId);
    assert.equal(cancel.result?.status, 'cancelled');
    // And a related-task naming an unknown id does not break a valid call.
    const get2 = await raw.request('tasks/get', { taskId: done.taskId, _meta: { [RELATED]: { taskId: 'no-such-task' } } });
    assert.equal(get2.result?.status, 'completed');
  });

  // ----- tasks/list -----

  it('T-S-16 tasks/list includes nextCursor whenever more tasks remain (120 tasks, page size 50)', async () => {
    const { raw } = await connect(newEngine());
    for (let i = 0; i < 120; i++) await createTask(raw, i % 2 ? 'required_tool' : 'gated', i % 2 ? {} : { gate: 'g16' });
    let cursor: string | undefined;
    let seen = 0;
    const pages: number[] = [];
    do {
      const response = await raw.request('tasks/list', cursor === undefined ? {} : { cursor });
      assert.equal(response.error, undefined, JSON.stringify(response.error));
      seen += response.result!.tasks.length;
      pages.push(response.result!.tasks.length);
      if (seen < 120) assert.equal(typeof response.result!.nextCursor, 'string', `page ${pages.length}: nextCursor while ${120 - seen} remain`);
      else assert.equal(response.result!.nextCursor, undefined, 'no nextCursor on the last page');
      cursor = response.result!.nextCursor;
    } while (cursor !== undefined && pages.length < 10);
    assert.equal(seen, 120);
    assert.ok(pages.length > 1, `paginated: ${pages}`);
  });

  it('T-S-16 a nextCursor stays usable after the task it points past has expired (fake clock)', async () => {
    let now = Date.parse('2026-02-01T00:00:00.000Z');
    const { raw } = await connect(newEngine({ now: () => now, pageSize: 3 }));
    const short: string[] = [];
    const long: string[] = [];
    // Finished, so their retention counts: unfinished work never expires.
    for (let i = 0; i < 3; i++) short.push((await createTask(raw, 'echo', { text: 'short' }, { ttl: 1_000 })).taskId);
    for (const taskId of short) await untilTerminal(raw, taskId);
    for (let i = 0; i < 4; i++) long.push((await createTask(raw, 'gated', { gate: 'g16b' }, { ttl: 60_000 })).taskId);
    const first = await raw.request('tasks/list', {});
    assert.deepEqual(
      first.result!.tasks.map((t: Wire) => t.taskId),
      short,
    );
    assert.equal(typeof first.result!.nextCursor, 'string');
    now += 1_000;
    for (const taskId of short) assertError(await raw.request('tasks/get', { taskId }), -32602, 'a short task expired');
    const second = await raw.request('tasks/list', { cursor: first.result!.nextCursor });
    assert.equal(second.error, undefined, JSON.stringify(second.error));
    assert.deepEqual(
      second.result!.tasks.map((t: Wire) => t.taskId),
      long.slice(0, 3),
    );
    assert.equal(typeof second.result!.nextCursor, 'string', 'one more remains');
    const third = await raw.request('tasks/list', { cursor: second.result!.nextCursor });
    assert.deepEqual(
      third.result!.tasks.map((t: Wire) => t.taskId),
      long.slice(3),
    );
    assert.equal(third.result!.nextCursor, undefined);
  });

  it('T-S-17 every task the requestor can tasks/get appears exactly once across tasks/list pages (even as tasks finish and new ones arrive mid-walk)', async () => {
    const { raw } = await connect(newEngine());
    const ids: string[] = [];
    for (let i = 0; i < 120; i++)
      ids.push((await createTask(raw, i % 3 === 0 ? 'echo' : 'gated', i % 3 === 0 ? { text: String(i) } : { gate: `g17-${i % 5}` })).taskId);
    const listed: string[] = [];
    let cursor: string | undefined;
    let page = 0;
    do {
      const response = await raw.request('tasks/list', cursor === undefined ? {} : { cursor });
      assert.equal(response.error, undefined, JSON.stringify(response.error));
      listed.push(...response.result!.tasks.map((t: Wire) => t.taskId));
      cursor = response.result!.nextCursor;
      if (++page === 1) {
        // Churn between pages: some finish, some are cancelled, new ones start.
        gate('g17-1').open();
        await raw.request('tasks/cancel', { taskId: ids[2] });
        for (let i = 0; i < 5; i++) ids.push((await createTask(raw, 'gated', { gate: 'g17-late' })).taskId);
        // The next pages are read after the opened gate's tasks have finished.
        for (const id of ids.filter((_, i) => i < 120 && i % 3 !== 0 && i % 5 === 1)) await untilTerminal(raw, id);
      }
    } while (cursor !== undefined && page < 20);
    for (const id of ids) {
      assert.ok((await raw.request('tasks/get', { taskId: id })).result, `${id} is gettable`);
      assert.equal(listed.filter((l) => l === id).length, 1, `${id} listed exactly once`);
    }
    assert.equal(listed.length, ids.length);
  });

  // ----- cancel -----

  it('T-S-18 tasks/cancel on a completed, failed or cancelled task → -32602', async () => {
    const { raw } = await connect(newEngine());
    const completed = await createTask(raw, 'echo', { text: 'c' });
    const failed = await createTask(raw, 'protocol_error');
    const cancelled = await createTask(raw, 'gated', { gate: 'g18' });
    await raw.request('tasks/cancel', { taskId: cancelled.taskId });
    for (const [task, status] of [
      [completed, 'completed'],
      [failed, 'failed'],
      [cancelled, 'cancelled'],
    ] as const) {
      assert.equal((await untilTerminal(raw, task.taskId)).status, status);
      assertError(await raw.request('tasks/cancel', { taskId: task.taskId }), -32602, `cancel ${status}`);
      assert.equal((await getTask(raw, task.taskId)).status, status, `${status} unchanged`);
    }
  });

  it('T-S-19 a valid tasks/cancel answers with the Task already cancelled', async () => {
    const { raw } = await connect(newEngine());
    for (const [name, args] of [
      ['gated', { gate: 'g19' }],
      ['wait', { durationMs: 60_000 }],
    ] as const) {
      const task = await createTask(raw, name, args);
      const response = await raw.request('tasks/cancel', { taskId: task.taskId });
      assert.equal(response.error, undefined);
      assert.equal(response.result!.taskId, task.taskId);
      assert.equal(response.result!.status, 'cancelled');
      assertIsoTimes(response.result!, 'tasks/cancel');
      assert.ok('ttl' in response.result!);
      assert.equal((await getTask(raw, task.taskId)).status, 'cancelled');
    }
    // The input_required case too.
    const asked = await createTask(raw, 'ask', { question: 'q' });
    await pollUntil(raw, asked.taskId, (t) => t.status === 'input_required', 'input_required');
    const response = await raw.request('tasks/cancel', { taskId: asked.taskId });
    assert.equal(response.result?.status, 'cancelled');
  });

  it('T-S-20 a cancelled task stays cancelled when its work later finishes or errors (and tasks/result does not return the late result)', async () => {
    const { raw } = await connect(newEngine());
    const finishes = await createTask(raw, 'gated', { gate: 'g20a' });
    const errors = await createTask(raw, 'gated', { gate: 'g20b' });
    await pollUntil(raw, finishes.taskId, () => gate('g20a').started && gate('g20b').started, 'the work to start');
    for (const t of [finishes, errors]) assert.equal((await raw.request('tasks/cancel', { taskId: t.taskId })).result?.status, 'cancelled');
    gate('g20a').open(() => ({ content: [{ type: 'text', text: 'late success' }] }));
    gate('g20b').open(() => {
      throw new RpcError(-32099, 'late failure');
    });
    await aLaterTaskEnds(raw);
    for (const t of [finishes, errors]) {
      const got = await getTask(raw, t.taskId);
      assert.equal(got.status, 'cancelled');
      const payload = await raw.request('tasks/result', { taskId: t.taskId });
      assert.notDeepEqual(payload.result?.content, [{ type: 'text', text: 'late success' }]);
      assert.notEqual(payload.error?.code, -32099);
      const notes = raw.statusNotifications(t.taskId).map((n) => n.params.status);
      assert.ok(!notes.includes('completed') && !notes.includes('failed'), `no late terminal notification: ${notes}`);
    }
  });

  // ----- errors -----

  it('T-S-21 unknown taskId on tasks/get, tasks/result, tasks/cancel → -32602', async () => {
    const { raw } = await connect(newEngine());
    for (const taskId of ['no-such-task', '00000000-0000-4000-8000-000000000000', '']) {
      for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel'])
        assertError(await raw.request(method, { taskId }), -32602, `${method} ${JSON.stringify(taskId)}`);
    }
  });

  it('T-S-21 malformed taskId (a number, or missing) on tasks/get, tasks/result, tasks/cancel → -32602', async () => {
    const { raw } = await connect(newEngine());
    for (const params of [{ taskId: 42 }, {}]) {
      for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel'])
        assertError(await raw.request(method, params), -32602, `${method} ${JSON.stringify(params)}`);
    }
  });

  it('T-S-21 an expired task (finished, its ttl elapsed; fake clock) → -32602 on tasks/get, tasks/result and tasks/cancel', async () => {
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const engine = newEngine({ now: () => now });
    const { raw } = await connect(engine);
    const task = await createTask(raw, 'gated', { gate: 'g21' }, { ttl: 5_000 });
    assert.equal(task.createdAt, '2026-01-01T00:00:00.000Z');
    const blocked = raw.send('tasks/result', { taskId: task.taskId });
    now += 5_001;
    assert.equal((await getTask(raw, task.taskId)).status, 'working', 'unfinished work never expires');
    gate('g21').open();
    const released = await raw.waitForMessage((m) => m.id === blocked && m.method === undefined, { what: 'the blocked tasks/result' });
    assert.equal(released.error, undefined, 'the blocked tasks/result gets the result');
    assert.equal((await untilTerminal(raw, task.taskId)).ttl, 10_001, 'its ttl counts the retention from the end');
    now += 4_999;
    assert.equal((await getTask(raw, task.taskId)).status, 'completed', 'still there before the ttl elapses');
    now += 1;
    for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel'])
      assertError(await raw.request(method, { taskId: task.taskId }), -32602, `${method} after expiry`);
    const listed = await raw.request('tasks/list', {});
    assert.ok(!listed.result!.tasks.some((t: Wire) => t.taskId === task.taskId), 'expired task not listed');
    assert.equal(engine.sweepExpired(), 1, 'the sweep removes it');
    // A task that ends at once expires its ttl after creation.
    const done = await createTask(raw, 'echo', { text: 'e' }, { ttl: 1_000 });
    await untilTerminal(raw, done.taskId);
    now += 1_000;
    for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel'])
      assertError(await raw.request(method, { taskId: done.taskId }), -32602, `${method} on an expired completed task`);
  });

  it('T-S-22 an invalid or unknown cursor on tasks/list → -32602', async () => {
    const { raw } = await connect(newEngine({ pageSize: 2 }));
    for (let i = 0; i < 5; i++) await createTask(raw, 'gated', { gate: 'g22' });
    const first = await raw.request('tasks/list', {});
    const good = first.result!.nextCursor as string;
    assert.equal(typeof good, 'string');
    assert.equal((await raw.request('tasks/list', { cursor: good })).error, undefined, 'a real cursor works');
    for (const cursor of [
      'garbage',
      '',
      `${good}x`,
      good.slice(0, -1),
      'tl:2',
      Buffer.from('tl:abc').toString('base64url'),
      Buffer.from('other:2').toString('base64url'),
      'a b/+=ü',
    ]) {
      assertError(await raw.request('tasks/list', { cursor }), -32602, `cursor ${JSON.stringify(cursor)}`);
    }
  });

  it('T-S-22 a non-string cursor on tasks/list → -32602', async () => {
    const { raw } = await connect(newEngine());
    for (const cursor of [7, { page: 2 }]) assertError(await raw.request('tasks/list', { cursor }), -32602, `cursor ${JSON.stringify(cursor)}`);
  });

  it('T-S-23 internal failures → -32603 (a task whose work throws a plain Error; a task operation whose lookup fails internally)', async () => {
    const engine = newEngine();
    let broken = false;
    const { raw } = await connect(engine, () => {
      if (broken) throw new Error('auth backend unavailable');
      return 'alice';
    });
    const task = await createTask(raw, 'crash');
    const final = await untilTerminal(raw, task.taskId);
    assert.equal(final.status, 'failed');
    const payload = await raw.request('tasks/result', { taskId: task.taskId });
    assert.deepEqual(payload.error, { code: -32603, message: 'kaboom' });
    broken = true;
    for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel'])
      assertError(await raw.request(method, { taskId: task.taskId }), -32603, `${method} with a failing lookup`);
    assertError(await raw.request('tasks/list', {}), -32603, 'tasks/list with a failing lookup');
  });

  // ----- security -----

  it('T-S-24 a task created under identity A is rejected for identity B on tasks/get, tasks/result and tasks/cancel (same engine)', async () => {
    const engine = newEngine();
    const alice = await connect(engine, () => 'alice');
    const bob = await connect(engine, () => 'bob');
    const running = await createTask(alice.raw, 'gated', { gate: 'g24' });
    const done = await createTask(alice.raw, 'echo', { text: 'secret' });
    await untilTerminal(alice.raw, done.taskId);
    for (const task of [running, done]) {
      for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel']) {
        const response = await bob.raw.request(method, { taskId: task.taskId });
        assertError(response, -32602, `bob ${method}`);
        assert.ok(!JSON.stringify(response).includes('secret'));
      }
    }
    assert.equal((await getTask(alice.raw, running.taskId)).status, 'working', "bob's cancel had no effect");
    assert.deepEqual((await alice.raw.request('tasks/result', { taskId: done.taskId })).result?.content, [{ type: 'text', text: 'echo: secret' }]);
    // Bob never hears about alice's task either.
    gate('g24').open();
    await untilTerminal(alice.raw, running.taskId);
    await aLaterTaskEnds(bob.raw);
    assert.equal(bob.raw.notifications.filter((n) => n.params?.taskId === running.taskId).length, 0);
  });

  it("T-S-25 tasks/list for identity B never contains A's tasks (across pages)", async () => {
    const engine = newEngine({ pageSize: 7 });
    const alice = await connect(engine, () => 'alice');
    const bob = await connect(engine, () => 'bob');
    const aliceIds = new Set<string>();
    const bobIds = new Set<string>();
    for (let i = 0; i < 30; i++) {
      aliceIds.add((await createTask(alice.raw, 'gated', { gate: 'g25' })).taskId);
      if (i % 3 === 0) bobIds.add((await createTask(bob.raw, 'echo', { text: 'b' })).taskId);
    }
    const walk = async (raw: RawClient) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await raw.request('tasks/list', cursor === undefined ? {} : { cursor });
        assert.equal(page.error, undefined);
        ids.push(...page.result!.tasks.map((t: Wire) => t.taskId));
        cursor = page.result!.nextCursor;
      } while (cursor);
      return ids;
    };
    const bobSees = await walk(bob.raw);
    assert.deepEqual(new Set(bobSees), bobIds);
    assert.equal(bobSees.length, bobIds.size);
    const aliceSees = await walk(alice.raw);
    assert.deepEqual(new Set(aliceSees), aliceIds);
  });

  it('T-S-26 task ids come from a CSPRNG: each is a fresh crypto.randomUUID() (UUID v4), unique over 10,000', async function () {
    // Ten thousand round trips: seconds on a loaded machine, far beyond the suite's 10 s.
    this.timeout(120_000);
    // Whether the ids look random is node:crypto's business (a Math.random UUID would look random
    // too); Tasklane's part is to take every task id from it, fresh. So record what it hands out.
    // The module object itself, to swap one function on it.
    const crypto = require('node:crypto') as typeof nodeCrypto;
    const original = crypto.randomUUID;
    const drawn = new Set<string>();
    crypto.randomUUID = (options) => {
      const id = original.call(crypto, options);
      drawn.add(id);
      return id;
    };
    let ids: string[];
    try {
      const { raw } = await connect(newEngine());
      const created = await Promise.all(
        Array.from({ length: 10_000 }, () => raw.request('tools/call', { name: 'gated', arguments: { gate: 'g26' }, task: {} })),
      );
      ids = created.map((r) => r.result?.task?.taskId as string);
    } finally {
      crypto.randomUUID = original;
    }
    for (const id of ids) assert.match(id, UUID_V4);
    assert.equal(new Set(ids).size, 10_000, 'unique');
    const notDrawn = ids.filter((id) => !drawn.has(id));
    assert.deepEqual(notDrawn.slice(0, 3), [], `${notDrawn.length} task ids did not come from crypto.randomUUID()`);
  });

  // ----- SHOULDs -----

  it('T-SS-01 CreateTaskResult is returned as soon as the task is accepted, before the work runs', async () => {
    const { raw } = await connect(newEngine());
    const started = Date.now();
    const task = await createTask(raw, 'gated', { gate: 'ss01' });
    assert.equal(task.status, 'working');
    assert.equal(gate('ss01').started, false, 'the work had not started when the task was returned');
    const wait = await createTask(raw, 'wait', { durationMs: 5_000 });
    assert.ok(Date.now() - started < 1_000, 'a 5 s wait returns its task at once');
    assert.equal(wait.status, 'working');
  });

  it('T-SS-02 task-augmented tools/call on a forbidden tool → -32601 (and tools/list always states execution.taskSupport)', async () => {
    const { raw } = await connect(newEngine());
    assertError(await raw.request('tools/call', { name: 'forbidden_tool', arguments: {}, task: {} }), -32601, 'forbidden as a task');
    const sync = await raw.request('tools/call', { name: 'forbidden_tool', arguments: {} });
    assert.deepEqual(sync.result?.content, [{ type: 'text', text: 'forbidden done' }]);
    const list = await raw.request('tools/list', {});
    for (const tool of list.result!.tools)
      assert.ok(['forbidden', 'optional', 'required'].includes(tool.execution?.taskSupport), `${tool.name} declares taskSupport`);
    assert.deepEqual((await raw.request('tasks/list', {})).result!.tasks, []);
  });

  it('T-SS-03 a task moves to input_required when it needs input and back to working once answered', async () => {
    const { raw } = await connect(newEngine());
    const task = await createTask(raw, 'ask', { question: 'Continue?' });
    const question = await raw.waitForServerRequest('elicitation/create');
    const during = await getTask(raw, task.taskId);
    assert.equal(during.status, 'input_required');
    await raw.respond(question.id, { action: 'accept', content: { answer: 'yes' } });
    await untilTerminal(raw, task.taskId);
    await statusNotified(raw, task.taskId, 'completed');
    const statuses = raw.statusNotifications(task.taskId).map((n) => n.params.status);
    const ir = statuses.indexOf('input_required');
    assert.ok(ir >= 0, `statuses ${statuses}`);
    assert.equal(statuses[ir + 1], 'working', `leaves input_required → working once answered: ${statuses}`);
    assert.equal(statuses[statuses.length - 1], 'completed');
  });

  it('T-SS-04 no server message is sent on a tasks/get request stream (tasks/get is never upgraded; questions ride on tasks/result)', async () => {
    const { raw, serverSends } = await connect(newEngine());
    const getIds = new Set<string | number>();
    const task = await createTask(raw, 'ask', { question: 'Stream?' });
    const resultId = raw.send('tasks/result', { taskId: task.taskId });
    for (let i = 0; i < 5; i++) {
      const id = `get-${i}`;
      getIds.add(id);
      await raw.request('tasks/get', { taskId: task.taskId }, id);
    }
    await answerElicitation(raw, task.taskId, { action: 'accept', content: { answer: 'ok' } });
    await raw.waitForMessage((m) => m.id === resultId && m.method === undefined, { what: 'tasks/result' });
    for (const { message, relatedRequestId } of serverSends) {
      if (relatedRequestId !== undefined && getIds.has(relatedRequestId)) {
        assert.ok(
          message.method === undefined && message.id === relatedRequestId,
          `only the response itself goes on a tasks/get stream, saw ${JSON.stringify(message)}`,
        );
      }
    }
    const elicitation = serverSends.find((s) => s.message.method === 'elicitation/create');
    assert.equal(elicitation?.relatedRequestId, resultId, 'the question is sent on the waiting tasks/result stream');
  });

  it('T-SS-05 no related-task _meta in tasks/get, tasks/list, tasks/cancel results or in notifications/tasks/status', async () => {
    const { raw } = await connect(newEngine());
    const a = await createTask(raw, 'gated', { gate: 'ss05', status: 'busy', output: 'out\n' });
    const b = await createTask(raw, 'echo', { text: 'b' });
    await untilTerminal(raw, b.taskId);
    const get = await raw.request('tasks/get', { taskId: a.taskId });
    const list = await raw.request('tasks/list', {});
    const cancel = await raw.request('tasks/cancel', { taskId: a.taskId });
    await statusNotified(raw, a.taskId, 'cancelled');
    assert.equal(get.result!._meta?.[RELATED], undefined, 'tasks/get');
    assert.equal(list.result!._meta?.[RELATED], undefined, 'tasks/list');
    for (const t of list.result!.tasks) assert.equal(t._meta?.[RELATED], undefined, 'tasks/list item');
    assert.equal(cancel.result!._meta?.[RELATED], undefined, 'tasks/cancel');
    const notes = raw.notifications.filter((n) => n.method === 'notifications/tasks/status');
    assert.ok(notes.length > 0);
    for (const n of notes) assert.equal(n.params._meta?.[RELATED], undefined, `status notification ${JSON.stringify(n.params)}`);
  });

  it('T-SS-06 tasks/list is paginated', async () => {
    const { raw } = await connect(newEngine());
    for (let i = 0; i < 60; i++) await createTask(raw, 'gated', { gate: 'ss06' });
    const first = await raw.request('tasks/list', {});
    assert.ok(first.result!.tasks.length < 60, `first page size ${first.result!.tasks.length}`);
    assert.equal(typeof first.result!.nextCursor, 'string');
  });

  it('T-SS-07 tasks/cancel stops the running work (its abort signal fires)', async () => {
    const { raw } = await connect(newEngine());
    const task = await createTask(raw, 'gated', { gate: 'ss07', honourAbort: true });
    await pollUntil(raw, task.taskId, () => gate('ss07').started, 'the work to start');
    assert.equal(gate('ss07').signal?.aborted, false);
    await raw.request('tasks/cancel', { taskId: task.taskId });
    assert.equal(gate('ss07').signal?.aborted, true, 'the work was told to stop');
    const wait = await createTask(raw, 'wait', { durationMs: 60_000 });
    // Its work starts on the next turn, before the later task's: it runs by the time that one ends.
    await aLaterTaskEnds(raw);
    const cancelled = await raw.request('tasks/cancel', { taskId: wait.taskId });
    assert.equal(cancelled.result?.status, 'cancelled');
  });

  it('T-SS-08 failed tasks carry a diagnostic statusMessage (tasks/get and the terminal notification)', async () => {
    const { raw } = await connect(newEngine());
    for (const [name, expected] of [
      ['protocol_error', /backend refused/],
      ['crash', /kaboom/],
      ['is_error', /it broke: disk full/],
    ] as const) {
      const task = await createTask(raw, name);
      const final = await untilTerminal(raw, task.taskId);
      assert.equal(final.status, 'failed', name);
      assert.match(final.statusMessage ?? '', expected, `${name} tasks/get statusMessage`);
      const note = await raw.waitForNotification('notifications/tasks/status', (p) => p.taskId === task.taskId && p.status === 'failed');
      assert.match(note.params.statusMessage ?? '', expected, `${name} notification statusMessage`);
    }
  });

  it('T-SS-09 error messages are informative (name the task, the tool, the cursor problem)', async () => {
    const { raw } = await connect(newEngine());
    const unknown = await raw.request('tasks/get', { taskId: 'abc-123' });
    assert.match(unknown.error!.message, /abc-123/);
    assert.match(unknown.error!.message, /not found|unknown|expired/i);
    const required = await raw.request('tools/call', { name: 'required_tool', arguments: {} });
    assert.match(required.error!.message, /required_tool/);
    assert.match(required.error!.message, /task/);
    const forbidden = await raw.request('tools/call', { name: 'forbidden_tool', arguments: {}, task: {} });
    assert.match(forbidden.error!.message, /forbidden_tool/);
    const cursor = await raw.request('tasks/list', { cursor: 'nope' });
    assert.match(cursor.error!.message, /cursor/i);
    const done = await createTask(raw, 'echo', { text: 'z' });
    await untilTerminal(raw, done.taskId);
    const terminal = await raw.request('tasks/cancel', { taskId: done.taskId });
    assert.match(terminal.error!.message, /completed/);
  });

  it('T-SS-10 without an auth context, tasks are bound to their connection, so advertising tasks.list leaks nothing', async () => {
    const engine = newEngine();
    const first = await connect(engine, null);
    const second = await connect(engine, null);
    assert.deepEqual(first.initResponse.result!.capabilities.tasks?.list, {});
    const task = await createTask(first.raw, 'wait', { durationMs: 60_000 });
    const listed = await second.raw.request('tasks/list', {});
    assert.deepEqual(listed.result!.tasks, []);
    assertError(await second.raw.request('tasks/get', { taskId: task.taskId }), -32602, 'another connection');
    assert.equal((await first.raw.request('tasks/list', {})).result!.tasks.length, 1);
  });

  it('T-SS-11 requested TTLs are capped at the engine maximum and expired tasks are cleaned up promptly', async () => {
    let now = Date.now();
    const engine = newEngine({ now: () => now, maxTtlMs: 10_000 });
    const { raw } = await connect(engine);
    const task = await createTask(raw, 'echo', { text: 'ss11' }, { ttl: 10 ** 9 });
    assert.equal(task.ttl, 10_000);
    await untilTerminal(raw, task.taskId);
    now += 10_000;
    assert.equal(engine.sweepExpired(), 1, 'the sweep removes the expired task');
    assertError(await raw.request('tasks/get', { taskId: task.taskId }), -32602, 'gone');
  });

  it('T-SS-11 work still unfinished at the engine ceiling fails, saying why, and is then kept for its retention (never a silent delete)', async () => {
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const engine = newEngine({ now: () => now, maxTtlMs: 10_000, maxUnfinishedMs: 60_000 });
    const { raw } = await connect(engine);
    const task = await createTask(raw, 'gated', { gate: 'ss11b', honourAbort: true }, { ttl: 10 ** 9 });
    await pollUntil(raw, task.taskId, () => gate('ss11b').started, 'the work to start');
    const blocked = raw.send('tasks/result', { taskId: task.taskId });
    now += 59_999;
    engine.sweepExpired();
    const running = await getTask(raw, task.taskId);
    assert.equal(running.status, 'working', 'kept past its ttl while it runs');
    assert.equal(running.ttl, 69_999, 'its ttl moved on');
    now += 1;
    assert.equal(engine.sweepExpired(), 0, 'ended, not removed');
    assert.equal(gate('ss11b').signal?.aborted, true, 'its work is stopped');
    const message = 'Ended: the task ran longer than this server allows (1m)';
    const failed = await getTask(raw, task.taskId);
    assert.deepEqual([failed.status, failed.statusMessage, failed.ttl], ['failed', message, 70_000]);
    const payload = await raw.waitForMessage((m) => m.id === blocked && m.method === undefined, { what: 'the blocked tasks/result' });
    assert.deepEqual(payload.result?.content, [{ type: 'text', text: message }]);
    assert.equal(payload.result?.isError, true);
    now += 9_999;
    assert.equal(engine.sweepExpired(), 0);
    assert.equal((await getTask(raw, task.taskId)).status, 'failed', 'kept for its retention after the end');
    now += 1;
    assert.equal(engine.sweepExpired(), 1);
    assertError(await raw.request('tasks/get', { taskId: task.taskId }), -32602, 'gone once its retention ran out');
  });

  it('T-SS-12 a tool result with isError: true ends the task failed (and tasks/result still returns that result)', async () => {
    const { raw } = await connect(newEngine());
    const task = await createTask(raw, 'is_error');
    const final = await untilTerminal(raw, task.taskId);
    assert.equal(final.status, 'failed');
    const payload = await raw.request('tasks/result', { taskId: task.taskId });
    assert.equal(payload.error, undefined);
    assert.equal(payload.result!.isError, true);
    assert.deepEqual(payload.result!.content, [{ type: 'text', text: 'it broke: disk full\nsecond line' }]);
  });
});
