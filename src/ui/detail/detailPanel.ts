import * as os from 'node:os';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../core/taskRecord';
import type { TaskActions } from '../../core/taskActions';
import { withResultInline } from '../../core/taskResult';
import type { TaskReader } from '../../core/taskStore';
import { canAnswer, canCancelTask, canRetryTask, canRunAgain } from '../../core/taskRules';
import { taskTitle } from '../../core/taskTitle';
import type { RetentionSettings } from '../../core/retentionPolicy';
import type { WireLogReader } from '../../core/wireLog';
import { setting } from '../../platform/config';
import type { TaskRef } from '../taskRef';
import { openTestFailure } from '../testFailures/openTestFailure';
import { DetailView, detailWebviewOptions, type DetailAction } from './detailView';
import { DETAIL_VIEW_TYPE, PersistedStateSchema, assertNever, type DetailCommand, type HostToWebview } from './protocol';

/** Store events for one task within this window become one page update. */
const COALESCE_MS = 50;

/** A second show of the task the preview already shows, this soon after the first, is a double-click: keep it open. */
export const DOUBLE_CLICK_MS = 500;

const retentionSettings = (): Pick<RetentionSettings, 'days' | 'maxTasks'> => ({
  days: setting('tasklane.retention.days'),
  maxTasks: setting('tasklane.retention.maxTasks'),
});

/** The extension command each page button runs, with the task as a `TaskRef`. */
const COMMAND_IDS = {
  cancel: 'tasklane.cancelTask',
  retry: 'tasklane.retryTask',
  retryWithEdits: 'tasklane.retryTaskWithEdits',
  runAgain: 'tasklane.runAgain',
  copyId: 'tasklane.copyTaskId',
  copyJson: 'tasklane.copyTaskJson',
  answerInput: 'tasklane.answerInput',
  showLog: 'tasklane.showLog',
  copyWireScript: 'tasklane.copyWireLogAsScript',
} as const satisfies Record<Exclude<DetailCommand, 'exportJson'>, string>;

const SHOW_DETAILS_COMMAND = 'tasklane.showTaskDetails';

export interface ShowOptions {
  readonly preserveFocus?: boolean;
  readonly viewColumn?: vscode.ViewColumn;
}

/**
 * The task detail panels, used like VS Code's preview editors: clicking task after task reuses one
 * *preview* panel, which shows each in turn. Keep Open (the page's button, or a double-click)
 * makes the preview its task's own tab; the next click opens a new preview. A task with its own
 * tab is revealed there. Panels left open when VS Code closed come back through the
 * `tasklane.detail` serializer (activation event `onWebviewPanel:tasklane.detail`), preview or
 * kept as they were, or close if their task is gone.
 */
