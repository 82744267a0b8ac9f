import * as vscode from 'vscode';
import { ChangeCoalescer } from '../core/changeCoalescer';
import { Disposable } from '../core/lifecycle';
import type { WireLogReader } from '../core/wireLog';
import type { TaskReader } from '../core/taskStore';
import type { TaskActions } from '../core/taskActions';
import type { ServerDirectory } from '../core/serverDirectory';
import { registerCommands } from './commands/registerCommands';
import { setting } from '../platform/config';
import { ContextKeys } from './contextKeys';
import { DetailPanels } from './detail/detailPanel';
import { TaskNotifier } from './notifier';
import { TaskStatusBar } from './statusBar';
import { SeenFailures } from './attention';
import { GROUP_BY_DESCRIPTION } from './taskPresentation';
import { TaskTally } from './taskCounts';
import { Emitter } from '../core/events';
import { ServersTreeProvider } from './tree/serversTreeProvider';
import { type ArchiveNode, ArchiveTreeProvider } from './tree/archiveTreeProvider';
import { type TaskTreeNode, TaskTreeProvider } from './tree/taskTreeProvider';

/** Where the ids of failures the person has seen are kept, per workspace. */
const SEEN_FAILURES_KEY = 'tasklane.seenFailures';

/** How long bursts of task events are gathered before views refresh. */
export const UI_COALESCE_MS = 100;

/**
 * Everything the person sees: the Tasks and Servers views, the status bar item, notifications,
 * detail panels and commands. All of it is driven by one coalesced stream of store changes.
 */
export class TasklaneUi extends Disposable {
  readonly changes: ChangeCoalescer;
  readonly tree: TaskTreeProvider;
  readonly treeView: vscode.TreeView<TaskTreeNode>;
  readonly statusBar: TaskStatusBar;
  readonly notifier: TaskNotifier;
  readonly details: DetailPanels;
  readonly contextKeys: ContextKeys;
  readonly serversTree: ServersTreeProvider;
  readonly archiveTree: ArchiveTreeProvider;
  readonly archiveView: vscode.TreeView<ArchiveNode>;
  /** What commands remember across windows (recent shell commands, the last export folder). */
  readonly globalState: vscode.Memento;
  readonly seenFailures: SeenFailures;
  /** What the status bar, the badge and the `when`-clause keys count, kept batch by batch. */
  readonly tally: TaskTally;
  /** Ids of the tasks whose question is open in an answer input right now (for tests). */
  readonly answering = new Set<string>();

  /** Captured wire logs, for the detail panel and the export (extension.ts passes the store's `WireLogStore`). */
  readonly wireLogs: WireLogReader | undefined;

