/**
 * A hand-driven client for the stateless 2026-07-28 wire: builds requests exactly as the spec
 * frames them (per-request `_meta`, `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`) and returns
 * the raw HTTP status and JSON body, so tests assert on the wire itself.
 */
import { z } from 'zod';
import { type RunningHttpServer, startHttpServer } from '../../../../src/mcp/server/httpServer';
import { TaskEngine, type EngineOptions } from '../../../../src/mcp/engine/taskEngine';
import { ToolCatalog } from '../../../../src/mcp/server/toolCatalog';
import { CONFORMANCE_TOOLS } from '../../../../src/mcp/server/tools/fixtures';
import { type ToolDefinition, defineTool } from '../../../../src/mcp/server/tools/toolDefinition';
import { encodeHeaderValue, nameParamOf } from '../../../../src/mcp/wires/v2/protocol';
import { waitFor } from '../../helpers/waitFor';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const PROTOCOL = '2026-07-28';
export const TASKS = 'io.modelcontextprotocol/tasks';
export const DECLARING = { elicitation: {}, sampling: {}, extensions: { [TASKS]: {} } };
export const NON_DECLARING = { elicitation: {}, sampling: {} };
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function meta(capabilities: Json = DECLARING, version = PROTOCOL): Json {
  return {
    'io.modelcontextprotocol/protocolVersion': version,
    'io.modelcontextprotocol/clientInfo': { name: 'v2-test', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': capabilities,
  };
}

export interface Reply {
  readonly status: number;
  readonly body: Json;
  readonly headers: Headers;
}

export interface SendOptions {
  /** Client capabilities for this request's `_meta` (default: declares the extension). */
  readonly capabilities?: Json;
  /** Replaces or (with undefined values) removes headers. */
  readonly headers?: Record<string, string | undefined>;
  /** Leave `params._meta` out entirely. */
  readonly noMeta?: boolean;
  readonly id?: string | number;
}

let nextId = 1;

/** A 2026-07-28 client: each request stands alone. */
export class V2Client {
  constructor(
    readonly url: string,
    readonly token?: string,
  ) {}

  headersFor(method: string, params: Json, extra: Record<string, string | undefined> = {}): Record<string, string> {
    const headers: Record<string, string | undefined> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': PROTOCOL,
      'mcp-method': method,
      ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
    };
    const field = nameParamOf(method);
    const name = field ? params[field] : undefined;
    if (typeof name === 'string') headers['mcp-name'] = encodeHeaderValue(name);
    for (const [key, value] of Object.entries(extra)) headers[key.toLowerCase()] = value;
    return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
  }

  /** Sends one request and returns status + body. */
  async send(method: string, params: Json = {}, options: SendOptions = {}): Promise<Reply> {
    const body = {
      jsonrpc: '2.0',
      id: options.id ?? nextId++,
      method,
      params: options.noMeta ? params : { ...params, _meta: { ...meta(options.capabilities), ...(params._meta ?? {}) } },
    };
    return this.raw(JSON.stringify(body), this.headersFor(method, params, options.headers));
  }

  async raw(body: string, headers: Record<string, string>): Promise<Reply> {
    const response = await fetch(this.url, { method: 'POST', headers, body });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Json) : {}, headers: response.headers };
  }

  /** The result of a request that must succeed. */
  async result(method: string, params: Json = {}, options: SendOptions = {}): Promise<Json> {
    const reply = await this.send(method, params, options);
    if (!reply.body.result) throw new Error(`${method} failed (HTTP ${reply.status}): ${JSON.stringify(reply.body)}`);
    return reply.body.result as Json;
  }

  async callTool(name: string, args: Json = {}, options: SendOptions & { extra?: Json } = {}): Promise<Json> {
    return this.result('tools/call', { name, arguments: args, ...(options.extra ?? {}) }, options);
  }

  getTask(taskId: string, options: SendOptions = {}): Promise<Json> {
    return this.result('tasks/get', { taskId }, options);
  }

  /** Polls tasks/get until `until` holds (default: terminal); a timeout names the last status. */
  poll(taskId: string, until: (task: Json) => boolean = (task) => TERMINAL.has(task.status)): Promise<Json> {
    return waitFor(
      async () => {
        const task = await this.getTask(taskId);
        if (!until(task)) throw new Error(`task ${taskId} is still ${task.status}`);
        return task;
      },
      { what: `tasks/get of ${taskId} to show the awaited state`, intervalMs: 20 },
    );
  }

  /** Opens `subscriptions/listen` and collects its messages until the stream ends or `timeoutMs` passes. */
  async listen(
    notifications: Json,
    options: SendOptions & { timeoutMs?: number; onFirst?: () => Promise<unknown> | unknown } = {},
  ): Promise<{ status: number; messages: Json[]; contentType: string | null }> {
    const params = { notifications };
    const body = { jsonrpc: '2.0', id: nextId++, method: 'subscriptions/listen', params: { ...params, _meta: meta(options.capabilities) } };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 5000);
    const response = await fetch(this.url, {
      method: 'POST',
      headers: this.headersFor('subscriptions/listen', params, options.headers),
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    const messages: Json[] = [];
    const contentType = response.headers.get('content-type');
    try {
      if (!contentType?.includes('text/event-stream')) {
        messages.push((await response.json()) as Json);
        return { status: response.status, messages, contentType };
      }
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      let first = true;
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (value) buffer += decoder.decode(value, { stream: true });
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.startsWith('data:')) continue;
          messages.push(JSON.parse(line.slice(5).trim()) as Json);
          if (first && options.onFirst) {
            first = false;
            await options.onFirst();
          }
        }
        if (done) break;
      }
      return { status: response.status, messages, contentType };
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Test-only tools (beside the conformance fixtures)

