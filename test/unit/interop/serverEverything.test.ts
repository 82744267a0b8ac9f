import assert from 'node:assert/strict';
import type { TaskStore } from '../../../src/core/taskStore';
import type { TaskClientV1 } from '../../../src/mcp/client/v1/taskClientV1';
import type { TaskService } from '../../../src/mcp/client/taskService';
import { waitFor } from '../helpers/waitFor';
import { type EverythingSession, connectEverythingStdio } from './everythingStdio';

describe('interop: our client against @modelcontextprotocol/server-everything (stdio, 2025-11-25)', function () {
  this.timeout(30_000);
  let store: TaskStore;
  let client: TaskClientV1;
  let service: TaskService;
  let session: EverythingSession;

  beforeEach(async () => {
    session = await connectEverythingStdio();
    ({ store, client, service } = session);
  });

  afterEach(() => session.dispose());

  it('sees the task capability and the tool-level taskSupport', async () => {
    assert.equal(client.supportsTasks, true);
    const tools = await client.listTools();
    assert.equal(tools.find((t) => t.name === 'simulate-research-query')?.execution?.taskSupport, 'required');
  });

  it('runs simulate-research-query to completion, mirroring status messages', async () => {
    const record = await service.start({ serverId: 'everything', tool: 'simulate-research-query', arguments: { topic: 'tide pools' } });
    assert.ok(record.taskId);
    const done = await waitFor(() => (store.get(record.id)?.status === 'completed' ? store.get(record.id) : undefined), {
      what: 'completion',
    });
    const text = (done.result as { content: { text: string }[] }).content[0].text;
    assert.match(text, /Research Report: tide pools/);
    assert.ok(
      done.timeline.some((e) => /Gathering sources/.test(e.message ?? '')),
      'a stage status message was mirrored',
    );
  });

  it('answers the clarification an ambiguous query asks for (input_required → elicitation)', async () => {
    const record = await service.start({ serverId: 'everything', tool: 'simulate-research-query', arguments: { topic: 'python', ambiguous: true } });
    const asking = await waitFor(
      () => {
        const r = store.get(record.id);
        return r?.pendingInput.length ? r : undefined;
      },
      { what: 'the clarification question' },
    );
    service.answerInput(record.id, asking.pendingInput[0].key, { action: 'accept', content: { interpretation: 'the snake' } });
    const done = await waitFor(() => (store.get(record.id)?.status === 'completed' ? store.get(record.id) : undefined), {
      what: 'completion',
    });
    assert.match((done.result as { content: { text: string }[] }).content[0].text, /Clarification\*\*: the snake/);
    assert.ok(done.timeline.some((e) => e.status === 'input_required'));
  });

  it('cancels a running research task with tasks/cancel', async () => {
    const record = await service.start({ serverId: 'everything', tool: 'simulate-research-query', arguments: { topic: 'slow' } });
    const cancelled = await service.cancel(record.id);
    assert.equal(cancelled.status, 'cancelled');
    const remote = await client.get(record.taskId!);
    assert.equal(remote.status, 'cancelled');
  });

  it('is the receiver of a task-augmented elicitation (trigger-elicitation-request-async): the server polls our task and gets the answer', async () => {
    // A plain tools/call: it returns only once the server has our answer, so watch the store meanwhile.
    const started = service.start({ serverId: 'everything', tool: 'trigger-elicitation-request-async', arguments: {} });
    const asking = await waitFor(() => store.all().find((r) => r.tool === 'trigger-elicitation-request-async' && r.pendingInput.length), {
      what: 'the question',
    });
    const record = asking;
    assert.deepEqual(Object.keys((asking.pendingInput[0].params.requestedSchema as { properties: object }).properties), [
      'name',
      'favoriteColor',
      'agreeToTerms',
    ]);
    service.answerInput(record.id, asking.pendingInput[0].key, { action: 'accept', content: { name: 'Ada', favoriteColor: 'Blue', agreeToTerms: true } });
    await started;
    const done = await waitFor(
      () => {
        const r = store.get(record.id);
        return r && r.status !== 'working' && r.status !== 'input_required' ? r : undefined;
      },
      { what: 'the call to end' },
    );
    assert.match(JSON.stringify(done.result), /COMPLETED/);
  });

  it('is the receiver of a task-augmented sampling request (trigger-sampling-request-async), answered by the host', async () => {
    // A service takes the host's sampling handler at construction: connect again with one.
    session.dispose();
    session = await connectEverythingStdio({
      samplingHandler: async () => ({
        role: 'assistant',
        content: { type: 'text', text: 'sampled in a task' },
        model: 'test-model',
        stopReason: 'endTurn',
      }),
    });
    ({ store, client, service } = session);
    const record = await service.start({ serverId: 'everything', tool: 'trigger-sampling-request-async', arguments: { prompt: 'hi', maxTokens: 10 } });
    const done = await waitFor(() => (store.get(record.id)?.status === 'completed' ? store.get(record.id) : undefined), {
      what: 'completion',
    });
    assert.match(JSON.stringify(done.result), /sampled in a task/);
  });

  it('lists the remote tasks it created', async () => {
    const record = await service.start({ serverId: 'everything', tool: 'simulate-research-query', arguments: { topic: 'listing' } });
    const listed = await service.listRemote('everything');
    assert.ok(listed.some((t) => t.taskId === record.taskId));
    await service.cancel(record.id);
  });
});
