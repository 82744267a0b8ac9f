/**
 * The setups the benchmarks compare: Tasklane's own client and server (the same wiring as the
 * extension's `EmbeddedServer` + `TaskService`, optionally with a filtering transport in between)
 * and the SDK 1.x task runtime (`McpServer` + `InMemoryTaskStore`) doing the same work.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { InMemoryTaskMessageQueue, InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { TaskStore } from '../src/core/taskStore';
import { TaskClientV1 } from '../src/mcp/client/v1/taskClientV1';
import { TaskService } from '../src/mcp/client/taskService';
import { EMBEDDED_SERVER_ID, EmbeddedServer } from '../src/mcp/embeddedServer';
import { type EngineOptions, TaskEngine } from '../src/mcp/engine/taskEngine';
import { createTaskServerV1 } from '../src/mcp/server/v1/taskServerV1';
import { type TaskHost, ToolCatalog } from '../src/mcp/server/toolCatalog';
import { type ToolDefinition, defineTool } from '../src/mcp/server/tools/toolDefinition';
import { now } from './harness';

/** When each timed tool run finished (inside the tool, just before returning), by the server's task id. */
export const toolFinishedAt = new Map<string, number>();

/** A trivial tool: returns its argument. Task-optional, so the same tool serves plain and task calls. */
export const echoTool = defineTool({
  name: 'echo',
  title: 'Echo',
  description: 'Returns its text.',
  inputSchema: z.object({ text: z.string() }),
  annotations: { readOnlyHint: true },
  taskSupport: 'optional',
  async run({ text }) {
    return { content: [{ type: 'text', text }] };
  },
});

/** The same trivial tool, never run as a task: TaskService calls it with a plain tools/call. */
export const echoSyncTool = defineTool({ ...echoTool, name: 'echo_sync', taskSupport: 'forbidden' });

/** Sleeps `ms`, notes when it finished, returns. */
export const workTool = defineTool({
  name: 'work',
  title: 'Work',
  description: 'Works for ms milliseconds.',
  inputSchema: z.object({ ms: z.number().int().min(0) }),
  annotations: { readOnlyHint: true },
  taskSupport: 'optional',
  async run({ ms }, context) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (context.taskId) toolFinishedAt.set(context.taskId, now());
    return { content: [{ type: 'text', text: `worked ${ms} ms` }] };
  },
});

export const BENCH_TOOLS = [echoTool, echoSyncTool, workTool] as unknown as ToolDefinition[];

/** Which messages a `FilterTransport` swallows. */
export interface MessageFilter {
  /** Messages from the peer that never reach this side. */
  readonly dropIncoming?: (message: JSONRPCMessage) => boolean;
  /** Messages from this side that never reach the peer. */
  readonly dropOutgoing?: (message: JSONRPCMessage) => boolean;
}

/** A transport that forwards to `inner` but loses the messages the filter names (a lossy link). */
export class FilterTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  dropped = 0;

  constructor(
    private readonly inner: Transport,
    private readonly filter: MessageFilter,
  ) {}

  async start(): Promise<void> {
    this.inner.onmessage = (message, extra) => {
      if (this.filter.dropIncoming?.(message)) {
        this.dropped++;
        return;
      }
      this.onmessage?.(message, extra);
    };
    this.inner.onclose = () => this.onclose?.();
    this.inner.onerror = (error) => this.onerror?.(error);
    await this.inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.filter.dropOutgoing?.(message)) {
      this.dropped++;
      return;
    }
    await this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export const isTaskStatusNotification = (message: JSONRPCMessage): boolean => 'method' in message && message.method === 'notifications/tasks/status';

export interface TasklaneSetup {
  readonly store: TaskStore;
  readonly service: TaskService;
  readonly engine: TaskEngine;
  readonly client: TaskClientV1;
  readonly filter?: FilterTransport;
  dispose(): void;
}

/**
 * Tasklane as the extension wires it: store (durable when `directory` is given), embedded server
 * over an in-memory transport, task service. With `filter`, the same parts are assembled by hand
 * (as `EmbeddedServer.start` does) with a lossy transport on the client side.
 */
