import * as vscode from 'vscode';

/**
 * Learns how a task run by VS Code ended. Started before the task, since a quick task can end
 * before `executeTask` resolves. Executions are matched by task identity (source, name, folder):
 * VS Code runs one execution of a task at a time, and the execution objects events carry are not
 * always the one `executeTask` returned.
 */
export class TaskEndWatcher implements vscode.Disposable {
  private readonly exitCodes = new Map<string, number | undefined>();
  private readonly endedKeys = new Set<string>();
  private readonly waiters = new Map<string, (exitCode: number | undefined) => void>();
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.tasks.onDidEndTaskProcess((event) => this.exitCodes.set(keyOf(event.execution.task), event.exitCode)),
      vscode.tasks.onDidEndTask((event) => {
        const key = keyOf(event.execution.task);
        this.endedKeys.add(key);
        this.waiters.get(key)?.(this.exitCodes.get(key));
      }),
    ];
  }

  /** The exit code of the task's process; undefined when it had none (a custom execution) or was terminated. */
  ended(task: vscode.Task): Promise<number | undefined> {
    const key = keyOf(task);
    if (this.endedKeys.has(key)) return Promise.resolve(this.exitCodes.get(key));
    return new Promise((resolve) => this.waiters.set(key, resolve));
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

function keyOf(task: vscode.Task): string {
  const scope = typeof task.scope === 'object' && task.scope !== null ? task.scope.uri.toString() : String(task.scope);
  return JSON.stringify([task.source, task.name, scope]);
}
