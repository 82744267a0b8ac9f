import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { TaskChanges } from '../../core/lifecycleEvents';
import type { TaskRecord } from '../../core/taskRecord';
import type { TaskReader } from '../../core/taskStore';
import { contextValueOf, formatTime, taskLabel, taskTooltip } from '../taskPresentation';
import { taskIcon } from './taskTreeProvider';

export interface ArchiveNode {
  readonly kind: 'task';
  readonly id: string;
}

/**
 * The Archive view: archived tasks, most recently archived first, one flat list. It redraws only
 * when a batch touches an archived task or moves one in or out of the archive.
 */
export class ArchiveTreeProvider extends Disposable implements vscode.TreeDataProvider<ArchiveNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<ArchiveNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly nodes = new Map<string, ArchiveNode>();
  private archivedIds = new Set<string>();
  private readonly _onDidChangeCount = this._register(new vscode.EventEmitter<number>());
  /** Fires with the number of archived tasks whenever it changes. */
  readonly onDidChangeCount = this._onDidChangeCount.event;

  constructor(
    private readonly store: TaskReader,
    onDidChangeTasks: (listener: (e: TaskChanges) => unknown) => vscode.Disposable,
    private readonly serverName: (serverId: string) => string,
  ) {
    super();
    this._register(onDidChangeTasks((changes) => this.onChanges(changes)));
    this.archivedIds = this.collect();
  }

  get count(): number {
    return this.archivedIds.size;
  }

  getTreeItem(node: ArchiveNode): vscode.TreeItem {
    const record = this.store.get(node.id);
    if (!record) return new vscode.TreeItem('(removed)');
    const item = new vscode.TreeItem(taskLabel(record), vscode.TreeItemCollapsibleState.None);
    item.id = `archive:${record.id}`;
    item.description = `${record.tool} · archived ${record.archivedAt ? formatTime(record.archivedAt) : ''}${record.imported ? ' · imported' : ''}${record.pinned ? ' · pinned' : ''}`;
    item.iconPath = taskIcon(record);
    item.tooltip = taskTooltip(record, this.serverName(record.serverId));
    item.contextValue = contextValueOf(record);
    item.command = { command: 'tasklane.showTaskDetails', title: 'Show Task Details', arguments: [{ id: record.id }] };
    item.accessibilityInformation = { label: `${taskLabel(record)}, archived, ${record.status}` };
    return item;
  }

  getChildren(node?: ArchiveNode): ArchiveNode[] {
    if (node) return [];
    return this.store
      .all()
      .filter((record) => record.archived)
      .sort(recentlyArchivedFirst)
      .map((record) => this.node(record.id));
  }

  private onChanges(changes: TaskChanges): void {
    const now = this.collect();
    // The store opened (reset): every archived task is new to this view.
    const touched = changes.reset === true || [...changes.added, ...changes.removed, ...changes.updated].some((id) => now.has(id) || this.archivedIds.has(id));
    const countChanged = now.size !== this.archivedIds.size;
    this.archivedIds = now;
    for (const id of changes.removed) this.nodes.delete(id);
    if (touched) this._onDidChangeTreeData.fire(undefined);
    if (countChanged) this._onDidChangeCount.fire(now.size);
  }

  private collect(): Set<string> {
    const ids = new Set<string>();
    for (const record of this.store.all()) if (record.archived) ids.add(record.id);
    return ids;
  }

  private node(id: string): ArchiveNode {
    let node = this.nodes.get(id);
    if (!node) {
      node = { kind: 'task', id };
      this.nodes.set(id, node);
    }
    return node;
  }
}

function recentlyArchivedFirst(a: TaskRecord, b: TaskRecord): number {
  const at = (record: TaskRecord) => record.archivedAt ?? record.lastUpdatedAt;
  return at(a) < at(b) ? 1 : at(a) > at(b) ? -1 : 0;
}
