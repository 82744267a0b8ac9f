import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { ServerEntry, TaskService } from '../../mcp/client/taskService';

/** The Servers view: every connected MCP server, its wire and whether it supports tasks. */
export class ServersTreeProvider extends Disposable implements vscode.TreeDataProvider<ServerEntry> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<ServerEntry | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  constructor(private readonly service: TaskService) {
    super();
    this._register(service.onDidChangeServers(() => this._onDidChangeTreeData.fire(undefined)));
  }

  getChildren(entry?: ServerEntry): ServerEntry[] {
    return entry ? [] : this.service.listServers();
  }

  getTreeItem(entry: ServerEntry): vscode.TreeItem {
    const item = new vscode.TreeItem(entry.name, vscode.TreeItemCollapsibleState.None);
    item.id = `server:${entry.id}`;
    const tasks = entry.client.supportsTasks ? 'tasks' : 'no task support';
    item.description = `${entry.kind} · ${entry.client.wire} · ${tasks}`;
    item.iconPath = new vscode.ThemeIcon(entry.client.supportsTasks ? 'server-process' : 'server', new vscode.ThemeColor(entry.client.supportsTasks ? 'testing.iconPassed' : 'disabledForeground'));
    item.contextValue = `server:${entry.kind}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${entry.name}**  \n`);
    md.appendMarkdown(`Connected over ${entry.kind}  \nWire: ${entry.client.wire}  \n`);
    md.appendMarkdown(`Tasks: ${entry.client.supportsTasks ? 'yes' : 'no'}${entry.client.supportsList ? ', listable' : ''}  \n`);
    md.appendMarkdown(entry.durable ? 'Tasks outlive a window reload.' : 'Runs inside this window: tasks running at a reload are marked interrupted.');
    item.tooltip = md;
    return item;
  }
}
