import * as vscode from 'vscode';
import { type TaskRecord, agentDescription } from '../../core/taskRecord';
import { hasResult, withResultInline } from '../../core/taskResult';
import { isTerminal } from '../../core/taskStatus';
import { canCancelTask, canPutAway, canRetryTask, canRunAgain, isOpenFailure, runsAgainOnlyWhenAsked } from '../../core/taskRules';
import { type ToolInfo, isUnsafeToRepeat } from '../../core/serverDirectory';
import { setting } from '../../platform/config';
import { descendantsOf } from '../../core/taskFamily';
import { taskLabel } from '../taskPresentation';
import { CANCEL_ALL, CANCEL_ONLY_THIS, type ChildrenChoice, cancelChildrenPrompt } from './cancelPrompt';
import { promptJson } from './formPrompt';
import { resolveTask } from './taskPicker';
import type { UiContext } from './uiContext';

/**
 * Cancels a task. When tasks started on its behalf still run (children, grandchildren), asks
 * whether to cancel them too, unless the argument says (`{ id, children: 'cancel' | 'keep' }`).
 */
export async function cancelTask(ui: UiContext, arg?: unknown): Promise<TaskRecord | undefined> {
  const record = await resolveTask(ui.store, arg, {
    applies: canCancelTask,
    placeHolder: 'Cancel which task?',
    none: 'No task is running.',
  });
  if (!record) return undefined;
  if (record.imported) {
    void vscode.window.showInformationMessage('An imported task is a read-only copy; there is nothing to cancel.');
    return record;
  }
  const running = descendantsOf(ui.store.all(), record.id).filter(canCancelTask);
  let choice = (arg as { children?: ChildrenChoice } | undefined)?.children;
  if (running.length > 0 && choice === undefined) {
    const answer = await vscode.window.showWarningMessage(
      cancelChildrenPrompt(running.length),
      { modal: true, detail: `"${taskLabel(record)}" started them.` },
      CANCEL_ALL,
      CANCEL_ONLY_THIS,
    );
    if (answer === undefined) return undefined;
    choice = answer === CANCEL_ALL ? 'cancel' : 'keep';
  }
  const cancelled = await cancelOne(ui, record);
  if (choice === 'cancel' && running.length > 0) {
    const failures: string[] = [];
    // Siblings are independent: cancel them together; the parent went first so it stops spawning more.
    await Promise.all(
      running.map((child) =>
        cancelOne(ui, child).catch((error: Error) => {
          failures.push(`${taskLabel(child)}: ${error.message}`);
        }),
      ),
    );
    ui.log.info(`[ui] cancelled ${record.id} and ${running.length - failures.length} of its ${running.length} running child tasks`);
    if (failures.length > 0) {
      ui.log.warn(`[ui] could not cancel child tasks of ${record.id}: ${failures.join('; ')}`);
      void vscode.window.showWarningMessage(`Tasklane could not cancel ${failures.length} of the child tasks.`, 'Show Log').then((c) => c && ui.log.show());
    }
  }
  return cancelled;
}

function cancelOne(ui: UiContext, record: TaskRecord): Promise<TaskRecord> {
  return ui.actions.cancel(record.id);
}

