import * as assert from 'node:assert/strict';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { TaskStore } from '../../../../src/core/taskStore';
import { WireLogStore } from '../../../../src/core/wireLogStore';
import { TaskService } from '../../../../src/mcp/client/taskService';
import type { TaskWireClient } from '../../../../src/mcp/client/taskWire';
import { TaskClientV1 } from '../../../../src/mcp/client/v1/taskClientV1';
import { TaskClientV2 } from '../../../../src/mcp/client/v2/taskClientV2';
import { WireCaptureManager } from '../../../../src/mcp/client/wireCaptureManager';
import { TaskEngine } from '../../../../src/mcp/engine/taskEngine';
import { BUILTIN_TOOLS } from '../../../../src/mcp/server/builtinTools';
import { type RunningHttpServer, startHttpServer } from '../../../../src/mcp/server/httpServer';
import { ToolCatalog } from '../../../../src/mcp/server/toolCatalog';
import { waitFor } from '../../helpers/waitFor';

describe('Wire capture over HTTP, both wires', () => {
  let engine: TaskEngine;
  let server: RunningHttpServer;

  before(async () => {
    engine = new TaskEngine();
    server = await startHttpServer({ catalog: new ToolCatalog(BUILTIN_TOOLS), defaultCwd: process.cwd(), isTrusted: () => true }, engine);
  });
  after(async () => {
    await server.close();
    engine.dispose();
  });

  async function captureOne(client: TaskWireClient & { dispose(): void }) {
    const store = new TaskStore();
    const service = new TaskService(store);
    service.addServer({ id: 'h', name: 'h', kind: 'http', durable: true, client });
    const logs = new WireLogStore();
    const capture = new WireCaptureManager(service, store, logs, { isCaptured: () => true });
    try {
      const record = await service.start({ serverId: 'h', tool: 'wait', arguments: { durationMs: 100 } });
      await waitFor(() => store.get(record.id)?.status === 'completed', { what: 'the task to complete' });
      return await waitFor(
        () => {
          const log = logs.readWireLog(record.id);
          return log && log.entries.some((entry) => entry.direction === 'received' && entry.method === 'tools/call') && log.entries.length >= 3
            ? log
            : undefined;
        },
        { what: 'the task’s messages' },
      );
    } finally {
      capture.dispose();
      logs.dispose();
      service.dispose();
      client.dispose();
      store.dispose();
    }
  }

  it('2025-11-25 session: entries carry the HTTP status and the session and protocol headers, tapped at the SDK transport’s fetch', async () => {
    const client = new TaskClientV1();
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    const log = await captureOne(client);
    assert.ok(log.entries.every((entry) => entry.transport === 'http'));
    const call = log.entries.find((entry) => entry.direction === 'sent' && entry.method === 'tools/call')!;
    assert.equal(call.http?.method, 'POST');
    assert.ok(call.http?.headers['Mcp-Session-Id'], 'the session id is kept');
    const answer = log.entries.find((entry) => entry.direction === 'received' && entry.method === 'tools/call')!;
    assert.equal(answer.http?.status, 200);
    assert.deepEqual(
      log.entries.flatMap((entry) => entry.flags),
      [],
    );
  });

  it('extension wire: entries carry Mcp-Method and MCP-Protocol-Version, and no flags from Tasklane’s own server', async () => {
    const client = await TaskClientV2.connect({ url: server.url });
    const log = await captureOne(client);
    const get = log.entries.find((entry) => entry.direction === 'sent' && entry.method === 'tasks/get');
    const call = log.entries.find((entry) => entry.direction === 'sent' && entry.method === 'tools/call')!;
    assert.equal(call.http?.headers['Mcp-Method'], 'tools/call');
    assert.ok(call.http?.headers['MCP-Protocol-Version']);
    assert.ok(get || log.entries.some((entry) => entry.kind === 'event'), 'followed by tasks/get or listen-stream events');
    assert.deepEqual(
      log.entries.flatMap((entry) => entry.flags),
      [],
    );
  });
});
