import * as vscode from 'vscode';
import { TASK_STATUSES, type TaskStatus } from '../../core/taskStatus';
import { CONTEXT_KEYS, type ContextKeys } from '../contextKeys';
import { STATUS_LOOK } from '../taskPresentation';
import type { GroupBy, MoreNode } from '../tree/taskTreeProvider';
import { newTask, runShellCommand } from './createCommands';
import { answerInput } from './inputCommands';
import {
  archiveCompleted,
  archiveTask,
  cancelTask,
  copyTaskId,
  copyTaskJson,
  deleteTask,
  retryAllFailed,
  retryTask,
  runAgain,
  showTaskDetails,
  showTaskResult,
} from './taskCommands';
import { registerHandlers } from '../../platform/registerHandlers';
import { changePriority, exportTasks, importTasks, setPinned, unarchiveTask } from './historyCommands';
import { rerunFailedTasks } from './rerunFailed';
import { searchHistoryCommand } from './searchHistory';
import { copyWireLogAsScript } from './wireCommands';
import type { UiContext } from './uiContext';

/** Registers every task and view command (failures are reported by `registerHandlers`). */
export function registerCommands(ui: UiContext, contextKeys: ContextKeys): vscode.Disposable[] {
  const handlers: Record<string, (...args: unknown[]) => unknown> = {
    'tasklane.newTask': (arg) => newTask(ui, (arg as object) ?? {}),
    'tasklane.runShellCommand': (arg) => runShellCommand(ui, arg as { command?: string }),
    'tasklane.cancelTask': (arg) => cancelTask(ui, arg),
    'tasklane.retryTask': (arg) => retryTask(ui, arg),
    'tasklane.retryTaskWithEdits': (arg) => retryTask(ui, arg, true),
    'tasklane.retryAllFailed': () => retryAllFailed(ui),
    'tasklane.rerunFailedTasks': (arg) => rerunFailedTasks(ui, arg),
    'tasklane.runAgain': (arg) => runAgain(ui, arg),
    'tasklane.showTaskDetails': (arg) => showTaskDetails(ui, arg),
    'tasklane.copyTaskId': (arg) => copyTaskId(ui, arg),
    'tasklane.copyTaskJson': (arg) => copyTaskJson(ui, arg),
    'tasklane.showTaskResult': (arg) => showTaskResult(ui, arg),
    'tasklane.archiveTask': (arg) => archiveTask(ui, arg),
    'tasklane.deleteTask': (arg) => deleteTask(ui, arg),
    'tasklane.archiveCompleted': () => archiveCompleted(ui),
    'tasklane.answerInput': (arg, answer) => answerInput(ui, arg, answer as never),
    'tasklane.showLog': () => ui.log.show(),
    'tasklane.refresh': () => {
      ui.actions.sweepExpired();
      contextKeys.update();
      ui.tree.refreshAll();
    },
    'tasklane.filterTasks': (arg) => filterTasks(ui, contextKeys, arg as { text?: string; statuses?: TaskStatus[] } | undefined),
    'tasklane.clearFilter': () => {
      ui.tree.setFilter({});
      contextKeys.set(CONTEXT_KEYS.filtered, false);
      ui.treeView.message = undefined;
    },
    'tasklane.groupByStatus': () => groupBy('status'),
    'tasklane.groupByServer': () => groupBy('server'),
    'tasklane.groupByTool': () => groupBy('tool'),
    'tasklane.groupByAgent': () => groupBy('agent'),
    'tasklane.groupByMachine': () => groupBy('machine'),
    // The title menu shows the current grouping as a checked copy of its command (menus cannot check an extension's command).
    'tasklane.groupByStatus.current': () => groupBy('status'),
    'tasklane.groupByServer.current': () => groupBy('server'),
    'tasklane.groupByTool.current': () => groupBy('tool'),
    'tasklane.groupByAgent.current': () => groupBy('agent'),
    'tasklane.groupByMachine.current': () => groupBy('machine'),
    'tasklane.pinTask': (arg) => setPinned(ui, arg, true),
    'tasklane.unpinTask': (arg) => setPinned(ui, arg, false),
    'tasklane.unarchiveTask': (arg) => unarchiveTask(ui, arg),
    'tasklane.changePriority': (arg) => changePriority(ui, arg),
    'tasklane.exportTasks': (arg, selection) => exportTasks(ui, arg, selection),
    'tasklane.importTasks': (arg) => importTasks(ui, arg),
    'tasklane.searchHistory': (arg) => searchHistoryCommand(ui, arg),
    'tasklane.focusTasks': () => vscode.commands.executeCommand('tasklane.tasks.focus'),
    'tasklane.showMoreTasks': (arg) => ui.tree.showMore(arg as MoreNode),
    'tasklane.copyWireLogAsScript': (arg) => copyWireLogAsScript(ui, arg),
  };
  return registerHandlers(afterStoreOpens(ui, handlers, VIEW_ONLY_COMMANDS), ui.log);
}

/** Commands that touch no task: they run at once, even while the store is still reading its records. */
const VIEW_ONLY_COMMANDS = new Set(['tasklane.showLog', 'tasklane.focusTasks', 'tasklane.clearFilter', 'tasklane.showMoreTasks']);

/**
 * A command that acts on tasks, or lists them to pick from, waits until the store has read its
 * records: run earlier, it would find none (or start a task the open has not made room for yet).
 */
function afterStoreOpens(
  ui: UiContext,
  handlers: Record<string, (...args: unknown[]) => unknown>,
  immediate: ReadonlySet<string>,
): Record<string, (...args: unknown[]) => unknown> {
  return Object.fromEntries(
    Object.entries(handlers).map(([id, handler]) => [
      id,
      immediate.has(id)
        ? handler
        : async (...args: unknown[]) => {
            if (!ui.store.isOpen) await ui.store.whenOpen();
            return handler(...args);
          },
    ]),
  );
}

function groupBy(value: GroupBy): Thenable<void> {
  // The setting is the single source: the tree follows it through onDidChangeConfiguration.
  return vscode.workspace.getConfiguration('tasklane').update('tasks.groupBy', value, vscode.ConfigurationTarget.Global);
}

async function filterTasks(ui: UiContext, contextKeys: ContextKeys, given?: { text?: string; statuses?: TaskStatus[] }): Promise<void> {
  let filter = given;
  if (!filter) {
    const text = await vscode.window.showInputBox({
      title: 'Filter Tasks (1/2)',
      prompt: 'Text to look for in tool, intent, arguments, status message and tags (empty: any)',
      value: ui.tree.currentFilter.text ?? '',
    });
    if (text === undefined) return;
    const picked = await vscode.window.showQuickPick(
      TASK_STATUSES.map((status) => ({ label: STATUS_LOOK[status].label, status, picked: ui.tree.currentFilter.statuses?.includes(status) ?? false })),
      { title: 'Filter Tasks (2/2)', placeHolder: 'Only these statuses (none picked: all)', canPickMany: true },
    );
    if (!picked) return;
    filter = { text, statuses: picked.map((p) => p.status) };
  }
  ui.tree.setFilter(filter);
  const on = ui.tree.isFiltered;
  contextKeys.set(CONTEXT_KEYS.filtered, on);
  const parts = [
    filter.text?.trim() ? `“${filter.text.trim()}”` : '',
    filter.statuses?.length ? filter.statuses.map((s) => STATUS_LOOK[s].label).join(', ') : '',
  ].filter(Boolean);
  ui.treeView.message = on ? `Filtered by ${parts.join(' · ')}` : undefined;
}
