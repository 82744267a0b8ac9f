import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Disposable, type IDisposable } from '../core/lifecycle';
import { STREAM_CLIENT_WIRE } from './client/clientWires';
import type { ServerEntry } from './client/taskService';
import type { TaskWireClient } from './client/taskWire';
import { BUILTIN_TOOLS } from './server/builtinTools';
import type { SchedulerLimits } from './engine/scheduler';
import { TaskEngine, type EngineOptions } from './engine/taskEngine';
import { STREAM_SERVER_WIRE } from './server/serverWires';
import { type TaskHost, ToolCatalog } from './server/toolCatalog';
import type { ToolDefinition } from './server/tools/toolDefinition';
import { EMBEDDED_SERVER_ID, EMBEDDED_SERVER_NAME } from '../core/embeddedServer';

export { EMBEDDED_SERVER_ID, EMBEDDED_SERVER_NAME };

export interface EmbeddedServerOptions {
  readonly defaultCwd: string;
  readonly isTrusted?: () => boolean;
  readonly tools?: readonly ToolDefinition[];
  readonly engine?: EngineOptions;
  /** Concurrency limits for the work (settings `tasklane.scheduler.*`); change them later with `configureScheduler`. */
  readonly scheduler?: SchedulerLimits;
}

/** How tasks the editor itself starts are labelled as to their connection. */
export const EDITOR_CONNECTION = 'editor';
/** The owner (authorization context) of the editor's own tasks on the embedded engine; agents have their own. */
export const EDITOR_OWNER = 'editor';

/**
 * Tasklane's own task server, running inside the host and reached over an in-memory transport:
 * no port, no process, and the same code path an external client takes (the stream wire, on
 * both ends). Nothing is built until something needs it: the engine when a task is started, an
 * agent connects or the editor acts on one; the editor's own connection on `connect()`.
 */
export class EmbeddedServer extends Disposable {
  private _engine: TaskEngine | undefined;
  private _host: TaskHost | undefined;
  private _client: (TaskWireClient & IDisposable) | undefined;
  private connecting: Promise<TaskWireClient> | undefined;
  private scheduler: SchedulerLimits | undefined;
  private disposed = false;

  constructor(private readonly options: EmbeddedServerOptions) {
    super();
    this.scheduler = options.scheduler;
  }

  /** A server already connected to its editor client (what tests and benchmarks use). */
  static async start(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
    const server = new EmbeddedServer(options);
    try {
      await server.connect();
    } catch (error) {
      server.dispose();
      throw error;
    }
    return server;
  }

  get engine(): TaskEngine {
    if (this.disposed) throw new Error(`${EMBEDDED_SERVER_NAME} has stopped.`);
    if (!this._engine) {
      const engine = new TaskEngine({ ...this.options.engine, ...(this.scheduler ? { scheduler: this.scheduler } : {}) });
      this._engine = this._register(engine);
    }
    return this._engine;
  }

  get host(): TaskHost {
    this._host ??= {
      catalog: new ToolCatalog(this.options.tools ?? BUILTIN_TOOLS),
      defaultCwd: this.options.defaultCwd,
      isTrusted: this.options.isTrusted ?? (() => true),
    };
    return this._host;
  }

  /** The editor's own client of this server; there once `connect()` has settled. */
  get client(): TaskWireClient & IDisposable {
    if (!this._client) throw new Error(`${EMBEDDED_SERVER_NAME} is not connected yet.`);
    return this._client;
  }

  /** Connects the editor's client to the server (once; later calls share the first). */
  connect(): Promise<TaskWireClient> {
    this.connecting ??= this.open();
    return this.connecting;
  }

  /** Applies new concurrency limits at once (raising one starts queued work straight away). */
  configureScheduler(limits: SchedulerLimits): void {
    this.scheduler = limits;
    this._engine?.configureScheduler(limits);
  }

  /** Reorders the queue: the editor's privilege over any owner's task. */
  setPriority(taskId: string, priority: number): unknown {
    return this.engine.setPriority(taskId, priority);
  }

  /** Cancels any owner's task: the editor's privilege. */
  cancelAny(taskId: string, message?: string): unknown {
    return this.engine.cancelAny(taskId, message);
  }

  get entry(): ServerEntry {
    return { id: EMBEDDED_SERVER_ID, name: EMBEDDED_SERVER_NAME, kind: 'embedded', durable: false, client: this.client };
  }

  override dispose(): void {
    this.disposed = true;
    super.dispose();
  }

  private async open(): Promise<TaskWireClient> {
    const server = this._register(STREAM_SERVER_WIRE.serve(this.host, this.engine, { owner: EDITOR_OWNER, connection: EDITOR_CONNECTION }));
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    const { client } = await STREAM_CLIENT_WIRE.open(clientTransport);
    if (this.disposed) {
      client.dispose();
      throw new Error(`${EMBEDDED_SERVER_NAME} stopped while it was connecting.`);
    }
    this._client = this._register(client);
    return client;
  }
}
