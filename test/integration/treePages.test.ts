import * as assert from 'assert';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import type { TaskTreeNode } from '../../src/ui/tree/taskTreeProvider';
import { tasklaneApi, waitFor } from './helpers';

/** 502 finished tasks: more than a container's first page (500), so the Completed group shows a "more" row. */
const MADE = 502;

describe('A large group in the Tasks view, in a real VS Code host', function () {
  this.timeout(120_000);
  let tasklane: TasklaneApi;
  const made: string[] = [];

  before(async () => {
    tasklane = await tasklaneApi();
    for (let i = 0; i < MADE; i++) {
      const record = tasklane.store.create({ serverId: 'tasklane', tool: 'wait', arguments: {}, intent: `Page probe ${i}` });
      tasklane.store.complete(record.id, 'completed', { result: { content: [] } });
      made.push(record.id);
    }
  });

  after(() => {
    tasklane.store.removeMany(made);
  });

  function completedGroup(): TaskTreeNode | undefined {
    const { tree } = tasklane.ui;
    return tree.getChildren().find((group) => String(tree.getTreeItem(group).label) === 'Completed');
  }

  it('shows the first 500 tasks of a group and a "Show more" row whose command, with its node, shows the rest', async () => {
    const { tree } = tasklane.ui;
    const total = tasklane.store.all().filter((record) => record.status === 'completed' && !record.archived).length;
    assert.ok(total > 500, `more than a page of completed tasks (${total})`);
    const children = await waitFor(
      () => {
        const group = completedGroup();
        const shown = group ? tree.getChildren(group) : [];
        return shown.length === 501 ? shown : undefined;
      },
      { what: 'the Completed group to show a page and a more row' },
    );
    const more = children[500]!;
    assert.strictEqual(more.kind, 'more');
    const item = tree.getTreeItem(more);
    assert.strictEqual(String(item.label), `Show ${Math.min(500, total - 500)} more… (${total - 500} hidden)`);
    assert.ok(item.command, 'the row runs a command when clicked');
    await vscode.commands.executeCommand(item.command.command, ...(item.command.arguments ?? []));
    const after = await waitFor(
      () => {
        const group = completedGroup();
        const shown = group ? tree.getChildren(group) : [];
        return shown.length === total ? shown : undefined;
      },
      { what: `the Completed group to show all ${total} tasks` },
    );
    assert.ok(
      after.every((node) => node.kind === 'task'),
      'no more row once every task is shown',
    );
  });
});
