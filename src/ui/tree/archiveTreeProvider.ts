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
    return [...this.archivedIds]
      .map((id) => this.store.get(id))
      .filter((record): record is TaskRecord => record?.archived === true)
      .sort(recentlyArchivedFirst)
      .map((record) => this.node(record.id));
  }

  /** Only the tasks a batch names can have been archived or restored; a batch that opened the store looks at every task. */
  private onChanges(changes: TaskChanges): void {
    const before = this.archivedIds.size;
    let touched = false;
    if (changes.reset) {
      this.archivedIds = this.collect();
      touched = true;
    }
    for (const id of [...changes.added, ...changes.removed, ...changes.updated]) {
      const archived = this.store.get(id)?.archived === true;
      if (!archived && !this.archivedIds.has(id)) continue;
      touched = true;
      if (archived) this.archivedIds.add(id);
      else this.archivedIds.delete(id);
    }
    const countChanged = changes.reset || this.archivedIds.size !== before;
    for (const id of changes.removed) this.nodes.delete(id);
    if (touched) this._onDidChangeTreeData.fire(undefined);
    if (countChanged) this._onDidChangeCount.fire(this.archivedIds.size);
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
  if (at(a) !== at(b)) return at(a) < at(b) ? 1 : -1;
  // Archived together (Archive Completed): the store's order, newest first.
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