export async function retryTask(ui: UiContext, arg?: unknown, editArguments = false): Promise<TaskRecord | undefined> {
  const record = await resolveTask(ui.store, arg, { applies: canRetryTask, placeHolder: 'Retry which task?', none: 'No failed or cancelled task to retry.' });
  if (!record) return undefined;
  if (!canRetryTask(record)) {
    void vscode.window.showInformationMessage(
      record.imported
        ? 'An imported task is a read-only copy and cannot be retried here.'
        : record.retriedAs
          ? 'This attempt was already retried.'
          : `A ${record.status} task cannot be retried.`,
    );
    return undefined;
  }
  const tool = await toolOf(ui, record);
  let args = record.arguments;
  if (editArguments) {
    const edited = await promptJson({
      title: `Retry ${taskLabel(record)} with`,
      initial: record.arguments,
      schema: tool?.inputSchema,
    });
    if (!edited) return undefined;
    args = edited;
  }
  if (
    !(await confirmRerun(
      ui,
      record,
      tool,
      'Retry',
      `Retry "${taskLabel(record)}"?`,
      `Its first attempt ${record.status === 'failed' ? 'failed' : 'was cancelled'} and may have done part of its work.`,
    ))
  )
    return undefined;
  const next = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Retrying ${taskLabel(record)}` }, () =>
    ui.actions.retry(record.id, { arguments: args }),
  );
  ui.log.info(`[ui] retried ${record.id} as ${next.id}`);
  return next;
}

/**
 * "Run Again": the same tool with the same arguments, as a new task of its own (a retry is a
 * linked attempt of a failed or cancelled one; this works for completed tasks too).
 */
export async function runAgain(ui: UiContext, arg?: unknown): Promise<TaskRecord | undefined> {
  const record = await resolveTask(ui.store, arg, { applies: canRunAgain, placeHolder: 'Run which task again?', none: 'No finished task to run again.' });
  if (!record) return undefined;
  if (!canRunAgain(record)) {
    void vscode.window.showInformationMessage(
      record.imported ? 'An imported task is a read-only copy and cannot be run here.' : 'This task has not finished yet.',
    );
    return undefined;
  }
  if (!ui.servers.get(record.serverId)) throw new Error(`The server "${ui.servers.nameOf(record.serverId)}" is not connected, so the task cannot run again.`);
  if (
    !(await confirmRerun(
      ui,
      record,
      await toolOf(ui, record),
      'Run Again',
      `Run "${taskLabel(record)}" again?`,
      'It runs again from the start, as a new task.',
    ))
  )
    return undefined;
  const next = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Running ${taskLabel(record)} again` }, () =>
    ui.actions.runAgain(record.id),
  );
  ui.log.info(`[ui] ran ${record.id} again as ${next.id}`);
  return next;
}

/**
 * Asks before running work again when a rule says so: another principal's team task always
 * (`runsAgainOnlyWhenAsked`: it becomes the person's own new task on the team server), else a tool
 * that says it is destructive or not idempotent.
 */
async function confirmRerun(ui: UiContext, record: TaskRecord, tool: ToolInfo | undefined, action: string, question: string, detail: string): Promise<boolean> {
  if (!runsAgainOnlyWhenAsked(record)) return confirmUnsafe(tool, action, question, detail);
  const owner = agentDescription(record);
  const choice = await vscode.window.showWarningMessage(
    question,
    {
      modal: true,
      detail: `This is ${owner}'s task, listed from the team server ${ui.servers.nameOf(record.serverId)}. ${detail} It runs as your own new task, with the same tool (${record.tool}) and arguments.`,
    },
    action,
  );
  return choice === action;
}

/** Asks before running a tool again that says it is destructive or not idempotent (setting `tasklane.retry.confirmUnsafe`). */
async function confirmUnsafe(tool: ToolInfo | undefined, action: string, question: string, detail: string): Promise<boolean> {
  if (!tool || !setting('tasklane.retry.confirmUnsafe') || !isUnsafeToRepeat(tool)) return true;
  const why = tool.destructive ? 'may change or delete things' : 'may not be safe to run twice';
  const choice = await vscode.window.showWarningMessage(question, { modal: true, detail: `The tool ${tool.name} ${why}. ${detail}` }, action);
  return choice === action;
}

export async function retryAllFailed(ui: UiContext): Promise<TaskRecord[]> {
  const failed = ui.store.all().filter(isOpenFailure);
  if (failed.length === 0) {
    void vscode.window.showInformationMessage('No failed tasks to retry.');
    return [];
  }
  const unsafe: TaskRecord[] = [];
  for (const record of failed) {
    const tool = await toolOf(ui, record);
    if (tool && isUnsafeToRepeat(tool)) unsafe.push(record);
  }
  if (unsafe.length > 0 && setting('tasklane.retry.confirmUnsafe')) {
    const choice = await vscode.window.showWarningMessage(
      `Retry ${failed.length} failed task${failed.length === 1 ? '' : 's'}?`,
      { modal: true, detail: `${unsafe.length} of them use tools that may not be safe to run twice.` },
      'Retry All',
    );
    if (choice !== 'Retry All') return [];
  }
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Retrying failed tasks', cancellable: true },
    async (progress, token) => {
      const started: TaskRecord[] = [];
      for (const [index, record] of failed.entries()) {
        if (token.isCancellationRequested) break;
        progress.report({ message: `${index + 1} of ${failed.length}: ${taskLabel(record)}`, increment: 100 / failed.length });
        started.push(await ui.actions.retry(record.id));
      }
      return started;
    },
  );
}

