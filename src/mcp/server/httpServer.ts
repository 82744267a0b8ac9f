import * as http from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type Logger, silentLogger } from '../../core/logger';
import { LOOPBACK_ADDRESS as LOOPBACK, LOOPBACK_HOSTNAMES, MCP_PATH } from '../loopbackEndpoint';
import { type TaskEngine } from '../engine/taskEngine';
import { HTTP_SERVER_WIRES } from './serverWires';
import type { TaskHost } from './toolCatalog';

export interface HttpServerOptions {
  /** 0 picks a free port. */
  readonly port?: number;
  /** Bearer token every request must carry; undefined turns authentication off (tests, trusted setups). */
  readonly token?: string;
  /**
   * Looks a bearer token up and returns the principal it stands for (tasks are scoped to it), or
   * undefined to refuse it. Used instead of `token` when each client has a token of its own.
   */
  readonly authenticate?: (token: string) => string | undefined;
  readonly log?: Logger;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes?: number;
  /** Instructions returned by `server/discover` on the 2026-07-28 wire. */
  readonly instructions?: string;
  /**
   * Runs before a parsed request is served: a server sharing a store with other instances loads
   * the tasks the request names that it does not know yet (teamSync.ts).
   */
  readonly beforeServing?: (body: unknown) => Promise<void>;
}

export interface RunningHttpServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * An `authenticate` for a fixed set of tokens, each its own principal, named as a single `token`
 * would be: one per agent, so tasks and limits are per agent too.
 */
export function tokenPrincipals(tokens: readonly string[]): (token: string) => string | undefined {
  const known = tokens.map((token) => ({ bytes: Buffer.from(token), principal: tokenPrincipal(token) }));
  return (token) => {
    const given = Buffer.from(token);
    return known.find((entry) => entry.bytes.length === given.length && timingSafeEqual(entry.bytes, given))?.principal;
  };
}

/** A hash names the principal, so the token itself never shows up in state or logs. */
function tokenPrincipal(token: string): string {
  return `token:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}

/**
 * Serves the task server over Streamable HTTP on 127.0.0.1 only. Each request must carry the
 * bearer token; the Host header must name the loopback address and a browser's Origin must be
 * our own, which stops DNS-rebinding pages from driving the server.
 *
 * One endpoint speaks every wire in `HTTP_SERVER_WIRES` over one engine, and each wire says which
 * requests are its own (today: `initialize` opens a 2025-11-25 session, and a request naming
 * protocol 2026-07-28 without a session is served statelessly with the tasks extension).
 */
export async function startHttpServer(host: TaskHost, engine: TaskEngine, options: HttpServerOptions = {}): Promise<RunningHttpServer> {
  const log = options.log ?? silentLogger;
  const maxBody = options.maxBodyBytes ?? 4 << 20;
  const authenticated = options.token !== undefined || options.authenticate !== undefined;
  const wires = HTTP_SERVER_WIRES.map((wire) => wire.mount({ host, engine, log, authenticated, instructions: options.instructions }));
  let port = 0;

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      log.error(`[http] ${error.message}`);
      if (!res.headersSent) reply(res, 500, -32603, 'Internal error');
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${LOOPBACK}`);
    if (url.pathname !== MCP_PATH) return reply(res, 404, -32600, `Not found: the MCP endpoint is ${MCP_PATH}`);
    if (!hostAllowed(req.headers.host, port)) return reply(res, 403, -32600, 'Forbidden: Host header is not this loopback server');
    if (!originAllowed(req.headers.origin, port)) return reply(res, 403, -32600, 'Forbidden: cross-origin requests are not accepted');
    const principal = authenticate(req.headers.authorization, options);
    if (principal === undefined) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return reply(res, 401, -32600, 'Unauthorized: send the Tasklane token as "Authorization: Bearer <token>"');
    }
    (req as http.IncomingMessage & { auth?: unknown }).auth = { token: 'redacted', clientId: principal, scopes: [] };

    const sessionId = header(req.headers['mcp-session-id']);
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = JSON.parse(await readBody(req, maxBody));
      } catch (error) {
        const tooLarge = (error as Error).message === 'too large';
        return reply(
          res,
          tooLarge ? 413 : 400,
          tooLarge ? -32600 : -32700,
          tooLarge ? `Request body larger than ${maxBody} bytes` : 'Parse error: the body is not valid JSON',
        );
      }
    }
    if (body !== undefined && options.beforeServing) await options.beforeServing(body);
    for (const wire of wires) {
      const served = wire.serve({ req, res, sessionId, body, principal });
      if (served) return served;
    }
    if (sessionId) return reply(res, 404, -32000, 'Unknown or expired session');
    return reply(res, 400, -32000, req.method === 'POST' ? 'Bad request: no session; send initialize first' : 'Bad request: missing Mcp-Session-Id');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${LOOPBACK}:${port}${MCP_PATH}`;
  log.info(`[http] listening on ${url}${options.token || options.authenticate ? ' (bearer token required)' : ' (no authentication)'}`);
  return {
    url,
    port,
    close: async () => {
      for (const wire of wires) await wire.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The principal a request's token stands for. */
function authenticate(authorization: string | undefined, options: Pick<HttpServerOptions, 'token' | 'authenticate'>): string | undefined {
  const { token } = options;
  if (token === undefined && options.authenticate === undefined) return 'local';
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  if (!match) return undefined;
  if (token === undefined) return options.authenticate!(match[1].trim());
  const given = Buffer.from(match[1].trim());
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return tokenPrincipal(token);
}

export function hostAllowed(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  return LOOPBACK_HOSTNAMES.map((name) => `${name}:${port}`).includes(hostHeader.toLowerCase());
}

/** Non-browser clients send no Origin; a browser page must be served from this very server. */
export function originAllowed(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  return LOOPBACK_HOSTNAMES.map((name) => `http://${name}:${port}`).includes(origin.toLowerCase());
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: http.IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > max) return;
      size += chunk.length;
      // Stop keeping the body but let it drain, so the 413 answer still reaches the client.
      if (size > max) reject(new Error('too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: http.ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
