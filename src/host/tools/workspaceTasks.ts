import * as vscode from 'vscode';
import { chooseTestTask, findTaskByLabel, taskLabel, type TaskChoice, type WorkspaceTaskInfo } from '../../core/workspaceTaskChoice';
import { fetchTasksWithin } from './workspaceTaskFetch';

/** A task VS Code knows (tasks.json or provided by an extension), with what choosing it needs. */
export interface WorkspaceTask extends WorkspaceTaskInfo {
  readonly task: vscode.Task;
  readonly label: string;
}

/**
 * Every task of the workspace; providers (npm, gulp, …) are asked too, as "Run Task" does. Gives up
 * when they take too long, and at once when `signal` aborts.
 */
export async function fetchWorkspaceTasks(signal?: AbortSignal): Promise<WorkspaceTask[]> {
  const tasks = await fetchTasksWithin(() => vscode.tasks.fetchTasks(), signal ? { signal } : {});
  return tasks.map(describeTask);
}

export async function findWorkspaceTask(label: string, folder: string | undefined, signal: AbortSignal): Promise<TaskChoice<WorkspaceTask>> {
  const tasks = await tasksOrError(signal);
  return 'error' in tasks ? tasks : notRunning(findTaskByLabel(tasks, label, folder));
}

export async function findTestTask(label: string | undefined, folder: string | undefined, signal: AbortSignal): Promise<TaskChoice<WorkspaceTask>> {
  const tasks = await tasksOrError(signal);
  if ('error' in tasks) return tasks;
  return notRunning(label === undefined ? chooseTestTask(tasks, folder) : findTaskByLabel(tasks, label, folder));
}

/** The workspace's tasks, or why VS Code gave none in time (told to the agent as the tool's answer); a cancel stays a cancel. */
async function tasksOrError(signal: AbortSignal): Promise<WorkspaceTask[] | { error: string }> {
  try {
    return await fetchWorkspaceTasks(signal);
  } catch (error) {
    if (signal.aborted) throw error;
    return { error: (error as Error).message };
  }
}

/** VS Code would ask the person whether to restart a task that is running; the caller is told instead. */
function notRunning(choice: TaskChoice<WorkspaceTask>): TaskChoice<WorkspaceTask> {
  if (!('task' in choice)) return choice;
  const { task, label } = choice.task;
  const running = vscode.tasks.taskExecutions.some(
    (execution) => execution.task.name === task.name && execution.task.source === task.source && scopeKey(execution.task) === scopeKey(task),
  );
  return running ? { error: `Task "${label}" is already running. Wait for it to end, or stop it in VS Code, then run it again.` } : choice;
}

function scopeKey(task: vscode.Task): string {
  return isFolder(task.scope) ? task.scope.uri.toString() : String(task.scope);
}

function describeTask(task: vscode.Task): WorkspaceTask {
  const folder = isFolder(task.scope) ? { name: task.scope.name, path: task.scope.uri.fsPath } : undefined;
  const group = task.group ? { kind: task.group.id, isDefault: task.group.isDefault === true } : undefined;
  const info: WorkspaceTaskInfo = { name: task.name, source: task.source, folder, group };
  return { ...info, task, label: taskLabel(info) };
}

function isFolder(scope: vscode.Task['scope']): scope is vscode.WorkspaceFolder {
  return typeof scope === 'object' && scope !== null;
}
