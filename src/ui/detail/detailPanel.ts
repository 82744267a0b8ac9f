import * as os from 'node:os';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../core/taskRecord';
import type { TaskStore } from '../../core/taskStore';
import { canCancel, canRetry } from '../../core/taskStatus';
import type { TaskRef } from '../taskRef';
import { openTestFailure } from '../testFailures/openTestFailure';
import { DetailView, detailWebviewOptions, type DetailAction } from './detailView';
import { STATUS_LABELS, panelTitle } from './format';
import { DETAIL_VIEW_TYPE, PersistedStateSchema, assertNever, type DetailCommand, type HostToWebview } from './protocol';

/** Store events for one task within this window become one page update. */
const COALESCE_MS = 50;

/** The extension command each page button runs, with the task as a `TaskRef`. */
const COMMAND_IDS = {
  cancel: 'tasklane.cancelTask',
  retry: 'tasklane.retryTask',
  retryWithEdits: 'tasklane.retryTaskWithEdits',
  copyId: 'tasklane.copyTaskId',
  copyJson: 'tasklane.copyTaskJson',
  answerInput: 'tasklane.answerInput',
  showLog: 'tasklane.showLog',
} as const satisfies Record<Exclude<DetailCommand, 'exportJson'>, string>;

const SHOW_DETAILS_COMMAND = 'tasklane.showTaskDetails';

export interface ShowOptions {
  readonly preserveFocus?: boolean;
  readonly viewColumn?: vscode.ViewColumn;
}

/**
 * The task detail panels: at most one per task, reused. `show` opens or reveals a task's panel;
 * panels left open when VS Code closed come back through the `tasklane.detail` serializer
 * (activation event `onWebviewPanel:tasklane.detail`), or close if their task is gone.
 */
