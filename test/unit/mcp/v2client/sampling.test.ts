import assert from 'node:assert/strict';
import { z } from 'zod';
import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import type { TaskRecord } from '../../../../src/core/taskRecord';
import type { SamplingHandler } from '../../../../src/mcp/client/questionRouter';
import { SamplingDeclinedError } from '../../../../src/mcp/client/taskWire';
import { defineTool } from '../../../../src/mcp/server/tools/toolDefinition';
import { samplingFixture } from '../../../../src/mcp/server/tools/fixtures/mrtrFixtures';
import { waitFor } from '../../helpers/waitFor';
import { connectEverythingStdio } from '../../interop/everythingStdio';
import { type Json, type OurServer, type RecordingProxy, SERVER_ID, type V2Rig, startOurServer, startRecordingProxy, v2Rig } from './helpers';

/** A tool that asks the client's language model from inside its task (the task's `inputRequests`). */
const summarizeTool = defineTool({
  name: 'summarize',
  title: 'Summarize',
  description: "Test tool: asks the client's language model to summarize a text, from inside a task.",
  inputSchema: z.object({ text: z.string() }),
  annotations: { readOnlyHint: true, idempotentHint: false, destructiveHint: false, openWorldHint: false },
  taskSupport: 'required',
  async run({ text }, context) {
    if (!context.sample) return { content: [{ type: 'text', text: 'This run cannot sample.' }], isError: true };
    const reply = await context.sample({ messages: [{ role: 'user', content: { type: 'text', text: `Summarize: ${text}` } }], maxTokens: 50 });
    const content = Array.isArray(reply.content) ? reply.content[0] : reply.content;
    return { content: [{ type: 'text', text: `Summary: ${content?.type === 'text' ? content.text : '?'}` }] };
  },
});

const MODEL_ANSWER: CreateMessageResult = { role: 'assistant', content: { type: 'text', text: 'Paris' }, model: 'test-model', stopReason: 'endTurn' };

/** The two places a sampling request arrives on the extension wire. */
const PATHS = [
  { name: 'an input_required result (MRTR)', tool: samplingFixture.name, arguments: {}, answered: /The model said: Paris/ },
  { name: "a task's inputRequests", tool: summarizeTool.name, arguments: { text: 'a long story' }, answered: /Summary: Paris/ },
] as const;

describe('sampling on the extension wire: declared, and answered through the host handler', function () {
  this.timeout(20_000);
  let server: OurServer;
  let proxy: RecordingProxy;
  let rig: V2Rig | undefined;
  let asked: Parameters<SamplingHandler>[0][];

  const connect = async (samplingHandler: SamplingHandler | undefined) => {
    rig = await v2Rig(proxy.url, {}, samplingHandler ? { samplingHandler } : {});
    return rig;
  };
  const answering: SamplingHandler = async (request) => {
    asked.push(request);
    return MODEL_ANSWER;
  };
  const declining: SamplingHandler = async (request) => {
    asked.push(request);
    throw new SamplingDeclinedError('the user did not allow it');
  };
  const ended = (id: string) =>
    waitFor(
      () => {
        const record = rig!.store.get(id);
        return record && ['completed', 'failed', 'cancelled'].includes(record.status) ? record : undefined;
      },
      { what: 'the call to end' },
    );
  const start = async (path: (typeof PATHS)[number]): Promise<TaskRecord> =>
    ended((await rig!.service.start({ serverId: SERVER_ID, tool: path.tool, arguments: path.arguments })).id);

  beforeEach(async () => {
    asked = [];
    server = await startOurServer({ tools: [samplingFixture, summarizeTool] });
    proxy = await startRecordingProxy(server.url);
  });

  afterEach(async () => {
    rig?.dispose();
    rig = undefined;
    await proxy.close();
    await server.close();
  });

  it('declares sampling on every request, next to elicitation and the extension', async () => {
    await connect(answering);
    await start(PATHS[1]);
    assert.ok(proxy.seen.length >= 3);
    for (const request of proxy.seen) {
      const capabilities = (request.body as Json).params._meta['io.modelcontextprotocol/clientCapabilities'];
      assert.deepEqual(capabilities.sampling, {}, `${request.body.method} declares sampling`);
    }
  });

  for (const path of PATHS) {
    describe(`arriving in ${path.name}`, () => {
      it("gets the handler's answer, asked for the record the request belongs to", async () => {
        await connect(answering);
        const done = await start(path);
        assert.equal(done.status, 'completed', JSON.stringify(done.error));
        assert.match(JSON.stringify(done.result), path.answered);
        assert.equal(asked.length, 1, 'asked once');
        assert.equal(asked[0].serverName, 'Tasklane (HTTP)');
        assert.equal(asked[0].task?.id, done.id, 'the consent names the task');
        assert.match(JSON.stringify(asked[0].params.messages), /capital of France|a long story/);
        const answers = [...proxy.of('tools/call'), ...proxy.of('tasks/update')].map((r) => r.body.params.inputResponses).filter(Boolean);
        assert.equal(answers.length, 1, 'one answer went back');
        assert.deepEqual(Object.values(answers[0] as Json)[0], MODEL_ANSWER);
        assert.ok(done.timeline.some((entry) => entry.message === 'The language model answered'));
      });

      it('a declining handler fails the call with the reason, as the 2025-11-25 wire does, and the server stops waiting', async () => {
        await connect(declining);
        const done = await start(path);
        assert.equal(done.status, 'failed');
        assert.deepEqual(done.error, { code: -1, message: 'Tasklane declined the sampling request: the user did not allow it' });
        assert.ok(done.timeline.some((entry) => entry.message === "Declined Tasklane (HTTP)'s request to use a language model: the user did not allow it"));
        assert.equal(proxy.of('tasks/update').length, 0, 'no answer was sent');
        if (done.taskId) {
          await waitFor(() => server.engine.peek(done.taskId!)?.status === 'cancelled', { what: "the server's task to be cancelled" });
          assert.equal(proxy.of('tasks/cancel').length, 1, 'cancelled once');
        } else {
          assert.equal(proxy.of('tools/call').length, 1, 'an MRTR call is not retried');
        }
      });

      it('a declined request ends the record as on the 2025-11-25 wire (server-everything declined the same way)', async () => {
        const v1 = await connectEverythingStdio({ samplingHandler: declining });
        let old: TaskRecord;
        try {
          const started = await v1.service.start({ serverId: 'everything', tool: 'trigger-sampling-request', arguments: { prompt: 'hi', maxTokens: 10 } });
          old = await waitFor(() => (v1.store.get(started.id)?.status === 'failed' ? v1.store.get(started.id) : undefined), { what: 'the v1 call to fail' });
        } finally {
          v1.dispose();
        }
        await connect(declining);
        const now = await start(path);
        const declineNotes = (record: TaskRecord) =>
          record.timeline
            .map((entry) => entry.message ?? '')
            .filter((message) => /language model/.test(message))
            .map((m) => m.replace(/Tasklane \(HTTP\)|server-everything/g, 'S'));
        assert.equal(now.status, old.status);
        assert.deepEqual(declineNotes(now), declineNotes(old));
        for (const record of [old, now])
          assert.match(JSON.stringify(record.result ?? record.error), /Tasklane declined the sampling request: the user did not allow it/);
      });

      it('without a handler the host offers no language model, and says so', async () => {
        await connect(undefined);
        const done = await start(path);
        assert.equal(done.status, 'failed');
        assert.equal(done.error?.message, 'Tasklane declined the sampling request: this Tasklane host offers no language model');
      });
    });
  }
});
