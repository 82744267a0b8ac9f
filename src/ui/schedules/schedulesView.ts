import * as vscode from 'vscode';
import type { Event } from '../../core/events';
import { Disposable } from '../../core/lifecycle';
import type { TaskChanges } from '../../core/lifecycleEvents';
import type { ScheduleActions } from '../../core/scheduleActions';
import type { ServerDirectory } from '../../core/serverDirectory';
import type { TaskReader } from '../../core/taskStore';
import { registerHandlers } from '../../platform/registerHandlers';
import {
  type EditScheduleArgs,
  type NewScheduleArgs,
  deleteSchedule,
  editSchedule,
  newSchedule,
  pauseSchedule,
  resumeSchedule,
  runScheduleNow,
} from './scheduleCommands';
import { type ScheduleNode, SchedulesTreeProvider } from './schedulesTreeProvider';

/** The context key the palette's schedule commands are shown by. */
const HAS_SCHEDULES = 'tasklane.hasSchedules';

/** The Schedules view and its commands; everything they do goes through `ScheduleActions`. */
export class SchedulesView extends Disposable {
  readonly tree: SchedulesTreeProvider;
  readonly treeView: vscode.TreeView<ScheduleNode>;

  constructor(schedules: ScheduleActions, tasks: TaskReader, servers: ServerDirectory, onDidChangeTasks: Event<TaskChanges>, log: vscode.LogOutputChannel) {
    super();
    this.tree = this._register(new SchedulesTreeProvider(schedules, tasks, onDidChangeTasks));
    this.treeView = this._register(vscode.window.createTreeView('tasklane.schedules', { treeDataProvider: this.tree }));
    this.tree.setVisible(this.treeView.visible);
    this._register(this.treeView.onDidChangeVisibility((event) => this.tree.setVisible(event.visible)));
    const describe = () => {
      const count = schedules.list().length;
      this.treeView.description = count ? String(count) : undefined;
      void vscode.commands.executeCommand('setContext', HAS_SCHEDULES, count > 0);
    };
    this._register(schedules.onDidChange(describe));
    describe();
    const ui = { schedules, servers, log };
    const handlers: Record<string, (...args: unknown[]) => unknown> = {
      'tasklane.newSchedule': (arg) => newSchedule(ui, (arg as NewScheduleArgs | undefined) ?? {}),
      'tasklane.pauseSchedule': (arg) => pauseSchedule(ui, arg),
      'tasklane.resumeSchedule': (arg) => resumeSchedule(ui, arg),
      'tasklane.editSchedule': (arg, given) => editSchedule(ui, arg, given as EditScheduleArgs | undefined),
      'tasklane.runScheduleNow': (arg) => runScheduleNow(ui, arg),
      'tasklane.deleteSchedule': (arg, given) => deleteSchedule(ui, arg, given as { confirmed?: boolean } | undefined),
    };
    for (const command of registerHandlers(handlers, log)) this._register(command);
  }
}
