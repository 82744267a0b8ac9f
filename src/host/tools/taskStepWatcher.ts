import * as vscode from 'vscode';
import { plannedSteps } from '../../core/taskDependencies';
import type { StepReporter } from '../../mcp/server/tools/stepReporter';
import { workspaceTaskEntries } from './capturePlan';

/**
 * Reports the steps of a workspace task with `dependsOn` as VS Code runs them: each dependency
 * (transitively) and the task itself is a step, waiting until VS Code starts it
 * (`onDidStartTask`), then ended by its process's exit code (`onDidEndTaskProcess`, then
 * `onDidEndTask`). Started before the task, since VS Code may start the first dependency before
 * `executeTask` resolves. Tasks are matched by label (a tasks.json label, or `source: name`) and
 * folder; a task of the same label run by hand at the same time would be taken for the step.
 */
export class TaskStepWatcher implements vscode.Disposable {
  private readonly ids = new Map<string, string>();
  private readonly exitCodes = new Map<string, number | undefined>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private stopping = false;

  constructor(
    private readonly root: vscode.Task,
    private readonly reporter: StepReporter,
  ) {
    const planned = root.source === 'Workspace' ? plannedSteps(workspaceTaskEntries(root), root.name) : [];
    if (planned.length === 0) return;
    for (const step of planned) this.ids.set(step.label, step.label);
    reporter.plan(planned.map((step) => ({ id: step.label, label: step.label, depth: step.depth })));
    this.subscriptions.push(
      vscode.tasks.onDidStartTask((event) => {
        const id = this.stepOf(event.execution.task);
        if (id !== undefined) this.reporter.start(id);
      }),
      vscode.tasks.onDidEndTaskProcess((event) => {
        const id = this.stepOf(event.execution.task);
        if (id !== undefined) this.exitCodes.set(id, event.exitCode);
      }),
      vscode.tasks.onDidEndTask((event) => {
        const id = this.stepOf(event.execution.task);
        if (id !== undefined) this.ended(id);
      }),
    );
  }

  /** The run is being stopped: a step that ends without an exit code from now on was stopped. */
  stop(): void {
    this.stopping = true;
  }

  /** The run is over: what never started did not run; what still runs was stopped. */
  finish(cancelled: boolean): void {
    this.reporter.settle('cancelled', cancelled || this.stopping ? 'Stopped' : 'Did not run');
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.subscriptions.length = 0;
  }

  private ended(id: string): void {
    const exitCode = this.exitCodes.get(id);
    if (exitCode === undefined) {
      // No process (a task of dependencies only), or one that was terminated.
      if (this.stopping) this.reporter.end(id, 'cancelled', 'Stopped');
      else this.reporter.end(id, 'completed');
    } else if (exitCode === 0) this.reporter.end(id, 'completed', 'exit code 0');
    else this.reporter.end(id, 'failed', `exit code ${exitCode}`);
  }

  private stepOf(task: vscode.Task): string | undefined {
    if (!sameFolder(task, this.root)) return undefined;
    return this.ids.get(task.name) ?? this.ids.get(`${task.source}: ${task.name}`);
  }
}

function sameFolder(a: vscode.Task, b: vscode.Task): boolean {
  const folderOf = (task: vscode.Task) => (typeof task.scope === 'object' && task.scope !== null ? task.scope.uri.toString() : undefined);
  const x = folderOf(a);
  const y = folderOf(b);
  return x === undefined || y === undefined || x === y;
}
