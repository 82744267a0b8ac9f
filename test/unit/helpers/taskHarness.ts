import * as os from 'node:os';
import { TaskStore, type TaskStoreOptions } from '../../../src/core/taskStore';
import { type ForeignTasks, TaskService, type TaskServiceOptions } from '../../../src/mcp/client/taskService';
import { EmbeddedServer, type EmbeddedServerOptions } from '../../../src/mcp/embeddedServer';

/** The host as the extension wires it for its own tasks: store, embedded server and task service. */
export interface TaskHarness {
  readonly store: TaskStore;
  readonly embedded: EmbeddedServer;
  readonly service: TaskService;
  /** Disposes the service, the embedded server and the store, in that order. */
  dispose(): void;
}

export interface TaskHarnessOptions {
  /** The store persists into this directory (the caller makes and removes it); without it, it lives in memory. */
  readonly storeDir?: string;
  /** Where commands run: `storeDir`, else the system's temp directory. */
  readonly cwd?: string;
  /** Told what the store would tell the user (a recovered file, a failing disk). */
  readonly onProblem?: TaskStoreOptions['onProblem'];
  /** The embedded server's tools (default: the built-in ones). */
  readonly tools?: EmbeddedServerOptions['tools'];
  readonly isTrusted?: EmbeddedServerOptions['isTrusted'];
  readonly scheduler?: EmbeddedServerOptions['scheduler'];
  /** The embedded engine's options (its clock, retention). */
  readonly engine?: EmbeddedServerOptions['engine'];
  /** Builds the service's view of other clients' tasks (the agents' task mirror) once store and server exist. */
  readonly foreignTasks?: (store: TaskStore, embedded: EmbeddedServer) => ForeignTasks;
  /** The service's clock and retry policies setting. */
  readonly service?: Pick<TaskServiceOptions, 'clock' | 'retryPolicies'>;
  /** Registers the embedded server with the service (default true); false leaves that to the test. */
  readonly addServer?: boolean;
}

export async function makeTaskHarness(options: TaskHarnessOptions = {}): Promise<TaskHarness> {
  const { storeDir, cwd, onProblem, tools, isTrusted, scheduler, engine } = options;
  const store = new TaskStore({ ...(storeDir !== undefined ? { directory: storeDir } : {}), ...(onProblem ? { onProblem } : {}) });
  let embedded: EmbeddedServer;
  try {
    embedded = await EmbeddedServer.start({
      defaultCwd: cwd ?? storeDir ?? os.tmpdir(),
      ...(tools ? { tools } : {}),
      ...(isTrusted ? { isTrusted } : {}),
      ...(scheduler ? { scheduler } : {}),
      ...(engine ? { engine } : {}),
    });
  } catch (error) {
    store.dispose();
    throw error;
  }
  const service = new TaskService(store, { ...options.service, ...(options.foreignTasks ? { foreignTasks: options.foreignTasks(store, embedded) } : {}) });
  if (options.addServer !== false) service.addServer(embedded.entry);
  return {
    store,
    embedded,
    service,
    dispose: () => {
      service.dispose();
      embedded.dispose();
      store.dispose();
    },
  };
}
