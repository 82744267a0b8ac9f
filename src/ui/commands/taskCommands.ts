import * as vscode from 'vscode';
import type { TaskRecord } from '../../core/taskRecord';
import { canCancel, canRetry, isTerminal } from '../../core/taskStatus';
import type { JsonSchema } from '../../core/schemaForm';
import { setting } from '../config';
import { taskLabel } from '../taskPresentation';
import { promptJson } from './formPrompt';
import { resolveTask } from './taskPicker';
import type { UiContext } from './uiContext';

const retryable = (record: TaskRecord) => canRetry(record.status) && !record.retriedAs;

export async function cancelTask(ui: UiContext, arg?: unknown): Promise<TaskRecord | undefined> {
  const record = await resolveTask(ui.store, arg, { applies: (r) => canCancel(r.status), placeHolder: 'Cancel which task?', none: 'No task is running.' });
  if (!record) return undefined;
  return ui.service.cancel(record.id);
}

export async function retryTask(ui: UiContext, arg?: unknown, editArguments = false): Promise<TaskRecord | undefined> {
  const record = await resolveTask(ui.store, arg, { applies: retryable, placeHolder: 'Retry which task?', none: 'No failed or cancelled task to retry.' });
  if (!record) return undefined;
  if (!retryable(record)) {
    void vscode.window.showInformationMessage(record.retriedAs ? 'This attempt was already retried.' : `A ${record.status} task cannot be retried.`);
    return undefined;
  }
  const tool = await toolOf(ui, record);
  let args = record.arguments;
  if (editArguments) {
    const edited = await promptJson({ title: `Retry ${taskLabel(record)} with`, initial: record.arguments, schema: tool?.inputSchema as JsonSchema | undefined });
    if (!edited) return undefined;
    args = edited;
  }
  if (tool && setting('tasklane.retry.confirmUnsafe') && (tool.annotations?.destructiveHint === true || tool.annotations?.idempotentHint === false)) {
    const why = tool.annotations?.destructiveHint ? 'may change or delete things' : 'may not be safe to run twice';
    const choice = await vscode.window.showWarningMessage(`Retry "${taskLabel(record)}"?`, { modal: true, detail: `The tool ${tool.name} ${why}. Its first attempt ${record.status === 'failed' ? 'failed' : 'was cancelled'} and may have done part of its work.` }, 'Retry');
    if (choice !== 'Retry') return undefined;
  }
  const next = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Retrying ${taskLabel(record)}` }, () => ui.service.retry(record.id, { arguments: args }));
  ui.log.info(`[ui] retried ${record.id} as ${next.id}`);
  return next;
}

export async function retryAllFailed(ui: UiContext): Promise<TaskRecord[]> {
  const failed = ui.store.all().filter((record) => !record.archived && record.status === 'failed' && !record.retriedAs);
  if (failed.length === 0) {
    void vscode.window.showInformationMessage('No failed tasks to retry.');
    return [];
  }
  const unsafe: TaskRecord[] = [];
  for (const record of failed) {
    const tool = await toolOf(ui, record);
    if (tool?.annotations?.destructiveHint === true || tool?.annotations?.idempotentHint === false) unsafe.push(record);
  }
  if (unsafe.length > 0 && setting('tasklane.retry.confirmUnsafe')) {
    const choice = await vscode.window.showWarningMessage(`Retry ${failed.length} failed task${failed.length === 1 ? '' : 's'}?`, { modal: true, detail: `${unsafe.length} of them use tools that may not be safe to run twice.` }, 'Retry All');
    if (choice !== 'Retry All') return [];
  }
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Retrying failed tasks', cancellable: true }, async (progress, token) => {
    const started: TaskRecord[] = [];
    for (const [index, record] of failed.entries()) {
      if (token.isCancellationRequested) break;
      progress.report({ message: `${index + 1} of ${failed.length}: ${taskLabel(record)}`, increment: 100 / failed.length });
      started.push(await ui.service.retry(record.id));
    }
    return started;
  });
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
  await vscode.env.clipboard.writeText(JSON.stringify(record, null, 2));
  vscode.window.setStatusBarMessage('$(copy) Copied the task as JSON', 3000);
}

export async function showTaskResult(ui: UiContext, arg?: unknown): Promise<void> {
  const record = await resolveTask(ui.store, arg, { applies: (r) => isTerminal(r.status), placeHolder: 'Show the result of which task?', none: 'No task has finished yet.' });
  if (!record) return;
  const content = record.error ? { error: record.error } : record.result === undefined ? { note: 'This task ended without a result.', status: record.status } : record.result;
  const document = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(content, null, 2) });
  await vscode.window.showTextDocument(document, { preview: true });
}

export async function archiveTask(ui: UiContext, arg?: unknown): Promise<void> {
  const record = await resolveTask(ui.store, arg, { applies: (r) => isTerminal(r.status), placeHolder: 'Archive which task?', none: 'No finished task to archive.' });
  if (!record) return;
  if (!isTerminal(record.status)) {
    void vscode.window.showInformationMessage('Only finished tasks can be archived; cancel it first.');
    return;
  }
  ui.store.archive(record.id);
}

export async function deleteTask(ui: UiContext, arg?: unknown): Promise<void> {
  const record = await resolveTask(ui.store, arg, { applies: (r) => isTerminal(r.status), placeHolder: 'Delete which task?', none: 'No finished task to delete.' });
  if (!record) return;
  if (!isTerminal(record.status)) {
    void vscode.window.showInformationMessage('Only finished tasks can be deleted; cancel it first.');
    return;
  }
  const choice = await vscode.window.showWarningMessage(`Delete "${taskLabel(record)}" and its result?`, { modal: true, detail: 'This cannot be undone. Archiving keeps it out of sight instead.' }, 'Delete');
  if (choice === 'Delete') ui.store.remove(record.id);
}

export function archiveCompleted(ui: UiContext): number {
  const completed = ui.store.all().filter((record) => record.status === 'completed' && !record.archived);
  for (const record of completed) ui.store.archive(record.id);
  vscode.window.setStatusBarMessage(`$(archive) Archived ${completed.length} completed task${completed.length === 1 ? '' : 's'}`, 3000);
  return completed.length;
}

async function toolOf(ui: UiContext, record: TaskRecord) {
  const server = ui.service.getServer(record.serverId);
  if (!server) return undefined;
  try {
    return (await server.client.listTools()).find((tool) => tool.name === record.tool);
  } catch {
    return undefined;
  }
}
