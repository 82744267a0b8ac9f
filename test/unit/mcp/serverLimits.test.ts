/**
 * The server's limits through the real HTTP server (T-SS-11): how many of one principal's tasks run
 * at once, and how fast a principal may create them. Each token is its own principal.
 */
import assert from 'node:assert/strict';
import { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { META } from '../../../src/core/meta';
import { type EngineOptions, TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { type RunningHttpServer, startHttpServer, tokenPrincipals } from '../../../src/mcp/server/httpServer';
import { ToolCatalog } from '../../../src/mcp/server/toolCatalog';
import { type ToolDefinition, defineTool } from '../../../src/mcp/server/tools/toolDefinition';
import { CreateTaskResultSchema } from '../../../src/mcp/wires/v1/codec';
import { waitFor } from '../helpers/waitFor';
import { type Json, NON_DECLARING, V2Client } from './v2/helpers';

/** Work that holds its slot until the test lets it go, like a long command. */
class Holds {
  readonly running = new Map<string, () => void>();
  readonly started: string[] = [];
  maxRunning = new Map<string, number>();

  readonly tool = defineTool({
    name: 'hold',
    title: 'Hold',
    description: 'Runs until the test releases it; `name` is "<who>-<n>".',
    inputSchema: z.object({ name: z.string() }),
    annotations: {},
    taskSupport: 'optional',
    run: async ({ name }, context) => {
      this.started.push(name);
      await new Promise<void>((resolve, reject) => {
        this.running.set(name, resolve);
        this.count(name.split('-')[0]);
        context.signal.addEventListener('abort', () => reject(context.signal.reason as Error), { once: true });
      }).finally(() => this.running.delete(name));
      return { content: [{ type: 'text', text: `${name} released` }] };
    },
  }) as unknown as ToolDefinition;

  runningOf(who: string): string[] {
    return [...this.running.keys()].filter((name) => name.startsWith(`${who}-`));
  }

  private count(who: string): void {
    this.maxRunning.set(who, Math.max(this.maxRunning.get(who) ?? 0, this.runningOf(who).length));
  }
}

/** Releases alice's ten held calls one at a time; after each, exactly one more may start (limit 2), never a third. */
async function releaseAliceOneByOne(holds: Holds): Promise<void> {
  for (let released = 0; released < 10; released++) {
    const [next] = holds.runningOf('alice');
    holds.running.get(next)!();
    const expected = Math.min(2, 10 - released - 1);
    await waitFor(
      () => holds.runningOf('alice').length === expected && holds.started.filter((name) => name.startsWith('alice-')).length === Math.min(10, released + 3),
      { what: `alice running ${expected} after ${released + 1} released` },
    );
  }
}

describe('server limits over HTTP (per principal)', function () {
  this.timeout(20_000);
  let holds: Holds;
  let engine: TaskEngine;
  let http: RunningHttpServer;
  let alice: V2Client;
  let bob: V2Client;

  async function start(options: EngineOptions): Promise<void> {
    holds = new Holds();
    engine = new TaskEngine({ ...options, limitPlainCalls: true });
    const catalog = new ToolCatalog([holds.tool]);
    http = await startHttpServer({ catalog, defaultCwd: process.cwd(), isTrusted: () => true }, engine, {
      authenticate: tokenPrincipals(['alice-token', 'bob-token']),
    });
    alice = new V2Client(http.url, 'alice-token');
    bob = new V2Client(http.url, 'bob-token');
  }

  afterEach(async () => {
    await http.close();
    engine.dispose();
  });

  it('T-SS-11 ten tasks of one principal with a limit of 2 run two at a time; another principal starts at once', async () => {
    await start({ scheduler: { maxConcurrent: Infinity, toolLimits: {}, maxPerPrincipal: 2 } });
    const created = await Promise.all(Array.from({ length: 10 }, (_, n) => alice.callTool('hold', { name: `alice-${n}` })));
    assert.ok(created.every((task) => task.resultType === 'task' && task.status === 'working'));
    await waitFor(() => holds.runningOf('alice').length === 2, { what: 'two of alice’s tasks to run' });

    const states = await Promise.all(created.map((task) => alice.getTask(task.taskId)));
    const queued = states.filter((task) => task._meta?.[META.queue]);
    assert.equal(queued.length, 8, 'the other eight wait in the queue');
    assert.deepEqual(queued.map((task) => task.statusMessage as string).sort(), Array.from({ length: 8 }, (_, n) => `Queued (${n + 1} of 8)`).sort());
    assert.ok(states.every((task) => task.status === 'working'));

    const bobs = await bob.callTool('hold', { name: 'bob-0' });
    await waitFor(() => holds.runningOf('bob').length === 1, { what: 'bob’s task to start while alice’s wait' });
    assert.equal((await bob.getTask(bobs.taskId))._meta, undefined, 'bob’s task is not queued');

    // Let alice's work go one at a time: each release starts exactly one more, never a third.
    await releaseAliceOneByOne(holds);
    await Promise.all(created.map((task) => alice.poll(task.taskId)));
    assert.equal(holds.maxRunning.get('alice'), 2, 'alice never had more than two running');
    holds.running.get('bob-0')!();
    assert.equal((await bob.poll(bobs.taskId)).status, 'completed');
  });

  it('T-SS-11 a burst beyond the creation rate is refused with -32029 and a retry hint, on both wires; another principal is unaffected', async () => {
    await start({ creationRate: { limit: 3, windowMs: 60_000 } });
    for (let n = 0; n < 3; n++) assert.equal((await alice.callTool('hold', { name: `alice-${n}` })).resultType, 'task');

    const refused = await alice.send('tools/call', { name: 'hold', arguments: { name: 'alice-3' } });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, -32029);
    const data = refused.body.error.data as Json;
    assert.deepEqual({ limit: data.limit, windowMs: data.windowMs }, { limit: 3, windowMs: 60_000 });
    assert.ok(Number.isInteger(data.retryAfterMs) && data.retryAfterMs > 0 && data.retryAfterMs <= 20_000, `retryAfterMs ${data.retryAfterMs}`);
    assert.equal(refused.headers.get('retry-after'), String(Math.ceil(data.retryAfterMs / 1000)));
    assert.match(refused.body.error.message, /^Too many new tasks: this server accepts 3 per minute from each caller\. Try again in \d+ s\.$/);
    assert.equal(engine.all().length, 3, 'nothing was created for the refused call');

    // The same principal on a 2025-11-25 session shares the bucket.
    const session = new Client({ name: 'limits-test', version: '1.0.0' });
    await session.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { Authorization: 'Bearer alice-token' } } }));
    try {
      await assert.rejects(
        session.request({ method: 'tools/call', params: { name: 'hold', arguments: { name: 'alice-4' }, task: {} } }, CreateTaskResultSchema),
        (error: { code?: number; data?: Json }) => error.code === -32029 && (error.data?.retryAfterMs as number) > 0,
      );
    } finally {
      await session.close();
    }

    for (let n = 0; n < 3; n++) assert.equal((await bob.callTool('hold', { name: `bob-${n}` })).resultType, 'task', `bob's task ${n}`);
    assert.equal(engine.all().length, 6);
  });

  /** A 2025-11-25 session of the principal with this token. */
  async function sessionOf(token: string): Promise<Client> {
    const session = new Client({ name: 'limits-test', version: '1.0.0' });
    await session.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    return session;
  }

  it('T-SS-11 plain tools/calls count too: ten of one principal with a limit of 2 run two at a time, on both wires, and are no tasks', async () => {
    await start({ scheduler: { maxConcurrent: Infinity, toolLimits: {}, maxPerPrincipal: 2 } });
    const session = await sessionOf('alice-token');
    try {
      // Every fifth over a 2025-11-25 session, the rest over 2026-07-28 without the tasks extension.
      const calls: Promise<string>[] = Array.from({ length: 10 }, (_, n) =>
        n % 5 === 0
          ? session.callTool({ name: 'hold', arguments: { name: `alice-${n}` } }).then((result) => (result.content as Json[])[0].text as string)
          : alice.callTool('hold', { name: `alice-${n}` }, { capabilities: NON_DECLARING }).then((result) => {
              assert.equal(result.resultType, 'complete');
              return (result.content as Json[])[0].text as string;
            }),
      );
      await waitFor(() => holds.runningOf('alice').length === 2, { what: 'two of alice’s plain calls to run' });

      const bobs = bob.callTool('hold', { name: 'bob-0' }, { capabilities: NON_DECLARING });
      await waitFor(() => holds.runningOf('bob').length === 1, { what: 'bob’s plain call to start while alice’s wait' });

      await releaseAliceOneByOne(holds);
      assert.deepEqual((await Promise.all(calls)).sort(), Array.from({ length: 10 }, (_, n) => `alice-${n} released`).sort());
      assert.equal(holds.maxRunning.get('alice'), 2, 'alice never had more than two running');
      holds.running.get('bob-0')!();
      assert.equal((await bobs).resultType, 'complete');
      assert.deepEqual(engine.all(), [], 'plain calls are not tasks');
    } finally {
      await session.close();
    }
  });

  it('T-SS-11 plain tools/calls take creation-rate tokens: beyond the rate they are refused with -32029, on both wires', async () => {
    await start({ creationRate: { limit: 3, windowMs: 60_000 } });
    const calls = Array.from({ length: 2 }, (_, n) => alice.callTool('hold', { name: `alice-${n}` }, { capabilities: NON_DECLARING }));
    assert.equal((await alice.callTool('hold', { name: 'alice-2' })).resultType, 'task', 'a task shares the bucket');
    await waitFor(() => holds.runningOf('alice').length === 3, { what: 'alice’s three calls to run' });

    const refused = await alice.send('tools/call', { name: 'hold', arguments: { name: 'alice-3' } }, { capabilities: NON_DECLARING });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, -32029);
    assert.ok((refused.body.error.data as Json).retryAfterMs > 0);
    assert.match(
      refused.body.error.message,
      /^Too many tool calls: this server accepts 3 per minute \(tasks and tool calls together\) from each caller\. Try again in \d+ s\.$/,
    );

    const session = await sessionOf('alice-token');
    try {
      await assert.rejects(
        session.callTool({ name: 'hold', arguments: { name: 'alice-4' } }),
        (error: { code?: number; data?: Json }) => error.code === -32029 && (error.data?.retryAfterMs as number) > 0,
      );
    } finally {
      await session.close();
    }
    assert.deepEqual(holds.started.sort(), ['alice-0', 'alice-1', 'alice-2'], 'nothing ran for the refused calls');

    const bobs = bob.callTool('hold', { name: 'bob-0' }, { capabilities: NON_DECLARING });
    await waitFor(() => holds.runningOf('bob').length === 1, { what: 'bob’s plain call to run' });
    for (const name of holds.running.keys()) holds.running.get(name)!();
    for (const call of [...calls, bobs]) assert.equal((await call).resultType, 'complete');
  });
});

