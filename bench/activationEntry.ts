/**
 * What `activate()` does with our own code, minus the VS Code UI objects: create the store (its
 * records are read later), the embedded server (built and connected later), the task service and
 * the UI's first reads (coalescer, attention count); then, as the extension does after activation
 * (`BackgroundStart`), connect and register the embedded server and open the store (re-attaching
 * unfinished tasks). `extensionCost` bundles this file with esbuild (minified, like the extension)
 * and times both parts in a fresh process.
 */
import * as os from 'node:os';
import { ChangeCoalescer } from '../src/core/changeCoalescer';
import { TaskStore } from '../src/core/taskStore';
import { TaskService } from '../src/mcp/client/taskService';
import { EmbeddedServer } from '../src/mcp/embeddedServer';
import { needsAttention } from '../src/core/taskRules';
import type { IDisposable } from '../src/core/lifecycle';

export interface ActivationHandle {
  /** Settles when the store is open and the embedded server registered; resolves with the number of tasks. */
  readonly ready: Promise<number>;
  dispose(): void;
}

export async function activateProxy(directory: string): Promise<ActivationHandle> {
  const store = new TaskStore({ directory, onProblem: () => undefined, openLater: true });
  const embedded = new EmbeddedServer({ defaultCwd: os.homedir(), isTrusted: () => true });
  const service = new TaskService(store);
  const changes = new ChangeCoalescer(store.onDidLifecycle, 100);
  store.all().filter(needsAttention).length;
  let registration: IDisposable | undefined;
  const ready = new Promise<void>((resolve) => setTimeout(resolve, 0)).then(async () => {
    await embedded.connect();
    registration = service.addServer(embedded.entry);
    store.open();
    await store.whenOpen();
    store.all().filter(needsAttention).length;
    return store.size;
  });
  return {
    ready,
    dispose() {
      changes.dispose();
      registration?.dispose();
      service.dispose();
      embedded.dispose();
      store.dispose();
    },
  };
}
