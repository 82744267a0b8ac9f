/**
 * How many requests following a task costs on the embedded 2025-11-25 pair: a server that answers
 * the open `tasks/result` right behind its terminal status notification is asked once, and
 * nothing is cancelled once the task has ended.
 */
import assert from 'node:assert/strict';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { TaskClientV1 } from '../../../src/mcp/client/v1/taskClientV1';
import { EMBEDDED_SERVER_ID } from '../../../src/mcp/embeddedServer';
import { type ToolDefinition, defineTool } from '../../../src/mcp/server/tools/toolDefinition';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { TaskStore } from '../../../src/core/taskStore';
import { TaskService } from '../../../src/mcp/client/taskService';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { startHttpServer } from '../../../src/mcp/server/httpServer';
import { ToolCatalog } from '../../../src/mcp/server/toolCatalog';
import { type TaskHarness, makeTaskHarness } from '../helpers/taskHarness';
import { waitFor } from '../helpers/waitFor';

const instantTool = defineTool({
  name: 'instant',
  title: 'Instant',
  description: 'Returns at once.',
  inputSchema: z.object({}),
  annotations: {},
  taskSupport: 'optional',
  async run() {
    return { content: [{ type: 'text', text: 'done' }] };
  },
});

describe('following a task on the embedded server', () => {
  let harness: TaskHarness;
  let sent: string[];

  beforeEach(async () => {
    harness = await makeTaskHarness({ tools: [instantTool as unknown as ToolDefinition] });
    const client = harness.embedded.client;
    assert.ok(client instanceof TaskClientV1, 'the embedded pair speaks 2025-11-25');
    const transport = client.client.transport!;
    const send = transport.send.bind(transport);
    sent = [];
    transport.send = (message: JSONRPCMessage, options) => {
      if ('method' in message) sent.push(message.method);
      return send(message, options);
    };
  });

  afterEach(() => harness.dispose());

  it('asks for the result once and cancels nothing when the work ends at once', async () => {
    const { store, service } = harness;
    const { id } = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'instant', arguments: {} });
    const done = await waitFor(() => (store.require(id).status === 'completed' ? store.require(id) : undefined), { what: 'completion' });
    assert.deepEqual((done.result as { content?: unknown }).content, [{ type: 'text', text: 'done' }]);
    // A second result call would be made within one turn of the event loop of the status notification.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      sent.filter((method) => method !== 'tools/list'),
      ['tools/call', 'tasks/result'],
    );
  });
});

describe('following a task over loopback HTTP (2025-11-25)', () => {
  it('asks for the result once and cancels nothing: the open call answers a round trip behind the notification', async () => {
    const engine = new TaskEngine();
    const http = await startHttpServer(
      { catalog: new ToolCatalog([instantTool as unknown as ToolDefinition]), defaultCwd: process.cwd(), isTrusted: () => true },
      engine,
    );
    const sent: string[] = [];
    const counting: typeof fetch = async (url, init) => {
      const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: string }) : undefined;
      if (body?.method) sent.push(body.method);
      return fetch(url, init);
    };
    const client = new TaskClientV1();
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url), { fetch: counting }));
    const store = new TaskStore();
    const service = new TaskService(store);
    service.addServer({ id: 'http', name: 'loopback', kind: 'http', durable: true, client });
    try {
      for (let round = 0; round < 20; round++) {
        sent.length = 0;
        const { id } = await service.start({ serverId: 'http', tool: 'instant', arguments: {} });
        await waitFor(() => store.require(id).status === 'completed', { what: `task ${round} to complete` });
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepEqual(
          sent.filter((method) => method !== 'tools/list'),
          ['tools/call', 'tasks/result'],
          `round ${round}`,
        );
      }
    } finally {
      service.dispose();
      store.dispose();
      client.dispose();
      await http.close();
      engine.dispose();
    }
  });
});
