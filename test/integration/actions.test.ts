import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/taskRecord';
import { tasklaneApi, waitFor } from './helpers';

// The frictions a new user met on the README tour: answering in one step, Run Again, a status bar
// that is red only for failures not seen yet, Group by with its current choice, Search's empty
// state and one name for the embedded server. Screenshots go to test-results/ (offline launcher only).
const SCREENSHOT_REQUEST = path.join(os.tmpdir(), 'tasklane-screenshot-request');
const SCREENSHOT_DONE = path.join(os.tmpdir(), 'tasklane-screenshot-done');
const THEMES = [
  ['dark', 'Dark Modern', 'vs-dark'],
  ['light', 'Light Modern', 'vs'],
] as const;

/** Photographs the workbench as it is now, in dark and light themes (only the offline launcher serves these requests). */
async function screenshots(name: string): Promise<void> {
  if (!process.env.TASKLANE_RELOAD_PHASE) return;
  const workbench = vscode.workspace.getConfiguration('workbench');
  const theme = workbench.get<string>('colorTheme');
  try {
    for (const [suffix, themeName, themeClass] of THEMES) {
      await workbench.update('colorTheme', themeName, vscode.ConfigurationTarget.Global);
      fs.rmSync(SCREENSHOT_DONE, { force: true });
      fs.writeFileSync(SCREENSHOT_REQUEST, `${name}-${suffix} ${themeClass}`);
      await waitFor(() => fs.existsSync(SCREENSHOT_DONE) && fs.readFileSync(SCREENSHOT_DONE, 'utf8') === `${name}-${suffix}`, {
        what: `the ${name}-${suffix} screenshot`,
        timeoutMs: 60_000,
      });
    }
  } finally {
    await workbench.update('colorTheme', theme, vscode.ConfigurationTarget.Global);
  }
}

/** Runs workbench commands on the answer input once it is on screen, then waits until `done` holds. */
async function driveAnswerInput(tasklane: TasklaneApi, taskId: string, what: string, commands: string[], done: () => boolean): Promise<void> {
  await waitFor(() => tasklane.ui.answering.has(taskId), { what: `the answer input for ${taskId} to open` });
  for (const command of commands) await vscode.commands.executeCommand(command);
  await waitFor(done, { what });
}

