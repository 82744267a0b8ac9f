import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as os from 'node:os';
import fc from 'fast-check';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../../src/core/logger';
import { TaskClientV1 } from '../../../src/mcp/client/v1/taskClientV1';
import { TaskClientV2 } from '../../../src/mcp/client/v2/taskClientV2';
import type { StartResult } from '../../../src/mcp/client/taskWire';
import type { RemoteTaskState } from '../../../src/mcp/wires/remoteTask';
import { type RunningHttpServer, startHttpServer } from '../../../src/mcp/server/httpServer';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { ToolCatalog } from '../../../src/mcp/server/toolCatalog';
import { askTool } from '../../../src/mcp/server/tools/ask';
import { waitTool } from '../../../src/mcp/server/tools/wait';
import { type Json } from '../mcp/v2/helpers';
import { DISCOVER_WITH_TASKS, type FakeServer, startFakeServer } from '../mcp/v2client/helpers';
import { recordTrials } from './tally';

const TOKEN = 'fuzz-token';
const RUNS = 250;
const METHODS = [
  'initialize',
  'server/discover',
  'tools/list',
  'tools/call',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
  'tasks/update',
  'subscriptions/listen',
  'ping',
  'notifications/cancelled',
  'resources/list',
  'completion/complete',
];
const STATUSES = ['working', 'input_required', 'completed', 'failed', 'cancelled'];

/** Catches what would otherwise be lost: rejections nobody handled, and errors the HTTP layer had to log. */
function watchdog(): { unhandled: unknown[]; logged: string[]; log: Logger; stop(): void } {
  const unhandled: unknown[] = [];
  const logged: string[] = [];
  const onRejection = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onRejection);
  const note = (message: string) => logged.push(message);
  const log: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: note } as unknown as Logger;
  return { unhandled, logged, log, stop: () => process.off('unhandledRejection', onRejection) };
}

/** Node reports a rejection nobody handled after the microtasks of its turn: two turns later it has been reported. */
const settledRejections = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/** Values of every JSON type, with ids, cursors and task ids of the wrong shapes mixed in. */
const anyId = fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.boolean(), fc.double(), fc.object(), fc.array(fc.integer()), fc.uuid());
const hostileParams = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      taskId: anyId,
      cursor: fc.oneof(fc.string(), fc.integer(), fc.base64String(), fc.constant('')),
      name: fc.oneof(fc.constantFrom('wait', 'ask', 'run_command', 'nope'), fc.string()),
      arguments: fc.jsonValue(),
      task: fc.oneof(fc.jsonValue(), fc.record({ ttl: fc.oneof(fc.integer(), fc.double(), fc.string()) })),
      inputResponses: fc.jsonValue(),
      _meta: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
);
const hostileMessage = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      jsonrpc: fc.oneof(fc.constant('2.0'), fc.jsonValue()),
      id: anyId,
      method: fc.oneof(fc.constantFrom(...METHODS), fc.string(), fc.integer()),
      params: hostileParams,
    },
    { requiredKeys: ['jsonrpc'] },
  ),
);

