import * as assert from 'assert';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../src/core/taskRecord';
import type { TasklaneApi } from '../../src/extension';
import { inThemes, launcherServesPage, readDetailPage, screenshot, tasklaneApi, waitFor } from './helpers';

const FINISHED = ['completed', 'failed', 'cancelled'];

/** The editor tabs that hold detail panels, left to right. */
function detailTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('tasklane.detail'));
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

// The detail panel as a new user meets it on the README tour: what the page shows (read from the
// real webview by the offline launcher), its tabs, and the preview panel reused from click to click.
describe('The detail panel as a person sees it', function () {
  this.timeout(180_000);
  let tasklane: TasklaneApi;
  /** Records this suite made: removed at the end, so later suites and the screenshots never show them. */
  const made: string[] = [];

  before(async () => {
    tasklane = await tasklaneApi();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.closePanel');
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    for (const id of made)
      if (tasklane.store.get(id) && !FINISHED.includes(tasklane.store.require(id).status)) await tasklane.service.cancel(id).catch(() => undefined);
    await waitFor(() => made.every((id) => FINISHED.includes(tasklane.store.get(id)?.status ?? 'completed')), { what: "this suite's tasks to end" });
    for (const id of made) if (tasklane.store.get(id)) tasklane.store.remove(id);
  });

  async function finished(spec: Parameters<TasklaneApi['service']['start']>[0]): Promise<TaskRecord> {
    const record = await tasklane.service.start(spec);
    made.push(record.id);
    return waitFor(
      () => {
        const now = tasklane.store.get(record.id);
        return now && FINISHED.includes(now.status) ? now : undefined;
      },
      { what: `task ${record.id} to finish`, timeoutMs: 60_000 },
    );
  }

  it('shows a finished command once: output only in Output, no timeline row per output line, how long it is kept, its title on the tab, ids in the text colour', async function () {
    if (!launcherServesPage()) this.skip();
    // Output lines 0.3 s apart, so each one also arrives as a status message (the timeline's old rows).
    const command = 'for i in 1 2 3 4; do echo "step-$((i*7)) ok"; sleep 0.3; done';
    const record = await finished({ serverId: 'tasklane', tool: 'run_command', arguments: { command }, intent: 'Build the docs' });
    assert.strictEqual(record.status, 'completed');
    const lines = ['step-7 ok', 'step-14 ok', 'step-21 ok', 'step-28 ok'];
    assert.ok(
      record.timeline.filter((entry) => !entry.status && lines.includes(entry.message ?? '')).length >= 2,
      'the server sent output lines as status messages',
    );

    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
    await inThemes(async (theme, themeClass) => {
      const page = await readDetailPage('Build the docs', { themeClass, scroll: '.section-result' });
      await screenshot(`detail-finished-${theme}`, themeClass);

      for (const line of lines) assert.strictEqual(occurrences(page.text, line), 1, `"${line}" is shown once (${theme}):\n${page.text}`);
      assert.match(page.text, /stdout:\s+\(in the Output section\)/);
      assert.match(page.text, /Not repeated here, shown in Output below: stdout\./);

      assert.ok(page.timelineRows.length >= 2, 'the timeline has its status rows');
      for (const row of page.timelineRows) {
        assert.ok(!lines.includes(row[2]), `no timeline row is an output line: ${JSON.stringify(row)}`);
        assert.ok(row[1] !== '—' || row[2] !== '', `no timeline row is empty: ${JSON.stringify(row)}`);
      }
      assert.deepStrictEqual(page.timelineRows[0].slice(1), ['Working', 'Starting'], 'the first row says the task started');
      await readDetailPage('Build the docs', { scroll: '.section-timeline' });
      await screenshot(`detail-timeline-${theme}`, themeClass);

      assert.match(page.text, /Kept in history\s+Until .+ \(30 days\)/, 'a finished task says how long history keeps it');
      assert.doesNotMatch(page.text, /Expires in|Server TTL/, 'not the server TTL countdown');

      assert.strictEqual(page.documentTitle, 'Build the docs');
      const tabs = page.tabs.filter((tab) => tab.label === 'Build the docs');
      assert.strictEqual(tabs.length, 1, `one tab titled with the task's title: ${JSON.stringify(page.tabs)}`);
      assert.ok(
        page.tabs.every((tab) => !tab.label.includes('·')),
        'no status in tab titles',
      );

      assert.ok(page.idColor, 'the page shows the task id');
      assert.strictEqual(page.idColor, page.textColor, `the task id is in the text colour (${theme})`);
      assert.notStrictEqual(page.idColor, page.errorColor, `not in the error colour (${theme})`);
    });
  });

  it('says what went wrong in plain words, without the raw JSON-RPC code', async function () {
    if (!launcherServesPage()) this.skip();
    // The command prints more than its output limit: the server stops it and fails the task with -32603.
    const record = await finished({
      serverId: 'tasklane',
      tool: 'run_command',
      arguments: { command: 'yes | head -c 5000' },
      resourceLimits: { maxOutputBytes: 100 },
    });
    assert.strictEqual(record.status, 'failed');
    assert.strictEqual(record.error?.code, -32603, 'the task failed with a JSON-RPC internal error');

    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
    await inThemes(async (theme, themeClass) => {
      // Without an intent the title is the command itself.
      const page = await readDetailPage('yes | head -c 5000', { themeClass, scroll: '.section-result' });
      await screenshot(`detail-error-${theme}`, themeClass);
      assert.match(page.text, /The server hit an internal error\s+Output limit exceeded/);
      assert.doesNotMatch(page.text, /-32603|32603/, `no raw code on the page (${theme}):\n${page.text}`);
      assert.ok(
        page.tabs.some((tab) => tab.label === 'yes | head -c 5000'),
        JSON.stringify(page.tabs),
      );
    });
  });

  it("runs a finished task again from its page's Run Again button, as a new, unlinked task with the same tool and arguments", async function () {
    if (!launcherServesPage()) this.skip();
    // A read-only, idempotent tool: Run Again asks nothing first (run_command would ask, as it may change things).
    const first = await finished({ serverId: 'tasklane', tool: 'wait', arguments: { durationMs: 37 }, intent: 'Run again from the page' });
    assert.strictEqual(first.status, 'completed');
    const before = new Set(tasklane.store.all().map((record) => record.id));

    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: first.id });
    const page = await readDetailPage('Run again from the page', { click: 'button[data-command="runAgain"]' });
    assert.match(page.text, /Run Again/, `a finished task's page offers Run Again:\n${page.text}`);

    const again = await waitFor(
      () => tasklane.store.all().find((record) => !before.has(record.id) && record.tool === 'wait' && record.intent === 'Run again from the page'),
      { what: "the page's Run Again to start a new task", timeoutMs: 30_000 },
    );
    made.push(again.id);
    assert.deepStrictEqual(again.arguments, first.arguments, 'the same arguments');
    assert.strictEqual(again.serverId, first.serverId);
    // Run Again is not a retry: the new task stands on its own, and the first one is not marked retried.
    assert.strictEqual(again.retryOf, undefined, 'no link to the first run');
    assert.strictEqual(again.attempt, 1);
    assert.strictEqual(again.parentId, undefined);
    assert.strictEqual(tasklane.store.get(first.id)?.retriedAs, undefined);
    const done = await waitFor(
      () => {
        const now = tasklane.store.get(again.id);
        return now && FINISHED.includes(now.status) ? now : undefined;
      },
      { what: 'the new run to finish', timeoutMs: 60_000 },
    );
    assert.strictEqual(done.status, 'completed', 'the new run finishes as the first did');
  });

  it('shows a large result’s size and says where it is cut; the result itself lives in a side file', async function () {
    if (!launcherServesPage()) this.skip();
    // A 2 MB result, as a server could send it: over the 1 MB side-file limit and the page's 256 KB.
    const record = tasklane.store.create({ serverId: 'tasklane', tool: 'wait', arguments: {}, intent: 'Large result' });
    made.push(record.id);
    const text = Array.from({ length: 40_000 }, (_, i) => `line ${i}: ${'x'.repeat(40)}`).join('\n');
    tasklane.store.complete(record.id, 'completed', { result: { content: [{ type: 'text', text }] } });
    assert.ok(tasklane.store.require(record.id).resultFile, 'the result went to a side file');
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
    await inThemes(async (theme, themeClass) => {
      const page = await readDetailPage('Large result', { themeClass, scroll: '.section-result' });
      await screenshot(`detail-large-result-${theme}`, themeClass);
      const sizeLine = page.text.split('\n').find((line) => /Showing|KB|MB/.test(line)) ?? '(no size line)';
      assert.match(sizeLine, /Showing the first 256\.0 KB of \d\.\d MB\. Export the task or use Show Task Result for all of it\./);
      assert.match(page.text, /line 0: x{40}/, 'the start of the result is shown');
      assert.doesNotMatch(page.text, /line 39999:/, 'the end is not sent to the page');
    });
  });

  it('says a running task is kept while it runs, not a countdown the server keeps moving', async function () {
    if (!launcherServesPage()) this.skip();
    const record = await tasklane.service.start({ serverId: 'tasklane', tool: 'wait', arguments: { durationMs: 600_000 }, intent: 'Keep running', ttl: 2_000 });
    made.push(record.id);
    await waitFor(() => tasklane.store.get(record.id)?.grantedTtl !== undefined, { what: 'the server to grant a TTL' });
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
    const page = await readDetailPage('Keep running');
    assert.match(page.text, /Server TTL\s+Kept while it runs/, `the TTL row says the task is kept while it runs:\n${page.text}`);
    assert.doesNotMatch(page.text, /Expires in|Expired/, 'no countdown for running work');
    await tasklane.service.cancel(record.id);
  });

  it('reuses one preview panel from task to task; Keep Open or a double-click gives a task its own tab', async function () {
    const tasks: TaskRecord[] = [];
    for (const intent of ['Preview first', 'Preview second', 'Preview third'])
      tasks.push(await finished({ serverId: 'tasklane', tool: 'wait', arguments: { durationMs: 1 }, intent }));
    const [first, second, third] = tasks;
    const { details } = tasklane.ui;
    const tabLabels = () => detailTabs().map((tab) => tab.label);

    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: first.id });
    assert.strictEqual(details.previewTaskId(), first.id);
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: second.id });
    assert.strictEqual(details.previewTaskId(), second.id, 'the preview now shows the second task');
    assert.deepStrictEqual(details.openTaskIds(), [second.id], 'in the same, only panel');
    await waitFor(() => JSON.stringify(tabLabels()) === JSON.stringify(['Preview second']), { what: 'one tab, titled with the second task' });

    if (launcherServesPage()) {
      // The page the person sees: the preview offers Keep Open; they click it.
      const page = await readDetailPage('Preview second', { click: 'button[aria-label^="Keep Open"]' });
      assert.match(page.text, /Preview/);
      assert.match(page.text, /Keep Open/);
      await screenshot('detail-kept-open-light', 'vs');
    } else {
      assert.ok(details.keepPreviewOpen());
    }
    await waitFor(() => details.keptTaskIds().includes(second.id), { what: 'the second task to have its own tab' });
    assert.strictEqual(details.previewTaskId(), undefined);

    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: third.id });
    assert.strictEqual(details.previewTaskId(), third.id, 'the next click opens a new preview');
    await waitFor(() => JSON.stringify(tabLabels()) === JSON.stringify(['Preview second', 'Preview third']), {
      what: 'two tabs: the kept one and the new preview',
    });
    if (launcherServesPage()) {
      await readDetailPage('Preview third');
      await screenshot('detail-preview-kept-light', 'vs');
    }

    // The kept task is revealed in its own tab, not shown in the preview; its page no longer offers Keep Open.
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: second.id });
    assert.strictEqual(details.previewTaskId(), third.id);
    if (launcherServesPage()) assert.doesNotMatch((await readDetailPage('Preview second')).text, /Keep Open/);

    // A double-click (two shows of the preview's task in quick succession) keeps it open too.
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: first.id });
    assert.strictEqual(details.previewTaskId(), first.id);
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: first.id });
    assert.deepStrictEqual(details.keptTaskIds().sort(), [first.id, second.id].sort());
    assert.strictEqual(details.previewTaskId(), undefined);
  });

  it('restores a preview panel as the preview, and a kept one as its own tab', async () => {
    const [one, two] = [
      await finished({ serverId: 'tasklane', tool: 'wait', arguments: { durationMs: 1 }, intent: 'Restored preview' }),
      await finished({ serverId: 'tasklane', tool: 'wait', arguments: { durationMs: 1 }, intent: 'Restored kept' }),
    ];
    const restore = (state: unknown) =>
      tasklane.ui.details.revive(vscode.window.createWebviewPanel('tasklane.detail', 'restored', vscode.ViewColumn.One, { enableScripts: true }), state);
    await restore({ taskId: one.id, preview: true });
    // States saved before previews existed carry no flag: those panels were tabs of their own.
    await restore({ taskId: two.id });
    assert.strictEqual(tasklane.ui.details.previewTaskId(), one.id);
    assert.deepStrictEqual(tasklane.ui.details.keptTaskIds(), [two.id]);
    await waitFor(
      () =>
        JSON.stringify(
          detailTabs()
            .map((tab) => tab.label)
            .sort(),
        ) === JSON.stringify(['Restored kept', 'Restored preview']),
      { what: "the restored tabs to wear their tasks' titles" },
    );
  });
});
