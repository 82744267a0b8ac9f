import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Disposable } from '../core/lifecycle';
import { TaskClientV1 } from './client/v1/taskClientV1';
import type { ServerEntry } from './client/taskService';
import { BUILTIN_TOOLS } from './server/builtinTools';
import type { SchedulerLimits } from './engine/scheduler';
import { TaskEngine, type EngineOptions } from './engine/taskEngine';
import { createTaskServerV1 } from './server/v1/taskServerV1';
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
 * no port, no process, and the same code path an external client takes.
 */
export class EmbeddedServer extends Disposable {
  readonly engine: TaskEngine;
  readonly host: TaskHost;
  readonly client: TaskClientV1;

  private constructor(options: EmbeddedServerOptions) {
    super();
    this.engine = this._register(new TaskEngine({ ...options.engine, ...(options.scheduler ? { scheduler: options.scheduler } : {}) }));
    this.host = { catalog: new ToolCatalog(options.tools ?? BUILTIN_TOOLS), defaultCwd: options.defaultCwd, isTrusted: options.isTrusted ?? (() => true) };
    this.client = this._register(new TaskClientV1());
  }

  static async start(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
    const embedded = new EmbeddedServer(options);
    const connection = createTaskServerV1(embedded.host, embedded.engine, { ownerOf: () => EDITOR_OWNER, connection: EDITOR_CONNECTION });
    embedded._register({ dispose: connection.dispose });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await connection.server.connect(serverTransport);
    await embedded.client.connect(clientTransport);
    return embedded;
  }

  /** Applies new concurrency limits at once (raising one starts queued work straight away). */
  configureScheduler(limits: SchedulerLimits): void {
    this.engine.configureScheduler(limits);
  }

  get entry(): ServerEntry {
    return { id: EMBEDDED_SERVER_ID, name: EMBEDDED_SERVER_NAME, kind: 'embedded', durable: false, client: this.client };
  }
}