function post(port: number, headers: Record<string, string>, body: string): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${TOKEN}`, ...headers },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type'] ?? ''), text }));
        // A stream (listen) that stays open is cut after a moment: what it sent so far is checked.
        setTimeout(() => response.destroy(), 300).unref();
        response.on('close', () => resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type'] ?? ''), text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Every JSON-RPC message in a reply body (JSON, or SSE `data:` lines). */
function messagesIn(reply: { type: string; text: string }): Json[] {
  if (!reply.text) return [];
  if (reply.type.includes('text/event-stream')) {
    return reply.text
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => JSON.parse(line.slice(5)) as Json);
  }
  return [JSON.parse(reply.text) as Json];
}

function assertSpecReply(reply: { status: number; type: string; text: string }, what: string): void {
  assert.ok([200, 202, 400, 404, 405, 406, 413, 415].includes(reply.status), `${what}: HTTP ${reply.status} ${reply.text.slice(0, 300)}`);
  for (const message of messagesIn(reply)) {
    assert.equal(message.jsonrpc, '2.0', `${what}: ${reply.text.slice(0, 300)}`);
    if ('error' in message) {
      assert.ok(Number.isInteger(message.error.code), `${what}: error code ${message.error.code}`);
      assert.notEqual(message.error.code, -32603, `${what}: an internal error is a crash in disguise: ${message.error.message}`);
      assert.equal(typeof message.error.message, 'string');
    } else if (!('method' in message)) {
      assert.ok('result' in message, `${what}: neither result nor error: ${reply.text.slice(0, 300)}`);
    }
  }
}

describe('reliability: fuzzing the server and the client (fast-check)', function () {
  this.timeout(120_000);
  let engine: TaskEngine;
  let server: RunningHttpServer;
  let watch: ReturnType<typeof watchdog>;

  beforeEach(async () => {
    watch = watchdog();
    engine = new TaskEngine({ pollIntervalMs: 50 });
    server = await startHttpServer({ catalog: new ToolCatalog([waitTool, askTool]), defaultCwd: os.tmpdir(), isTrusted: () => true }, engine, {
      token: TOKEN,
      log: watch.log,
    });
  });

  afterEach(async () => {
    await server.close();
    engine.dispose();
    watch.stop();
  });

  async function assertStillServing(): Promise<void> {
    const reply = await post(
      server.port,
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'server/discover' },
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'alive',
        method: 'server/discover',
        params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } },
      }),
    );
    assert.equal(reply.status, 200, `the server still answers: ${reply.text}`);
    await settledRejections();
    assert.deepEqual(watch.unhandled, [], 'no unhandled rejection');
    assert.deepEqual(watch.logged, [], 'no request ended in an internal error');
  }

  it(`2026-07-28 wire: ${RUNS} random JSON-RPC messages get spec errors or results, never a crash`, async () => {
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(hostileMessage, async (message) => {
        const method = typeof (message as Json)?.method === 'string' ? (message as Json).method : 'tools/call';
        const reply = await post(
          server.port,
          { 'mcp-protocol-version': '2026-07-28', 'mcp-method': encodeURIComponent(method).slice(0, 200) },
          JSON.stringify(message),
        );
        sent++;
        assertSpecReply(reply, `extension wire ${JSON.stringify(message).slice(0, 200)}`);
      }),
      { numRuns: RUNS },
    );
    await assertStillServing();
    recordTrials(
      'hostile',
      'Fuzz: random JSON-RPC messages to the 2026-07-28 endpoint (wrong types, unknown methods, foreign ids, bad cursors)',
      sent,
      'spec errors or results; no 5xx, no -32603, no unhandled rejection',
    );
  });

  it(`2025-11-25 wire: ${RUNS} random JSON-RPC messages inside a session get spec errors or results, never a crash`, async () => {
    const session = await new Promise<string>((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/mcp',
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${TOKEN}` },
        },
        (response) => {
          response.resume();
          resolve(String(response.headers['mcp-session-id']));
        },
      );
      request.on('error', reject);
      request.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } },
        }),
      );
    });
    await post(
      server.port,
      { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' },
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    );
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(hostileMessage, async (message) => {
        const reply = await post(server.port, { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' }, JSON.stringify(message));
        sent++;
        assertSpecReply(reply, `2025-11-25 ${JSON.stringify(message).slice(0, 200)}`);
      }),
      { numRuns: RUNS },
    );
    await assertStillServing();
    recordTrials(
      'hostile',
      'Fuzz: random JSON-RPC messages in a 2025-11-25 session (wrong types, unknown methods, foreign ids, bad cursors)',
      sent,
      'spec errors or results; no 5xx, no -32603, no unhandled rejection',
    );
  });

  it('deep and huge JSON: 100,000 levels of nesting, deep arguments, a body just under and far over the limit', async () => {
    const v2 = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'wait' };
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
    };
    const cases: Array<[string, string]> = [
      ['100,000 nested arrays as the body', '['.repeat(100_000) + ']'.repeat(100_000)],
      ['100,000 nested arrays as params', `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":${'['.repeat(100_000)}${']'.repeat(100_000)}}`],
      [
        '5,000 nested objects in the arguments',
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'wait', arguments: { durationMs: 1, message: 'x', deep: '@deep' }, _meta: meta },
        }).replace('"@deep"', nested(5000)),
      ],
      [
        'a 3.9 MB string argument',
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'wait', arguments: { durationMs: 1, message: 'x'.repeat(3_900_000) }, _meta: meta },
        }),
      ],
      [
        'a 50 MB body',
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'wait', arguments: { durationMs: 1, pad: 'x'.repeat(50 << 20) }, _meta: meta },
        }),
      ],
    ];
    for (const [what, body] of cases) {
      const reply = await post(server.port, v2, body);
      assertSpecReply(reply, what);
      if (what === 'a 50 MB body') assert.equal(reply.status, 413);
    }
    await assertStillServing();
    recordTrials(
      'hostile',
      'Deep or huge JSON bodies (100k nesting, 5k-deep arguments, 3.9 MB string, 50 MB body)',
      cases.length,
      'spec errors (400/413) or a task; server keeps serving',
    );
  });
});

