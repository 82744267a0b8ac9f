import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/taskRecord';
import { isTerminal } from '../../src/core/taskStatus';
import { RECENT_COMMANDS_KEY } from '../../src/ui/commands/createCommands';
import { LAST_EXPORT_FOLDER_KEY } from '../../src/ui/commands/historyCommands';
import { tasklaneApi, waitFor } from './helpers';
import { canDriveUi, quickInputWhen, ui, type QuickInputState } from './uiDriver';

// New Task, Run Shell Command as Task and Export, used through the workbench as a person does:
// the launcher reads what the quick input shows, types, presses keys and takes the screenshots.
const THEMES = [
  { theme: 'Dark Modern', themeClass: 'vs-dark', name: 'dark' },
  { theme: 'Light Modern', themeClass: 'vs', name: 'light' },
] as const;

const labels = (state: QuickInputState) => state.items.map((item) => item.label);

describe('Creating tasks and exporting them, through the workbench', function () {
  this.timeout(240_000);
  let tasklane: TasklaneApi;
  let existing: Set<string>;
  let savedRecent: unknown;
  let savedExportFolder: unknown;
  let savedTheme: string | undefined;
  const workbench = () => vscode.workspace.getConfiguration('workbench');

  before(async function () {
    if (!canDriveUi()) this.skip();
    tasklane = await tasklaneApi();
    existing = new Set(tasklane.store.all().map((record) => record.id));
    savedTheme = workbench().inspect<string>('colorTheme')?.globalValue;
    savedRecent = tasklane.ui.globalState.get(RECENT_COMMANDS_KEY);
    savedExportFolder = tasklane.ui.globalState.get(LAST_EXPORT_FOLDER_KEY);
    await tasklane.ui.globalState.update(RECENT_COMMANDS_KEY, undefined);
    await tasklane.ui.globalState.update(LAST_EXPORT_FOLDER_KEY, undefined);
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
  });

  after(async function () {
    if (!tasklane) return;
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    const mine = tasklane.store.all().filter((record) => !existing.has(record.id));
    for (const record of mine) if (!isTerminal(record.status)) await tasklane.service.cancel(record.id).catch(() => undefined);
    tasklane.store.removeMany(mine.map((record) => record.id));
    await tasklane.ui.globalState.update(RECENT_COMMANDS_KEY, savedRecent);
    await tasklane.ui.globalState.update(LAST_EXPORT_FOLDER_KEY, savedExportFolder);
    await workbench().update('colorTheme', savedTheme, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  for (const { theme, themeClass, name } of THEMES) {
    it(`New Task asks in the schema's words with examples, and its optional Details step becomes the task's metadata (${name})`, async () => {
      await workbench().update('colorTheme', theme, vscode.ConfigurationTarget.Global);
      const shot = (step: string) => ({ name: `new-task-${step}-${name}`, themeClass });
      const created = vscode.commands.executeCommand<TaskRecord | undefined>('tasklane.newTask');

      const tool = (await ui({ title: 'New Task (2/4): tool', screenshot: shot('1-tool'), actions: [{ fill: 'Run command' }] })).before.quickInput!;
      assert.ok(labels(tool).includes('Run command'), `the embedded server's tools are offered: ${labels(tool).join(', ')}`);
      await quickInputWhen((state) => labels(state)[0] === 'Run command', { what: 'Run command to be the only tool left' });
      await ui({ actions: [{ press: 'Enter' }] });

      const command = (
        await ui({ title: 'command (1 of 4)', screenshot: shot('2-command'), actions: [{ fill: 'echo made-by-form; sleep 60' }, { press: 'Enter' }] })
      ).before.quickInput!;
      assert.match(command.prompt, /The shell command line to run/, "the prompt is the schema's description");
      assert.strictEqual(command.placeholder, 'e.g. npm test');

      const cwd = (await ui({ title: 'cwd (2 of 4)', actions: [{ press: 'Enter' }] })).before.quickInput!;
      assert.match(cwd.prompt, /^Working directory.*\(optional\)/);
      assert.strictEqual(cwd.placeholder, 'e.g. packages/app (leave empty to skip)');

      const env = (await ui({ title: 'env (3 of 4)', actions: [{ press: 'Enter' }] })).before.quickInput!;
      assert.strictEqual(env.placeholder, 'e.g. {"NODE_ENV": "test"} (leave empty to skip)');

      const timeout = (await ui({ title: 'timeoutMs (4 of 4)', actions: [{ fill: 'soon' }] })).before.quickInput!;
      assert.strictEqual(timeout.placeholder, 'e.g. 1m or 60000 (leave empty to skip)');
      await quickInputWhen((state) => /timeoutMs must be a number/.test(state.prompt), { what: 'the typed answer to be refused' });
      // Milliseconds may be typed as a duration.
      await ui({ screenshot: shot('3-invalid-number'), actions: [{ fill: '5m' }, { press: 'Enter' }] });

      const details = (await ui({ title: 'Details (optional)', screenshot: shot('4-details') })).before.quickInput!;
      assert.deepStrictEqual(labels(details), ['Start the task', 'Intent', 'Priority', 'Time budget']);
      assert.ok(details.items[0]!.active, 'Enter starts the task: skipping the details is one keystroke');

      if (name === 'light') {
        await ui({ actions: [{ press: 'Enter' }] });
        const record = await created;
        assert.ok(record);
        assert.deepStrictEqual(record.arguments, { command: 'echo made-by-form; sleep 60', timeoutMs: 300_000 });
        assert.strictEqual(record.priority, undefined);
        assert.strictEqual(record.resourceLimits.timeBudgetMs, undefined);
        await tasklane.service.cancel(record.id);
        return;
      }
      for (const [detail, typed] of [
        ['Priority', '50'],
        ['Time budget', '2s'],
        ['Intent', 'Made by the form'],
      ] as const) {
        await ui({ actions: [{ fill: detail }] });
        await quickInputWhen((state) => labels(state)[0] === detail, { what: `${detail} to be the only detail left` });
        await ui({ actions: [{ press: 'Enter' }] });
        await quickInputWhen((state) => state.prompt.startsWith(detail), { what: `the ${detail} box` });
        await ui({ actions: [{ fill: typed }, { press: 'Enter' }] });
        await quickInputWhen((state) => labels(state)[0] === 'Start the task' && state.value === '', { what: 'the details list again' });
      }
      const filled = (await ui({ title: 'Details (optional)', screenshot: shot('5-details-filled'), actions: [{ press: 'Enter' }] })).before.quickInput!;
      assert.strictEqual(filled.items[0]!.description, '"Made by the form" · priority 50 · stops after 2s');

      const record = await created;
      assert.ok(record);
      assert.deepStrictEqual(record.arguments, { command: 'echo made-by-form; sleep 60', timeoutMs: 300_000 });
      assert.strictEqual(record.intent, 'Made by the form');
      assert.strictEqual(record.priority, 50);
      assert.strictEqual(record.resourceLimits.timeBudgetMs, 2000);
      // The server got them as _meta: it knows the priority, and stops the work when its budget runs out.
      const taskId = await waitFor(() => tasklane.store.get(record.id)?.taskId, { what: 'the task to reach the server' });
      assert.strictEqual(tasklane.embedded.engine.peek(taskId)?.priority, 50);
      const ended = await waitFor(
        () => {
          const now = tasklane.store.get(record.id);
          return now && isTerminal(now.status) ? now : undefined;
        },
        { what: 'the time budget to stop the task', timeoutMs: 30_000 },
      );
      assert.notStrictEqual(ended.status, 'completed', 'a 60 s command with a 2 s budget does not complete');
      assert.ok(Date.parse(ended.lastUpdatedAt) - Date.parse(ended.createdAt) < 30_000, 'it ended long before the command would have');
    });
  }

  it("offers the workspace's test tasks for run_tests and all its tasks for run_vscode_task, and takes a typed label too", async () => {
    await workbench().update('colorTheme', 'Dark Modern', vscode.ConfigurationTarget.Global);
    const tests = vscode.commands.executeCommand<TaskRecord | undefined>('tasklane.newTask', { serverId: 'tasklane', tool: 'run_tests' });
    const label = (await ui({ title: 'Run tests · label (1 of 3)', screenshot: { name: 'new-task-run-tests-label-dark', themeClass: 'vs-dark' } })).before
      .quickInput!;
    assert.deepStrictEqual(
      label.items.map((item) => [item.label, item.description]),
      [
        ['unit tests', 'default test task · folder workspace'],
        ['failing specs', 'test task · folder workspace'],
        ['Leave empty', ''],
      ],
    );
    await ui({ actions: [{ press: 'Escape' }] });
    assert.strictEqual(await tests, undefined, 'escaping cancels New Task');

    const any = vscode.commands.executeCommand<TaskRecord | undefined>('tasklane.newTask', { serverId: 'tasklane', tool: 'run_vscode_task' });
    const all = (await ui({ title: 'Run VS Code task · label (1 of 3)', actions: [{ fill: 'hel' }] })).before.quickInput!;
    for (const task of ['hello', 'echo lines', 'exit 3', 'unit tests', 'long'])
      assert.ok(labels(all).includes(task), `${task} is offered: ${labels(all).join(', ')}`);
    const typed = await quickInputWhen((state) => labels(state)[0] === 'hel', { what: 'the typed label first' });
    assert.strictEqual(typed.items[0]!.description, 'as typed');
    assert.ok(labels(typed).includes('hello'), 'the offers matching what is typed stay');
    await ui({ actions: [{ press: 'Escape' }] });
    assert.strictEqual(await any, undefined);
  });

  it('remembers the shell commands run from the command box, most recent first, each once', async () => {
    await workbench().update('colorTheme', 'Light Modern', vscode.ConfigurationTarget.Global);
    const runTyped = async (text: string) => {
      const run = vscode.commands.executeCommand<TaskRecord | undefined>('tasklane.runShellCommand');
      await ui({ title: 'Run Shell Command as Task', actions: [{ fill: text }] });
      await quickInputWhen((state) => labels(state)[0] === text && state.items[0]!.active, { what: `"${text}" as the first item` });
      await ui({ actions: [{ press: 'Enter' }] });
      const record = await run;
      assert.ok(record);
      assert.strictEqual(record.arguments.command, text);
      return record;
    };
    const empty = vscode.commands.executeCommand<TaskRecord | undefined>('tasklane.runShellCommand');
    const first = (await ui({ title: 'Run Shell Command as Task', actions: [{ press: 'Escape' }] })).before.quickInput!;
    assert.deepStrictEqual(first.items, [], 'nothing remembered yet');
    assert.strictEqual(first.placeholder, 'Type a command, e.g. npm test');
    assert.strictEqual(await empty, undefined);

    await runTyped('echo recent-one');
    await runTyped('echo recent-two');
    const again = vscode.commands.executeCommand<TaskRecord | undefined>('tasklane.runShellCommand');
    const offered = (await ui({ title: 'Run Shell Command as Task', screenshot: { name: 'run-shell-command-recent-light', themeClass: 'vs' } })).before
      .quickInput!;
    assert.deepStrictEqual(
      offered.items.map((item) => [item.label, item.description]),
      [
        ['echo recent-two', 'recent'],
        ['echo recent-one', 'recent'],
      ],
    );
    assert.ok(offered.items[0]!.active, 'Enter runs the most recent command again');
    await ui({ actions: [{ fill: 'echo recent-one' }] });
    const retyped = await quickInputWhen((state) => state.items[0]?.description === 'run this command', { what: 'the typed command first' });
    assert.deepStrictEqual(
      retyped.items.map((item) => item.label),
      ['echo recent-one'],
      'the typed command is not offered twice, and other recent ones are filtered out',
    );
    await ui({ actions: [{ press: 'Enter' }] });
    assert.strictEqual((await again)?.arguments.command, 'echo recent-one');
    assert.deepStrictEqual(tasklane.ui.globalState.get(RECENT_COMMANDS_KEY), ['echo recent-one', 'echo recent-two']);
  });

  it('exports to a file outside the workspace that the save dialog offers, and says where with a Reveal action', async () => {
    await workbench().update('colorTheme', 'Dark Modern', vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('notifications.clearAll');
    const done: TaskRecord = await vscode.commands.executeCommand('tasklane.runShellCommand', { command: 'echo exported-from-the-dialog' });
    await waitFor(() => tasklane.store.get(done.id)?.status === 'completed', { what: 'the task to complete' });
    const exported = vscode.commands.executeCommand<string | undefined>('tasklane.exportTasks', { ids: [done.id] });
    // In a browser, the save dialog is VS Code's own, in the quick input; it fills in the path a moment after it opens.
    await ui({ title: 'Export' });
    await quickInputWhen((state) => state.value.endsWith('.json'), { what: 'the save dialog to offer a file' });
    const offered = (await ui({ screenshot: { name: 'export-save-dialog-dark', themeClass: 'vs-dark' } })).before.quickInput!.value;
    const workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    assert.match(path.basename(offered), /^tasklane-task-run_command-\d{4}-\d{2}-\d{2}-\d{4}\.json$/, `the file offered: ${offered}`);
    assert.ok(path.isAbsolute(offered) && path.relative(workspace, offered).startsWith('..'), `${offered} is outside the workspace ${workspace}`);
    await ui({ actions: [{ press: 'Enter' }] });
    const file = await exported;
    try {
      assert.strictEqual(file, offered);
      assert.match(fs.readFileSync(file!, 'utf8'), /exported-from-the-dialog/);

      // The smoke-test driver the launcher needs hides toasts; the notification centre shows them.
      await vscode.commands.executeCommand('notifications.showList');
      const shown = (await ui({ notification: true, screenshot: { name: 'export-confirmation-dark', themeClass: 'vs-dark' } })).before.notifications;
      const confirmation = shown.find((item) => item.message.startsWith('Exported 1 task to'));
      assert.ok(confirmation, `the confirmation shows: ${JSON.stringify(shown)}`);
      assert.strictEqual(confirmation.message, `Exported 1 task to ${file}`);
      assert.deepStrictEqual(confirmation.actions, ['Reveal']);
      await ui({ actions: [{ click: '.notifications-center .notification-list-item .monaco-button', hasText: 'Reveal' }] });
      // In the browser there is no file manager to ask: Reveal opens the file.
      await waitFor(() => vscode.window.activeTextEditor?.document.uri.fsPath === file, { what: 'the exported file to open', timeoutMs: 30_000 });
    } finally {
      if (file) fs.rmSync(file, { force: true });
      await vscode.commands.executeCommand('notifications.hideList');
    }
  });
});
