import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { TaskChanges } from '../core/lifecycleEvents';
import type { TaskStore } from '../core/taskStore';
import { type TaskCounts, countTasks } from './taskCounts';

export type StatusBarVisibility = 'always' | 'whenActive' | 'never';

export { type TaskCounts, countTasks } from './taskCounts';

/**
 * One status bar item showing what runs and what needs attention. Its look is derived from the
 * counts alone, recomputed on each coalesced batch of changes.
 */
export class TaskStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private counts: TaskCounts = { running: 0, needsInput: 0, failed: 0, total: 0 };

  constructor(
    private readonly store: TaskStore,
    onDidChangeTasks: (listener: (e: TaskChanges) => unknown) => vscode.Disposable,
    private visibility: StatusBarVisibility,
  ) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('tasklane.status', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'Tasklane';
    this.item.command = 'tasklane.focusTasks';
    this._register(onDidChangeTasks(() => this.update()));
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

  get currentCounts(): TaskCounts {
    return this.counts;
  }

  update(): void {
    this.counts = countTasks(this.store);
    this.render();
  }

  private render(): void {
    const { running, needsInput, failed, total } = this.counts;
    const parts: string[] = [];
    if (running) parts.push(`$(sync~spin) ${running}`);
    if (needsInput) parts.push(`$(question) ${needsInput}`);
    if (failed) parts.push(`$(error) ${failed}`);
    this.item.text = parts.length ? parts.join('  ') : '$(checklist) Tasklane';
    this.item.backgroundColor = failed
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : needsInput
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
    const summary = [
      `${running} running`,
      `${needsInput} waiting for input`,
      `${failed} failed`,
      `${total} in all`,
    ].join(' · ');
    const tooltip = new vscode.MarkdownString(`**Tasklane**: ${summary}\n\nClick to show the Tasks view.`, true);
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `Tasklane: ${summary}` };
    const active = running + needsInput + failed > 0;
    if (this.visibility === 'always' || (this.visibility === 'whenActive' && active)) this.item.show();
    else this.item.hide();
  }
}
