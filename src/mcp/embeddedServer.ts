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
 * both ends).
 */
export class EmbeddedServer extends Disposable {
  private constructor(
    readonly engine: TaskEngine,
    readonly host: TaskHost,
    /** The editor's own client of this server. */
    readonly client: TaskWireClient & IDisposable,
    server: IDisposable,
  ) {
    super();
    this._register(engine);
    this._register(client);
    this._register(server);
  }

  static async start(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
    const engine = new TaskEngine({ ...options.engine, ...(options.scheduler ? { scheduler: options.scheduler } : {}) });
    const host: TaskHost = {
      catalog: new ToolCatalog(options.tools ?? BUILTIN_TOOLS),
      defaultCwd: options.defaultCwd,
      isTrusted: options.isTrusted ?? (() => true),
    };
    const server = STREAM_SERVER_WIRE.serve(host, engine, { owner: EDITOR_OWNER, connection: EDITOR_CONNECTION });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    try {
      await server.connect(serverTransport);
      const { client } = await STREAM_CLIENT_WIRE.open(clientTransport);
      return new EmbeddedServer(engine, host, client, server);
    } catch (error) {
      server.dispose();
      engine.dispose();
      throw error;
    }
  }

  /** Applies new concurrency limits at once (raising one starts queued work straight away). */
  configureScheduler(limits: SchedulerLimits): void {
    this.engine.configureScheduler(limits);
  }

  get entry(): ServerEntry {
    return { id: EMBEDDED_SERVER_ID, name: EMBEDDED_SERVER_NAME, kind: 'embedded', durable: false, client: this.client };
  }
}