  constructor(
    context: vscode.ExtensionContext,
    store: TaskReader,
    actions: TaskActions,
    servers: ServerDirectory,
    log: vscode.LogOutputChannel,
    wireLogs?: WireLogReader,
  ) {
    super();
    this.wireLogs = wireLogs;
    this.globalState = context.globalState;
    this.changes = this._register(new ChangeCoalescer(store.onDidLifecycle, UI_COALESCE_MS));
    const onDidChangeTasks = this.changes.onDidChange;
    const serverName = (id: string) => servers.nameOf(id);

    this.tree = this._register(
      new TaskTreeProvider(store, onDidChangeTasks, setting('tasklane.tasks.groupBy'), setting('tasklane.tasks.showArchived'), serverName),
    );
    this.treeView = this._register(vscode.window.createTreeView('tasklane.tasks', { treeDataProvider: this.tree, showCollapseAll: true, canSelectMany: true }));
    // A view that was hidden while tasks moved between groups can come back with stale groups: redraw it whole when shown.
    this._register(
      this.treeView.onDidChangeVisibility((event) => {
        this.tree.setVisible(event.visible);
        if (event.visible) this.tree.refreshAll();
      }),
    );
    this.tree.setVisible(this.treeView.visible);
    this.archiveTree = this._register(new ArchiveTreeProvider(store, onDidChangeTasks, serverName));
    this.archiveView = this._register(vscode.window.createTreeView('tasklane.archive', { treeDataProvider: this.archiveTree, canSelectMany: true }));
    const describeArchive = (count: number) => {
      this.archiveView.description = count ? String(count) : undefined;
      void vscode.commands.executeCommand('setContext', 'tasklane.hasArchived', count > 0);
    };
    this._register(this.archiveTree.onDidChangeCount(describeArchive));
    describeArchive(this.archiveTree.count);
    this.serversTree = this._register(new ServersTreeProvider(servers));
    this._register(vscode.window.createTreeView('tasklane.servers', { treeDataProvider: this.serversTree }));
    this.seenFailures = this._register(
      new SeenFailures({
        get: () => context.workspaceState.get<string[]>(SEEN_FAILURES_KEY, []),
        set: (ids) => void context.workspaceState.update(SEEN_FAILURES_KEY, ids),
      }),
    );
    // A store opened after activation is still empty here: its 'opened' batch prunes instead.
    if (store.size > 0) this.seenFailures.prune(store.all());
    this.tally = new TaskTally(store, (record) => this.seenFailures.isNew(record));
    const countsChanged = this._register(new Emitter<void>());
    this._register(
      onDidChangeTasks((changes) => {
        if (changes.reset) this.seenFailures.prune(store.all());
        else this.seenFailures.pruneChanged([...changes.added, ...changes.updated, ...changes.removed], (id) => store.get(id));
        this.tally.apply(changes);
        countsChanged.fire();
      }),
    );
    this._register(
      this.seenFailures.onDidChange((id) => {
        this.tally.refreshSeen(id);
        countsChanged.fire();
      }),
    );
    this.statusBar = this._register(new TaskStatusBar(this.tally, countsChanged.event, setting('tasklane.statusBar.visibility')));
    this.notifier = this._register(new TaskNotifier(store, store.onDidLifecycle, setting('tasklane.notifications')));
    this.contextKeys = this._register(new ContextKeys(this.tally, countsChanged.event));
    this.details = this._register(new DetailPanels(context, store, log, undefined, wireLogs, actions));
    // A failure is seen once a detail panel has shown it failed (see attention.ts).
    this._register(
      this.details.onDidPostMessage(({ taskId }) => {
        const record = store.get(taskId);
        if (record) this.seenFailures.markSeen(record);
      }),
    );
    const describeGrouping = () => (this.treeView.description = GROUP_BY_DESCRIPTION[setting('tasklane.tasks.groupBy')]);
    describeGrouping();

    const updateBadge = () => {
      const count = this.tally.attention;
      this.treeView.badge = count ? { value: count, tooltip: `${count} task${count === 1 ? '' : 's'} need${count === 1 ? 's' : ''} attention` } : undefined;
    };
    this._register(countsChanged.event(updateBadge));
    updateBadge();

    for (const command of registerCommands(
      {
        store,
        wireLogs,
        actions,
        servers,
        tree: this.tree,
        treeView: this.treeView,
        details: this.details,
        log,
        globalState: context.globalState,
        answering: this.answering,
      },
      this.contextKeys,
    ))
      this._register(command);

    this._register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('tasklane.tasks.groupBy')) {
          this.tree.setGroupBy(setting('tasklane.tasks.groupBy'));
          describeGrouping();
        }
        if (event.affectsConfiguration('tasklane.tasks.showArchived')) this.tree.setShowArchived(setting('tasklane.tasks.showArchived'));
        if (event.affectsConfiguration('tasklane.statusBar.visibility')) this.statusBar.setVisibility(setting('tasklane.statusBar.visibility'));
        if (event.affectsConfiguration('tasklane.notifications')) this.notifier.setLevel(setting('tasklane.notifications'));
      }),
    );
  }
}