export class DetailPanels implements vscode.Disposable {
  private readonly views = new Map<string, DetailView>();
  private readonly subscriptions: { dispose(): unknown }[] = [];
  private readonly _onDidPostMessage = new vscode.EventEmitter<{ taskId: string; message: HostToWebview }>();
  /** Every message posted to a page, after it was posted (for tests). */
  readonly onDidPostMessage: vscode.Event<{ taskId: string; message: HostToWebview }> = this._onDidPostMessage.event;
  private disposed = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly store: TaskStore,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(
      this._onDidPostMessage,
      // Each event goes to its own task's panel only; other tasks' changes cost a map lookup.
      store.onDidLifecycle((event) => this.views.get(event.id)?.handle(event)),
    );
    try {
      this.subscriptions.push(
        vscode.window.registerWebviewPanelSerializer(DETAIL_VIEW_TYPE, {
          deserializeWebviewPanel: async (panel, state) => this.revive(panel, state),
        }),
      );
    } catch (error) {
      // Only one serializer per view type may exist; a second manager (tests) still works without restore.
      log.warn(`[detail] panel restore is unavailable: ${(error as Error).message}`);
    }
  }

  /** Opens the task's panel, or reveals it if it is open. Returns false if there is no such task. */
  show(taskId: string, options: ShowOptions = {}): boolean {
    if (this.disposed) return false;
    const existing = this.views.get(taskId);
    if (existing) {
      existing.panel.reveal(options.viewColumn, options.preserveFocus);
      return true;
    }
    const record = this.store.get(taskId);
    if (!record) {
      this.log.warn(`[detail] no task ${taskId} to show`);
      void vscode.window.showWarningMessage(`Tasklane: task ${taskId} no longer exists.`);
      return false;
    }
    const panel = vscode.window.createWebviewPanel(
      DETAIL_VIEW_TYPE,
      panelTitle(record.tool, STATUS_LABELS[record.status]),
      { viewColumn: options.viewColumn ?? vscode.ViewColumn.Active, preserveFocus: options.preserveFocus },
      detailWebviewOptions(this.context.extensionUri),
    );
    this.adopt(taskId, panel);
    this.log.debug(`[detail] opened panel for task ${taskId}`);
    return true;
  }

  /** Task ids with an open panel (for tests). */
  openTaskIds(): string[] {
    return [...this.views.keys()];
  }

  /** Sends every panel's pending update now instead of after the coalescing delay (for tests). */
  flush(): void {
    for (const view of this.views.values()) view.flush();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const view of [...this.views.values()]) view.dispose();
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
  }

  /** What the `tasklane.detail` serializer does with a panel VS Code restores: adopt it, or close it if its task is gone. */
  async revive(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const parsed = PersistedStateSchema.safeParse(state);
    const taskId = parsed.success ? parsed.data.taskId : undefined;
    if (this.disposed || !taskId || !this.store.get(taskId) || this.views.has(taskId)) {
      this.log.info(`[detail] closed a restored panel: ${taskId ? `task ${taskId} no longer exists` : 'it had no task id'}`);
      panel.dispose();
      return;
    }
    this.adopt(taskId, panel);
    this.log.debug(`[detail] restored panel for task ${taskId}`);
  }

  private adopt(taskId: string, panel: vscode.WebviewPanel): void {
    const view = new DetailView(taskId, panel, {
      extensionUri: this.context.extensionUri,
      store: this.store,
      log: this.log,
      coalesceMs: COALESCE_MS,
      onDidPost: (from, message) => this._onDidPostMessage.fire({ taskId: from.taskId, message }),
      onAction: (from, action) => void this.run(from.taskId, action).catch((error: unknown) => this.fail(`${action.type} failed`, error)),
      onDidDispose: (from) => {
        if (this.views.get(from.taskId) === from) this.views.delete(from.taskId);
      },
    });
    this.views.set(taskId, view);
  }

  private async run(taskId: string, action: DetailAction): Promise<void> {
    switch (action.type) {
      case 'command':
        return this.runCommand(taskId, action.command, action.key);
      case 'showTask': {
        // Only the tasks this page links to: the page shows server data and is not trusted to name others.
        const record = this.store.get(taskId);
        const related = [record?.retryOf, record?.retriedAs, record?.parentId];
        if (!related.includes(action.id) && this.store.get(action.id)?.parentId !== taskId) {
          this.log.warn(`[detail] ignored a request to show task ${action.id}: not related to task ${taskId}`);
          return;
        }
        return this.execute(SHOW_DETAILS_COMMAND, { id: action.id } satisfies TaskRef);
      }
      case 'openTestFailure': {
        // The page names a place in the stored result only by its index: it cannot name a file.
        const record = this.store.get(taskId);
        if (record) await openTestFailure(record, action.index, this.log);
        return;
      }
      default:
        assertNever(action);
    }
  }

  private async runCommand(taskId: string, command: DetailCommand, key: string | undefined): Promise<void> {
    if (command === 'showLog') return this.execute(COMMAND_IDS.showLog);
    const record = this.store.get(taskId);
    if (!record) {
      this.log.warn(`[detail] ${command} ignored: task ${taskId} no longer exists`);
      return;
    }
    const ref: TaskRef = { id: taskId };
    switch (command) {
      case 'cancel':
        if (!canCancel(record.status)) return this.refuse(command, record);
        return this.execute(COMMAND_IDS.cancel, ref);
      case 'retry':
      case 'retryWithEdits':
        if (!canRetry(record.status)) return this.refuse(command, record);
        return this.execute(COMMAND_IDS[command], ref);
      case 'answerInput':
        if (record.pendingInput.length === 0 || (key !== undefined && !record.pendingInput.some((p) => p.key === key))) {
          return this.refuse(command, record);
        }
        return this.execute(COMMAND_IDS.answerInput, key === undefined ? ref : { ...ref, key });
      case 'copyId':
      case 'copyJson':
        return this.execute(COMMAND_IDS[command], ref);
      case 'exportJson':
        return this.exportJson(record);
      default:
        assertNever(command);
    }
  }

  /** A button the page should not have shown (stale page): the state is resent soon anyway. */
  private refuse(command: DetailCommand, record: TaskRecord): void {
    this.log.info(`[detail] ${command} ignored: task ${record.id} is ${record.status}`);
  }

  private async execute(command: string, ...args: unknown[]): Promise<void> {
    try {
      await vscode.commands.executeCommand(command, ...args);
    } catch (error) {
      this.fail(`${command} failed`, error);
    }
  }

  private async exportJson(record: TaskRecord): Promise<void> {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(base, `${fileSafe(record.tool)}-${fileSafe(record.id)}.json`),
      filters: { JSON: ['json'] },
      saveLabel: 'Export',
      title: `Export Task ${record.tool} as JSON`,
    });
    if (!target) return;
    // The newest record, not the one the button was pressed on: the task may have moved on.
    const latest = this.store.get(record.id) ?? record;
    try {
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(JSON.stringify(latest, null, 2) + '\n'));
      this.log.info(`[detail] exported task ${record.id} to ${target.toString(true)}`);
    } catch (error) {
      this.fail(`could not export task ${record.id} to ${target.toString(true)}`, error);
    }
  }

  private fail(what: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.log.error(`[detail] ${what}: ${message}`, ...(error instanceof Error ? [error] : []));
    void vscode.window.showErrorMessage(`Tasklane: ${what}: ${message}`, 'Show Log').then((choice) => choice && this.log.show());
  }
}

function fileSafe(text: string): string {
  return text.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'task';
}
