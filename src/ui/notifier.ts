import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { LifecycleEvent } from '../core/lifecycleEvents';
import type { TaskRecord } from '../core/taskRecord';
import { isFailureNews } from '../core/taskRules';
import type { TaskReader } from '../core/taskStore';
import { questionHeading } from './commands/questionHeading';
import { questionText } from './statusSummary';
import { taskLabel } from './taskPresentation';

export type NotificationLevel = 'all' | 'failuresAndInput' | 'none';

/** How many notifications a burst may show before the rest are summed up in one. */
const BURST_LIMIT = 3;
const BURST_WINDOW_MS = 2000;
/** How long a question notification waits for the question after the status said one is coming. */
const QUESTION_GRACE_MS = 1000;
/**
 * How long a failure waits before it is told: the automatic retry decides within this whether
 * another attempt follows (it then sets `retryDue` on the failed attempt, and the toast is skipped).
 */
const RETRY_DECISION_GRACE_MS = 1000;

/**
 * Tells the user when a task completes, fails or needs input, never modally. A burst (many tasks
 * failing at once) is summed up instead of flooding the corner of the screen.
 */
export class TaskNotifier extends Disposable {
  private recent: number[] = [];
  private suppressed = 0;
  private summaryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Tasks that went into input_required before their question reached us, with the fallback timer. */
  private readonly awaitingQuestion = new Map<string, ReturnType<typeof setTimeout>>();
  /** Failed tasks waiting to learn whether an automatic retry follows, with the timer that then decides. */
  private readonly awaitingRetryDecision = new Map<string, ReturnType<typeof setTimeout>>();
  /** Messages shown (for tests). */
  readonly shown: string[] = [];

  constructor(
    private readonly store: TaskReader,
    onDidLifecycle: (listener: (e: LifecycleEvent) => unknown) => vscode.Disposable,
    private level: NotificationLevel,
  ) {
    super();
    this._register(onDidLifecycle((event) => this.onEvent(event)));
    this._register({
      dispose: () => {
        clearTimeout(this.summaryTimer);
        for (const timer of this.awaitingQuestion.values()) clearTimeout(timer);
        for (const timer of this.awaitingRetryDecision.values()) clearTimeout(timer);
      },
    });
  }

  setLevel(level: NotificationLevel): void {
    this.level = level;
  }

  private onEvent(event: LifecycleEvent): void {
    if (this.level === 'none' || event.type === 'opened') return;
    const record = this.store.get(event.id);
    if (!record) return;
    if (event.type === 'updated' && this.awaitingQuestion.has(record.id) && record.pendingInput.length > 0) return this.announceQuestion(record);
    if (event.type !== 'statusChanged') return;
    const name = taskLabel(record);
    // Told once the automatic retry has decided: only when the chain gives up (the rule: isFailureNews).
    if (event.to === 'failed') {
      clearTimeout(this.awaitingRetryDecision.get(record.id));
      this.awaitingRetryDecision.set(
        record.id,
        setTimeout(() => this.announceFailure(record.id), RETRY_DECISION_GRACE_MS),
      );
    } else if (event.to === 'input_required') {
      // The status often arrives a moment before the question itself: name the question when it comes.
      if (record.pendingInput.length > 0) this.announceQuestion(record);
      else if (!this.awaitingQuestion.has(record.id))
        this.awaitingQuestion.set(
          record.id,
          setTimeout(() => this.announceQuestion(this.store.get(record.id)), QUESTION_GRACE_MS),
        );
    } else if (event.to === 'completed' && this.level === 'all') this.notify('info', `Task completed: ${name}`, record.id, ['Show', 'Run Again']);
  }

  private announceFailure(id: string): void {
    this.awaitingRetryDecision.delete(id);
    const record = this.store.get(id);
    if (this.level === 'none' || !record || !isFailureNews(record)) return;
    this.notify('error', `Task failed: ${taskLabel(record)}${record.statusMessage ? ` — ${record.statusMessage}` : ''}`, record.id, ['Show', 'Retry']);
  }

  /** One notification per wait for input, naming the question when it is known. */
  private announceQuestion(record: TaskRecord | undefined): void {
    if (!record) return;
    clearTimeout(this.awaitingQuestion.get(record.id));
    this.awaitingQuestion.delete(record.id);
    if (record.status === 'input_required' || record.pendingInput.length > 0) this.notify('warning', questionNotice(record), record.id, ['Answer', 'Show']);
  }

  private notify(kind: 'info' | 'warning' | 'error', message: string, id: string, actions: string[]): void {
    const now = Date.now();
    this.recent = this.recent.filter((at) => now - at < BURST_WINDOW_MS);
    if (this.recent.length >= BURST_LIMIT) {
      this.suppressed++;
      this.summaryTimer ??= setTimeout(() => this.summarize(), BURST_WINDOW_MS);
      return;
    }
    this.recent.push(now);
    this.shown.push(message);
    const show =
      kind === 'error' ? vscode.window.showErrorMessage : kind === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(message, ...actions).then((choice) => {
      if (choice === 'Show') void vscode.commands.executeCommand('tasklane.showTaskDetails', { id });
      else if (choice === 'Retry') void vscode.commands.executeCommand('tasklane.retryTask', { id });
      else if (choice === 'Run Again') void vscode.commands.executeCommand('tasklane.runAgain', { id });
      // The same one-step answer as the tree, the status bar and the detail panel.
      else if (choice === 'Answer') void vscode.commands.executeCommand('tasklane.answerInput', { id });
    });
  }

  private summarize(): void {
    this.summaryTimer = undefined;
    if (this.suppressed === 0) return;
    const message = `${this.suppressed} more task update${this.suppressed === 1 ? '' : 's'} — see the Tasks view.`;
    this.suppressed = 0;
    this.shown.push(message);
    void vscode.window.showInformationMessage(message, 'Show Tasks').then((choice) => choice && vscode.commands.executeCommand('tasklane.focusTasks'));
  }
}

/** "Question: Deploy 1.4.2 to staging? — Confirm the staging deploy": the question first, the task only when its name adds something. */
function questionNotice(record: TaskRecord): string {
  const pending = record.pendingInput[0];
  if (!pending) return `Task needs your input: ${taskLabel(record)}`;
  const heading = questionHeading(questionText(pending.params), record, taskLabel(record));
  return `Question: ${heading.title}${heading.askedBy ? ` — ${heading.askedBy}` : ''}`;
}
