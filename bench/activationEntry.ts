/**
 * What `activate()` does with our own code, minus the VS Code UI objects: open the store, start the
 * embedded server, create the task service, register the server (which re-attaches unfinished
 * tasks), and the UI's first reads (coalescer, every record, attention count). `extensionCost`
 * bundles this file with esbuild (minified, like the extension) and times it in a fresh process.
 */
import * as os from 'node:os';
import { ChangeCoalescer } from '../src/core/changeCoalescer';
import { TaskStore } from '../src/core/taskStore';
import { TaskService } from '../src/mcp/client/taskService';
import { EmbeddedServer } from '../src/mcp/embeddedServer';
import { needsAttention } from '../src/core/taskRules';

export async function activateProxy(directory: string): Promise<{ tasks: number; dispose(): void }> {
  const store = new TaskStore({ directory, onProblem: () => undefined });
  const embedded = await EmbeddedServer.start({ defaultCwd: os.homedir(), isTrusted: () => true });
  const service = new TaskService(store);
  const registration = service.addServer(embedded.entry);
  const changes = new ChangeCoalescer(store.onDidLifecycle, 100);
  store.all().filter(needsAttention).length;
  return {
    tasks: store.size,
    dispose() {
      changes.dispose();
      registration.dispose();
      service.dispose();
      embedded.dispose();
      store.dispose();
    },
  };
}
