import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { ConfiguredServer, ServerDirectory, ServerInfo, ServerState } from '../../core/serverDirectory';

/** A row of the Servers view: a server the task service knows directly (the embedded one), or a configured external server. */
export type ServerNode = { readonly kind: 'entry'; readonly entry: ServerInfo } | { readonly kind: 'external'; readonly view: ConfiguredServer };

const STATE_LOOK: Record<ServerState, { icon: string; color?: string; label: string }> = {
  connected: { icon: 'vm-running', color: 'testing.iconPassed', label: 'connected' },
  connecting: { icon: 'loading~spin', color: 'charts.yellow', label: 'connecting' },
  disconnected: { icon: 'debug-disconnect', color: 'disabledForeground', label: 'disconnected' },
  failed: { icon: 'error', color: 'testing.iconFailed', label: 'failed' },
};

/**
 * The Servers view: the embedded server first, then every configured external server with its
 * state (icon and colour), wire and task support; the last error is in the tooltip.
 */
export class ServersTreeProvider extends Disposable implements vscode.TreeDataProvider<ServerNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<ServerNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  constructor(private readonly servers: ServerDirectory) {
    super();
    this._register(servers.onDidChange(() => this._onDidChangeTreeData.fire(undefined)));
  }

  getChildren(node?: ServerNode): ServerNode[] {
    if (node) return [];
    const views = this.servers.configured();
    const managed = new Set(views.map((view) => view.id));
    const entries = this.servers.connected().filter((entry) => !managed.has(entry.id));
    // The embedded server stays first; servers added by other means follow the configured ones.
    const embedded = entries.filter((entry) => entry.kind === 'embedded');
    const others = entries.filter((entry) => entry.kind !== 'embedded');
    return [
      ...embedded.map((entry) => ({ kind: 'entry' as const, entry })),
      ...views.map((view) => ({ kind: 'external' as const, view })),
      ...others.map((entry) => ({ kind: 'entry' as const, entry })),
    ];
  }

  getTreeItem(node: ServerNode): vscode.TreeItem {
    return node.kind === 'entry' ? this.entryItem(node.entry) : this.externalItem(node.view);
  }

  private entryItem(entry: ServerInfo): vscode.TreeItem {
    const item = new vscode.TreeItem(entry.name, vscode.TreeItemCollapsibleState.None);
    item.id = `server:${entry.id}`;
    const tasks = entry.supportsTasks ? 'tasks' : 'no task support';
    item.description = `${entry.kind} · ${entry.wire} · ${tasks}${entry.wireCapture ? ' · capturing' : ''}`;
    item.iconPath = new vscode.ThemeIcon(
      entry.supportsTasks ? 'server-process' : 'server',
      new vscode.ThemeColor(entry.supportsTasks ? 'testing.iconPassed' : 'disabledForeground'),
    );
    item.contextValue = `server:${entry.kind}${captureTag(entry.wireCapture)}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${escape(entry.name)}**  \n`);
    md.appendMarkdown(`Connected over ${entry.kind}  \nWire: ${entry.wire}  \n`);
    md.appendMarkdown(`Tasks: ${entry.supportsTasks ? 'yes' : 'no'}${entry.supportsList ? ', listable' : ''}  \n`);
    md.appendMarkdown(entry.durable ? 'Tasks outlive a window reload.' : 'Runs inside this window: tasks running at a reload are marked interrupted.');
    if (entry.wireCapture) md.appendMarkdown('  \nWire messages: captured with each task');
    item.tooltip = md;
    return item;
  }

  private externalItem(view: ConfiguredServer): vscode.TreeItem {
    const look = STATE_LOOK[view.state];
    const item = new vscode.TreeItem(view.name, vscode.TreeItemCollapsibleState.None);
    item.id = `server:${view.id}`;
    const parts: string[] = [view.kind];
    if (view.invalid) parts.push('invalid configuration');
    else if (view.state === 'disconnected' && view.nextRetryAt) parts.push('retrying…');
    else parts.push(look.label);
    if (view.state === 'connected') parts.push(view.wire ?? '?', view.supportsTasks ? 'tasks' : 'no task support');
    if (view.wireCapture && !view.invalid) parts.push('capturing');
    item.description = parts.join(' · ');
    item.iconPath = new vscode.ThemeIcon(look.icon, look.color ? new vscode.ThemeColor(look.color) : undefined);
    item.contextValue = view.invalid ? 'server:invalid' : `server:external:${view.kind}:${view.state}${captureTag(view.wireCapture)}`;

    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${escape(view.name)}** — $(${look.icon.replace('~spin', '')}) ${look.label}  \n`);
    md.appendMarkdown(`Id: \`${view.id}\` · ${view.kind === 'stdio' ? 'stdio process' : 'Streamable HTTP'}  \n`);
    if (view.target) md.appendMarkdown(`${view.kind === 'stdio' ? 'Command' : 'URL'}: \`${view.target.replace(/`/g, "'")}\`  \n`);
    md.appendMarkdown(`From: ${escape(view.origin)}  \n`);
    if (view.state === 'connected') {
      md.appendMarkdown(`Wire: ${view.wire ?? 'unknown'}  \nTasks: ${view.supportsTasks ? 'yes' : 'no'}${view.supportsList ? ', listable' : ''}  \n`);
      if (view.pid !== undefined) md.appendMarkdown(`Process id: ${view.pid}  \n`);
      md.appendMarkdown(
        view.kind === 'http'
          ? 'Tasks survive a dropped connection and are followed again on reconnect.  \n'
          : 'Tasks end with the process: if it exits, its running tasks fail and can be retried.  \n',
      );
    }
    if (view.wireCapture && !view.invalid) md.appendMarkdown('Wire messages: captured with each task  \n');
    if (view.kind === 'http' && !view.invalid) md.appendMarkdown(`Token: ${view.hasToken ? 'set (in SecretStorage)' : 'none'}  \n`);
    if (view.nextRetryAt) md.appendMarkdown(`Next attempt: ${new Date(view.nextRetryAt).toLocaleTimeString()} (retry ${view.retries})  \n`);
    if (view.lastError)
      md.appendMarkdown(`\n---\n**Last error**${view.lastErrorAt ? ` (${new Date(view.lastErrorAt).toLocaleTimeString()})` : ''}: ${escape(view.lastError)}`);
    item.tooltip = md;
    return item;
  }
}

/** What a row's context value ends with while its messages are captured (the Stop Capturing menu item matches it). */
function captureTag(on: boolean | undefined): string {
  return on ? ':wire-on' : '';
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-!|<>]/g, '\\$&');
}
