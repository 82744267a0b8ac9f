import assert from 'node:assert/strict';
import * as path from 'node:path';
import { TaskStore } from '../../../../src/core/taskStore';
import { NegotiationError, connectHttpServer, connectStdioServer } from '../../../../src/mcp/client/connectServer';
import { TaskClientV1 } from '../../../../src/mcp/client/v1/taskClientV1';
import { TaskClientV2 } from '../../../../src/mcp/client/v2/taskClientV2';
import { TaskService } from '../../../../src/mcp/client/taskService';
import { waitFor } from '../../helpers/waitFor';
import { EVERYTHING, type RunningEverything, startEverythingHttp } from './everything';
import { DISCOVER_WITH_TASKS, type FakeServer, type OurServer, TASKS, startFakeServer, startOurServer } from './helpers';

const CLI = path.resolve('out/src/mcp/server/cli.js');

describe('negotiation: connectHttpServer / connectStdioServer pick the wire', function () {
  this.timeout(30_000);

  describe('against our server', () => {
    let server: OurServer;
    beforeEach(async () => (server = await startOurServer({ token: 'negotiate-token' })));
    afterEach(async () => server.close());

    it('picks the extension wire (2026-07-28) for our server, and every task started on it records that wire', async () => {
      const connection = await connectHttpServer(server.url, { token: 'negotiate-token' });
      try {
        assert.equal(connection.wire, TASKS);
        assert.equal(connection.protocolVersion, '2026-07-28');
        assert.ok(connection.client instanceof TaskClientV2);
        assert.equal(connection.supportsTasks, true);
        assert.equal(connection.serverInfo?.name, 'tasklane');
        const store = new TaskStore();
        const service = new TaskService(store);
        service.addServer({ id: 'ours', name: 'ours', kind: 'http', durable: true, client: connection.client });
        const record = await service.start({ serverId: 'ours', tool: 'wait', arguments: { durationMs: 10 } });
        assert.equal(record.wire, TASKS);
        await waitFor(() => store.get(record.id)?.status === 'completed', { what: 'completion' });
        service.dispose();
        store.dispose();
      } finally {
        await connection.close();
      }
    });

    it('prefer: "2025-11-25" opens a session on the same endpoint instead', async () => {
      const connection = await connectHttpServer(server.url, { token: 'negotiate-token', prefer: '2025-11-25' });
      try {
        assert.equal(connection.wire, '2025-11-25');
        assert.equal(connection.protocolVersion, '2025-11-25');
        assert.ok(connection.client instanceof TaskClientV1);
        assert.equal(connection.supportsTasks, true);
      } finally {
        await connection.close();
      }
    });

    it('a wrong token is refused on both wires with a clear message, not a silent fallback', async () => {
      await assert.rejects(
        connectHttpServer(server.url, { token: 'wrong' }),
        (error: Error) => error instanceof NegotiationError && /token/.test(error.message),
      );
    });
  });

  describe('against server-everything (streamableHttp, 2025-11-25 only)', () => {
    let everything: RunningEverything;
    before(async () => (everything = await startEverythingHttp()));
    after(async () => everything.stop());

    it('falls back to a 2025-11-25 session: server/discover is refused without a session', async () => {
      const connection = await connectHttpServer(everything.url);
      try {
        assert.equal(connection.wire, '2025-11-25');
        assert.equal(connection.protocolVersion, '2025-11-25');
        assert.ok(connection.client instanceof TaskClientV1);
        assert.match(connection.fallbackReason ?? '', /server\/discover was refused/);
        assert.equal(connection.supportsTasks, true);
        const tools = await connection.client.listTools();
        assert.ok(tools.some((t) => t.name === 'simulate-research-query'));
      } finally {
        await connection.close();
      }
    });

    it('insisting on the extension wire fails plainly', async () => {
      await assert.rejects(
        connectHttpServer(everything.url, { prefer: TASKS }),
        (error: Error) => error instanceof NegotiationError && /does not offer/.test(error.message),
      );
    });
  });

  describe('fallbacks with a fake server', () => {
    let fake: FakeServer;
    afterEach(async () => fake.close());

    it('a 2026-07-28 server that does not declare the extension and has no sessions is used on 2026-07-28 without tasks', async () => {
      fake = await startFakeServer(({ body }) =>
        body.method === 'server/discover'
          ? { result: { ...DISCOVER_WITH_TASKS, capabilities: { tools: {} } } }
          : { status: 400, error: { code: -32601, message: `Method not found: ${body.method}` } },
      );
      const connection = await connectHttpServer(fake.url);
      try {
        assert.equal(connection.wire, TASKS);
        assert.equal(connection.supportsTasks, false);
        assert.match(connection.fallbackReason ?? '', /does not declare/);
        assert.equal(fake.of('initialize').length, 1, 'a 2025-11-25 session was tried first');
      } finally {
        await connection.close();
      }
    });

    it('nothing listening: the error says so, no fallback dance', async () => {
      fake = await startFakeServer(() => ({ result: {} }));
      const url = fake.url;
      await fake.close();
      fake = await startFakeServer(() => ({ result: {} })); // something to close in afterEach
      await assert.rejects(connectHttpServer(url, { timeoutMs: 5000 }), /nothing is listening|fetch failed|ECONNREFUSED/);
    });
  });

  it('stdio is 2025-11-25 (the stateless framing over stdio is out of scope): our CLI and server-everything', async () => {
    for (const args of [
      [CLI, '--stdio', '--log', 'warn'],
      [EVERYTHING, 'stdio'],
    ]) {
      const connection = await connectStdioServer(process.execPath, args);
      try {
        assert.equal(connection.wire, '2025-11-25');
        assert.equal(connection.protocolVersion, '2025-11-25');
        assert.equal(connection.supportsTasks, true);
      } finally {
        await connection.close();
      }
    }
  });
});
