/**
 * How the server speaks the 2025-11-25 tasks utility: one SDK `Server` per stream (stdio, the
 * editor's in-memory pair), and on the HTTP endpoint one per session, opened by `initialize`.
 */
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { HttpServerWire, HttpWireContext, HttpWireEndpoint, HttpWireRequest, StreamServerWire } from '../serverWire';
import { WIRE_V1 } from '../../wires/v1/codec';
import { createTaskServerV1 } from './taskServerV1';

export const serverWireV1: HttpServerWire & StreamServerWire = {
  wire: WIRE_V1,

  serve(host, engine, options) {
    const connection = createTaskServerV1(host, engine, {
      ownerOf: () => options.owner,
      ...(options.connection !== undefined ? { connection: options.connection } : {}),
    });
    return { connect: (transport) => connection.server.connect(transport), dispose: connection.dispose };
  },

  mount: (context) => new HttpSessions(context),
};

/** The endpoint's 2025-11-25 sessions: requests naming one, and the `initialize` that opens one. */
class HttpSessions implements HttpWireEndpoint {
  private readonly sessions = new Map<string, { transport: StreamableHTTPServerTransport; dispose: () => void }>();

  constructor(private readonly context: HttpWireContext) {}

  serve({ req, res, sessionId, body }: HttpWireRequest): Promise<void> | undefined {
    const session = sessionId ? this.sessions.get(sessionId) : undefined;
    if (req.method === 'POST') {
      if (session) return session.transport.handleRequest(req, res, body);
      if (!sessionId && isInitializeRequest(body)) return this.open(req, res, body);
      return undefined;
    }
    if ((req.method === 'GET' || req.method === 'DELETE') && session) return session.transport.handleRequest(req, res);
    return undefined;
  }

  private async open(req: http.IncomingMessage, res: http.ServerResponse, body: unknown): Promise<void> {
    const { host, engine, log, authenticated } = this.context;
    // With a token, tasks belong to its principal (they outlive a session); without one, to the session.
    const connection = createTaskServerV1(host, engine, {
      ownerOf: (extra) => (authenticated ? extra.authInfo?.clientId : undefined) ?? extra.sessionId ?? 'anonymous',
      connection: (extra) => `http session ${extra.sessionId?.slice(0, 8) ?? ''}`.trim(),
    });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, { transport, dispose: connection.dispose });
        log.info(`[http] session ${id} opened (2025-11-25 tasks utility)`);
      },
      onsessionclosed: (id) => {
        this.sessions.get(id)?.dispose();
        this.sessions.delete(id);
        log.info(`[http] session ${id} closed`);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
      connection.dispose();
    };
    await connection.server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  async close(): Promise<void> {
    for (const session of this.sessions.values()) {
      session.dispose();
      await session.transport.close().catch(() => undefined);
    }
    this.sessions.clear();
  }
}
