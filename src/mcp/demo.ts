import * as path from 'node:path';
import { TaskStore } from '../core/taskStore';
import { ChangeCoalescer } from '../core/changeCoalescer';
import { connectStdioServer } from './client/connectServer';
import { TaskService } from './client/taskService';

/**
 * Starts the standalone server as a child process over stdio, runs a few tasks through the task
 * client, and prints every lifecycle event as it happens: the whole stack without an editor.
 */
async function main(): Promise<void> {
  const store = new TaskStore();
  const server = path.join(__dirname, 'server.js');
  const connection = await connectStdioServer(process.execPath, [server, '--stdio', '--log', 'warn'], undefined, undefined, { stderr: 'inherit' });
  const service = new TaskService(store);
  service.addServer({ id: 'standalone', name: 'Tasklane standalone', kind: 'stdio', durable: true, client: connection.client });

  const started = Date.now();
  const stamp = () => `+${String(Date.now() - started).padStart(5)} ms`;
  store.onDidLifecycle((event) => {
    if (event.type === 'opened') return;
    const record = store.get(event.id);
    const label = record ? `${record.tool}#${record.attempt}` : event.id;
    switch (event.type) {
      case 'created':
        return console.log(`${stamp()}  ${label} created (${record?.intent ?? 'no intent'})`);
      case 'statusChanged':
        return console.log(`${stamp()}  ${label} ${event.from} → ${event.to}${event.message ? `: ${event.message}` : ''}`);
      case 'message':
        // Commands echo their last output line as the status message; the output lines already show it.
        return record?.tool === 'run_command' ? undefined : console.log(`${stamp()}  ${label} … ${event.message}`);
      case 'output':
        for (const line of event.chunk.split('\n').filter(Boolean)) console.log(`${stamp()}  ${label} │ ${line}`);
        return undefined;
      case 'resultStored':
        return console.log(`${stamp()}  ${label} result stored`);
      default:
        return undefined;
    }
  });
  const batches = new ChangeCoalescer(store.onDidLifecycle, 100);
  let eventCount = 0;
  let batchCount = 0;
  batches.onDidChange((changes) => {
    eventCount += changes.eventCount;
    batchCount++;
  });

  const wait = (id: string) =>
    new Promise<void>((resolve) => {
      const check = () => (['completed', 'failed', 'cancelled'].includes(store.require(id).status) ? resolve() : setTimeout(check, 20));
      check();
    });

  const build = await service.start({
    serverId: 'standalone',
    tool: 'run_command',
    arguments: { command: 'for step in compile link test; do echo "$step..."; sleep 0.4; done; echo built' },
    intent: 'Build the demo project',
    priority: 5,
    tags: ['demo'],
  });
  const flaky = await service.start({
    serverId: 'standalone',
    tool: 'run_command',
    arguments: { command: 'echo "1 test failed" >&2; exit 1' },
    intent: 'A test run that fails',
  });
  const slow = await service.start({ serverId: 'standalone', tool: 'wait', arguments: { durationMs: 30_000 }, intent: 'Something slow to cancel' });
  await Promise.all([wait(build.id), wait(flaky.id)]);
  await service.cancel(slow.id);
  const retry = await service.retry(flaky.id, { arguments: { command: 'echo "all tests passed"' } });
  await wait(retry.id);
  batches.flush();

  console.log('\nFinal state:');
  for (const record of store.all()) {
    console.log(`  ${record.status.padEnd(10)} ${record.tool.padEnd(12)} attempt ${record.attempt}${record.retryOf ? ' (retry)' : ''}  ${record.intent ?? ''}`);
  }
  console.log(`\n${eventCount} lifecycle events were delivered to a UI listener in ${batchCount} coalesced batches.`);
  service.dispose();
  await connection.close();
  store.dispose();
}

main().catch((error: Error) => {
  console.error(`demo failed: ${error.message}`);
  process.exit(1);
});
