import * as vscode from 'vscode';
import type { Event } from '../../core/events';
import { Disposable, toDisposable } from '../../core/lifecycle';
import type { TaskChanges } from '../../core/lifecycleEvents';
import type { Schedule } from '../../core/schedule';
import type { ScheduleActions } from '../../core/scheduleActions';
import type { TaskRecord } from '../../core/taskRecord';
import type { TaskReader } from '../../core/taskStore';
import { STATUS_LOOK, formatTime, statusIcon, truncate } from '../taskPresentation';
import { nextRunWords, runTimeWords, triggerWords } from './scheduleText';

/** A row of the Schedules view: a schedule, or one of its recent runs (a task). */
export type ScheduleNode =
  | { readonly kind: 'schedule'; readonly id: string }
  | { readonly kind: 'run'; readonly scheduleId: string; /** The task's id, so task commands take the row as their TaskRef. */ readonly id: string };

/** How often "in 12 min" is redrawn while the view is visible. */
const TICK_MS = 20_000;

/**
 * The Schedules view: each schedule with its trigger in words, when it next runs and how its last
 * run went; under it, its recent runs, newest first (a click opens the task's detail).
 */
export class SchedulesTreeProvider extends Disposable implements vscode.TreeDataProvider<ScheduleNode> {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<ScheduleNode | undefined>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  /** Nodes are kept by id: VS Code matches a refresh's nodes to the old ones by identity. */
  private readonly scheduleNodes = new Map<string, ScheduleNode>();
  private readonly runNodes = new Map<string, ScheduleNode>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** The schedules the view last listed, in order: a refresh that keeps them redraws rows, not the view. */
  private shownIds: readonly string[] = [];

  constructor(
    private readonly schedules: ScheduleActions,
    private readonly tasks: TaskReader,
    onDidChangeTasks: Event<TaskChanges>,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this._register(schedules.onDidChange(() => this.refresh()));
    this._register(onDidChangeTasks((changes) => (changes.reset || this.showsAnyOf(changes) ? this.refresh() : undefined)));
    this._register(toDisposable(() => clearInterval(this.ticker)));
  }

