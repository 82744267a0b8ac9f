import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/taskRecord';
import { BEFORE_RELOAD_FILE, type BeforeReload, RELOAD_REQUESTED_FILE } from './reloadState';
import { waitFor } from './helpers';

// Runs last in the first phase: leaves a running task and an open detail panel, writes down what
// the window shows, for the after-reload phase that the offline launcher runs after a reload.
describe('before the window reloads', function () {
  this.timeout(90_000);
  let schedules: BeforeReload['schedules'] = [];

  it('leaves two schedules that do not run during the reload: one paused, one with a long interval', async () => {
    const tasklane = await vscode.extensions.getExtension<TasklaneApi>('tasklane.tasklane')!.activate();
    await tasklane.ready;
    const work = (command: string) => ({ serverId: 'tasklane', tool: 'run_command', arguments: { command } });
    // Every 3 s, but paused: were the pause lost, it would run during the reload (and add tasks).
    const paused = tasklane.schedules.create({ name: 'Reload: paused', work: work('echo paused'), trigger: { everyMs: 3000 }, paused: true });
    const hourly = tasklane.schedules.create({ name: 'Reload: every 6 h', work: work('echo hourly'), trigger: { everyMs: 6 * 3_600_000 }, missedRuns: 'skip' });
    schedules = [paused, hourly].map((schedule) => ({ schedule: tasklane.schedules.get(schedule.id)!, nextRunAt: tasklane.schedules.nextRunAt(schedule.id) }));
    assert.strictEqual(schedules[0].schedule.paused, true);
    assert.strictEqual(schedules[0].nextRunAt, undefined, 'a paused schedule has no next run');
    assert.ok(schedules[1].nextRunAt, 'the 6-hourly schedule has a next run');
  });

  it('records the state the window shows', async () => {
    const tasklane = await vscode.extensions.getExtension<TasklaneApi>('tasklane.tasklane')!.activate();
    await tasklane.ready;
    // This suite makes the failed task whose panel it leaves open; it needs nothing from the others.
    const failing: TaskRecord = await vscode.commands.executeCommand('tasklane.runShellCommand', { command: 'echo before-reload >&2; exit 3' });
    const failed = await waitFor(() => (tasklane.store.get(failing.id)?.status === 'failed' ? tasklane.store.get(failing.id) : undefined), {
      what: 'the failing task to fail',
      timeoutMs: 30_000,
    });
    const running: TaskRecord = await vscode.commands.executeCommand('tasklane.runShellCommand', { command: 'echo started; sleep 120' });
    await waitFor(() => (tasklane.store.get(running.id)?.output ?? '').includes('started'), {
      what: 'the running task to print its first line',
      timeoutMs: 30_000,
    });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: failed.id });
    assert.deepStrictEqual(tasklane.ui.details.openTaskIds(), [failed.id]);
    tasklane.store.flush();
    const state: BeforeReload = {
      tasks: tasklane.store.all().map((r) => ({ id: r.id, status: r.status, output: r.output ?? '', ...(r.retriedAs ? { retriedAs: r.retriedAs } : {}) })),
      runningId: running.id,
      panelTaskId: failed.id,
      schedules,
    };
    fs.writeFileSync(BEFORE_RELOAD_FILE, JSON.stringify(state));
    // The offline launcher reloads the window next; the test module then runs the after-reload phase.
    if (process.env.TASKLANE_RELOAD_PHASE) fs.writeFileSync(RELOAD_REQUESTED_FILE, '');
  });
});
