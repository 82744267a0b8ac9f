import * as assert from 'assert';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/taskRecord';
import { isTerminal } from '../../src/core/taskStatus';
import type { TaskTreeNode } from '../../src/ui/tree/taskTreeProvider';
import { launcherServesPage, readDetailPage, screenshot, tasklaneApi, waitFor } from './helpers';

/** What the Tasks view shows under a task: each child row's label, description and icon. */
interface ShownStep {
  readonly label: string;
  readonly description: string;
  readonly icon: string | undefined;
  readonly kind: string;
}

describe('steps of a VS Code task with dependsOn in a real VS Code host', function () {
  this.timeout(90_000);
  let tasklane: TasklaneApi;
  let existing: Set<string>;

  before(async () => {
    tasklane = await tasklaneApi();
    existing = new Set(tasklane.store.all().map((record) => record.id));
  });

  after(async () => {
    const mine = () => tasklane.store.all().filter((record) => !existing.has(record.id));
    await waitFor(() => mine().every((record) => isTerminal(record.status)), { what: "this suite's tasks to end" });
    tasklane.store.removeMany(mine().map((record) => record.id));
  });

  /** The rows under the task's row, read through the view's TreeDataProvider as VS Code reads them. */
  function stepsShown(id: string): ShownStep[] | undefined {
    const { tree } = tasklane.ui;
    const node = tree.nodeFor(id);
    if (!node) return undefined;
    return tree.getChildren(node).map((child: TaskTreeNode) => {
      const item = tree.getTreeItem(child);
      return {
        label: String(item.label),
        description: String(item.description ?? ''),
        icon: (item.iconPath as vscode.ThemeIcon | undefined)?.id,
        kind: child.kind,
      };
    });
  }

  it('shows the tasks VS Code runs for it as steps: running, then each ended, in the tree and the detail page', async () => {
    const record: TaskRecord = await tasklane.service.start({
      serverId: 'tasklane',
      tool: 'run_vscode_task',
      arguments: { label: 'build' },
      intent: 'Build with its dependencies',
    });

    // While "compile" runs (it sleeps 2 s), "lint" has ended and "build" waits.
    const whileRunning = await waitFor(
      () => {
        tasklane.ui.changes.flush();
        const rows = stepsShown(record.id);
        return rows?.length === 3 && rows[1].icon === 'sync~spin' ? rows : undefined;
      },
      { what: 'the tree to show "compile" running', timeoutMs: 30_000 },
    );
    assert.deepStrictEqual(
      whileRunning.map((row) => [row.kind, row.label, row.icon]),
      [
        ['step', 'lint', 'pass'],
        ['step', 'compile', 'sync~spin'],
        ['step', 'build', 'circle-large-outline'],
      ],
    );
    assert.strictEqual(whileRunning[2].description, 'waiting');
    const parentItem = tasklane.ui.tree.getTreeItem(tasklane.ui.tree.nodeFor(record.id)!);
    assert.strictEqual(parentItem.collapsibleState, vscode.TreeItemCollapsibleState.Expanded, 'steps of running work are in view');

    const done = await waitFor(
      () => {
        const now = tasklane.store.get(record.id);
        return now && isTerminal(now.status) ? now : undefined;
      },
      { what: 'the task to end', timeoutMs: 60_000 },
    );
    assert.strictEqual(done.status, 'completed', done.statusMessage);
    assert.deepStrictEqual(
      done.steps?.map((step) => [step.id, step.status, step.depth, step.detail]),
      [
        ['lint', 'completed', 1, 'exit code 0'],
        ['compile', 'completed', 1, 'exit code 0'],
        ['build', 'completed', 0, 'exit code 0'],
      ],
    );
    const compile = done.steps![1];
    assert.ok(Date.parse(compile.endedAt!) - Date.parse(compile.startedAt!) >= 1_500, `compile took its 2 s: ${JSON.stringify(compile)}`);

    tasklane.ui.changes.flush();
    const ended = stepsShown(record.id)!;
    assert.deepStrictEqual(
      ended.map((row) => [row.label, row.icon]),
      [
        ['lint', 'pass'],
        ['compile', 'pass'],
        ['build', 'pass'],
      ],
    );
    assert.match(ended[1].description, /^\d+\.\ds · exit code 0$/, `compile's row says how long it ran: ${ended[1].description}`);

    if (!launcherServesPage()) return;
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
    const page = await readDetailPage('Build with its dependencies', { scroll: '.section-steps' });
    await screenshot('steps-detail');
    assert.match(page.text, /Steps \(3\)/, page.text);
    assert.match(page.text, /lint\s*, completed\s*\d+(\.\d)?m?s\s*exit code 0/, page.text);
    assert.match(page.text, /compile\s*, completed\s*\d+\.\ds\s*exit code 0/, page.text);
  });

  it("shows a test run's tests as steps, under their describe blocks, each with how it ended", async () => {
    const record: TaskRecord = await tasklane.service.start({
      serverId: 'tasklane',
      tool: 'run_tests',
      arguments: { label: 'failing specs' },
      intent: 'Run the failing specs',
    });
    const done = await waitFor(
      () => {
        const latest = tasklane.store.get(record.id);
        return latest && isTerminal(latest.status) ? latest : undefined;
      },
      { what: 'the failing specs to finish', timeoutMs: 60_000 },
    );
    assert.deepEqual(
      (done.steps ?? []).map((step) => [step.label, step.status, step.depth ?? 0]),
      [
        ['calc', 'failed', 0],
        ['adds zero', 'completed', 1],
        ['adds small numbers', 'failed', 1],
        ['calc › parse', 'failed', 0],
        ['reads a number', 'failed', 1],
      ],
    );
    tasklane.ui.changes.flush();
    const shown = await waitFor(() => stepsShown(record.id)?.filter((row) => row.kind === 'step'), { what: 'the test steps in the tree' });
    assert.deepEqual(
      shown.map((row) => [row.label, row.icon]),
      [
        ['calc', 'error'],
        ['adds zero', 'pass'],
        ['adds small numbers', 'error'],
        ['calc › parse', 'error'],
        ['reads a number', 'error'],
      ],
    );
    if (!launcherServesPage()) return;
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
    await readDetailPage('Run the failing specs', { scroll: '.section-steps' });
    await screenshot('test-steps-detail');
  });
});
