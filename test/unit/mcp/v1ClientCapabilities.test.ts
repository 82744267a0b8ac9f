import assert from 'node:assert/strict';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { TaskClientV1 } from '../../../src/mcp/client/v1/taskClientV1';
import type { TransportFailure } from '../../../src/mcp/client/taskWire';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { BUILTIN_TOOLS } from '../../../src/mcp/server/builtinTools';
import { createTaskServerV1 } from '../../../src/mcp/server/v1/taskServerV1';
import { ToolCatalog } from '../../../src/mcp/server/toolCatalog';

describe('2025-11-25 client capabilities the supervisor relies on (ping, transport failures)', function () {
  this.timeout(20_000);
  let engine: TaskEngine;
  let server: ReturnType<typeof createTaskServerV1>;
  let client: TaskClientV1;
  let serverTransport: InMemoryTransport;

  beforeEach(async () => {
    engine = new TaskEngine();
    server = createTaskServerV1({ catalog: new ToolCatalog(BUILTIN_TOOLS), defaultCwd: process.cwd(), isTrusted: () => true }, engine);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    serverTransport = serverSide;
    await server.server.connect(serverSide);
    client = new TaskClientV1();
    await client.connect(clientSide);
  });

  afterEach(() => {
    client.dispose();
    server.dispose();
    engine.dispose();
  });

  it('ping answers while the server is there', async () => {
    await client.ping();
  });

  it('reports the transport closing, so a dropped session is noticed without waiting for a ping', async () => {
    const failure = new Promise<TransportFailure>((resolve) => client.onDidTransportFail?.(resolve));
    await serverTransport.close();
    assert.deepEqual(await failure, { kind: 'closed' });
    await assert.rejects(client.ping());
  });
});