  /** Keeps "in 12 min" current while the view is visible, and only then. */
  setVisible(visible: boolean): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
    if (!visible) return;
    this.ticker = setInterval(() => this.refresh(), TICK_MS);
    this.ticker.unref?.();
  }

  /**
   * Redraws each schedule's row (and its runs) in place while the list of schedules is the same;
   * the whole view only when schedules came or went. A whole redraw drops every row's handle until
   * VS Code asks again, and a context-menu command chosen in that moment finds no row.
   */
  refresh(): void {
    const ids = this.schedules.list().map((schedule) => schedule.id);
    const same = ids.length === this.shownIds.length && ids.every((id, i) => id === this.shownIds[i]);
    this.shownIds = ids;
    if (!same) {
      this._onDidChangeTreeData.fire(undefined);
      return;
    }
    for (const id of ids) this._onDidChangeTreeData.fire(this.scheduleNode(id));
  }

  getChildren(node?: ScheduleNode): ScheduleNode[] {
    if (!node) {
      this.shownIds = this.schedules.list().map((schedule) => schedule.id);
      return this.shownIds.map((id) => this.scheduleNode(id));
    }
    if (node.kind === 'run') return [];
    return (this.schedules.get(node.id)?.recentRecordIds ?? []).map((recordId) => this.runNode(node.id, recordId));
  }

  getParent(node: ScheduleNode): ScheduleNode | undefined {
    return node.kind === 'run' ? this.scheduleNode(node.scheduleId) : undefined;
  }

  getTreeItem(node: ScheduleNode): vscode.TreeItem {
    if (node.kind === 'run') return this.runItem(node.scheduleId, node.id);
    const schedule = this.schedules.get(node.id);
    if (!schedule) return new vscode.TreeItem('(deleted)');
    return this.scheduleItem(schedule);
  }

  /** The row's words, as the view shows them (for tests and screen readers alike). */
  describe(schedule: Schedule): string {
    const last = this.lastRun(schedule);
    const lastWords = schedule.lastOutcome?.message ?? (last ? STATUS_LOOK[last.status].label.toLowerCase() : undefined);
    return [triggerWords(schedule.trigger), nextRunWords(this.schedules.nextRunAt(schedule.id), this.now(), schedule.paused), lastWords && `last: ${lastWords}`]
      .filter(Boolean)
      .join(' · ');
  }

  private scheduleItem(schedule: Schedule): vscode.TreeItem {
    const collapsible = schedule.recentRecordIds.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(schedule.name, collapsible);
    item.id = `schedule:${schedule.id}`;
    item.description = this.describe(schedule);
    item.contextValue = schedule.paused ? 'schedule:paused' : 'schedule:active';
    const last = this.lastRun(schedule);
    item.iconPath = schedule.paused
      ? new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('disabledForeground'))
      : last?.status === 'failed'
        ? new vscode.ThemeIcon('history', new vscode.ThemeColor('testing.iconFailed'))
        : new vscode.ThemeIcon('history');
    item.tooltip = this.tooltip(schedule, last);
    return item;
  }

  private tooltip(schedule: Schedule, last: TaskRecord | undefined): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.supportThemeIcons = true;
    md.appendMarkdown(`$(history) **${escape(schedule.name)}**\n\n`);
    const next = this.schedules.nextRunAt(schedule.id);
    const timezone = 'cron' in schedule.trigger ? schedule.trigger.timezone : undefined;
    const rows: [string, string | undefined][] = [
      ['Runs', `${schedule.work.tool} on ${schedule.work.serverId}`],
      ['Trigger', triggerWords(schedule.trigger)],
      ['Next run', schedule.paused ? 'paused' : next !== undefined ? `${runTimeWords(next, timezone)} (${nextRunWords(next, this.now(), false)})` : 'none'],
      ['Missed runs', schedule.missedRuns === 'runOnce' ? 'run once when VS Code opens, if the last is within a day' : 'skipped'],
      ['Last run', schedule.lastRunAt ? `${formatTime(schedule.lastRunAt)}${last ? `: ${STATUS_LOOK[last.status].label}` : ''}` : 'not yet'],
      ['Note', schedule.lastOutcome ? `${schedule.lastOutcome.message} (${formatTime(schedule.lastOutcome.at)})` : undefined],
      ['Arguments', Object.keys(schedule.work.arguments).length ? truncate(JSON.stringify(schedule.work.arguments), 200) : undefined],
    ];
    for (const [label, value] of rows) if (value) md.appendMarkdown(`${label}: ${escape(value)}  \n`);
    return md;
  }

  private runItem(scheduleId: string, recordId: string): vscode.TreeItem {
    const record = this.tasks.get(recordId);
    if (!record) {
      const gone = new vscode.TreeItem('Task no longer in history');
      gone.id = `schedule-run:${scheduleId}:${recordId}`;
      gone.iconPath = new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
      return gone;
    }
    const item = new vscode.TreeItem(formatTime(record.createdAt));
    item.id = `schedule-run:${scheduleId}:${recordId}`;
    const look = STATUS_LOOK[record.status];
    item.description = record.statusMessage ? `${look.label} · ${truncate(record.statusMessage, 80)}` : look.label;
    item.iconPath = statusIcon(record.status);
    item.contextValue = 'scheduleRun';
    item.tooltip = `${look.label}${record.statusMessage ? `: ${record.statusMessage}` : ''}\nClick to open the task's details.`;
    item.command = { command: 'tasklane.showTaskDetails', title: 'Show Task Details', arguments: [{ id: recordId }] };
    return item;
  }

  private lastRun(schedule: Schedule): TaskRecord | undefined {
    return schedule.lastRecordId ? this.tasks.get(schedule.lastRecordId) : undefined;
  }

  /** Whether a batch touches a run any schedule shows (few schedules, few runs each: a short walk). */
  private showsAnyOf(changes: TaskChanges): boolean {
    for (const schedule of this.schedules.list())
      for (const id of schedule.recentRecordIds) if (changes.updated.has(id) || changes.added.has(id) || changes.removed.has(id)) return true;
    return false;
  }

  private scheduleNode(id: string): ScheduleNode {
    let node = this.scheduleNodes.get(id);
    if (!node) this.scheduleNodes.set(id, (node = { kind: 'schedule', id }));
    return node;
  }

  private runNode(scheduleId: string, recordId: string): ScheduleNode {
    const key = `${scheduleId}:${recordId}`;
    let node = this.runNodes.get(key);
    if (!node) this.runNodes.set(key, (node = { kind: 'run', scheduleId, id: recordId }));
    return node;
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-!|<>]/g, '\\$&');
}
