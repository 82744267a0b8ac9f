/**
 * The team the board suites share, against a real PostgreSQL: a database of the suite's own with
 * two agents (alice, bob) and one board principal, one real `dist/server.js` per machine, and the
 * 2025-11-25 sessions the suite opens, all closed with it.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Pool } from 'pg';
import { type TestDatabase, testDatabase } from '../helpers/postgres';
import { type RunningServer, createToken, startServer, stopServer } from './teamHelpers';

/** The machines the servers report (`--machine`), one server each. */
export const MACHINES = ['host-a', 'host-b'] as const;

export class BoardTeam {
  private readonly sessions: Client[] = [];

  private constructor(
    readonly db: TestDatabase,
    readonly pool: Pool,
    readonly tokens: { readonly alice: string; readonly bob: string; readonly board: string },
    readonly servers: readonly RunningServer[],
  ) {}

  /** Creates the database, the principals (the board one named `board`) and the servers. */
  static async start(suite: string, board: string): Promise<BoardTeam> {
    const db = await testDatabase(suite);
    const pool = new Pool({ connectionString: db.url, max: 1 });
    const tokens = { alice: await createToken(db.url, 'alice'), bob: await createToken(db.url, 'bob'), board: await createToken(db.url, board, 'board') };
    const servers = await Promise.all(MACHINES.map((machine) => startServer(['--store', db.url, '--log', 'warn', '--machine', machine])));
    return new BoardTeam(db, pool, tokens, servers);
  }

  /** A 2025-11-25 session on `server` with `token` (`client` when the test needs its handlers set first). */
  async sessionOn(server: RunningServer, token: string, name: string, client = new Client({ name, version: '1.0' }, { capabilities: {} })): Promise<Client> {
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    this.sessions.push(client);
    return client;
  }

  async close(): Promise<void> {
    await Promise.all(this.sessions.map((session) => session.close().catch(() => undefined)));
    await Promise.all(this.servers.map((server) => stopServer(server, 'SIGTERM')));
    await this.pool.end();
    await this.db.drop();
  }
}
