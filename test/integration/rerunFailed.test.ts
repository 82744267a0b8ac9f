import * as assert from 'assert';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/taskRecord';
import { isTerminal } from '../../src/core/taskStatus';
import { tasklaneApi, waitFor } from './helpers';
import { canDriveUi, quickInputWhen, ui } from './uiDriver';

// Re-run Failed Tasks…, used as a person does: the command palette, a search typed into its box,
// an argument edit typed into the next one, and the summary read from the notification centre.
describe('Re-run Failed Tasks, through the command palette', function () {
  this.timeout(240_000);
  let tasklane: TasklaneApi;
  let existing: Set<string>;
  const settings = () => vscode.workspace.getConfiguration('tasklane');

  before(async function () {
    if (!canDriveUi()) this.skip();
    tasklane = await tasklaneApi();
    existing = new Set(tasklane.store.all().map((record) => record.id));
    // run_command says it is destructive: the batch would ask first, in a modal dialog, which an extension test host refuses to show.
    await settings().update('retry.confirmUnsafe', false, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  after(async function () {
    if (!tasklane) return;
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.commands.executeCommand('notifications.hideList');
    await vscode.commands.executeCommand('notifications.clearAll');
    const mine = tasklane.store.all().filter((record) => !existing.has(record.id));
    for (const record of mine) if (!isTerminal(record.status)) await tasklane.service.cancel(record.id).catch(() => undefined);
    tasklane.store.removeMany(mine.map((record) => record.id));
    await settings().update('retry.confirmUnsafe', undefined, vscode.ConfigurationTarget.Global);
  });

  const finished = (id: string) =>
    waitFor(
      () => {
        const record = tasklane.store.get(id);
        return record && isTerminal(record.status) ? record : undefined;
      },
      { what: `task ${id} to finish` },
    );

  it('re-runs exactly the failed tasks a typed search finds, each with the typed argument edit, and sums the batch up', async () => {
    // A word only this test's tasks carry, so tasks other suites left behind never match.
    const marker = `rerun${Date.now().toString(36)}`;
    const run = (command: string) => tasklane.service.start({ serverId: 'tasklane', tool: 'run_command', arguments: { command } });
    const failing = await Promise.all([1, 2, 3].map((n) => run(`echo ${marker}-${n}; exit 1`)));
    const passing = await run(`echo ${marker}-ok`);
    for (const record of failing) assert.strictEqual((await finished(record.id)).status, 'failed');
    assert.strictEqual((await finished(passing.id)).status, 'completed');
    const before = new Set(tasklane.store.all().map((record) => record.id));

    await ui({ actions: [{ press: 'F1' }] });
    await quickInputWhen((state) => state.value.startsWith('>'), { what: 'the command palette' });
    await ui({ actions: [{ fill: '>Tasklane: Re-run Failed Tasks' }] });
    await quickInputWhen((state) => state.items[0]?.label.includes('Re-run Failed Tasks') === true, { what: 'the command in the palette' });
    await ui({ actions: [{ press: 'Enter' }] });

    const opened = (await ui({ title: 'Re-run Failed Tasks (1/2)' })).before.quickInput!;
    assert.strictEqual(opened.value, 'status:failed ', 'the search starts with the failed tasks');

    // A time that is no time is said in the box, and Enter does not go on with it.
    await ui({ actions: [{ fill: `status:failed since:yesterday ${marker}` }] });
    const refused = await quickInputWhen((state) => state.prompt.includes('since:'), { what: 'the bad since: value to be refused' });
    assert.strictEqual(refused.prompt, 'since: expects a duration like 1h or a date like 2026-12-01');
    assert.strictEqual(refused.items[0]?.label, 'since: expects a duration like 1h or a date like 2026-12-01', 'and in place of the count');
    await ui({ screenshot: { name: 'rerun-failed-bad-since' }, actions: [{ press: 'Enter' }] });
    await quickInputWhen((state) => state.title.startsWith('Re-run Failed Tasks (1/2)'), { what: 'the search to stay open' });

    await ui({ actions: [{ fill: `status:failed since:1h ${marker}` }] });
    const found = await quickInputWhen((state) => state.prompt === '' && state.title.endsWith('· 3 match'), { what: 'the three failed tasks to match' });
    assert.strictEqual(found.items[0]?.label, 'Re-run 3 tasks', JSON.stringify(found.items));
    const listed = found.items.map((item) => item.label).join('\n');
    for (const n of [1, 2, 3]) assert.ok(listed.includes(`${marker}-${n}`), `task ${n} is listed:\n${listed}`);
    assert.ok(!listed.includes(`${marker}-ok`), 'the completed task is not');
    await ui({ screenshot: { name: 'rerun-failed-search' }, actions: [{ press: 'Enter' }] });

    await ui({ title: 'Re-run Failed Tasks (2/2)', actions: [{ fill: 'timeoutMs=60000' }] });
    await quickInputWhen((state) => /Not JSON/.test(state.prompt), { what: 'the edit that is not JSON to be refused' });
    await ui({ actions: [{ fill: '{"timeoutMs": 60000}' }] });
    await quickInputWhen((state) => !/Not JSON/.test(state.prompt), { what: 'the JSON edit to be accepted' });
    await ui({ screenshot: { name: 'rerun-failed-arguments' }, actions: [{ press: 'Enter' }] });

    const attempts = await waitFor(
      () => {
        const retried = failing.map((record) => tasklane.store.get(record.id)?.retriedAs);
        return retried.every((id) => id !== undefined) ? retried.map((id) => tasklane.store.get(id!)!) : undefined;
      },
      { what: 'each failed task to get a new attempt' },
    );
    attempts.forEach((attempt, i) => {
      assert.strictEqual(attempt.retryOf, failing[i].id);
      assert.deepStrictEqual(attempt.arguments, { ...failing[i].arguments, timeoutMs: 60000 }, 'the edit is merged into its own arguments');
    });
    const added = tasklane.store.all().filter((record) => !before.has(record.id));
    assert.deepStrictEqual(added.map((record) => record.id).sort(), attempts.map((record: TaskRecord) => record.id).sort(), 'nothing else started');
    assert.strictEqual(tasklane.store.get(passing.id)?.retriedAs, undefined, 'the completed task was left alone');

    // The smoke-test driver the launcher needs hides toasts; the notification centre shows them.
    await vscode.commands.executeCommand('notifications.showList');
    const shown = await waitFor(
      async () => {
        const { notifications } = (await ui({ notification: true })).before;
        return notifications.some((item) => item.message === '3 re-run') ? notifications : undefined;
      },
      { what: 'the summary "3 re-run"' },
    );
    await ui({ screenshot: { name: 'rerun-failed-summary' } });
    assert.ok(shown.some((item) => item.message === '3 re-run'));
  });
});
