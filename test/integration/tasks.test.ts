import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/taskRecord';
import { TaskStore } from '../../src/core/taskStore';
import type { HostToWebview } from '../../src/ui/detail/protocol';
import type { TaskTreeNode } from '../../src/ui/tree/taskTreeProvider';
import { processAlive, waitFor, tasklaneApi } from './helpers';

function statusOf(tasklane: TasklaneApi, id: string, status: TaskRecord['status']): () => TaskRecord | undefined {
  return () => {
    const record = tasklane.store.get(id);
    return record?.status === status ? record : undefined;
  };
}

/** The labels the Tasks view shows: group → task labels, read through the real TreeDataProvider. */
function treeSnapshot(tasklane: TasklaneApi): Map<string, string[]> {
  const { tree } = tasklane.ui;
  const snapshot = new Map<string, string[]>();
  for (const group of tree.getChildren()) {
    const label = String(tree.getTreeItem(group).label);
    snapshot.set(
      label,
      tree.getChildren(group).map((node: TaskTreeNode) => String(tree.getTreeItem(node).label)),
    );
  }
  return snapshot;
}

describe('Tasklane in a real VS Code host', function () {
  this.timeout(60_000);
  let tasklane: TasklaneApi;
  let scratch: string;

  before(async () => {
    tasklane = await tasklaneApi();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-tasks-test-'));
    // Retrying a shell command asks first (it is destructive); the suite answers for the person.
    await vscode.workspace.getConfiguration('tasklane').update('retry.confirmUnsafe', false, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('tasklane').update('statusBar.visibility', 'always', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('tasklane').update('retry.confirmUnsafe', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('tasklane').update('statusBar.visibility', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('registers its commands and views', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of [
      'tasklane.newTask',
      'tasklane.runShellCommand',
      'tasklane.cancelTask',
      'tasklane.retryTask',
      'tasklane.retryAllFailed',
      'tasklane.showTaskDetails',
      'tasklane.copyTaskId',
      'tasklane.archiveCompleted',
      'tasklane.answerInput',
      'tasklane.showLog',
      'tasklane.refresh',
    ]) {
      assert.ok(commands.includes(id), `${id} is registered`);
    }
    assert.deepStrictEqual(
      tasklane.service.listServers().map((s) => s.id),
      ['tasklane'],
    );
  });

  it('runs a shell command as a task, shows it completed in the tree and the status bar', async () => {
    const record: TaskRecord = await vscode.commands.executeCommand('tasklane.runShellCommand', { command: 'echo integration-hello' });
    assert.ok(record?.id, 'the command returns the new task');
    const done = await waitFor(statusOf(tasklane, record.id, 'completed'), { what: 'completion' });
    assert.match(done.output ?? '', /integration-hello/);
    tasklane.ui.changes.flush();
    const snapshot = treeSnapshot(tasklane);
    assert.ok(snapshot.get('Completed')?.includes('echo integration-hello'), `tree: ${JSON.stringify([...snapshot])}`);
    const item = tasklane.ui.tree.getTreeItem(tasklane.ui.tree.nodeFor(record.id)!);
    assert.strictEqual(item.id, record.id);
    assert.match(String(item.contextValue), /^task:completed:finished:putaway$/);
    assert.strictEqual((item.iconPath as vscode.ThemeIcon).id, 'pass');
  });

  it('fails, then retries from the command as a linked attempt', async () => {
    const failing: TaskRecord = await vscode.commands.executeCommand('tasklane.runShellCommand', { command: 'echo broken >&2; exit 4' });
    const failed = await waitFor(statusOf(tasklane, failing.id, 'failed'), { what: 'failure' });
    assert.strictEqual(failed.statusMessage, 'Exited with code 4');
    tasklane.ui.changes.flush();
    assert.match(tasklane.ui.statusBar.text, /\$\(error\) \d+/);
    assert.ok((tasklane.ui.treeView.badge?.value ?? 0) >= 1, 'the view badge counts the failure');
    const retry: TaskRecord = await vscode.commands.executeCommand('tasklane.retryTask', { id: failing.id });
    assert.strictEqual(retry.retryOf, failing.id);
    assert.strictEqual(retry.attempt, 2);
    assert.strictEqual(tasklane.store.get(failing.id)?.retriedAs, retry.id);
    await waitFor(statusOf(tasklane, retry.id, 'failed'), { what: 'the retry to fail the same way' });
    tasklane.ui.changes.flush();
    // The chain shows once, as its latest attempt, with the first attempt under it.
    const { tree } = tasklane.ui;
    const head = tree.nodeFor(retry.id)!;
    assert.strictEqual(tree.getTreeItem(head).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.deepStrictEqual(
      tree.getChildren(head).map((n) => (n.kind === 'task' ? n.id : n.kind === 'group' ? n.key : n.container)),
      [failing.id],
    );
    assert.strictEqual(tree.getParent(tree.nodeFor(failing.id)!), head);
    const failedGroup = tree.getChildren().find((g) => String(tree.getTreeItem(g).label) === 'Failed')!;
    assert.ok(!tree.getChildren(failedGroup).some((n) => n.kind === 'task' && n.id === failing.id), 'the first attempt is not listed twice');
  });

  it('cancels a running task from the command, killing its work', async () => {
    // The work is a grandchild of the task's shell: cancelling must reach it, not just the shell.
    const pidFile = path.join(scratch, 'sleeper.pid');
    const running: TaskRecord = await vscode.commands.executeCommand('tasklane.runShellCommand', { command: `sleep 300 & echo $! > '${pidFile}'; wait` });
    await waitFor(statusOf(tasklane, running.id, 'working'), { what: 'it to run' });
    const pid = Number(await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim(), { what: 'the work to write its pid' }));
    assert.ok(processAlive(pid), `the work (pid ${pid}) runs`);
    tasklane.ui.changes.flush();
    assert.match(tasklane.ui.statusBar.text, /\$\(sync~spin\) \d+/);
    const cancelled: TaskRecord = await vscode.commands.executeCommand('tasklane.cancelTask', { id: running.id });
    assert.strictEqual(cancelled.status, 'cancelled');
    await waitFor(() => !processAlive(pid), { what: `the work (pid ${pid}) to be killed`, timeoutMs: 30_000 });
    const item = tasklane.ui.tree.getTreeItem(tasklane.ui.tree.nodeFor(running.id)!);
    assert.match(String(item.contextValue), /:retryable/);
  });

  it('shows a question as needing input and sends the answer', async () => {
    const asking: TaskRecord = await vscode.commands.executeCommand('tasklane.newTask', {
      serverId: 'tasklane',
      tool: 'ask',
      arguments: { question: 'Ship it?' },
      intent: 'Ask before shipping',
    });
    const waiting = await waitFor(
      () => {
        const record = tasklane.store.get(asking.id);
        return record?.status === 'input_required' && record.pendingInput.length ? record : undefined;
      },
      { what: 'the question' },
    );
    tasklane.ui.changes.flush();
    assert.ok(treeSnapshot(tasklane).get('Needs input')?.includes('Ask before shipping'));
    assert.match(tasklane.ui.statusBar.text, /\$\(question\) 1/);
    assert.strictEqual(waiting.pendingInput[0].params.message, 'Ship it?');
    const answered = await vscode.commands.executeCommand('tasklane.answerInput', { id: asking.id }, { action: 'accept', content: { answer: 'yes' } });
    assert.strictEqual(answered, true);
    const done = await waitFor(statusOf(tasklane, asking.id, 'completed'), { what: 'completion' });
    assert.deepStrictEqual((done.result as { content: unknown[] }).content, [{ type: 'text', text: 'yes' }]);
  });

  it('opens the detail panel and keeps it current through the message protocol', async () => {
    const messages: HostToWebview[] = [];
    // The second line waits for the test: it is printed only once the page has its first state.
    const go = path.join(scratch, 'go');
    const record: TaskRecord = await vscode.commands.executeCommand('tasklane.runShellCommand', {
      command: `echo first-line; while [ ! -e '${go}' ]; do sleep 0.05; done; echo second-line`,
    });
    const subscription = tasklane.ui.details.onDidPostMessage((event) => {
      if (event.taskId === record.id) messages.push(event.message);
    });
    try {
      await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
      assert.deepStrictEqual(tasklane.ui.details.openTaskIds(), [record.id]);
      const state = await waitFor(() => messages.find((m): m is Extract<HostToWebview, { type: 'state' }> => m.type === 'state'), {
        what: 'the full state after the ready handshake',
      });
      assert.strictEqual(state.state.status, 'working');
      assert.ok(!state.state.output.includes('second-line'), 'the second line is not printed yet');
      fs.writeFileSync(go, '');
      await waitFor(statusOf(tasklane, record.id, 'completed'), { what: 'completion' });
      await waitFor(
        () => messages.some((m) => (m.type === 'patch' && m.patch.status === 'completed') || (m.type === 'state' && m.state.status === 'completed')),
        { what: 'the completed status to reach the page' },
      );
      // The output the page shows, replayed from what it was sent (a full state, a patch, or a chunk to append).
      let pageOutput = '';
      for (const m of messages.slice(messages.indexOf(state))) {
        if (m.type === 'state') pageOutput = m.state.output;
        else if (m.type === 'patch' && m.patch.output !== undefined) pageOutput = m.patch.output;
        else if (m.type === 'output') pageOutput += m.chunk;
      }
      assert.match(pageOutput, /second-line/, 'live output reached the page');
      assert.strictEqual(pageOutput, tasklane.store.require(record.id).output, "the page shows exactly the task's output");
    } finally {
      subscription.dispose();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  it('copies a task id through the real clipboard', async () => {
    const record = tasklane.store.all()[0];
    await vscode.commands.executeCommand('tasklane.copyTaskId', { id: record.id });
    assert.strictEqual(await vscode.env.clipboard.readText(), record.taskId ?? record.id);
  });

  it('keeps every task on disk: a fresh store on the same folder sees what the window sees', async () => {
    tasklane.store.flush();
    const storage = tasklane.storageDirectory;
    const reopened = new TaskStore({ directory: storage });
    try {
      const now = tasklane.store.all().map((r) => [r.id, r.status, r.output ?? '', r.retriedAs ?? ''].join('|'));
      const again = reopened.all().map((r) => [r.id, r.status, r.output ?? '', r.retriedAs ?? ''].join('|'));
      assert.deepStrictEqual(again, now);
      assert.ok(now.length >= 5);
    } finally {
      // Reading is enough; close without writing.
      reopened.dispose();
    }
  });

  it('archives completed tasks and groups by tool on request', async () => {
    const archived: number = await vscode.commands.executeCommand('tasklane.archiveCompleted');
    assert.ok(archived >= 1);
    tasklane.ui.changes.flush();
    assert.strictEqual(treeSnapshot(tasklane).get('Completed'), undefined);
    await vscode.commands.executeCommand('tasklane.groupByTool');
    await waitFor(() => treeSnapshot(tasklane).has('run_command'), { what: 'grouping by tool' });
    await vscode.commands.executeCommand('tasklane.groupByStatus');
    await waitFor(() => treeSnapshot(tasklane).has('Failed'), { what: 'grouping by status' });
  });
});