export class DetailPanels implements vscode.Disposable {
  /** Panels kept open, one per task. */
  private readonly kept = new Map<string, DetailView>();
  private previewView: DetailView | undefined;
  /** The last `show`, to tell a double-click from two clicks. */
  private lastShow: { taskId: string; at: number } | undefined;
  private readonly subscriptions: { dispose(): unknown }[] = [];
  private readonly _onDidPostMessage = new vscode.EventEmitter<{ taskId: string; message: HostToWebview }>();
  /** Every message posted to a page, after it was posted (for tests). */
  readonly onDidPostMessage: vscode.Event<{ taskId: string; message: HostToWebview }> = this._onDidPostMessage.event;
  private disposed = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly store: TaskReader,
    private readonly log: vscode.LogOutputChannel,
    private readonly retention: () => Pick<RetentionSettings, 'days' | 'maxTasks'> = retentionSettings,
    /** The captured wire logs; without one, every Wire section says capture is off. */
    private readonly wire?: WireLogReader,
    /** Asked for a shown task's outcome when it was recorded without one (a listed team task). */
    private readonly actions?: Pick<TaskActions, 'fetchOutcome'>,
  ) {
    this.subscriptions.push(
      this._onDidPostMessage,
      // Each event goes to its own task's panels only; other tasks' changes cost a map lookup.
      store.onDidLifecycle((event) => {
        if (event.type === 'opened') return;
        this.kept.get(event.id)?.handle(event);
        if (this.previewView?.taskId === event.id) this.previewView.handle(event);
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('tasklane.retention')) for (const view of this.views()) view.refresh();
      }),
    );
    if (wire) {
      this.subscriptions.push(
        wire.onDidChangeWireLog((id) => {
          this.kept.get(id)?.handleWire();
          if (this.previewView?.taskId === id) this.previewView.handleWire();
        }),
      );
    }
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

  /**
   * Shows a task: in its own tab if it has one, else in the preview panel (opened if needed).
   * Showing the preview's task again within `DOUBLE_CLICK_MS` keeps it open. Returns false if
   * there is no such task.
   */
  show(taskId: string, options: ShowOptions = {}): boolean {
    if (this.disposed) return false;
    const now = Date.now();
    const doubleClick = this.lastShow?.taskId === taskId && now - this.lastShow.at < DOUBLE_CLICK_MS;
    this.lastShow = { taskId, at: now };
    const own = this.kept.get(taskId);
    if (own) {
      own.panel.reveal(options.viewColumn, options.preserveFocus);
      return true;
    }
    const record = this.store.get(taskId);
    if (!record) {
      this.log.warn(`[detail] no task ${taskId} to show`);
      void vscode.window.showWarningMessage(`Tasklane: task ${taskId} no longer exists.`);
      return false;
    }
    this.actions?.fetchOutcome(taskId);
    const preview = this.previewView;
    if (preview) {
      if (preview.taskId === taskId && doubleClick) this.keepOpen(preview);
      else preview.showTask(taskId);
      preview.panel.reveal(options.viewColumn, options.preserveFocus);
      return true;
    }
    const panel = vscode.window.createWebviewPanel(
      DETAIL_VIEW_TYPE,
      taskTitle(record),
      { viewColumn: options.viewColumn ?? vscode.ViewColumn.Active, preserveFocus: options.preserveFocus },
      detailWebviewOptions(this.context.extensionUri),
    );
    this.adopt(taskId, panel, true);
    this.log.debug(`[detail] opened the preview panel for task ${taskId}`);
    return true;
  }

  /** Makes the preview panel its task's own tab (the page's Keep Open). False when there is no preview. */
  keepPreviewOpen(): boolean {
    if (!this.previewView) return false;
    this.keepOpen(this.previewView);
    return true;
  }

  /** The task the preview panel shows, if one is open (for tests). */
  previewTaskId(): string | undefined {
    return this.previewView?.taskId;
  }

  /** Task ids with their own tab (for tests). */
  keptTaskIds(): string[] {
    return [...this.kept.keys()];
  }

  /** The panel showing a task, kept or preview (for tests). */
  panelFor(taskId: string): vscode.WebviewPanel | undefined {
    return (this.kept.get(taskId) ?? (this.previewView?.taskId === taskId ? this.previewView : undefined))?.panel;
  }

  /** Task ids with an open panel, kept or preview (for tests). */
  openTaskIds(): string[] {
    return this.views().map((view) => view.taskId);
  }

  /** Sends every panel's pending update now instead of after the coalescing delay (for tests). */
  flush(): void {
    for (const view of this.views()) view.flush();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const view of this.views()) view.dispose();
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
  }

  /**
   * What the `tasklane.detail` serializer does with a panel VS Code restores: adopt it as it was
   * (preview or kept), or close it if its task is gone or already has a panel.
   */
  async revive(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    // VS Code restores panels as the window opens, before the store has read the tasks they show.
    if (!this.store.isOpen) await this.store.whenOpen();
    const parsed = PersistedStateSchema.safeParse(state);
    const taskId = parsed.success ? parsed.data.taskId : undefined;
    const shown = taskId !== undefined && (this.kept.has(taskId) || this.previewView?.taskId === taskId);
    if (this.disposed || !taskId || !this.store.get(taskId) || shown) {
      this.log.info(
        `[detail] closed a restored panel: ${!taskId ? 'it had no task id' : shown ? `task ${taskId} already has a panel` : `task ${taskId} no longer exists`}`,
      );
      panel.dispose();
      return;
    }
    // One preview at most; states saved before previews existed were separate tabs.
    const preview = parsed.success && parsed.data.preview === true && !this.previewView;
    this.adopt(taskId, panel, preview);
    this.actions?.fetchOutcome(taskId);
    this.log.debug(`[detail] restored the ${preview ? 'preview' : 'kept'} panel of task ${taskId}`);
  }

  private views(): DetailView[] {
    return [...this.kept.values(), ...(this.previewView ? [this.previewView] : [])];
  }

  private keepOpen(view: DetailView): void {
    if (view !== this.previewView) return;
    this.previewView = undefined;
    this.kept.set(view.taskId, view);
    view.keep();
    this.log.debug(`[detail] kept the panel of task ${view.taskId} open`);
  }

  private adopt(taskId: string, panel: vscode.WebviewPanel, preview: boolean): void {
    const view = new DetailView(taskId, panel, {
      extensionUri: this.context.extensionUri,
      store: this.store,
      log: this.log,
      retention: this.retention,
      wire: this.wire,
      preview,
      coalesceMs: COALESCE_MS,
      onDidPost: (from, message) => this._onDidPostMessage.fire({ taskId: from.taskId, message }),
      onAction: (from, action) => void this.run(from, action).catch((error: unknown) => this.fail(`${action.type} failed`, error)),
      onDidDispose: (from) => {
        if (this.previewView === from) this.previewView = undefined;
        if (this.kept.get(from.taskId) === from) this.kept.delete(from.taskId);
      },
    });
    if (preview) this.previewView = view;
    else this.kept.set(taskId, view);
  }

  private async run(view: DetailView, action: DetailAction): Promise<void> {
    const { taskId } = view;
    switch (action.type) {
      case 'keepOpen':
        return this.keepOpen(view);
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
        if (record) await openTestFailure(record, action.index, this.log, this.store);
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
        if (!canCancelTask(record)) return this.refuse(command, record);
        return this.execute(COMMAND_IDS.cancel, ref);
      case 'retry':
      case 'retryWithEdits':
        if (!canRetryTask(record)) return this.refuse(command, record);
        return this.execute(COMMAND_IDS[command], ref);
      case 'runAgain':
        if (!canRunAgain(record)) return this.refuse(command, record);
        return this.execute(COMMAND_IDS.runAgain, ref);
      case 'answerInput':
        if (!canAnswer(record) || (key !== undefined && !record.pendingInput.some((p) => p.key === key))) {
          return this.refuse(command, record);
        }
        return this.execute(COMMAND_IDS.answerInput, key === undefined ? ref : { ...ref, key });
      case 'copyId':
      case 'copyJson':
      case 'copyWireScript':
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
      // The whole task, its result read back from its side file if it was kept aside.
      const whole = withResultInline(latest, this.store);
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(JSON.stringify(whole, null, 2) + '\n'));
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
