import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { TaskStore } from '../../../src/core/taskStore';
import { TaskClientV1 } from '../../../src/mcp/client/v1/taskClientV1';
import { TaskService, type TaskServiceOptions } from '../../../src/mcp/client/taskService';
import { EVERYTHING } from '../mcp/v2client/everything';

export interface EverythingSession {
  readonly store: TaskStore;
  readonly client: TaskClientV1;
  readonly service: TaskService;
  dispose(): void;
}

/** server-everything over stdio, connected to a task service (server id `everything`) with an in-memory store. */
export async function connectEverythingStdio(options: TaskServiceOptions = {}): Promise<EverythingSession> {
  const store = new TaskStore();
  const client = new TaskClientV1();
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, 'stdio'], stderr: 'ignore' }));
  const service = new TaskService(store, options);
  service.addServer({ id: 'everything', name: 'server-everything', kind: 'stdio', durable: true, client });
  return {
    store,
    client,
    service,
    dispose() {
      service.dispose();
      client.dispose();
      store.dispose();
    },
  };
}
