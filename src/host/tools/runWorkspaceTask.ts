import * as vscode from 'vscode';
import { setLongTimeout } from '../../core/longTimer';
import type { ToolContext } from '../../mcp/server/tools/toolDefinition';
import { KILL_GRACE_MS } from '../../mcp/server/tools/processGroup';
import { StepReporter } from '../../mcp/server/tools/stepReporter';
import { MAX_STATUS_LENGTH } from '../../mcp/server/tools/statusThrottle';
import { CapturedOutput } from './capturedOutput';
import { describePlan, planCapture } from './capturePlan';
import { CapturingTerminal } from './capturingTerminal';
import { TaskEndWatcher } from './taskEndWatcher';
import { TaskStepWatcher } from './taskStepWatcher';
import { maxOutputFor } from './toolBudget';
import type { WorkspaceTask } from './workspaceTasks';

export interface TaskRunOutcome {
  readonly label: string;
  /** The command line that ran, when Tasklane started the process itself. */
  readonly commandLine?: string;
  /** The directory it ran in, when Tasklane started the process itself. */
  readonly cwd?: string;
  /** Undefined when the process was killed, never started, or VS Code did not say. */
  readonly exitCode: number | undefined;
  readonly signal?: string;
  readonly durationMs: number;
  /** Why the output could not be read; undefined when it was. */
  readonly notCaptured?: string;
  readonly output: string;
  readonly truncated: boolean;
  readonly timedOut: boolean;
  readonly startError?: string;
}

/**
 * Runs a workspace task through VS Code's task system, so it shows in the Terminal panel as usual.
 * Shell and process tasks are run as an equivalent task whose process Tasklane starts, so their
 * output also streams into the MCP task; other tasks run untouched, and only their end is known.
 * Cancelling terminates the task and rejects with the signal's reason; running out of `budgetMs`
 * terminates it and resolves with `timedOut`.
 */
export async function runWorkspaceTask(chosen: WorkspaceTask, context: ToolContext, budgetMs: number, log: vscode.LogOutputChannel): Promise<TaskRunOutcome> {
  if (context.signal.aborted) throw toError(context.signal.reason);
  const startedAt = performance.now();
  const plan = planCapture(chosen.task);
  const base = { label: chosen.label, output: '', truncated: false };

  if ('reason' in plan) {
    context.status(`Running task "${chosen.label}" (its output cannot be read: ${plan.reason})`.slice(0, MAX_STATUS_LENGTH));
    log.info(`[tools] running task "${chosen.label}" through VS Code, output not captured: ${plan.reason}`);
    const watcher = new TaskEndWatcher();
    // A task with dependsOn shows each task VS Code runs for it as a step.
    const reporter = new StepReporter(context.steps);
    const steps = new TaskStepWatcher(chosen.task, reporter);
    try {
      const execution = await execute(chosen.task, chosen.label, log);
      const run = await untilDone(watcher.ended(chosen.task), context, budgetMs, () => {
        steps.stop();
        execution.terminate();
      });
      return { ...base, exitCode: run.timedOut ? undefined : run.value, durationMs: elapsed(startedAt), notCaptured: plan.reason, timedOut: run.timedOut };
    } finally {
      steps.finish(context.signal.aborted);
      steps.dispose();
      watcher.dispose();
      // The steps as they ended go out before the task's own end.
      reporter.flush();
    }
  }

  const commandLine = describePlan(plan);
  context.status(`Running task "${chosen.label}": ${commandLine}`.slice(0, MAX_STATUS_LENGTH));
  log.info(`[tools] running task "${chosen.label}" with its output captured: ${commandLine}`);
  const output = new CapturedOutput(context, maxOutputFor(context));
  const terminal = new CapturingTerminal(plan, (text) => output.add(text));
  try {
    const execution = await execute(substituteTask(chosen.task, terminal), chosen.label, log);
    const run = await untilDone(terminal.ended, context, budgetMs, () => {
      terminal.close();
      execution.terminate();
    });
    const end = run.value;
    return {
      ...base,
      commandLine,
      cwd: plan.cwd,
      exitCode: end?.exitCode,
      signal: end?.signal,
      startError: end?.startError,
      durationMs: elapsed(startedAt),
      output: output.text(),
      truncated: output.truncated,
      timedOut: run.timedOut,
    };
  } finally {
    output.flushStatus();
    terminal.dispose();
  }
}

async function execute(task: vscode.Task, label: string, log: vscode.LogOutputChannel): Promise<vscode.TaskExecution> {
  try {
    return await vscode.tasks.executeTask(task);
  } catch (error) {
    log.warn(`[tools] VS Code did not start task "${label}"`, error);
    throw new Error(`VS Code did not start task "${label}": ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The same task (name, source, scope, definition, group, problem matchers, presentation) with our process behind it. */
function substituteTask(original: vscode.Task, terminal: CapturingTerminal): vscode.Task {
  const task = new vscode.Task(
    original.definition,
    original.scope ?? vscode.TaskScope.Workspace,
    original.name,
    original.source,
    new vscode.CustomExecution(async () => terminal),
    original.problemMatchers,
  );
  task.group = original.group;
  task.detail = original.detail;
  task.isBackground = original.isBackground;
  task.presentationOptions = original.presentationOptions;
  task.runOptions = original.runOptions;
  return task;
}

interface Run<T> {
  /** Undefined when the task did not end within the grace period after being stopped. */
  readonly value: T | undefined;
  readonly timedOut: boolean;
}

/** Waits for `ended`; on cancel or when the budget runs out, stops the task and gives it a grace period to end. */
function untilDone<T>(ended: Promise<T>, context: ToolContext, budgetMs: number, stop: () => void): Promise<Run<T>> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const halt = (timedOut: boolean) => {
      if (stopping) return;
      stopping = true;
      budget.clear();
      stop();
      let grace: NodeJS.Timeout | undefined;
      const finish = (value: T | undefined) => {
        clearTimeout(grace);
        context.signal.removeEventListener('abort', onAbort);
        if (timedOut) resolve({ value, timedOut });
        else reject(toError(context.signal.reason));
      };
      grace = setTimeout(() => finish(undefined), KILL_GRACE_MS + 1_000);
      void ended.then(finish);
    };
    const onAbort = () => halt(false);
    const budget = setLongTimeout(() => halt(true), budgetMs);
    context.signal.addEventListener('abort', onAbort, { once: true });
    void ended.then((value) => {
      if (stopping) return;
      budget.clear();
      context.signal.removeEventListener('abort', onAbort);
      resolve({ value, timedOut: false });
    });
  });
}

function elapsed(since: number): number {
  return Math.round(performance.now() - since);
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason ?? 'Cancelled'));
}
