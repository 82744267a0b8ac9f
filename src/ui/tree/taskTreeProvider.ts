import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { TaskChanges } from '../../core/lifecycleEvents';
import { EDITOR_AGENT_KEY, agentKey, agentName, type TaskRecord } from '../../core/taskRecord';
import type { TaskStore } from '../../core/taskStore';
import { TASK_STATUSES, TaskStatus, isTerminal } from '../../core/taskStatus';
import { STATUS_LOOK, contextValueOf, isQueued, statusIcon, taskDescription, taskLabel, taskTooltip } from '../taskPresentation';
import { TaskTreeLayout } from './taskTreeLayout';

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
 * batch of changes refreshes only the nodes it touched: a task that stays where it was is
 * refreshed alone; a task that appears or goes refreshes its container (a group, or the task it
 * sits under); the root is refreshed when a task moves between containers or a group appears or
 * disappears.
 */
export class TaskTreeProvider extends Disposable implements vscode.TreeDataProvider<TaskTreeNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<TaskTreeNode | TaskTreeNode[] | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  private readonly groups = new Map<string, GroupNode>();
  private readonly taskNodes = new Map<string, TaskNode>();
  private layout!: TaskTreeLayout;
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
    this.relayout();
  }

  setGroupBy(groupBy: GroupBy): void {
    if (groupBy === this.groupBy) return;
    this.groupBy = groupBy;
    this.refreshAll();
  }

  get currentGroupBy(): GroupBy {
    return this.groupBy;
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
    this.relayout();
    this.refreshCount++;
    this._onDidChangeTreeData.fire(undefined);
  }

  getTreeItem(node: TaskTreeNode): vscode.TreeItem {
    if (node.kind === 'group') return this.groupItem(node);
    const record = this.store.get(node.id);
    if (!record) return new vscode.TreeItem('(removed)');
    const children = this.layout.childTasksOf(record.id);
    const hasChildren = this.layout.childrenOf(record.id).length > 0;
    // Work still running under a task stays in view; a finished family folds away.
    const runningChild = children.some((id) => { const child = this.store.get(id); return child !== undefined && !isTerminal(child.status); });
    const state = !hasChildren ? vscode.TreeItemCollapsibleState.None : runningChild ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(taskLabel(record), state);
    item.id = record.id;
    item.description = taskDescription(record);
    item.iconPath = taskIcon(record);
    item.tooltip = taskTooltip(record, this.serverName(record.serverId));
    item.contextValue = contextValueOf(record);
    const look = isQueued(record) && record.queue ? `queued, ${record.queue.position} of ${record.queue.size}` : STATUS_LOOK[record.status].label;
    item.accessibilityInformation = { label: `${taskLabel(record)}, ${look}${record.statusMessage ? `, ${record.statusMessage}` : ''}${children.length ? `, ${children.length} child task${children.length === 1 ? '' : 's'}` : ''}` };
    item.command = { command: 'tasklane.showTaskDetails', title: 'Show Task Details', arguments: [{ id: record.id }] };
    return item;
  }

  getChildren(node?: TaskTreeNode): TaskTreeNode[] {
    try {
      if (!node) return this.groupKeys().map((key) => this.groupNode(key));
      const ids = node.kind === 'task' ? this.layout.childrenOf(node.id) : (this.layout.groups.get(node.key) ?? []);
      return ids.map((id) => this.taskNode(id));
    } catch {
      // A tree must never throw; an empty list is shown and the next change redraws it.
      return [];
    }
  }

  getParent(node: TaskTreeNode): TaskTreeNode | undefined {
    if (node.kind === 'group') return undefined;
    const record = this.store.get(node.id);
    const place = record && this.layout.placeOf(record);
    return place === undefined ? undefined : this.containerNode(place);
  }

  /** The node of a task, for `TreeView.reveal`; undefined when the task is not shown. */
  nodeFor(id: string): TaskNode | undefined {
    const record = this.store.get(id);
    return record && this.layout.placeOf(record) !== undefined ? this.taskNode(id) : undefined;
  }

  private onChanges(changes: TaskChanges): void {
    const before = this.layout;
    this.relayout();
    const dirty = new Set<TaskTreeNode>();
    let rootDirty = [...before.groups.keys()].some((key) => !this.layout.groups.has(key)) || [...this.layout.groups.keys()].some((key) => !before.groups.has(key));
    for (const id of [...changes.added, ...changes.removed, ...changes.updated]) {
      const previous = before.placedAt(id);
      const record = this.store.get(id);
      const now = record && this.layout.placeOf(record);
      if (previous === now && now !== undefined) {
        // Same container; a queued task that moved up or down redraws the list it is in.
        dirty.add(before.indexOf(id) === this.layout.indexOf(id) ? this.taskNode(id) : this.containerNode(now));
        continue;
      }
      // A task that moves from one container to another, or that leaves tasks under it behind, is
      // redrawn from the root: VS Code may fetch the new container before it forgets the old one,
      // and then loses the task (it keeps one node per id).
      if ((previous !== undefined && now !== undefined) || before.childrenOf(id).length > 0) rootDirty = true;
      // It appeared or went: its container's children (and a parent's fold arrow) change.
      if (previous !== undefined) dirty.add(this.containerNode(previous));
      if (now !== undefined) dirty.add(this.containerNode(now));
      if (!record) this.taskNodes.delete(id);
    }
    if (dirty.size === 0 && !rootDirty) return;
    this.refreshCount++;
    if (rootDirty) this._onDidChangeTreeData.fire(undefined);
    else this._onDidChangeTreeData.fire([...dirty]);
  }

  private relayout(): void {
    this.layout = new TaskTreeLayout(this.store.all(), (id) => this.store.get(id), (record) => this.isVisible(record), (record) => this.groupOf(record));
  }

  private isVisible(record: TaskRecord): boolean {
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
        // Keyed by the token's agent, so two agents running the same client (or sharing a name) are two groups.
        return `agent:${agentKey(record)}`;
      default:
        return `status:${record.status}`;
    }
  }

  private groupKeys(): string[] {
    const keys = [...this.layout.groups.keys()];
    if (this.groupBy === 'status') {
      const order = (key: string) => STATUS_LOOK[key.slice('status:'.length) as TaskStatus]?.order ?? TASK_STATUSES.length;
      return keys.sort((a, b) => order(a) - order(b));
    }
    // The editor's own tasks first, then agents by name.
    const rank = (key: string) => (key === EDITOR_GROUP ? 0 : 1);
    return keys.sort((a, b) => rank(a) - rank(b) || this.groupLabel(a).localeCompare(this.groupLabel(b)));
  }

  private groupLabel(key: string): string {
    const [kind, value] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (kind === 'status') return STATUS_LOOK[value as TaskStatus]?.group ?? value;
    if (kind === 'server') return this.serverName(value);
    if (kind === 'agent') {
      const first = this.layout.groups.get(key)?.[0];
      const record = first === undefined ? undefined : this.store.get(first);
      return record ? agentName(record) : value;
    }
    return value;
  }

  private groupItem(node: GroupNode): vscode.TreeItem {
    const label = this.groupLabel(node.key);
    const count = this.layout.groups.get(node.key)?.length ?? 0;
    const status = node.key.startsWith('status:') ? (node.key.slice('status:'.length) as TaskStatus) : undefined;
    // Finished groups start collapsed once they grow, so live work stays in view.
    const collapsed = status && (status === 'completed' || status === 'cancelled') && count > 10;
    const item = new vscode.TreeItem(label, collapsed ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
    item.id = `group:${node.key}`;
    item.description = String(count);
    item.contextValue = `group:${node.key}`;
    item.iconPath = status ? statusIcon(status) : new vscode.ThemeIcon(groupIcon(node.key));
    item.accessibilityInformation = { label: `${label}, ${count} task${count === 1 ? '' : 's'}` };
    return item;
  }

  private containerNode(place: string): TaskTreeNode {
    return place.startsWith('task:') ? this.taskNode(place.slice('task:'.length)) : this.groupNode(place.slice('group:'.length));
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

/** Queued work waits rather than runs, so it does not spin. */
export function taskIcon(record: TaskRecord): vscode.ThemeIcon {
  if (isQueued(record)) return new vscode.ThemeIcon('clock', new vscode.ThemeColor('charts.blue'));
  return statusIcon(record.status);
}

/** The group of the editor's own tasks when grouped by agent. */
const EDITOR_GROUP = `agent:${EDITOR_AGENT_KEY}`;

function groupIcon(key: string): string {
  if (key.startsWith('server:')) return 'server';
  if (key === EDITOR_GROUP) return 'account';
  if (key.startsWith('agent:')) return 'hubot';
  return 'tools';
}
