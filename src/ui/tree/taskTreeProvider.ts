import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { TaskChanges } from '../../core/lifecycleEvents';
import type { TaskRecord } from '../../core/taskRecord';
import type { TaskReader } from '../../core/taskStore';
import { isQueued } from '../../core/taskRules';
import { contextValueOf, statusIcon, taskTooltip } from '../taskPresentation';
import { STEP_LOOK, stepStatusIn } from './stepRows';
import {
  EDITOR_GROUP,
  type Fold,
  type GroupBy,
  type MoreNode,
  type Redraw,
  type Row,
  type StepNode,
  type TaskFilter,
  type TaskNode,
  TaskTreeModel,
  type TaskTreeNode,
  groupStatus,
} from './taskTreeModel';

export type { GroupBy, GroupNode, MoreNode, StepNode, TaskFilter, TaskNode, TaskTreeNode } from './taskTreeModel';

/** How often rows of running work redraw, so their elapsed time moves. */
const TICK_MS = 1000;
/** How long a reveal waits for VS Code to fetch the new row before giving up. */
const REVEAL_WAIT_MS = 10_000;

const FOLD: Record<Fold, vscode.TreeItemCollapsibleState> = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
};

/**
 * The Tasks view's data: `TaskTreeModel` (plain, tested in Node) turned into `TreeItem`s, with
 * refreshes fired for exactly the nodes a batch made stale.
 */