/** Named latches the `gated` tool waits on. */
const gates = new Map<string, { promise: Promise<void>; open: () => void }>();
export function gate(name: string): { promise: Promise<void>; open: () => void } {
  let g = gates.get(name);
  if (!g) {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    g = { promise, open };
    gates.set(name, g);
  }
  return g;
}

export const TEST_TOOLS: readonly ToolDefinition[] = [
  defineTool({
    name: 'gated',
    title: 'Gated',
    description: 'Completes when the test opens its gate.',
    inputSchema: z.object({ gate: z.string() }),
    annotations: {},
    taskSupport: 'optional',
    async run({ gate: name }, context) {
      context.status(`waiting for gate ${name}`);
      await Promise.race([
        gate(name).promise,
        new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true })),
      ]);
      return { content: [{ type: 'text', text: `gate ${name} opened` }], structuredContent: { gate: name } };
    },
  }),
  defineTool({
    name: 'ask_twice',
    title: 'Ask twice',
    description: 'Asks one question, then another with the same wording.',
    inputSchema: z.object({}),
    annotations: {},
    taskSupport: 'optional',
    async run(_args, context) {
      const schema = { type: 'object' as const, properties: { answer: { type: 'string' as const } }, required: ['answer'] };
      const first = await context.elicit({ mode: 'form', message: 'Same question?', requestedSchema: schema });
      const second = await context.elicit({ mode: 'form', message: 'Same question?', requestedSchema: schema });
      return { content: [{ type: 'text', text: `${String(first.content?.answer)} then ${String(second.content?.answer)}` }] };
    },
  }),
  defineTool({
    name: 'crash',
    title: 'Crash',
    description: 'Throws a plain error: an internal failure.',
    inputSchema: z.object({}),
    annotations: {},
    taskSupport: 'optional',
    async run() {
      throw new Error('the tool crashed');
    },
  }),
] as unknown as readonly ToolDefinition[];

export interface TestServer {
  readonly http: RunningHttpServer;
  readonly engine: TaskEngine;
  readonly client: V2Client;
  close(): Promise<void>;
}

export async function startTestServer(options: { token?: string; engine?: EngineOptions; tools?: readonly ToolDefinition[] } = {}): Promise<TestServer> {
  const engine = new TaskEngine(options.engine);
  const catalog = new ToolCatalog(options.tools ?? [...CONFORMANCE_TOOLS, ...TEST_TOOLS]);
  const http = await startHttpServer({ catalog, defaultCwd: process.cwd(), isTrusted: () => true }, engine, { token: options.token });
  return {
    http,
    engine,
    client: new V2Client(http.url, options.token),
    close: async () => {
      await http.close();
      engine.dispose();
    },
  };
}

/**
 * A fresh test server for each test of the enclosing suite, closed after it. The returned object
 * always holds the current test's server, so a suite reads `server.client` as if it were a variable.
 */
export function testServerPerTest(options: Parameters<typeof startTestServer>[0] = {}): TestServer {
  const current = {} as { -readonly [K in keyof TestServer]: TestServer[K] };
  beforeEach(async () => {
    Object.assign(current, await startTestServer(options));
  });
  afterEach(async () => {
    await current.close();
  });
  return current;
}

/** A task's fields as a notification carries them: the `tasks/get` result without `resultType`/`_meta`. */
export function withoutEnvelope(value: Json): Json {
  const { resultType: _resultType, _meta, ...rest } = value;
  return rest;
}
