import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { TaskChanges } from '../../core/lifecycleEvents';
import type { TaskRecord } from '../../core/taskRecord';
import type { TaskStore } from '../../core/taskStore';
import { TASK_STATUSES, TaskStatus } from '../../core/taskStatus';
import { STATUS_LOOK, contextValueOf, statusIcon, taskDescription, taskLabel, taskTooltip } from '../taskPresentation';

export type GroupBy = 'status' | 'server' | 'tool' | 'agent';

export interface TaskFilter {
  readonly text?: string;
  readonly statuses?: readonly TaskStatus[];
}

export interface GroupNode {
  readonly kind: 'group';
  readonly key: string;
}

export interface TaskNode {
  readonly kind: 'task';
  readonly id: string;
}

export type TaskTreeNode = GroupNode | TaskNode;

/**
 * The Tasks view's data. Nodes are cached objects (VS Code matches refreshes by identity), and a
 * batch of changes refreshes only the nodes it touched: a task whose group stays the same is
 * refreshed alone; a task that moves refreshes its old and new group; the root is refreshed only
 * when a group appears or disappears.
 */
export class TaskTreeProvider extends Disposable implements vscode.TreeDataProvider<TaskTreeNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<TaskTreeNode | TaskTreeNode[] | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  private readonly groups = new Map<string, GroupNode>();
  private readonly taskNodes = new Map<string, TaskNode>();
  /** Which group each task was last shown in, and how many tasks each group had. */
  private readonly shownIn = new Map<string, string>();
  private groupCounts = new Map<string, number>();
  private filter: TaskFilter = {};
  /** How many refreshes were fired (for tests and diagnostics). */
  refreshCount = 0;

  constructor(
    private readonly store: TaskStore,
    onDidChangeTasks: vscode.Event<TaskChanges> | ((listener: (e: TaskChanges) => unknown) => vscode.Disposable),
    private groupBy: GroupBy,
    private showArchived: boolean,
    private readonly serverName: (serverId: string) => string,
  ) {
    super();
    this._register(onDidChangeTasks((changes) => this.onChanges(changes)));
    this.recount();
  }

  setGroupBy(groupBy: GroupBy): void {
    if (groupBy === this.groupBy) return;
    this.groupBy = groupBy;
    this.refreshAll();
  }

  setShowArchived(show: boolean): void {
    if (show === this.showArchived) return;
    this.showArchived = show;
    this.refreshAll();
  }

  setFilter(filter: TaskFilter): void {
    this.filter = filter;
    this.refreshAll();
  }

  get currentFilter(): TaskFilter {
    return this.filter;
  }

  get isFiltered(): boolean {
    return Boolean(this.filter.text?.trim()) || Boolean(this.filter.statuses?.length);
  }

  refreshAll(): void {
    this.recount();
    this.refreshCount++;
    this._onDidChangeTreeData.fire(undefined);
  }

  getTreeItem(node: TaskTreeNode): vscode.TreeItem {
    if (node.kind === 'group') return this.groupItem(node);
    const record = this.store.get(node.id);
    if (!record) return new vscode.TreeItem('(removed)');
    // The latest attempt stands for its chain; earlier attempts sit under it.
    const hasEarlier = Boolean(record.retryOf && this.store.get(record.retryOf)) && !record.retriedAs;
    const item = new vscode.TreeItem(taskLabel(record), hasEarlier ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = record.id;
    item.description = taskDescription(record);
    item.iconPath = statusIcon(record.status);
    item.tooltip = taskTooltip(record, this.serverName(record.serverId));
    item.contextValue = contextValueOf(record);
    item.accessibilityInformation = { label: `${taskLabel(record)}, ${STATUS_LOOK[record.status].label}${record.statusMessage ? `, ${record.statusMessage}` : ''}` };
    item.command = { command: 'tasklane.showTaskDetails', title: 'Show Task Details', arguments: [{ id: record.id }] };
    return item;
  }

  getChildren(node?: TaskTreeNode): TaskTreeNode[] {
    try {
      if (!node) return this.groupKeys().map((key) => this.groupNode(key));
      if (node.kind === 'task') return this.earlierAttempts(node.id).map((record) => this.taskNode(record.id));
      return this.visible()
        .filter((record) => this.groupOf(record) === node.key)
        .map((record) => this.taskNode(record.id));
    } catch {
      // A tree must never throw; an empty list is shown and the next change redraws it.
      return [];
    }
  }

  getParent(node: TaskTreeNode): TaskTreeNode | undefined {
    if (node.kind === 'group') return undefined;
    const record = this.store.get(node.id);
    if (!record) return undefined;
    if (record.retriedAs) {
      const latest = this.latestAttempt(record);
      return latest.id === record.id ? undefined : this.taskNode(latest.id);
    }
    return this.groupNode(this.groupOf(record));
  }

  /** The attempts before this one, newest first. */
  private earlierAttempts(id: string): TaskRecord[] {
    const chain: TaskRecord[] = [];
    const seen = new Set([id]);
    let previous = this.store.get(id)?.retryOf;
    while (previous && !seen.has(previous)) {
      seen.add(previous);
      const record = this.store.get(previous);
      if (!record) break;
      chain.push(record);
      previous = record.retryOf;
    }
    return chain;
  }

  private latestAttempt(record: TaskRecord): TaskRecord {
    let latest = record;
    const seen = new Set<string>();
    while (latest.retriedAs && !seen.has(latest.id)) {
      seen.add(latest.id);
      const next = this.store.get(latest.retriedAs);
      if (!next) break;
      latest = next;
    }
    return latest;
  }

  /** The node of a task, for `TreeView.reveal`. */
  nodeFor(id: string): TaskNode | undefined {
    const record = this.store.get(id);
    if (!record) return undefined;
    const latest = this.latestAttempt(record);
    return this.isVisible(latest) ? this.taskNode(id) : undefined;
  }

  private onChanges(changes: TaskChanges): void {
    const before = this.groupCounts;
    const previousGroups = new Map(this.shownIn);
    this.recount();
    const dirty = new Set<TaskTreeNode>();
    let rootDirty = [...before.keys()].some((key) => !this.groupCounts.has(key)) || [...this.groupCounts.keys()].some((key) => !before.has(key));
    for (const id of [...changes.added, ...changes.removed, ...changes.updated]) {
      const was = previousGroups.get(id);
      const now = this.shownIn.get(id);
      if (was === now && now !== undefined && changes.updated.has(id)) {
        dirty.add(this.taskNode(id));
        continue;
      }
      if (was === undefined && now === undefined) {
        // An earlier attempt changed: redraw the attempt that shows it.
        const record = this.store.get(id);
        const head = record && this.latestAttempt(record);
        if (head && this.shownIn.has(head.id)) dirty.add(this.taskNode(head.id));
        continue;
      }
      // Membership changed: the groups' children (and counts) change.
      if (was !== undefined && this.groups.has(was)) dirty.add(this.groupNode(was));
      if (now !== undefined) dirty.add(this.groupNode(now));
      if (!this.store.get(id)) this.taskNodes.delete(id);
    }
    if (dirty.size === 0 && !rootDirty) return;
    this.refreshCount++;
    if (rootDirty) this._onDidChangeTreeData.fire(undefined);
    else this._onDidChangeTreeData.fire([...dirty]);
  }

  private recount(): void {
    const counts = new Map<string, number>();
    this.shownIn.clear();
    for (const record of this.visible()) {
      const key = this.groupOf(record);
      this.shownIn.set(record.id, key);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    this.groupCounts = counts;
  }

  private visible(): TaskRecord[] {
    return this.store.all().filter((record) => this.isVisible(record));
  }

  private isVisible(record: TaskRecord): boolean {
    if (record.retriedAs && this.store.get(record.retriedAs)) return false;
    if (record.archived && !this.showArchived) return false;
    const statuses = this.filter.statuses;
    if (statuses?.length && !statuses.includes(record.status)) return false;
    const text = this.filter.text?.trim().toLowerCase();
    if (text) {
      const haystack = `${record.tool}\n${record.intent ?? ''}\n${record.statusMessage ?? ''}\n${record.tags.join(' ')}\n${JSON.stringify(record.arguments)}\n${record.taskId ?? ''}`.toLowerCase();
      if (!haystack.includes(text)) return false;
    }
    return true;
  }

  private groupOf(record: TaskRecord): string {
    switch (this.groupBy) {
      case 'server':
        return `server:${record.serverId}`;
      case 'tool':
        return `tool:${record.tool}`;
      case 'agent':
        return `agent:${record.context.agent?.name ?? 'Editor'}`;
      default:
        return `status:${record.status}`;
    }
  }

  private groupKeys(): string[] {
    const keys = [...this.groupCounts.keys()];
    if (this.groupBy === 'status') {
      const order = (key: string) => STATUS_LOOK[key.slice('status:'.length) as TaskStatus]?.order ?? TASK_STATUSES.length;
      return keys.sort((a, b) => order(a) - order(b));
    }
    return keys.sort((a, b) => this.groupLabel(a).localeCompare(this.groupLabel(b)));
  }

  private groupLabel(key: string): string {
    const [kind, value] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (kind === 'status') return STATUS_LOOK[value as TaskStatus]?.group ?? value;
    if (kind === 'server') return this.serverName(value);
    return value;
  }

  private groupItem(node: GroupNode): vscode.TreeItem {
    const label = this.groupLabel(node.key);
    const count = this.groupCounts.get(node.key) ?? 0;
    const status = node.key.startsWith('status:') ? (node.key.slice('status:'.length) as TaskStatus) : undefined;
    // Finished groups start collapsed once they grow, so live work stays in view.
    const collapsed = status && (status === 'completed' || status === 'cancelled') && count > 10;
    const item = new vscode.TreeItem(label, collapsed ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
    item.id = `group:${node.key}`;
    item.description = String(count);
    item.contextValue = `group:${node.key}`;
    item.iconPath = status ? statusIcon(status) : new vscode.ThemeIcon(node.key.startsWith('server:') ? 'server' : 'tools');
    item.accessibilityInformation = { label: `${label}, ${count} task${count === 1 ? '' : 's'}` };
    return item;
  }

  private groupNode(key: string): GroupNode {
    let node = this.groups.get(key);
    if (!node) {
      node = { kind: 'group', key };
      this.groups.set(key, node);
    }
    return node;
  }

  private taskNode(id: string): TaskNode {
    let node = this.taskNodes.get(id);
    if (!node) {
      node = { kind: 'task', id };
      this.taskNodes.set(id, node);
    }
    return node;
  }
}
