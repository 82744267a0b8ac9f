import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { Event } from '../core/events';
import { type StatusClick, type StatusSummary, type TaskCounts, summarize } from './statusSummary';
import type { TaskTally } from './taskCounts';

export type StatusBarVisibility = 'always' | 'whenActive' | 'never';
export type { TaskCounts } from './statusSummary';

/**
 * One status bar item showing what runs and what needs attention. Red only while a failure waits
 * that the person has not seen; a click answers the oldest question, else shows the new failure,
 * else the Tasks view. Painted again from the tally each time its counts change.
 */
export class TaskStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private current!: StatusSummary;

  constructor(
    private readonly tally: TaskTally,
    onDidChangeCounts: Event<void>,
    private visibility: StatusBarVisibility,
  ) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('tasklane.status', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'Tasklane';
    this._register(onDidChangeCounts(() => this.update()));
    this.update();
  }

  setVisibility(visibility: StatusBarVisibility): void {
    this.visibility = visibility;
    this.render();
  }

  /** What the item shows now (for tests). */
  get text(): string {
    return this.item.text;
  }

  /** Whether the item wears the error background now (for tests). */
  get tone(): StatusSummary['tone'] {
    return this.current.tone;
  }

  get currentCounts(): TaskCounts {
    return this.current.counts;
  }

  /** What a click does now (for tests). */
  get click(): StatusClick {
    return this.current.click;
  }

  /** The command a click runs now (for tests). */
  get command(): vscode.Command | undefined {
    return typeof this.item.command === 'string' ? { title: '', command: this.item.command } : this.item.command;
  }

  update(): void {
    this.current = summarize(this.tally);
    this.render();
  }

  private render(): void {
    const { counts, tone, text, summary, clickHint, click } = this.current;
    this.item.text = text;
    this.item.backgroundColor =
      tone === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : tone === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.command =
      click.kind === 'answer'
        ? { title: 'Answer', command: 'tasklane.answerInput', arguments: [{ id: click.id, key: click.key }] }
        : click.kind === 'showFailure'
          ? { title: 'Show the failure', command: 'tasklane.showTaskDetails', arguments: [{ id: click.id }] }
          : { title: 'Show Tasks', command: 'tasklane.focusTasks' };
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown('**Tasklane**: ');
    tooltip.appendText(`${summary}\n\n${clickHint}`);
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `Tasklane: ${summary}. ${clickHint}` };
    const active = counts.running + counts.needsInput + counts.failed > 0;
    if (this.visibility === 'always' || (this.visibility === 'whenActive' && active)) this.item.show();
    else this.item.hide();
  }
}
