import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { LifecycleEvent } from '../../core/lifecycleEvents';
import type { RetentionSettings } from '../../core/retentionPolicy';
import { describeIssues, type TaskRecord } from '../../core/taskRecord';
import type { TaskReader } from '../../core/taskStore';
import { taskTitle } from '../../core/taskTitle';
import { detailHtml } from './detailHtml';
import { planUpdate, toDetailState } from './detailState';
import { DisplayedResults } from './resultDisplay';
import { WireSync } from './wireState';
import type { WireLogReader } from '../../core/wireLog';
import { WebviewToHostSchema, type DetailState, type HostToWebview, type WebviewToHost } from './protocol';

/** A page action: everything the page sends except the handshake, which the view handles itself. */
export type DetailAction = Exclude<WebviewToHost, { type: 'ready' }>;

export interface DetailViewOptions {
  readonly extensionUri: vscode.Uri;
  readonly store: TaskReader;
  readonly log: vscode.LogOutputChannel;
  /** The `tasklane.retention.*` settings now, to say how long a finished task is kept. */
  readonly retention: () => Pick<RetentionSettings, 'days' | 'maxTasks'>;
  /** The captured wire logs, for the Wire section (none: it says capture is off). */
  readonly wire?: WireLogReader;
  /** A preview shows whichever task is clicked next; a kept panel is its task's own tab. */
  readonly preview: boolean;
  /** How long store events for this task are gathered into one update. */
  readonly coalesceMs: number;
  readonly onDidPost: (view: DetailView, message: HostToWebview) => void;
  readonly onAction: (view: DetailView, action: DetailAction) => void;
  readonly onDidDispose: (view: DetailView) => void;
}

export function detailWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    enableFindWidget: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/**
 * One panel and the task it shows: owns the ready handshake and turns the task's store events
 * into page messages. A preview panel changes task (`showTask`); a kept one never does.
 *
 * Nothing is posted until the page says `ready`; then it gets the whole state, so a first load, a
 * reload after being hidden (`retainContextWhenHidden: false` destroys hidden pages) and a restore
 * all work the same way. After that, store events are gathered for `coalesceMs` and sent as one
 * `output` message (new output) and one `patch` (every other top-level key that changed).
 */