describe('tour frictions: answering, Run Again, the status bar, Group by, Search, server name', function () {
  this.timeout(180_000);
  let tasklane: TasklaneApi;
  let existing: Set<string>;

  const ask = async (question: string, choices?: string[], intent?: string): Promise<TaskRecord> => {
    const record = await vscode.commands.executeCommand<TaskRecord>('tasklane.newTask', {
      serverId: 'tasklane',
      tool: 'ask',
      arguments: { question, ...(choices ? { choices } : {}) },
      ...(intent ? { intent } : {}),
    });
    return waitFor(
      () => {
        const current = tasklane.store.get(record.id);
        return current?.pendingInput.length ? current : undefined;
      },
      { what: 'the question' },
    );
  };
  const finished = (id: string) =>
    waitFor(
      () => {
        const record = tasklane.store.get(id);
        return record && ['completed', 'failed', 'cancelled'].includes(record.status) ? record : undefined;
      },
      { what: `task ${id} to finish` },
    );
  const resultText = (record: TaskRecord) => JSON.stringify(record.result);

  before(async () => {
    tasklane = await tasklaneApi();
    existing = new Set(tasklane.store.all().map((r) => r.id));
    await vscode.workspace.getConfiguration('tasklane').update('statusBar.visibility', 'always', vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('tasklane').update('retry.confirmUnsafe', false, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const record of tasklane.store.all()) {
      if (existing.has(record.id)) continue;
      if (record.status === 'working' || record.status === 'input_required') await vscode.commands.executeCommand('tasklane.cancelTask', { id: record.id });
      tasklane.store.remove(record.id);
    }
    await vscode.workspace.getConfiguration('tasklane').update('tasks.groupBy', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('tasklane').update('retry.confirmUnsafe', undefined, vscode.ConfigurationTarget.Global);
  });

  it('answers from the status bar in one step: its click opens the question itself, and one accept sends the answer', async () => {
    const question = await ask('Deploy build 1.4.2 to staging?', ['Deploy', 'Wait']);
    tasklane.ui.changes.flush();
    await waitFor(() => tasklane.ui.notifier.shown.includes('Question: Deploy build 1.4.2 to staging?'), { what: 'the notification' });
    assert.ok(!tasklane.ui.notifier.shown.some((message) => / asks\b|ask: Deploy/.test(message)), 'the notification does not repeat the tool name');
    const click = tasklane.ui.statusBar.command;
    assert.strictEqual(click?.command, 'tasklane.answerInput');
    assert.deepStrictEqual(click?.arguments, [{ id: question.id, key: question.pendingInput[0].key }]);
    await vscode.commands.executeCommand('tasklane.tasks.focus');
    const answering = vscode.commands.executeCommand(click.command, ...(click.arguments ?? []));
    await waitFor(() => tasklane.ui.answering.has(question.id), { what: 'the answer input to open' });
    await screenshots('answer-choices');
    // The first row is the first choice: accepting it once is the whole answer.
    await driveAnswerInput(
      tasklane,
      question.id,
      'the answer to be sent',
      ['workbench.action.acceptSelectedQuickOpenItem'],
      () => tasklane.store.get(question.id)?.pendingInput.length === 0,
    );
    assert.strictEqual(await answering, true);
    const done = await finished(question.id);
    assert.strictEqual(done.status, 'completed');
    assert.match(resultText(done), /"answer":"Deploy"/);
  });

  it('declines from the same input, the last row of the pick', async () => {
    const question = await ask('Restart the database?', ['Restart', 'Later'], 'Maintenance window');
    const answering = vscode.commands.executeCommand('tasklane.answerInput', { id: question.id });
    await driveAnswerInput(
      tasklane,
      question.id,
      'the decline to be sent',
      ['quickInput.last', 'workbench.action.acceptSelectedQuickOpenItem'],
      () => tasklane.store.get(question.id)?.pendingInput.length === 0,
    );
    assert.strictEqual(await answering, true);
    const done = await finished(question.id);
    assert.match(resultText(done), /"action":"decline"/);
  });

  it('leaves a typed question unanswered on Escape, and answers it with one accept', async () => {
    const question = await ask('What should the release be called?');
    let settled = false;
    const escaped = Promise.resolve(vscode.commands.executeCommand<boolean>('tasklane.answerInput', { id: question.id })).then((value) => {
      settled = true;
      return value;
    });
    await waitFor(() => tasklane.ui.answering.has(question.id), { what: 'the answer input to open' });
    await screenshots('answer-text');
    await driveAnswerInput(tasklane, question.id, 'the input to close', ['workbench.action.closeQuickOpen'], () => settled);
    assert.strictEqual(await escaped, false);
    assert.strictEqual(tasklane.store.get(question.id)?.pendingInput.length, 1, 'Escape sends nothing');
    const answering = vscode.commands.executeCommand('tasklane.answerInput', { id: question.id });
    await driveAnswerInput(
      tasklane,
      question.id,
      'the empty answer to be sent',
      ['workbench.action.acceptSelectedQuickOpenItem'],
      () => tasklane.store.get(question.id)?.pendingInput.length === 0,
    );
    assert.strictEqual(await answering, true);
    assert.strictEqual((await finished(question.id)).status, 'completed');
  });

  it('turns the status bar red for a new failure only, until its detail panel shows it; a reload-stopped task never does', async () => {
    const failing = await vscode.commands.executeCommand<TaskRecord>('tasklane.runShellCommand', { command: 'echo boom >&2; exit 3' });
    await finished(failing.id);
    tasklane.ui.changes.flush();
    assert.strictEqual(tasklane.ui.statusBar.tone, 'error');
    assert.deepStrictEqual(tasklane.ui.statusBar.command, { title: 'Show the failure', command: 'tasklane.showTaskDetails', arguments: [{ id: failing.id }] });
    await screenshots('status-bar-new-failure');
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: failing.id });
    await waitFor(() => tasklane.ui.statusBar.tone === undefined, { what: 'the failure to count as seen' });
    assert.match(tasklane.ui.statusBar.text, /\$\(error\) \d+/, 'a seen failure is still counted');
    assert.ok(!tasklane.ui.seenFailures.isNew(tasklane.store.require(failing.id)));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await screenshots('status-bar-seen-failure');
  });

  it('runs a finished task again as a new, unlinked task with the same tool and arguments', async () => {
    const first = await vscode.commands.executeCommand<TaskRecord>('tasklane.runShellCommand', { command: 'echo run-again-marker' });
    assert.strictEqual((await finished(first.id)).status, 'completed');
    const again = await vscode.commands.executeCommand<TaskRecord>('tasklane.runAgain', { id: first.id });
    assert.notStrictEqual(again.id, first.id);
    assert.strictEqual(again.tool, 'run_command');
    assert.deepStrictEqual(again.arguments, first.arguments);
    assert.strictEqual(again.retryOf, undefined, 'not a retry: no link to the first run');
    assert.strictEqual(again.attempt, 1);
    assert.strictEqual(tasklane.store.get(first.id)?.retriedAs, undefined);
    const done = await finished(again.id);
    assert.match(done.output ?? '', /run-again-marker/);
  });

  it('groups from the palette and shows the current grouping in the view description and the title menu', async () => {
    const manifest = vscode.extensions.getExtension('tasklane.tasklane')!.packageJSON as {
      contributes: { menus: Record<string, { command: string; when?: string }[]> };
    };
    const hidden = manifest.contributes.menus.commandPalette.filter((entry) => entry.when === 'false').map((entry) => entry.command);
    for (const id of ['tasklane.groupByStatus', 'tasklane.groupByServer', 'tasklane.groupByTool', 'tasklane.groupByAgent'])
      assert.ok(!hidden.includes(id), `${id} is in the palette`);
    const checked = manifest.contributes.menus['view/title'].find((entry) => entry.command === 'tasklane.groupByTool.current');
    assert.match(checked?.when ?? '', /config\.tasklane\.tasks\.groupBy == tool/);
    await vscode.commands.executeCommand('tasklane.groupByTool');
    await waitFor(() => tasklane.ui.treeView.description === 'by Tool', { what: 'the view to say it is grouped by tool' });
    assert.strictEqual(tasklane.ui.tree.currentGroupBy, 'tool');
    await vscode.commands.executeCommand('tasklane.groupByServer');
    await waitFor(() => tasklane.ui.treeView.description === 'by Server', { what: 'the view to say it is grouped by server' });
    await vscode.commands.executeCommand('tasklane.runShellCommand', { command: 'echo named' });
    tasklane.ui.changes.flush();
    const groups = tasklane.ui.tree.getChildren().map((group) => String(tasklane.ui.tree.getTreeItem(group).label));
    assert.ok(groups.includes('Tasklane (this editor)'), `groups: ${groups.join(', ')}`);
    assert.deepStrictEqual(
      tasklane.service.listServers().map((server) => server.name),
      ['Tasklane (this editor)'],
    );
    await vscode.commands.executeCommand('tasklane.tasks.focus');
    await screenshots('group-by-server');
    await vscode.commands.executeCommand('tasklane.groupByStatus');
    await waitFor(() => tasklane.ui.treeView.description === 'by Status', { what: 'the view to say it is grouped by status' });
  });

  it('shows an empty state when a history search finds nothing', async function () {
    if (!process.env.TASKLANE_RELOAD_PHASE) this.skip();
    const searching = vscode.commands.executeCommand('tasklane.searchHistory', { value: 'no-task-is-called-this' });
    await screenshots('search-empty');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.strictEqual(await searching, undefined);
  });
});
