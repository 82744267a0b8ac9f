import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../../src/extension';
import type { TaskRecord } from '../../../src/core/taskRecord';
import { waitFor } from '../helpers';

// Last of all: a live scene (work running, a question waiting, results in) that the offline
// launcher photographs in dark and light themes, for people to look at.
const REQUEST = path.join(os.tmpdir(), 'tasklane-screenshot-request');
const DONE = path.join(os.tmpdir(), 'tasklane-screenshot-done');

/** Asks the launcher for a screenshot (once the workbench wears `themeClass`) and waits until it has saved it. */
async function screenshot(name: string, themeClass: string): Promise<void> {
  fs.rmSync(DONE, { force: true });
  fs.writeFileSync(REQUEST, `${name} ${themeClass}`);
  await waitFor(() => fs.existsSync(DONE) && fs.readFileSync(DONE, 'utf8') === name, { what: `the ${name} screenshot`, timeoutMs: 60_000 });
}

describe('a live scene', function () {
  this.timeout(180_000);

  it('runs work, asks a question and shows results, photographed in dark and light themes', async function () {
    const tasklane = await vscode.extensions.getExtension<TasklaneApi>('tasklane.tasklane')!.activate();
    await tasklane.ready;
    await vscode.commands.executeCommand('tasklane.archiveCompleted');
    const run = (command: string, intent: string) =>
      vscode.commands.executeCommand<TaskRecord>('tasklane.newTask', { serverId: 'tasklane', tool: 'run_command', arguments: { command }, intent });
    const tests = await run('echo "Running 128 tests"; sleep 0.2; echo "128 passed, 0 failed"', 'Run the unit tests');
    const build = await run('for i in $(seq 1 200); do echo "[$i/200] compiling packages/module-$i"; sleep 0.4; done', 'Build all packages');
    const research = await vscode.commands.executeCommand<TaskRecord>('tasklane.newTask', {
      serverId: 'tasklane',
      tool: 'wait',
      arguments: { durationMs: 600_000, message: 'Report ready' },
      intent: 'Nightly dependency audit',
    });
    const question = await vscode.commands.executeCommand<TaskRecord>('tasklane.newTask', {
      serverId: 'tasklane',
      tool: 'ask',
      arguments: { question: 'Deploy build 1.4.2 to staging?', choices: ['Deploy', 'Wait'] },
      intent: 'Confirm the staging deploy',
    });
    await waitFor(() => tasklane.store.get(tests.id)?.status === 'completed', { what: 'the tests to pass' });
    await waitFor(() => tasklane.store.get(question.id)?.status === 'input_required', { what: 'the question' });
    await waitFor(() => (tasklane.store.get(build.id)?.output ?? '').includes('[3/200]'), { what: 'build output' });
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: build.id });
    await vscode.commands.executeCommand('tasklane.tasks.focus');
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    // Earlier suites opened terminals (the VS Code task tools); the panel would squeeze the detail page.
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: build.id });
    tasklane.ui.changes.flush();
    assert.match(tasklane.ui.statusBar.text, /\$\(sync~spin\) 2/);

    if (process.env.TASKLANE_RELOAD_PHASE) {
      const workbench = vscode.workspace.getConfiguration('workbench');
      const theme = workbench.get<string>('colorTheme');
      try {
        for (const [name, themeName, themeClass] of [
          ['live-dark', 'Dark Modern', 'vs-dark'],
          ['live-light', 'Light Modern', 'vs'],
        ] as const) {
          await workbench.update('colorTheme', themeName, vscode.ConfigurationTarget.Global);
          await screenshot(name, themeClass);
        }
      } finally {
        await workbench.update('colorTheme', theme, vscode.ConfigurationTarget.Global);
      }
    }
    for (const record of [build, research, question]) await vscode.commands.executeCommand('tasklane.cancelTask', { id: record.id });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
