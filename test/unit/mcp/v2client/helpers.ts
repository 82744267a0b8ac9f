/**
 * Test scaffolding for the extension-wire client: our own server in-process (both wires on one
 * endpoint), and a hand-written fake HTTP responder for the misbehaviours a real server of ours
 * never shows.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TaskStore } from '../../../../src/core/taskStore';
import { TaskClientV2, type TaskClientV2Options } from '../../../../src/mcp/client/v2/taskClientV2';
import { TaskService, type TaskServiceOptions } from '../../../../src/mcp/client/taskService';
import { BUILTIN_TOOLS } from '../../../../src/mcp/server/builtinTools';
import { type RunningHttpServer, startHttpServer } from '../../../../src/mcp/server/httpServer';
import { type EngineOptions, TaskEngine } from '../../../../src/mcp/engine/taskEngine';
import { ToolCatalog } from '../../../../src/mcp/server/toolCatalog';
import { CONFORMANCE_TOOLS } from '../../../../src/mcp/server/tools/fixtures';
import type { ToolDefinition } from '../../../../src/mcp/server/tools/toolDefinition';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const TASKS = 'io.modelcontextprotocol/tasks';
export const SERVER_ID = 'tasklane-http';

export interface OurServer {
  readonly http: RunningHttpServer;
  readonly engine: TaskEngine;
  readonly url: string;
  readonly token: string | undefined;
  close(): Promise<void>;
}

/** Our standalone HTTP server, in-process: the normal tools and the conformance fixtures, a short poll interval. */
export async function startOurServer(options: { token?: string; engine?: EngineOptions; tools?: readonly ToolDefinition[] } = {}): Promise<OurServer> {
  const engine = new TaskEngine({ pollIntervalMs: 50, ...options.engine });
  const catalog = new ToolCatalog(options.tools ?? [...BUILTIN_TOOLS, ...CONFORMANCE_TOOLS.filter((tool) => !BUILTIN_TOOLS.some((b) => b.name === tool.name))]);
  const running = await startHttpServer({ catalog, defaultCwd: process.cwd(), isTrusted: () => true }, engine, { token: options.token });
  return {
    http: running,
    engine,
    url: running.url,
    token: options.token,
    close: async () => {
      await running.close();
      engine.dispose();
    },
  };
}

export interface V2Rig {
  readonly store: TaskStore;
  readonly client: TaskClientV2;
  readonly service: TaskService;
  dispose(): void;
}

/** A TaskService (with `serviceOptions`: the host's sampling handler…) with one TaskClientV2 connected to `url`. */
export async function v2Rig(url: string, options: Partial<TaskClientV2Options> = {}, serviceOptions: TaskServiceOptions = {}): Promise<V2Rig> {
  const store = new TaskStore();
  const client = await TaskClientV2.connect({ url, ...options });
  const service = new TaskService(store, serviceOptions);
  service.addServer({ id: SERVER_ID, name: 'Tasklane (HTTP)', kind: 'http', durable: true, client });
  return {
    store,
    client,
    service,
    dispose: () => {
      service.dispose();
      client.dispose();
      store.dispose();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A fake server: answers each POST with whatever the test says, and records what came in.

export interface SeenRequest {
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Json;
}

export interface FakeReply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** A JSON-RPC result for the request's id. */
  readonly result?: Json;
  readonly error?: { code: number; message: string; data?: unknown };
  /** A raw body instead (string) */
  readonly raw?: string;
  /** Server-sent events: each is JSON-serialised as one `data:` event; the stream then stays open until the client leaves when `hold` is set. */
  readonly events?: Json[];
  readonly hold?: boolean;
}

export type FakeHandler = (request: SeenRequest) => FakeReply | Promise<FakeReply>;

export interface FakeServer {
  readonly url: string;
  readonly seen: SeenRequest[];
  /** Requests of one method. */
  of(method: string): SeenRequest[];
  handle: FakeHandler;
  close(): Promise<void>;
}

export const DISCOVER_WITH_TASKS: Json = {
  resultType: 'complete',
  supportedVersions: ['2026-07-28'],
  capabilities: { tools: {}, extensions: { [TASKS]: {} } },
  _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'fake', version: '0.0.1' } },
};

export async function startFakeServer(handle: FakeHandler): Promise<FakeServer> {
  const seen: SeenRequest[] = [];
  const fake: FakeServer = {
    url: '',
    seen,
    of: (method) => seen.filter((r) => r.body.method === method),
    handle,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // Fire and forget: a handler that throws fails the test through mocha's unhandled-rejection report.
    req.on(
      'end',
      () =>
        void (async () => {
          let body: Json = {};
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
          } catch {
            body = {};
          }
          const request = { headers: req.headers, body };
          seen.push(request);
          const reply = await fake.handle(request);
          const status = reply.status ?? 200;
          if (reply.events) {
            res.writeHead(status, { 'content-type': 'text/event-stream', ...reply.headers });
            for (const event of reply.events) res.write(`event: message\ndata: ${JSON.stringify(event)}\n\n`);
            if (!reply.hold) res.end();
            return;
          }
          const text =
            reply.raw ??
            JSON.stringify(
              reply.error ? { jsonrpc: '2.0', id: body.id ?? null, error: reply.error } : { jsonrpc: '2.0', id: body.id, result: reply.result ?? {} },
            );
          res.writeHead(status, { 'content-type': 'application/json', ...reply.headers });
          res.end(text);
        })(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  (fake as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  return fake;
}

/** A task snapshot as the extension sends it. */
export function taskJson(taskId: string, status: string, extra: Json = {}): Json {
  const now = new Date().toISOString();
  return { taskId, status, createdAt: now, lastUpdatedAt: now, ttlMs: 60_000, pollIntervalMs: 20, ...extra };
}

// ---------------------------------------------------------------------------------------------
// A recording proxy in front of a real server: every request (headers and body) is kept, every
// answer (JSON or an SSE stream) is passed through untouched.

export interface RecordingProxy {
  readonly url: string;
  readonly seen: SeenRequest[];
  of(method: string): SeenRequest[];
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // Fire and forget: every failure below ends in a 502.
    req.on(
      'end',
      () =>
        void (async () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Json = {};
          try {
            body = JSON.parse(text) as Json;
          } catch {
            body = {};
          }
          seen.push({ headers: req.headers, body });
          const headers: Record<string, string> = {};
          for (const [key, value] of Object.entries(req.headers)) {
            if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(key)) headers[key] = value;
          }
          const controller = new AbortController();
          res.on('close', () => controller.abort());
          try {
            const answer = await fetch(target, { method: req.method, headers, body: req.method === 'POST' ? text : undefined, signal: controller.signal });
            const out: Record<string, string> = {};
            answer.headers.forEach((value, key) => {
              if (!['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(key)) out[key] = value;
            });
            res.writeHead(answer.status, out);
            if (answer.body) {
              const reader = answer.body.getReader();
              for (;;) {
                const { value, done } = await reader.read();
                if (value) res.write(value);
                if (done) break;
              }
            }
            res.end();
          } catch {
            if (!res.headersSent) res.writeHead(502);
            res.end();
          }
        })(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  return {
    url,
    seen,
    of: (method) => seen.filter((r) => r.body.method === method),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
