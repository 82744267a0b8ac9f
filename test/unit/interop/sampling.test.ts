import assert from 'node:assert/strict';
import type { TaskStore } from '../../../src/core/taskStore';
import type { TaskClientV1 } from '../../../src/mcp/client/v1/taskClientV1';
import type { TaskService, TaskServiceOptions } from '../../../src/mcp/client/taskService';
import { SamplingDeclinedError } from '../../../src/mcp/client/taskWire';
import { type EverythingSession, connectEverythingStdio } from './everythingStdio';

describe('sampling requests from a server (server-everything, 2025-11-25)', function () {
  this.timeout(30_000);
  let store: TaskStore;
  let client: TaskClientV1;
  let service: TaskService;
  let session: EverythingSession;

  const connect = async (options: TaskServiceOptions = {}) => {
    session = await connectEverythingStdio(options);
    ({ store, client, service } = session);
  };

  beforeEach(() => connect());

  afterEach(() => session.dispose());

  /** Connects again, with the host's sampling handler (a service takes it at construction). */
  const reconnectWith = async (samplingHandler: TaskServiceOptions['samplingHandler']) => {
    session.dispose();
    await connect({ samplingHandler });
  };

  const run = async () => {
    const record = await service.start({ serverId: 'everything', tool: 'trigger-sampling-request', arguments: { prompt: 'Say hello', maxTokens: 20 } });
    return store.require(record.id);
  };

  it('declares sampling, so the server offers its sampling tool', async () => {
    assert.ok((await client.listTools()).some((tool) => tool.name === 'trigger-sampling-request'));
  });

  it('declines with a clear reason when the host offers no language model', async () => {
    const record = await run();
    assert.match(JSON.stringify(record.result ?? record.error), /Tasklane declined the sampling request: this Tasklane host offers no language model/);
    assert.ok(record.timeline.some((entry) => /Declined server-everything's request to use a language model/.test(entry.message ?? '')));
  });

  it("passes the user's refusal on as the reason", async () => {
    await reconnectWith(async () => {
      throw new SamplingDeclinedError('the user did not allow it');
    });
    const record = await run();
    assert.match(JSON.stringify(record.result ?? record.error), /declined the sampling request: the user did not allow it/);
  });

  it("answers with the host's language model when it agrees", async () => {
    const asked: string[] = [];
    await reconnectWith(async (request) => {
      asked.push(`${request.serverName}: ${JSON.stringify(request.params.messages)}`);
      return { role: 'assistant', content: { type: 'text', text: 'Hello from the model' }, model: 'test-model', stopReason: 'endTurn' };
    });
    const record = await run();
    assert.equal(record.status, 'completed');
    assert.match(JSON.stringify(record.result), /Hello from the model/);
    assert.equal(asked.length, 1);
    assert.match(asked[0], /^server-everything: .*Say hello/);
  });
});
