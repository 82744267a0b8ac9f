import assert from 'node:assert/strict';
import { z } from 'zod';
import { defineTool } from '../../../../src/mcp/server/tools/toolDefinition';
import { toDetailState } from '../../../../src/ui/detail/detailState';
import { waitFor } from '../../helpers/waitFor';
import { type OurServer, SERVER_ID, TASKS, type V2Rig, startOurServer, v2Rig } from './helpers';

const terminal = (rig: V2Rig, id: string) => {
  const record = rig.store.get(id);
  return record && ['completed', 'failed', 'cancelled'].includes(record.status) ? record : undefined;
};

for (const notifications of [false, true]) {
  describe(`TaskService over the extension wire against our HTTP server (${notifications ? 'subscriptions/listen + polling' : 'polling only'})`, function () {
    this.timeout(20_000);
    let server: OurServer;
    let rig: V2Rig;

    beforeEach(async () => {
      server = await startOurServer({ token: 'v2-secret' });
      rig = await v2Rig(server.url, { token: 'v2-secret', notifications });
    });

    afterEach(async () => {
      rig.dispose();
      await server.close();
    });

    it('negotiated nothing but the extension: discover declares it and the record carries the wire', async () => {
      assert.equal(rig.client.supportsTasks, true);
      assert.equal(rig.client.supportsList, false);
      const record = await rig.service.start({ serverId: SERVER_ID, tool: 'wait', arguments: { durationMs: 30, message: 'waited' } });
      assert.equal(record.wire, TASKS);
      assert.ok(record.taskId, 'a task was created');
      const done = await waitFor(() => terminal(rig, record.id), { what: 'the wait task to end' });
      assert.equal(done.status, 'completed');
      assert.deepEqual((done.result as { content: unknown[] }).content, [{ type: 'text', text: 'waited' }]);
    });

    it('run_command completes, with the result taken from the terminal snapshot', async () => {
      const record = await rig.service.start({ serverId: SERVER_ID, tool: 'run_command', arguments: { command: 'echo hello-v2' } });
      const done = await waitFor(() => terminal(rig, record.id), { what: 'run_command to end' });
      assert.equal(done.status, 'completed');
      const result = done.result as { structuredContent: { exitCode: number; stdout: string } };
      assert.equal(result.structuredContent.exitCode, 0);
      assert.match(result.structuredContent.stdout, /hello-v2/);
      assert.equal(done.error, undefined);
    });

    it('a failing command ends completed with isError (T-S-41 semantics), and the detail view shows an error result', async () => {
      const record = await rig.service.start({ serverId: SERVER_ID, tool: 'run_command', arguments: { command: 'echo broken >&2; exit 4' } });
      const done = await waitFor(() => terminal(rig, record.id), { what: 'the failing command to end' });
      assert.equal(done.status, 'completed', 'isError is a completed task on this wire, not a failed one');
      assert.equal((done.result as { isError: boolean }).isError, true);
      assert.equal((done.result as { structuredContent: { exitCode: number } }).structuredContent.exitCode, 4);
      assert.equal(done.statusMessage, 'Exited with code 4', 'the status line says what went wrong');
      const view = toDetailState(done, Date.now());
      assert.equal(view.status, 'completed');
      assert.equal(view.outcome.kind, 'result');
      assert.equal(view.outcome.kind === 'result' && view.outcome.isError, true, 'the detail page shows it as an error result');
    });

    it('a JSON-RPC error during the task ends it failed with that error inline', async () => {
      const record = await rig.service.start({ serverId: SERVER_ID, tool: 'protocol_error_job', arguments: {} });
      const done = await waitFor(() => terminal(rig, record.id), { what: 'protocol_error_job to end' });
      assert.equal(done.status, 'failed');
      assert.equal(done.error?.code, -32603);
      assert.match(done.error?.message ?? '', /protocol-level error on purpose/);
    });

    it('ask: input_required → pendingInput → answerInput → tasks/update → completed', async () => {
      const record = await rig.service.start({ serverId: SERVER_ID, tool: 'ask', arguments: { question: 'Which colour?' } });
      const asking = await waitFor(
        () => {
          const r = rig.store.get(record.id);
          return r?.status === 'input_required' && r.pendingInput.length === 1 ? r : undefined;
        },
        { what: 'the question' },
      );
      assert.equal(asking.pendingInput[0].method, 'elicitation/create');
      assert.equal(asking.pendingInput[0].params.message, 'Which colour?');
      rig.service.answerInput(record.id, asking.pendingInput[0].key, { action: 'accept', content: { answer: 'teal' } });
      assert.deepEqual(rig.store.get(record.id)?.pendingInput, []);
      const done = await waitFor(() => terminal(rig, record.id), { what: 'the answered task to end' });
      assert.equal(done.status, 'completed');
      assert.deepEqual((done.result as { content: unknown[] }).content, [{ type: 'text', text: 'teal' }]);
      assert.ok(done.timeline.some((e) => e.status === 'input_required'));
    });

    it('MRTR before the task: the up-front question reaches the user as pending input, then the task runs with the answer', async () => {
      const record = rig.service.start({ serverId: SERVER_ID, tool: 'test_tool_with_task', arguments: {} });
      const asking = await waitFor(
        () => {
          const r = rig.store.all().find((x) => x.tool === 'test_tool_with_task');
          return r?.pendingInput.length ? r : undefined;
        },
        { what: 'the MRTR question' },
      );
      assert.equal(asking.taskId, undefined, 'no task exists yet');
      rig.service.answerInput(asking.id, asking.pendingInput[0].key, { action: 'accept', content: { name: 'Ada' } });
      const started = await record;
      assert.ok(started.taskId, 'the retried call created the task');
      const done = await waitFor(() => terminal(rig, started.id), { what: 'the task to end' });
      assert.equal(done.status, 'completed');
      assert.match(JSON.stringify(done.result), /Ada/);
    });

    it('cancel: tasks/cancel is only an ack; the task is followed until the server reports it cancelled', async () => {
      const record = await rig.service.start({ serverId: SERVER_ID, tool: 'wait', arguments: { durationMs: 60_000 } });
      const after = await rig.service.cancel(record.id);
      assert.notEqual(after.status, 'failed');
      const done = await waitFor(() => terminal(rig, record.id), { what: 'the cancelled state' });
      assert.equal(done.status, 'cancelled');
      const remote = await rig.client.get(record.taskId!);
      assert.equal(remote.status, 'cancelled');
    });

    it('a synchronous tool (greet: forbidden as a task) finishes from the plain result', async () => {
      const record = await rig.service.start({ serverId: SERVER_ID, tool: 'greet', arguments: { name: 'V2' } });
      assert.equal(record.taskId, undefined);
      assert.equal(record.status, 'completed');
      assert.deepEqual((record.result as { content: unknown[] }).content, [{ type: 'text', text: 'Hello, V2!' }]);
    });

    it('listing remote tasks is refused plainly: the extension has no tasks/list', async () => {
      await assert.rejects(rig.service.listRemote(SERVER_ID), /does not support listing/);
    });
  });
}

describe('TaskService over the extension wire: a synchronous tool error result', function () {
  this.timeout(20_000);
  const refuse = defineTool({
    name: 'refuse_now',
    title: 'Refuse now',
    description: 'Never a task; answers at once with a tool error result.',
    inputSchema: z.object({}),
    annotations: { readOnlyHint: true },
    taskSupport: 'forbidden',
    run: async () => ({ content: [{ type: 'text', text: 'refused on purpose' }], isError: true }),
  });
  let server: OurServer;
  let rig: V2Rig;

  before(async () => {
    server = await startOurServer({ token: 'v2-secret', tools: [refuse] });
    rig = await v2Rig(server.url, { token: 'v2-secret', notifications: false });
  });

  after(async () => {
    rig.dispose();
    await server.close();
  });

  it('ends completed with isError, as the wire client says such a result ends (T-S-41), not failed', async () => {
    const record = await rig.service.start({ serverId: SERVER_ID, tool: 'refuse_now', arguments: {} });
    assert.equal(record.taskId, undefined, 'no task: the plain result answered the call');
    assert.equal(record.status, 'completed');
    assert.equal((record.result as { isError?: boolean }).isError, true);
  });
});
