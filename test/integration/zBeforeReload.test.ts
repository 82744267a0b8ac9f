import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/taskRecord';
import { BEFORE_RELOAD_FILE, type BeforeReload, RELOAD_REQUESTED_FILE } from './reloadState';

// Runs last in the first phase: leaves a running task and an open detail panel, writes down what
// the window shows, for the after-reload phase that the offline launcher runs after a reload.
describe('before the window reloads', function () {
  this.timeout(30_000);

  it('records the state the window shows', async () => {
    const tasklane = await vscode.extensions.getExtension<TasklaneApi>('tasklane.tasklane')!.activate();
    const running: TaskRecord = await vscode.commands.executeCommand('tasklane.runShellCommand', { command: 'echo started; sleep 120' });
    const deadline = Date.now() + 10_000;
    while (!(tasklane.store.get(running.id)?.output ?? '').includes('started')) {
      assert.ok(Date.now() < deadline, 'the running task printed its first line');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const failed = tasklane.store.all().find((r) => r.status === 'failed');
    assert.ok(failed, 'an earlier test left a failed task');
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: failed.id });
    assert.deepStrictEqual(tasklane.ui.details.openTaskIds(), [failed.id]);
    tasklane.store.flush();
    const state: BeforeReload = {
      tasks: tasklane.store.all().map((r) => ({ id: r.id, status: r.status, output: r.output ?? '', ...(r.retriedAs ? { retriedAs: r.retriedAs } : {}) })),
      runningId: running.id,
      panelTaskId: failed.id,
    };
    fs.writeFileSync(BEFORE_RELOAD_FILE, JSON.stringify(state));
    // The offline launcher reloads the window next; the test module then runs the after-reload phase.
    if (process.env.TASKLANE_RELOAD_PHASE) fs.writeFileSync(RELOAD_REQUESTED_FILE, '');
  });
});