describe("reliability: fuzzing the client's response parsing (fast-check)", function () {
  this.timeout(120_000);
  // A good task with one field made hostile (or left out): what a lax parser would let through.
  // Wholly random objects are almost never one field away from a task, so they are the minority.
  const epoch = new Date(0).toISOString();
  const goodTask = (status: string) => ({
    taskId: 't-1',
    status,
    createdAt: epoch,
    lastUpdatedAt: epoch,
    ttl: null,
    ttlMs: null,
    pollInterval: 100,
    pollIntervalMs: 100,
  });
  const badStatus = fc.oneof(fc.constantFrom('Working', 'done', 'unknown', ''), fc.string(), fc.jsonValue());
  const field = fc.oneof(
    { arbitrary: fc.constant('status'), weight: 4 },
    {
      arbitrary: fc.constantFrom(
        'taskId',
        'createdAt',
        'lastUpdatedAt',
        'ttl',
        'ttlMs',
        'pollInterval',
        'pollIntervalMs',
        'statusMessage',
        'result',
        'error',
        'inputRequests',
        'resultType',
      ),
      weight: 4,
    },
  );
  const oneBadField = fc
    .tuple(fc.constantFrom(...STATUSES), field, fc.oneof(fc.constant(undefined), anyId, badStatus))
    .map(([status, key, value]) => ({ ...goodTask(status), [key]: value }));
  const anyResult: fc.Arbitrary<unknown> = fc.oneof(
    { arbitrary: fc.jsonValue() as fc.Arbitrary<unknown>, weight: 1 },
    { arbitrary: oneBadField, weight: 3 },
    { arbitrary: fc.record({ task: oneBadField }), weight: 2 },
  );
  /** Always tried first: a task whose status the protocol does not have, by itself and wrapped. */
  const nearMisses: unknown[] = ['Working', 'done', ''].flatMap((status) => [goodTask(status), { task: goodTask(status) }]);

  it(`2026-07-28 client: ${RUNS} random tasks/get and tools/call answers and raw bodies are parsed or refused with an error, never a crash`, async () => {
    const watch = watchdog();
    let next: { result?: unknown; raw?: string; status?: number } = {};
    const fake: FakeServer = await startFakeServer((request) =>
      request.body.method === 'server/discover' ? { result: DISCOVER_WITH_TASKS } : (next as never),
    );
    const client = new TaskClientV2({ url: fake.url, notifications: false, requestTimeoutMs: 2000 });
    let parsed = 0;
    let refused = 0;
    try {
      await client.discover();
      const rawBody = fc.oneof(
        fc.string(),
        fc.constant('{"jsonrpc":"2.0","id":'),
        fc.constant('<html>502 Bad Gateway</html>'),
        fc.jsonValue().map((v) => JSON.stringify(v)),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            anyResult.map((result) => ({ result })),
            fc.record({ raw: rawBody, status: fc.constantFrom(200, 400, 404, 500, 502) }),
          ),
          fc.boolean(),
          async (reply, viaStart) => {
            next = reply as typeof next;
            const outcome = await settle<StartResult | RemoteTaskState>(() => (viaStart ? client.start('wait', {}, { preferTask: true }) : client.get('t-1')));
            if ('error' in outcome) {
              assertRefusal(outcome.error);
              refused++;
              return;
            }
            const state = outcome.value;
            const task = 'kind' in state ? (state.kind === 'task' ? state.task : undefined) : state;
            if (task) assertTaskShape(task);
            parsed++;
          },
        ),
        {
          numRuns: RUNS,
          examples: nearMisses.flatMap((result): Array<[{ result: unknown } | { raw: string; status: number }, boolean]> => [
            [{ result }, false],
            [{ result: { ...(result as object), resultType: 'task' } }, true],
          ]),
        },
      );
      await settledRejections();
      assert.deepEqual(watch.unhandled, []);
      assertBothWays(parsed, refused);
    } finally {
      client.dispose();
      await fake.close();
      watch.stop();
    }
    recordTrials(
      'hostile',
      'Fuzz: random server answers to the 2026-07-28 client (garbage, wrong types, truncated JSON, HTTP errors)',
      parsed + refused,
      `${parsed} parsed into valid task states, ${refused} refused with an error; no crash, no unhandled rejection`,
    );
  });

  it(`2025-11-25 client: ${RUNS} random tasks/get answers are parsed or refused with an error, never a crash`, async () => {
    const watch = watchdog();
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    let next: unknown = {};
    serverSide.onmessage = (message: JSONRPCMessage) => {
      const request = message as Json;
      if (request.id === undefined) return;
      const result =
        request.method === 'initialize'
          ? {
              protocolVersion: '2025-11-25',
              capabilities: { tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } }, tools: {} },
              serverInfo: { name: 'fuzz', version: '1' },
            }
          : next;
      void serverSide.send({ jsonrpc: '2.0', id: request.id, result } as JSONRPCMessage);
    };
    await serverSide.start();
    const client = new TaskClientV1();
    await client.connect(clientSide);
    let parsed = 0;
    let refused = 0;
    try {
      await fc.assert(
        fc.asyncProperty(anyResult, async (result) => {
          next = result;
          const outcome = await settle(() => client.get('t-1'));
          if ('error' in outcome) {
            assertRefusal(outcome.error);
            refused++;
            return;
          }
          assertTaskShape(outcome.value);
          parsed++;
        }),
        { numRuns: RUNS, examples: nearMisses.map((result) => [result]) },
      );
      await settledRejections();
      assert.deepEqual(watch.unhandled, []);
      assertBothWays(parsed, refused);
    } finally {
      client.dispose();
      watch.stop();
    }
    recordTrials(
      'hostile',
      'Fuzz: random tasks/get answers to the 2025-11-25 client',
      parsed + refused,
      `${parsed} parsed into valid task states, ${refused} refused with an error; no crash, no unhandled rejection`,
    );
  });
});

/**
 * The client's answer, or what it threw. Kept apart from the shape checks, so a failing check is
 * never mistaken for the client refusing the answer.
 */
async function settle<T>(call: () => Promise<T>): Promise<{ value: T } | { error: unknown }> {
  try {
    return { value: await call() };
  } catch (error) {
    return { error };
  }
}

/** The client refuses with an Error (its own: `settle` wraps nothing else). */
function assertRefusal(error: unknown): void {
  assert.ok(error instanceof Error, `refused with an Error, not ${String(error)}`);
}

/** A parsed task state has the shape every view relies on. */
function assertTaskShape(task: { taskId: unknown; status: unknown }): void {
  assert.equal(typeof task.taskId, 'string', `task id ${String(task.taskId)}`);
  assert.ok(STATUSES.includes(task.status as string), `status ${String(task.status)}`);
}

/** A fuzz run that only ever refused (or only parsed) never tried the other side of the parser. */
function assertBothWays(parsed: number, refused: number): void {
  assert.ok(parsed >= 10 && refused >= 10, `the answers exercised both outcomes: ${parsed} parsed, ${refused} refused`);
}

function nested(depth: number): string {
  return '{"d":'.repeat(depth) + '{}' + '}'.repeat(depth);
}
