import * as vscode from 'vscode';
import type { TaskRecord } from '../../core/taskRecord';
import type { TaskReader } from '../../core/taskStore';
import { STATUS_LOOK, taskDescription, taskLabel } from '../taskPresentation';
import { type TaskRef, isTaskRef } from '../taskRef';

/**
 * The task a command acts on: the one it was given (tree item, status bar, panel), or one the
 * person picks from those the command applies to. Undefined when there is none or they escape.
 */
export async function resolveTask(
  store: TaskReader,
  arg: unknown,
  options: { applies: (record: TaskRecord) => boolean; placeHolder: string; none: string },
): Promise<TaskRecord | undefined> {
  if (isTaskRef(arg)) {
    const record = store.get((arg as TaskRef).id);
    if (!record) {
      void vscode.window.showWarningMessage('That task no longer exists.');
      return undefined;
    }
    return record;
  }
  const candidates = store.all().filter((record) => !record.archived && options.applies(record));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(options.none);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((record) => ({
      label: `$(${STATUS_LOOK[record.status].icon.replace('~spin', '')}) ${taskLabel(record)}`,
      description: record.tool,
      detail: taskDescription(record),
      record,
    })),
    { placeHolder: options.placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.record;
}