export class DetailView implements vscode.Disposable {
  private ready = false;
  private gone = false;
  private disposed = false;
  /** What the page shows now, once it has had the whole state. */
  private shown: DetailState | undefined;
  private chunks: string[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The shown part of the task's result, read once (a result kept aside is read from disk). */
  private readonly results: DisplayedResults;
  private _taskId: string;
  private _preview: boolean;
  /** The status icon the tab wears now. */
  private icon: string | undefined;
  /** The Wire section, sent whole after `ready`, then only what changed. */
  private readonly wire: WireSync;
  /** The task's wire log changed since the last update. */
  private wireChanged = false;

  constructor(
    taskId: string,
    readonly panel: vscode.WebviewPanel,
    private readonly options: DetailViewOptions,
  ) {
    this._taskId = taskId;
    this._preview = options.preview;
    this.results = new DisplayedResults(options.store);
    this.wire = new WireSync(options.wire);
    panel.webview.options = detailWebviewOptions(options.extensionUri);
    this.subscriptions.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidChangeViewState(({ webviewPanel }) => {
        // A hidden page is destroyed: stop sending until the reloaded page says ready again.
        if (!webviewPanel.visible) this.notReady();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
    this.updateTitle();
    panel.webview.html = this.html();
  }

  get taskId(): string {
    return this._taskId;
  }

  get preview(): boolean {
    return this._preview;
  }

  /** Shows another task in this (preview) panel: the page gets that task's whole state. */
  showTask(taskId: string): void {
    if (this.disposed || taskId === this._taskId) return;
    this._taskId = taskId;
    this.gone = false;
    this.chunks = [];
    clearTimeout(this.timer);
    this.timer = undefined;
    this.updateTitle();
    if (this.ready) this.onReady();
  }

  /** A preview becomes the task's own tab (Keep Open); the page stops offering it. */
  keep(): void {
    if (!this._preview) return;
    this._preview = false;
    if (this.ready) this.post({ type: 'panel', preview: false });
  }

  /** Brings the page up to date now, e.g. after the retention settings changed. */
  refresh(): void {
    if (this.ready && !this.gone) this.flush();
  }

  /** A lifecycle event of this view's task. */
  handle(event: LifecycleEvent): void {
    if (this.disposed) return;
    if (event.type === 'removed') {
      this.markGone();
      return;
    }
    if (event.type !== 'output') this.updateTitle();
    if (event.type === 'created' && this.gone) {
      // The same id came back (e.g. an import): the page starts over from the whole state.
      this.gone = false;
      if (this.ready) this.onReady();
      return;
    }
    // Before `ready` there is nothing to patch: the page gets the whole state when it is ready.
    if (!this.ready || this.gone) return;
    if (event.type === 'output') this.chunks.push(event.chunk);
    this.timer ??= setTimeout(() => this.flush(), this.options.coalesceMs);
  }

  /** The task's wire log gained or lost entries: sent with the next coalesced update. */
  handleWire(): void {
    if (this.disposed || !this.ready || this.gone) return;
    this.wireChanged = true;
    this.timer ??= setTimeout(() => this.flush(), this.options.coalesceMs);
  }

  reveal(preserveFocus = false): void {
    this.panel.reveal(undefined, preserveFocus);
  }

  /** Sends whatever is pending now instead of after the coalescing delay. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.disposed || !this.ready || this.gone || !this.shown) return;
    const record = this.options.store.get(this.taskId);
    if (!record) {
      this.markGone();
      return;
    }
    const next = this.stateOf(record);
    const messages = planUpdate(this.shown, next, this.chunks);
    this.chunks = [];
    this.shown = next;
    for (const message of messages) this.post(message);
    if (this.wireChanged) {
      this.wireChanged = false;
      for (const message of this.wireMessages(record)) this.post(message);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
    this.panel.dispose();
    this.options.onDidDispose(this);
  }

  private receive(raw: unknown): void {
    const parsed = WebviewToHostSchema.safeParse(raw);
    if (!parsed.success) {
      this.options.log.warn(`[detail] ignored an invalid message from the page of task ${this.taskId}: ${describeIssues(parsed.error)}`);
      return;
    }
    const message = parsed.data;
    if (message.type === 'ready') this.onReady();
    else this.options.onAction(this, message);
  }

  private onReady(): void {
    this.notReady();
    this.ready = true;
    const record = this.options.store.get(this.taskId);
    if (!record) {
      this.markGone();
      return;
    }
    this.gone = false;
    this.shown = this.stateOf(record);
    this.post({ type: 'state', state: this.shown });
    this.post({ type: 'panel', preview: this._preview });
    this.wireChanged = false;
    for (const message of this.wireMessages(record)) this.post(message);
  }

  /** The Wire section's update; a log that cannot be read leaves the section as it was, and says so in the log. */
  private wireMessages(record: TaskRecord): HostToWebview[] {
    try {
      return this.wire.changes(record.id, record);
    } catch (error) {
      this.options.log.warn(`[detail] could not read the wire log of task ${record.id}: ${(error as Error).message}`);
      return [];
    }
  }

  private stateOf(record: TaskRecord): DetailState {
    const children = this.options.store.all().filter((candidate) => candidate.parentId === record.id);
    return toDetailState(record, Date.now(), children, this.options.retention(), this.results.of(record));
  }

  private notReady(): void {
    this.ready = false;
    this.wire.reset();
    this.wireChanged = false;
    this.shown = undefined;
    this.chunks = [];
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private markGone(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.chunks = [];
    if (this.gone) return;
    this.gone = true;
    this.setIcon('deleted');
    if (this.ready) this.post({ type: 'gone' });
  }

  private post(message: HostToWebview): void {
    if (this.disposed) return;
    void this.panel.webview.postMessage(message);
    this.options.onDidPost(this, message);
  }

  /** The tab says which task (its title) and, in its icon, how it stands; a deleted task keeps its last title. */
  private updateTitle(): void {
    const record = this.options.store.get(this.taskId);
    if (!record) return;
    const title = taskTitle(record);
    if (this.panel.title !== title) this.panel.title = title;
    this.setIcon(record.status);
  }

  private setIcon(name: TaskRecord['status'] | 'deleted'): void {
    if (this.icon === name) return;
    this.icon = name;
    this.panel.iconPath = vscode.Uri.joinPath(this.options.extensionUri, 'media', 'status', `${name}.svg`);
  }

  private html(): string {
    const { webview } = this.panel;
    const asset = (...segments: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.options.extensionUri, ...segments)).toString();
    return detailHtml({
      cspSource: webview.cspSource,
      nonce: randomUUID(),
      scriptUri: asset('dist', 'webview.js'),
      styleUri: asset('media', 'detail.css'),
      sectionStyleUris: [asset('media', 'wire.css')],
      taskId: this.taskId,
    });
  }
}
