import { Disposable, type IDisposable } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import type { TaskStore } from '../core/taskStore';
import type { EmbeddedServer } from '../mcp/embeddedServer';

export interface BackgroundStartSteps {
  readonly store: TaskStore;
  readonly embedded: EmbeddedServer;
  /** Registers the connected embedded server with the task service; returns the registration. */
  readonly register: (embedded: EmbeddedServer) => IDisposable;
  /** What comes up once the tasks are there (external servers' connections). */
  readonly afterOpen: () => void;
  readonly log: Logger;
  /** Told about a failure the person should know of. */
  readonly onProblem: (message: string) => void;
}

/**
 * What activation leaves for after it has returned, nothing of it proportional to history on the
 * activation path: in the next turn of the event loop, the embedded server is connected and
 * registered, then the store reads its records (the task service re-attaches unfinished tasks and
 * retention runs as it opens), then the external servers come up. `ready` settles when the store is
 * open and the embedded server registered, or failed to start (said in the log); it never rejects.
 */
export class BackgroundStart extends Disposable {
  readonly ready: Promise<void>;
  private disposed = false;

  constructor(private readonly steps: BackgroundStartSteps) {
    super();
    this.ready = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => this.run());
  }

  override dispose(): void {
    this.disposed = true;
    super.dispose();
  }

  private async run(): Promise<void> {
    const { store, embedded, log } = this.steps;
    if (this.disposed) return;
    try {
      await embedded.connect();
      if (this.disposed) return;
      this._register(this.steps.register(embedded));
    } catch (error) {
      if (this.disposed) return;
      log.error(`[startup] the embedded server did not start: ${(error as Error).message}`);
      this.steps.onProblem(`Tasklane's own task server did not start: ${(error as Error).message}`);
    }
    if (this.disposed) return;
    const started = performance.now();
    store.open();
    log.info(`[startup] ${store.size} tasks read in ${(performance.now() - started).toFixed(1)} ms`);
    await store.whenOpen();
    if (!this.disposed) this.steps.afterOpen();
  }
}