export async function startTasklane(
  options: { directory?: string; engine?: EngineOptions; filter?: MessageFilter; store?: TaskStore } = {},
): Promise<TasklaneSetup> {
  const store = options.store ?? new TaskStore(options.directory ? { directory: options.directory } : {});
  if (!options.filter) {
    const embedded = await EmbeddedServer.start({ defaultCwd: process.cwd(), tools: BENCH_TOOLS, engine: options.engine });
    const client = embedded.client;
    if (!(client instanceof TaskClientV1)) throw new Error('The benchmarks drive the embedded pair on the 2025-11-25 client; it speaks another wire now');
    const service = new TaskService(store);
    const registration = service.addServer(embedded.entry);
    return {
      store,
      service,
      engine: embedded.engine,
      client,
      dispose() {
        registration.dispose();
        service.dispose();
        embedded.dispose();
        if (!options.store) store.dispose();
      },
    };
  }
  const engine = new TaskEngine(options.engine);
  const host: TaskHost = { catalog: new ToolCatalog(BENCH_TOOLS), defaultCwd: process.cwd(), isTrusted: () => true };
  const connection = createTaskServerV1(host, engine, { ownerOf: () => 'editor' });
  const client = new TaskClientV1();
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const filter = new FilterTransport(clientSide, options.filter);
  await connection.server.connect(serverSide);
  await client.connect(filter);
  const service = new TaskService(store);
  const registration = service.addServer({ id: EMBEDDED_SERVER_ID, name: 'Tasklane (bench, lossy link)', kind: 'embedded', durable: false, client });
  return {
    store,
    service,
    engine,
    client,
    filter,
    dispose() {
      registration.dispose();
      service.dispose();
      client.dispose();
      connection.dispose();
      engine.dispose();
      if (!options.store) store.dispose();
    },
  };
}

export interface SdkSetup {
  readonly server: McpServer;
  readonly taskStore: InMemoryTaskStore;
  /** Connects a fresh SDK `Client` (or any transport user) to this server. */
  connectClient(): Promise<Client>;
  /** Connects a Tasklane `TaskClientV1` to this server. */
  connectTasklaneClient(): Promise<TaskClientV1>;
  close(): Promise<void>;
}

/**
 * The SDK 1.x task runtime as `shared/docs/interop.md` sets it up: `McpServer` with the tasks
 * capability declared, `InMemoryTaskStore`, `InMemoryTaskMessageQueue`. Tools:
 * - `echo` (plain `registerTool`),
 * - `echo_task` (task tool that stores its result inside `createTask`, i.e. the work is instant),
 * - `work` (task tool whose background work sleeps `ms`, then stores the result).
 */
export function createSdkServer(): SdkSetup {
  const taskStore = new InMemoryTaskStore();
  const server = new McpServer(
    { name: 'sdk-baseline', version: '1.0.0' },
    {
      capabilities: { tools: {}, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
      taskStore,
      taskMessageQueue: new InMemoryTaskMessageQueue(),
    },
  );
  server.registerTool('echo', { description: 'Returns its text.', inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.experimental.tasks.registerToolTask(
    'echo_task',
    { description: 'Returns its text, as a task.', inputSchema: { text: z.string() }, execution: { taskSupport: 'optional' } },
    {
      createTask: async ({ text }, extra) => {
        const task = await extra.taskStore.createTask({ ttl: 60_000 });
        await extra.taskStore.storeTaskResult(task.taskId, 'completed', { content: [{ type: 'text', text }] });
        return { task };
      },
      getTask: async (_args, extra) => extra.taskStore.getTask(extra.taskId),
      getTaskResult: async (_args, extra) => extra.taskStore.getTaskResult(extra.taskId) as never,
    },
  );
  server.experimental.tasks.registerToolTask(
    'work',
    { description: 'Works for ms milliseconds, as a task.', inputSchema: { ms: z.number().int().min(0) }, execution: { taskSupport: 'optional' } },
    {
      createTask: async ({ ms }, extra) => {
        const task = await extra.taskStore.createTask({ ttl: 60_000 });
        setTimeout(() => {
          toolFinishedAt.set(task.taskId, now());
          void extra.taskStore.storeTaskResult(task.taskId, 'completed', { content: [{ type: 'text', text: `worked ${ms} ms` }] });
        }, ms);
        return { task };
      },
      getTask: async (_args, extra) => extra.taskStore.getTask(extra.taskId),
      getTaskResult: async (_args, extra) => extra.taskStore.getTaskResult(extra.taskId) as never,
    },
  );
  let connected = false;
  const link = async (connect: (transport: Transport) => Promise<void>) => {
    if (connected) throw new Error('the SDK McpServer serves one connection');
    connected = true;
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await connect(clientSide);
  };
  return {
    server,
    taskStore,
    async connectClient() {
      const client = new Client({ name: 'sdk-baseline-client', version: '1.0.0' });
      await link((t) => client.connect(t));
      return client;
    },
    async connectTasklaneClient() {
      const client = new TaskClientV1();
      await link((t) => client.connect(t));
      return client;
    },
    async close() {
      taskStore.cleanup();
      await server.close();
    },
  };
}