describe('plain calls waiting for a slot', () => {
  it('a call whose request is aborted while waiting leaves the queue; the next one gets the slot', async () => {
    const engine = new TaskEngine({ scheduler: { maxConcurrent: 1, toolLimits: {} }, limitPlainCalls: true });
    try {
      const releaseFirst = await engine.acquireSlot({ owner: 'a', tool: 'hold' });
      const abort = new AbortController();
      const aborted = engine.acquireSlot({ owner: 'a', tool: 'hold', signal: abort.signal });
      let thirdGranted = false;
      const third = engine.acquireSlot({ owner: 'b', tool: 'hold' }).then((release) => ((thirdGranted = true), release));
      abort.abort(new Error('request aborted'));
      await assert.rejects(aborted, /request aborted/);
      assert.equal(thirdGranted, false, 'the slot is still taken');
      releaseFirst();
      (await third)();
      // All free again: a new call runs at once.
      (await engine.acquireSlot({ owner: 'a', tool: 'hold' }))();
    } finally {
      engine.dispose();
    }
  });

  it("the editor's engine (plain calls not limited) never holds a plain call behind its running work", async () => {
    const engine = new TaskEngine({ scheduler: { maxConcurrent: 1, toolLimits: {} }, creationRate: { limit: 1, windowMs: 60_000 } });
    try {
      // Were plain calls limited, the first would take the only slot and the only creation token,
      // so the second would wait and the third be refused.
      const first = await engine.acquireSlot({ owner: 'a', tool: 'hold' });
      const second = await engine.acquireSlot({ owner: 'a', tool: 'hold' });
      const third = await engine.acquireSlot({ owner: 'a', tool: 'hold' });
      for (const release of [first, second, third]) release();
    } finally {
      engine.dispose();
    }
  });
});
