import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../../src/extension';
import { BEFORE_RELOAD_FILE, type BeforeReload } from '../reloadState';
import { waitFor } from '../helpers';

describe('after a window reload', function () {
  this.timeout(60_000);
  let state: BeforeReload;
  let tasklane: TasklaneApi;

  before(async () => {
    state = JSON.parse(fs.readFileSync(BEFORE_RELOAD_FILE, 'utf8'));
    tasklane = await vscode.extensions.getExtension<TasklaneApi>('tasklane.tasklane')!.activate();
    // The store reads its tasks after activation: wait for them (and the re-attach that ends the interrupted one).
    await tasklane.ready;
    // Retrying a shell command asks first (it is destructive); this suite answers for the person.
    await vscode.workspace.getConfiguration('tasklane').update('retry.confirmUnsafe', false, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('tasklane').update('retry.confirmUnsafe', undefined, vscode.ConfigurationTarget.Global);
  });

  it('has every task back, with its status, output and attempt links', () => {
    for (const expected of state.tasks) {
      const record = tasklane.store.get(expected.id);
      assert.ok(record, `task ${expected.id} is back`);
      if (expected.id === state.runningId) continue;
      assert.strictEqual(record.status, expected.status, `status of ${expected.id}`);
      assert.strictEqual(record.output ?? '', expected.output, `output of ${expected.id}`);
      assert.strictEqual(record.retriedAs, expected.retriedAs, `attempt link of ${expected.id}`);
    }
    assert.strictEqual(tasklane.store.size, state.tasks.length);
  });

  it('marks the task that was running as interrupted, retryable, with its output kept', async () => {
    const record = tasklane.store.require(state.runningId);
    assert.strictEqual(record.status, 'failed');
    assert.match(record.statusMessage ?? '', /Stopped when the window reloaded/);
    assert.strictEqual(tasklane.ui.seenFailures.isNew(record), false, 'a reload is not a new failure: the status bar stays calm');
    assert.match(record.output ?? '', /started/);
    const retry = await vscode.commands.executeCommand<{ id: string; retryOf?: string }>('tasklane.retryTask', { id: record.id });
    assert.strictEqual(retry.retryOf, record.id);
    await vscode.commands.executeCommand('tasklane.cancelTask', { id: retry.id });
  });

  it('shows the same tasks in the tree and the status bar', () => {
    tasklane.ui.changes.flush();
    const { tree } = tasklane.ui;
    // Walk the whole tree: attempts and child tasks sit under other tasks.
    type Node = ReturnType<typeof tree.getChildren>[number];
    const walk = (nodes: readonly Node[]): Node[] => nodes.flatMap((node) => [node, ...walk(tree.getChildren(node))]);
    const shown = walk(tree.getChildren()).map((node) => (node.kind === 'task' ? node.id : ''));
    for (const expected of state.tasks.filter((t) => !t.retriedAs && !tasklane.store.get(t.id)?.archived && t.id !== state.runningId)) {
      assert.ok(shown.includes(expected.id), `the tree shows ${expected.id}`);
    }
    assert.match(tasklane.ui.statusBar.text, /\$\(error\) \d+/);
  });

  it('has the schedules back as they were: triggers, paused state and next run, in the Schedules view too', () => {
    const expected = state.schedules ?? [];
    assert.strictEqual(expected.length, 2, 'the first phase left two schedules');
    try {
      for (const { schedule, nextRunAt } of expected) {
        const back = tasklane.schedules.get(schedule.id);
        assert.ok(back, `schedule "${schedule.name}" is back`);
        // As JSON, as the first phase wrote it down: the same trigger, paused state, work and due anchor.
        assert.deepStrictEqual(JSON.parse(JSON.stringify(back)), schedule, `schedule "${schedule.name}"`);
        assert.strictEqual(tasklane.schedules.nextRunAt(schedule.id), nextRunAt, `next run of "${schedule.name}"`);
        assert.strictEqual(back.recentRecordIds.length, 0, `"${schedule.name}" did not run across the reload`);
      }
      const tree = tasklane.schedulesView.tree;
      const rows = new Map(
        tree.getChildren().map((node) => {
          const item = tree.getTreeItem(node);
          return [String(item.label), { description: String(item.description ?? ''), contextValue: item.contextValue }];
        }),
      );
      const [paused, sixHourly] = expected.map(({ schedule }) => rows.get(schedule.name));
      assert.deepStrictEqual(paused, { description: 'every 3 s · paused', contextValue: 'schedule:paused' }, JSON.stringify([...rows]));
      assert.strictEqual(sixHourly?.contextValue, 'schedule:active', JSON.stringify([...rows]));
      assert.match(sixHourly.description, /^every 6 h · in (6|5(\.\d)?) h$/);
    } finally {
      for (const { schedule } of expected) tasklane.schedules.delete(schedule.id);
    }
  });

  it('revives a restored detail panel from its saved state, and closes one whose task is gone', async () => {
    // What VS Code hands the serializer after a reload: a fresh panel of our view type and the page's saved state.
    const restore = (taskId: string) => {
      const panel = vscode.window.createWebviewPanel('tasklane.detail', 'restored', vscode.ViewColumn.One, { enableScripts: true });
      const result = { panel, closed: false, revived: Promise.resolve() };
      panel.onDidDispose(() => (result.closed = true));
      result.revived = tasklane.ui.details.revive(panel, { taskId });
      return result;
    };
    const messages: string[] = [];
    const subscription = tasklane.ui.details.onDidPostMessage((event) => messages.push(`${event.taskId}:${event.message.type}`));
    try {
      const { revived } = restore(state.panelTaskId);
      await revived;
      assert.ok(tasklane.ui.details.openTaskIds().includes(state.panelTaskId));
      await waitFor(() => messages.includes(`${state.panelTaskId}:state`), { what: 'the revived page to get its state' });
      const gone = restore('no-such-task');
      await gone.revived;
      await waitFor(() => gone.closed, { what: 'a panel for a task that no longer exists to close' });
      assert.ok(!tasklane.ui.details.openTaskIds().includes('no-such-task'));
    } finally {
      subscription.dispose();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});