export async function showTaskDetails(ui: UiContext, arg?: unknown): Promise<void> {
  const record = await resolveTask(ui.store, arg, { applies: () => true, placeHolder: 'Show which task?', none: 'There are no tasks yet.' });
  if (record) ui.details.show(record.id);
}

export async function copyTaskId(ui: UiContext, arg?: unknown): Promise<void> {
  const record = await resolveTask(ui.store, arg, { applies: () => true, placeHolder: 'Copy the id of which task?', none: 'There are no tasks yet.' });
  if (!record) return;
  const id = record.taskId ?? record.id;
  await vscode.env.clipboard.writeText(id);
  vscode.window.setStatusBarMessage(`$(copy) Copied task id ${id}`, 3000);
}

export async function copyTaskJson(ui: UiContext, arg?: unknown): Promise<void> {
  const record = await resolveTask(ui.store, arg, { applies: () => true, placeHolder: 'Copy which task as JSON?', none: 'There are no tasks yet.' });
  if (!record) return;
  // Throws a plain "no longer on disk" when a result kept aside is gone; the command shows it.
  await vscode.env.clipboard.writeText(JSON.stringify(withResultInline(record, ui.store), null, 2));
  vscode.window.setStatusBarMessage('$(copy) Copied the task as JSON', 3000);
}

export async function showTaskResult(ui: UiContext, arg?: unknown): Promise<void> {
  const record = await resolveTask(ui.store, arg, {
    applies: (r) => isTerminal(r.status),
    placeHolder: 'Show the result of which task?',
    none: 'No task has finished yet.',
  });
  if (!record) return;
  const content = record.error
    ? { error: record.error }
    : !hasResult(record)
      ? { note: 'This task ended without a result.', status: record.status }
      : ui.store.readResult(record);
  const document = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(content, null, 2) });
  await vscode.window.showTextDocument(document, { preview: true });
}

export async function archiveTask(ui: UiContext, arg?: unknown): Promise<void> {
  const record = await resolveTask(ui.store, arg, {
    applies: canPutAway,
    placeHolder: 'Archive which task?',
    none: 'No finished task to archive.',
  });
  if (!record) return;
  if (!canPutAway(record)) {
    void vscode.window.showInformationMessage('Only finished tasks can be archived; cancel it first.');
    return;
  }
  ui.actions.archive(record.id);
}

export async function deleteTask(ui: UiContext, arg?: unknown): Promise<void> {
  const record = await resolveTask(ui.store, arg, {
    applies: canPutAway,
    placeHolder: 'Delete which task?',
    none: 'No finished task to delete.',
  });
  if (!record) return;
  if (!canPutAway(record)) {
    void vscode.window.showInformationMessage('Only finished tasks can be deleted; cancel it first.');
    return;
  }
  const choice = await vscode.window.showWarningMessage(
    `Delete "${taskLabel(record)}" and its result?`,
    { modal: true, detail: 'This cannot be undone. Archiving keeps it out of sight instead.' },
    'Delete',
  );
  if (choice === 'Delete') ui.actions.delete([record.id]);
}

export function archiveCompleted(ui: UiContext): number {
  const completed = ui.store.all().filter((record) => record.status === 'completed' && !record.archived);
  for (const record of completed) ui.actions.archive(record.id);
  vscode.window.setStatusBarMessage(`$(archive) Archived ${completed.length} completed task${completed.length === 1 ? '' : 's'}`, 3000);
  return completed.length;
}

/** The task's tool as its server describes it now; undefined when the server is not connected or does not answer. */
async function toolOf(ui: UiContext, record: TaskRecord): Promise<ToolInfo | undefined> {
  if (!ui.servers.get(record.serverId)) return undefined;
  try {
    return (await ui.servers.tools(record.serverId)).find((tool) => tool.name === record.tool);
  } catch {
    return undefined;
  }
}
