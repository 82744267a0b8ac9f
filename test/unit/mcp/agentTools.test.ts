/**
 * `wait_for_tasks` and `tail_task` on both wires: an agent waits for the first or all of its
 * tasks, or the timeout; another owner's id is "not found" and never waited on; a cancelled wait
 * leaves nothing parked; output is read a chunk at a time with cursors that only its own task accepts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { OUTPUT_READ_CHARS, TaskOutputs } from '../../../src/mcp/engine/taskOutputs';
import { OUTPUT_TAIL_CHARS } from '../../../src/core/recordLimits';
import { type Json, gate, meta } from './v2/helpers';
import { waitFor } from '../helpers/waitFor';
import { type OwnTasksServer, callV1, callV2, startOwnTasksServer, startV1, startV2, toolErrorText } from './helpers/ownTasksServer';

type Who = 'alpha' | 'beta';

describe('agent tools: wait_for_tasks and tail_task', function () {
  this.timeout(20_000);
  let server: OwnTasksServer;

  beforeEach(async () => {
    server = await startOwnTasksServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const wires = [
    {
      wire: '2025-11-25',
      start: (who: Who, args: Json) => startV1(server[who].v1, args),
      call: (who: Who, name: string, args: Json) => callV1(server[who].v1, name, args),
      error: (who: Who, name: string, args: Json) =>
        toolErrorText(server[who].v1.request({ method: 'tools/call', params: { name, arguments: args } }, CallToolResultSchema)),
    },
    {
      wire: '2026-07-28',
      start: (who: Who, args: Json) => startV2(server[who].v2, args),
      call: (who: Who, name: string, args: Json) => callV2(server[who].v2, name, args),
      error: (who: Who, name: string, args: Json) => toolErrorText(server[who].v2.callTool(name, args, { capabilities: {} }) as Promise<Json>),
    },
  ];

  for (const { wire, start, call, error } of wires) {
    describe(`on ${wire}`, () => {
      it('mode "any" returns when the first task ends, with its result; the other is still running', async () => {
        const [a, b] = [randomUUID(), randomUUID()];
        const first = await start('alpha', { gate: a, first: 'a' });
        const second = await start('alpha', { gate: b, first: 'b' });
        // A timeout past the test's own: only the first task's end can end this call in time.
        const waiting = call('alpha', 'wait_for_tasks', { taskIds: [first, second], mode: 'any', timeoutMs: 600_000 });
        await waitFor(() => server.engine.parkedWaiters === 2, { what: 'the call to park on both tasks' });
        gate(a).open();
        const report = await waiting;
        assert.equal(report.satisfied, true);
        assert.equal(report.timedOut, false);
        assert.equal(report.tasks[0].status, 'completed');
        assert.deepEqual(report.tasks[0].result.content, [{ type: 'text', text: `done ${a}` }]);
        assert.equal(report.tasks[1].status, 'working');
        assert.equal(report.tasks[1].result, undefined);
        assert.equal(server.engine.parkedWaiters, 0, 'nothing stays parked on the task still running');
        gate(b).open();
      });

      it('mode "all" returns only when every task has ended', async () => {
        const [a, b] = [randomUUID(), randomUUID()];
        const ids = [await start('alpha', { gate: a, first: 'a' }), await start('alpha', { gate: b, first: 'b' })];
        let returned = false;
        const waiting = call('alpha', 'wait_for_tasks', { taskIds: ids, mode: 'all', timeoutMs: 15_000 }).finally(() => (returned = true));
        await waitFor(() => server.engine.parkedWaiters === 2, { what: 'the call to park on both tasks' });
        gate(a).open();
        await waitFor(() => server.engine.peek(ids[0])?.status === 'completed' && server.engine.parkedWaiters === 1, { what: 'the first task to end' });
        assert.equal(returned, false, 'still waiting for the second task');
        gate(b).open();
        const report = await waiting;
        assert.equal(report.satisfied, true);
        assert.deepEqual(
          report.tasks.map((task: Json) => task.status),
          ['completed', 'completed'],
        );
      });

      it('at the timeout it returns what it has, timedOut', async () => {
        const task = await start('alpha', { gate: randomUUID(), first: 'a' });
        const report = await call('alpha', 'wait_for_tasks', { taskIds: [task], mode: 'all', timeoutMs: 50 });
        assert.equal(report.timedOut, true);
        assert.equal(report.satisfied, false);
        assert.equal(report.tasks[0].status, 'working');
        assert.equal(server.engine.parkedWaiters, 0);
      });

      it("another owner's task and an unknown id are not found, and never waited on", async () => {
        const name = randomUUID();
        const theirs = await start('beta', { gate: name, first: 'b' });
        const mine = await start('alpha', { gate: randomUUID(), first: 'a' });
        // Only foreign and unknown ids: nothing to wait on, so it answers at once despite the long timeout.
        const alone = await call('alpha', 'wait_for_tasks', { taskIds: [theirs, 'no-such-task'], mode: 'all', timeoutMs: 600_000 });
        assert.deepEqual(alone.tasks, [
          { taskId: theirs, found: false },
          { taskId: 'no-such-task', found: false },
        ]);
        assert.equal(alone.satisfied, false);
        // Beside one of the caller's own: "any" is not satisfied by the foreign task ending.
        const waiting = call('alpha', 'wait_for_tasks', { taskIds: [mine, theirs], mode: 'any', timeoutMs: 300 });
        await waitFor(() => server.engine.parkedWaiters === 1, { what: 'the call to park on its own task only' });
        gate(name).open();
        const report = await waiting;
        assert.equal(report.timedOut, true, 'the foreign task ending did not end the wait');
        assert.deepEqual(report.tasks[1], { taskId: theirs, found: false });
      });

      it('tail_task returns new output after each cursor, then finished', async () => {
        const name = randomUUID();
        const task = await start('alpha', { gate: name, first: 'one\n', then: 'two\n' });
        const first = await waitFor(
          async () => {
            const read = await call('alpha', 'tail_task', { taskId: task });
            return read.output ? read : undefined;
          },
          { what: 'the first output' },
        );
        assert.equal(first.output, 'one\n');
        assert.equal(first.finished, false);
        assert.equal(first.status, 'working');
        const empty = await call('alpha', 'tail_task', { taskId: task, cursor: first.cursor });
        assert.equal(empty.output, '', 'nothing new since the cursor');
        gate(name).open();
        const last = await waitFor(
          async () => {
            const read = await call('alpha', 'tail_task', { taskId: task, cursor: first.cursor });
            return read.finished ? read : undefined;
          },
          { what: 'the task to finish' },
        );
        assert.equal(last.output, 'two\n', 'only what came after the cursor');
        assert.equal(last.status, 'completed');
        assert.equal(last.skippedChars, 0);
      });

      it("tail_task: another owner's task is not found; a cursor of another task or a made-up one is an error", async () => {
        const one = await start('alpha', { gate: randomUUID(), first: 'one' });
        const other = await start('alpha', { gate: randomUUID(), first: 'other' });
        assert.match(await error('beta', 'tail_task', { taskId: one }), /not found/i);
        const cursor = (await call('alpha', 'tail_task', { taskId: one })).cursor as string;
        assert.match(await error('alpha', 'tail_task', { taskId: other, cursor }), /Invalid cursor/);
        assert.match(await error('beta', 'tail_task', { taskId: one, cursor }), /not found/i);
        assert.match(await error('alpha', 'tail_task', { taskId: one, cursor: `99${cursor}` }), /Invalid cursor/);
      });
    });
  }

  it('a wait cancelled by its caller leaves nothing parked (2025-11-25: notifications/cancelled)', async () => {
    const task = await startV1(server.alpha.v1, { gate: randomUUID(), first: 'a' });
    const abort = new AbortController();
    const waiting = callV1(server.alpha.v1, 'wait_for_tasks', { taskIds: [task], mode: 'all', timeoutMs: 600_000 }, { signal: abort.signal });
    await waitFor(() => server.engine.parkedWaiters === 1, { what: 'the call to park' });
    abort.abort();
    await assert.rejects(waiting);
    await waitFor(() => server.engine.parkedWaiters === 0, { what: 'the parked wait to leave', timeoutMs: 2000 });
  });

  it('a wait whose HTTP request the caller drops leaves nothing parked (2026-07-28)', async () => {
    const task = await startV2(server.alpha.v2, { gate: randomUUID(), first: 'a' });
    const abort = new AbortController();
    const params = { name: 'wait_for_tasks', arguments: { taskIds: [task], mode: 'any', timeoutMs: 600_000 } };
    const body = JSON.stringify({ jsonrpc: '2.0', id: 'w', method: 'tools/call', params: { ...params, _meta: meta({ elicitation: {} }) } });
    const request = fetch(server.http.url, { method: 'POST', headers: server.alpha.v2.headersFor('tools/call', params), body, signal: abort.signal });
    await waitFor(() => server.engine.parkedWaiters === 1, { what: 'the call to park' });
    abort.abort();
    await assert.rejects(request);
    await waitFor(() => server.engine.parkedWaiters === 0, { what: 'the parked wait to leave', timeoutMs: 2000 });
  });

  it('output reads are bounded, skip what is no longer kept, and say so', () => {
    const outputs = new TaskOutputs();
    outputs.append('t', 'a'.repeat(OUTPUT_TAIL_CHARS));
    const start = outputs.read('alpha', 't');
    const tail = outputs.read('alpha', 't', undefined);
    assert.equal(tail.output.length, OUTPUT_READ_CHARS, 'without a cursor: the latest chunk');
    assert.equal(start.skippedChars, OUTPUT_TAIL_CHARS - OUTPUT_READ_CHARS);
    // Far more output than is kept comes after the cursor: the read starts at what is still kept.
    outputs.append('t', 'b'.repeat(OUTPUT_TAIL_CHARS * 2));
    const next = outputs.read('alpha', 't', tail.cursor);
    assert.equal(next.skippedChars, OUTPUT_TAIL_CHARS);
    assert.equal(next.output, 'b'.repeat(OUTPUT_READ_CHARS));
    assert.equal(next.moreOutput, true);
    assert.throws(() => outputs.read('beta', 't', next.cursor), /Invalid cursor/, "a cursor is the owner's it was issued to");
  });
});
