import * as assert from 'assert';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import { tasklaneApi, waitFor } from './helpers';

describe("The embedded server's scheduler in a real VS Code host", function () {
  this.timeout(60_000);
  let tasklane: TasklaneApi;
  const settings = () => vscode.workspace.getConfiguration('tasklane');

  before(async () => {
    tasklane = await tasklaneApi();
  });

  after(async () => {
    await settings().update('scheduler.maxConcurrent', undefined, vscode.ConfigurationTarget.Global);
  });

  it('queues work beyond tasklane.scheduler.maxConcurrent, shows its place, and starts it as soon as the setting is raised', async () => {
    await settings().update('scheduler.maxConcurrent', 1, vscode.ConfigurationTarget.Global);
    const blocker = await tasklane.service.start({ serverId: 'tasklane', tool: 'wait', arguments: { durationMs: 600_000 }, intent: 'Hold the only slot' });
    const queued = await tasklane.service.start({ serverId: 'tasklane', tool: 'wait', arguments: { durationMs: 10 }, intent: 'Wait for a slot' });
    const waiting = tasklane.store.get(queued.id)!;
    assert.strictEqual(waiting.status, 'working');
    assert.ok(waiting.queue, 'the record shows the queue place');
    assert.match(waiting.statusMessage ?? '', /^Queued \(\d+ of \d+\)$/);
    assert.strictEqual(tasklane.embedded.engine.peek(queued.taskId!)?.agent?.connection, 'editor');

    await settings().update('scheduler.maxConcurrent', 64, vscode.ConfigurationTarget.Global);
    const done = await waitFor(() => (tasklane.store.get(queued.id)?.status === 'completed' ? tasklane.store.get(queued.id) : undefined), {
      what: 'the queued task to run once the limit is raised',
    });
    assert.strictEqual(done.queue, undefined);
    await tasklane.service.cancel(blocker.id);
  });
});