export class TaskTreeProvider extends Disposable implements vscode.TreeDataProvider<TaskTreeNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<TaskTreeNode | TaskTreeNode[] | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  private readonly model: TaskTreeModel;
  /** Items of task rows, by the row they show (the model keeps a row until its task changes). */
  private readonly items = new WeakMap<Row, { readonly item: vscode.TreeItem; readonly serverName: string }>();
  /** Reveals waiting for VS Code to fetch a task's row (revealing earlier races its refresh). */
  private readonly fetchWaiters = new Map<string, Array<(node: TaskNode | undefined) => void>>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** How many refreshes were fired (for tests and diagnostics). */
  refreshCount = 0;

  constructor(
    private readonly store: TaskReader,
    onDidChangeTasks: vscode.Event<TaskChanges> | ((listener: (e: TaskChanges) => unknown) => vscode.Disposable),
    groupBy: GroupBy,
    showArchived: boolean,
    private readonly serverName: (serverId: string) => string,
  ) {
    super();
    this.model = new TaskTreeModel(store, groupBy, showArchived, serverName);
    this._register(onDidChangeTasks((changes) => this.redraw(this.withAwaited(this.model.apply(changes)))));
    this._register({ dispose: () => this.stopTicking() });
    this._register({ dispose: () => this.settleWaiters(() => undefined) });
    this.startTicking();
  }

  setGroupBy(groupBy: GroupBy): void {
    this.redraw(this.model.setGroupBy(groupBy));
  }

  get currentGroupBy(): GroupBy {
    return this.model.currentGroupBy;
  }

  setShowArchived(show: boolean): void {
    this.redraw(this.model.setShowArchived(show));
  }

  setFilter(filter: TaskFilter): void {
    this.redraw(this.model.setFilter(filter));
  }

  get currentFilter(): TaskFilter {
    return this.model.currentFilter;
  }

  get isFiltered(): boolean {
    return this.model.isFiltered;
  }

  refreshAll(): void {
    this.redraw(this.model.rebuild());
  }

  /** The "more" row's command: the container shows one page more. */
  showMore(node: MoreNode): void {
    this.redraw(this.model.showMore(node));
  }

  /** Elapsed times only move while someone can see them. */
  setVisible(visible: boolean): void {
    if (visible) this.startTicking();
    else this.stopTicking();
  }

  getTreeItem(node: TaskTreeNode): vscode.TreeItem {
    const row = this.model.row(node);
    if (!row) return new vscode.TreeItem('(removed)');
    // VS Code asks again for every row of a container it redraws: an unchanged row answers its item as made.
    const cached = this.items.get(row);
    const record = node.kind === 'task' ? this.store.get(node.id) : undefined;
    const serverName = record ? this.serverName(record.serverId) : '';
    if (cached && cached.serverName === serverName) return cached.item;
    const item = this.makeItem(node, row, record, serverName);
    if (record) this.items.set(row, { item, serverName });
    return item;
  }

  private makeItem(node: TaskTreeNode, row: Row, record: TaskRecord | undefined, serverName: string): vscode.TreeItem {
    const item = new vscode.TreeItem(row.label, FOLD[row.fold]);
    item.id = row.id;
    item.description = row.description;
    item.accessibilityInformation = { label: row.accessibleLabel };
    if (node.kind === 'group') {
      const status = groupStatus(node.key);
      item.contextValue = `group:${node.key}`;
      item.iconPath = status ? statusIcon(status) : new vscode.ThemeIcon(groupIcon(node.key));
      return item;
    }
    if (node.kind === 'step') return this.stepItem(item, node);
    if (node.kind === 'more') {
      item.contextValue = 'more';
      item.iconPath = new vscode.ThemeIcon('ellipsis');
      item.command = { command: 'tasklane.showMoreTasks', title: 'Show More Tasks', arguments: [node] };
      return item;
    }
    if (!record) return item;
    item.iconPath = taskIcon(record);
    item.tooltip = taskTooltip(record, serverName);
    item.contextValue = contextValueOf(record);
    item.command = { command: 'tasklane.showTaskDetails', title: 'Show Task Details', arguments: [{ id: record.id }] };
    return item;
  }

  /** A step's row: its status icon; a click shows its task's details. */
  private stepItem(item: vscode.TreeItem, node: StepNode): vscode.TreeItem {
    const id = node.container.slice('task:'.length);
    const record = this.store.get(id);
    const step = record?.steps?.find((candidate) => candidate.id === node.stepId);
    item.contextValue = 'step';
    if (record && step) {
      const look = STEP_LOOK[stepStatusIn(record, step)];
      item.iconPath = new vscode.ThemeIcon(look.icon, look.color ? new vscode.ThemeColor(look.color) : undefined);
      item.tooltip = [step.label, look.label, step.detail].filter(Boolean).join('\n');
    }
    item.command = { command: 'tasklane.showTaskDetails', title: 'Show Task Details', arguments: [{ id }] };
    return item;
  }

  getChildren(node?: TaskTreeNode): TaskTreeNode[] {
    try {
      const children = this.model.children(node);
      if (this.fetchWaiters.size) this.settleFetched(children);
      return children;
    } catch {
      // A tree must never throw; an empty list is shown and the next change redraws it.
      return [];
    }
  }

  getParent(node: TaskTreeNode): TaskTreeNode | undefined {
    return this.model.parent(node);
  }

  /** The node of a task shown now, for `TreeView.reveal`; undefined when it is not shown (yet). */
  nodeFor(id: string): TaskNode | undefined {
    return this.model.nodeFor(id);
  }

  /**
   * The task's node once VS Code has fetched its row (undefined if that does not happen soon).
   * Revealing a node VS Code has not fetched makes it fetch the container itself, racing the
   * refresh that is on its way, and the view can lose rows.
   */
  whenFetched(id: string, timeoutMs = REVEAL_WAIT_MS): Promise<TaskNode | undefined> {
    // A task beyond its container's page is fetched once the page reaches it (now, or when its batch places it).
    this.redraw(this.model.reveal(id));
    return new Promise((resolve) => {
      const waiters = this.fetchWaiters.get(id) ?? [];
      const done = (node: TaskNode | undefined) => {
        clearTimeout(timer);
        resolve(node);
      };
      const timer = setTimeout(() => {
        const left = (this.fetchWaiters.get(id) ?? []).filter((waiter) => waiter !== done);
        if (left.length) this.fetchWaiters.set(id, left);
        else this.fetchWaiters.delete(id);
        resolve(undefined);
      }, timeoutMs);
      waiters.push(done);
      this.fetchWaiters.set(id, waiters);
    });
  }

  /** Pages made to reach the tasks a reveal waits for, with what the batch redraws. */
  private withAwaited(redraw: Redraw): Redraw {
    if (!this.fetchWaiters.size) return redraw;
    const raised = [...this.fetchWaiters.keys()].flatMap((id) => this.model.reveal(id));
    if (!raised.length || redraw === 'all') return redraw;
    return [...new Set([...(redraw ?? []), ...raised])];
  }

  private settleFetched(children: readonly TaskTreeNode[]): void {
    for (const child of children) {
      if (child.kind !== 'task') continue;
      const waiters = this.fetchWaiters.get(child.id);
      if (!waiters) continue;
      this.fetchWaiters.delete(child.id);
      // After this getChildren has returned, so VS Code knows the row before it is revealed.
      setTimeout(() => waiters.forEach((resolve) => resolve(child)), 0);
    }
  }

  private settleWaiters(value: () => undefined): void {
    for (const waiters of this.fetchWaiters.values()) waiters.forEach((resolve) => resolve(value()));
    this.fetchWaiters.clear();
  }

  private redraw(redraw: Redraw): void {
    if (!redraw || (redraw !== 'all' && !redraw.length)) return;
    this.refreshCount++;
    this._onDidChangeTreeData.fire(redraw === 'all' ? undefined : [...redraw]);
  }

  private startTicking(): void {
    if (this.ticker) return;
    this.ticker = setInterval(() => {
      const nodes = this.model.ticking();
      if (nodes.length) this._onDidChangeTreeData.fire(nodes);
    }, TICK_MS);
    // A timer of the view must not keep a process alive (tests, the host shutting down).
    (this.ticker as { unref?: () => void }).unref?.();
  }

  private stopTicking(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }
}

/** Queued work waits rather than runs, so it does not spin. */
export function taskIcon(record: TaskRecord): vscode.ThemeIcon {
  if (isQueued(record)) return new vscode.ThemeIcon('clock', new vscode.ThemeColor('charts.blue'));
  return statusIcon(record.status);
}

function groupIcon(key: string): string {
  if (key.startsWith('server:')) return 'server';
  if (key === EDITOR_GROUP) return 'account';
  if (key.startsWith('agent:')) return 'hubot';
  return 'tools';
}
