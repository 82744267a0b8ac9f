import assert from 'node:assert/strict';
import * as os from 'node:os';
import type { TaskRecord } from '../../../src/core/taskRecord';
import { TaskStore } from '../../../src/core/taskStore';
import { isTerminal } from '../../../src/core/taskStatus';
import { connectHttpServer, type NegotiatedConnection } from '../../../src/mcp/client/connectServer';
import { TaskService } from '../../../src/mcp/client/taskService';
import { EMBEDDED_SERVER_ID, type EmbeddedServer } from '../../../src/mcp/embeddedServer';
import { BUILTIN_TOOLS } from '../../../src/mcp/server/builtinTools';
import { startHttpServer } from '../../../src/mcp/server/httpServer';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { ToolCatalog } from '../../../src/mcp/server/toolCatalog';
import { type TaskHarness, makeTaskHarness } from '../helpers/taskHarness';
import { waitFor } from '../helpers/waitFor';
import { recordTrials } from './tally';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One terminal state, reached once: the record is terminal and its timeline entered a terminal status exactly once. */
function assertOneEnd(record: TaskRecord | undefined, what: string): void {
  assert.ok(record && isTerminal(record.status), `${what}: ended (${record?.status})`);
  const ends = record.timeline.filter((entry) => entry.status && isTerminal(entry.status));
  assert.equal(ends.length, 1, `${what}: entered a terminal state ${ends.length} times: ${ends.map((e) => e.status).join(', ')}`);
  assert.equal(ends[0].status, record.status, `${what}: the timeline and the record agree`);
}

describe('reliability: races and load end every task in exactly one terminal state', function () {
  this.timeout(120_000);

  describe('on the embedded server', () => {
    let store: TaskStore;
    let embedded: EmbeddedServer;
    let service: TaskService;
    let harness: TaskHarness;

    beforeEach(async () => {
      harness = await makeTaskHarness();
      ({ store, embedded, service } = harness);
    });

    afterEach(() => harness.dispose());

    /** The server's view of a task, for comparison with the store's (which every UI view reads). */
    const serverStatus = (record: TaskRecord) => (record.taskId ? embedded.engine.peek(record.taskId)?.status : undefined);

    it('cancel racing completion, 200 times: one end each, and the server and the store agree on it', async () => {
      const outcomes: Record<string, number> = {};
      // Half the cancels go out the moment the server completes the task, before the client has
      // heard of it (the narrowest window); the other half while the task still runs.
      const cancelOnCompletion = new Map<string, string>();
      // What the store said when each of those cancels went out, checked after the race (the
      // listener only records and cancels: the engine's emitter would swallow a failed assertion).
      const storeAtCompletion: string[] = [];
      const cancelsAtCompletion: Promise<unknown>[] = [];
      let endedBeforeStartReturned = 0;
      const subscription = embedded.engine.onDidChange((task) => {
        const id = cancelOnCompletion.get(task.taskId);
        if (id && task.status === 'completed') {
          cancelOnCompletion.delete(task.taskId);
          storeAtCompletion.push(store.require(id).status);
          cancelsAtCompletion.push(service.cancel(id).catch(() => undefined));
        }
      });
      try {
        await Promise.all(
          Array.from({ length: 200 }, async (_, i) => {
            const record = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: i % 2 ? 20 : 50 } });
            // On a loaded machine a task may end before its start returns: it cannot take part then.
            if (i % 2 === 0 && isTerminal(serverStatus(record) ?? 'working')) endedBeforeStartReturned++;
            else if (i % 2 === 0) cancelOnCompletion.set(record.taskId!, record.id);
            else await service.cancel(record.id).catch(() => undefined);
            await waitFor(() => isTerminal(store.require(record.id).status) && isTerminal(serverStatus(store.require(record.id)) ?? 'working'), {
              what: 'the race to settle',
              timeoutMs: 60_000,
            });
          }),
        );
      } finally {
        subscription.dispose();
      }
      assert.ok(storeAtCompletion.length > 0, `some cancels went out at completion (${endedBeforeStartReturned} tasks ended before their start returned)`);
      assert.deepEqual(
        storeAtCompletion,
        Array(100 - endedBeforeStartReturned).fill('working'),
        'each cancel went out at completion, before the client had heard of it',
      );
      // Every cancel has had its answer: a second end would be in the store by now.
      await Promise.all(cancelsAtCompletion);
      for (const record of store.all()) {
        assertOneEnd(record, record.id);
        if (record.taskId)
          assert.equal(serverStatus(record), record.status, `${record.id}: the server says ${serverStatus(record)}, the store ${record.status}`);
        outcomes[record.status] = (outcomes[record.status] ?? 0) + 1;
      }
      assert.equal(store.size, 200);
      assert.ok(outcomes.completed && outcomes.cancelled, `both sides won some races: ${JSON.stringify(outcomes)}`);
      recordTrials(
        'fault',
        'Cancel racing completion (embedded server, through the task service; half sent the instant the server completed)',
        storeAtCompletion.length + 100,
        `one end each, server and store agree: ${JSON.stringify(outcomes)}; ${storeAtCompletion.length} cancels sent the instant the server completed, 100 while running`,
        'cancels',
      );
    });

    it('retry racing retry and cancel, 100 times: one new attempt per task, each attempt ends once', async () => {
      let attempts = 0;
      await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const first = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 60_000 } });
          await service.cancel(first.id);
          const raced = await Promise.allSettled([service.retry(first.id), service.retry(first.id), service.cancel(first.id)]);
          const retries = raced.slice(0, 2).filter((r): r is PromiseFulfilledResult<TaskRecord> => r.status === 'fulfilled');
          assert.equal(retries.length, 1, 'exactly one of two concurrent retries creates an attempt');
          assert.equal(raced[2].status, 'rejected', 'a cancelled task cannot be cancelled again');
          const second = retries[0].value;
          attempts++;
          await pause(i % 3);
          await service.cancel(second.id).catch(() => undefined);
          await waitFor(() => isTerminal(store.require(second.id).status), { what: 'the second attempt to end', timeoutMs: 60_000 });
        }),
      );
      await waitFor(() => store.all().every((record) => !record.taskId || serverStatus(record) === record.status), {
        what: 'the server and the store to agree on every task',
        timeoutMs: 60_000,
      });
      for (const record of store.all()) {
        assertOneEnd(record, record.id);
        if (record.retryOf) assert.equal(store.require(record.retryOf).retriedAs, record.id);
        if (record.taskId) assert.equal(serverStatus(record), record.status);
      }
      const byFirst = new Map<string, number>();
      for (const record of store.all()) if (record.retryOf) byFirst.set(record.retryOf, (byFirst.get(record.retryOf) ?? 0) + 1);
      assert.ok([...byFirst.values()].every((n) => n === 1));
      assert.equal(store.size, 200);
      recordTrials(
        'fault',
        'Retry racing retry and cancel, then cancel racing the new attempt',
        attempts,
        'one new attempt per task; every attempt ends once; server and store agree',
        'races',
      );
    });
  });

  it('1,000 concurrent tasks from 10 clients (5 per wire, each its own principal), a quarter cancelled mid-flight: one end each, and all views agree', async () => {
    const tokens = Array.from({ length: 10 }, (_, i) => `load-client-${i}-token`);
    const engine = new TaskEngine({ pollIntervalMs: 200 });
    const server = await startHttpServer({ catalog: new ToolCatalog(BUILTIN_TOOLS), defaultCwd: os.tmpdir(), isTrusted: () => true }, engine, {
      authenticate: (token) => (tokens.includes(token) ? `client:${token}` : undefined),
    });
    const hosts: Array<{ store: TaskStore; service: TaskService; connection: NegotiatedConnection }> = [];
    const started = Date.now();
    try {
      for (const [i, token] of tokens.entries()) {
        const connection = await connectHttpServer(server.url, { token, prefer: i % 2 ? '2025-11-25' : 'io.modelcontextprotocol/tasks' });
        const store = new TaskStore();
        const service = new TaskService(store);
        service.addServer({ id: 'shared', name: 'Shared server', kind: 'http', durable: true, client: connection.client });
        hosts.push({ store, service, connection });
      }
      await Promise.all(
        hosts.flatMap(({ service }, h) =>
          Array.from({ length: 100 }, async (_, i) => {
            const record = await service.start({ serverId: 'shared', tool: 'wait', arguments: { durationMs: (i * 7 + h) % 400 } });
            if (i % 4 === 0) {
              await pause((i * 13) % 300);
              await service.cancel(record.id).catch(() => undefined);
            }
          }),
        ),
      );
      await waitFor(() => hosts.every(({ store }) => store.all().every((r) => isTerminal(r.status) && engine.peek(r.taskId!)?.status === r.status)), {
        what: 'all 1,000 tasks to end, the server agreeing',
        timeoutMs: 90_000,
      });
      const outcomes: Record<string, number> = {};
      const seen = new Set<string>();
      for (const [h, { store, connection }] of hosts.entries()) {
        assert.equal(store.size, 100, `client ${h} holds its 100 tasks`);
        const wire = await Promise.all(store.all().map((record) => connection.client.get(record.taskId!)));
        for (const [i, record] of store.all().entries()) {
          assertOneEnd(record, `client ${h} task ${record.id}`);
          assert.ok(record.taskId && !seen.has(record.taskId), "every task id is the client's own");
          seen.add(record.taskId);
          assert.equal(engine.peek(record.taskId)?.status, record.status, `the server and client ${h} agree on ${record.taskId}`);
          assert.equal(wire[i].status, record.status, 'and so does the wire');
          outcomes[record.status] = (outcomes[record.status] ?? 0) + 1;
        }
      }
      assert.equal(seen.size, 1000);
      recordTrials(
        'fault',
        '1,000 concurrent tasks from 10 clients (5 per wire)',
        1000,
        `one end each; store, server and wire agree: ${JSON.stringify(outcomes)}; ${((Date.now() - started) / 1000).toFixed(1)} s`,
        'tasks',
      );
      recordTrials(
        'fault',
        'Cancel requests mid-flight among the 1,000 concurrent tasks',
        250,
        'each cancelled task ends once; store, server and wire agree',
        'cancels',
      );
    } finally {
      for (const { service, connection, store } of hosts) {
        service.dispose();
        await connection.close();
        store.dispose();
      }
      await server.close();
      engine.dispose();
    }
  });
});
