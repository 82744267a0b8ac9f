import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hasDependencies as dependsOnTasks } from '../../core/taskDependencies';
import { buildCommandLine, type ShellArgument, type ShellFlavour } from '../../core/shellCommandLine';
import { resolveVariables, type VariableValues } from '../../core/taskVariables';

/** How to start a task's process ourselves, so that its output can be read. */
export type CapturePlan =
  | { readonly kind: 'shell'; readonly commandLine: string; readonly shell?: ShellProgram; readonly cwd: string; readonly env: NodeJS.ProcessEnv }
  | { readonly kind: 'process'; readonly file: string; readonly args: string[]; readonly cwd: string; readonly env: NodeJS.ProcessEnv };

export interface ShellProgram {
  readonly executable: string;
  readonly args: readonly string[];
}

/** Why a task is run by VS Code as it is, without its output. */
export interface NotCapturable {
  readonly reason: string;
}

/** Shells that take a command line after `-c`, as VS Code runs shell tasks with them. */
const POSIX_SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh']);

/**
 * Plans to run a shell or process task directly. Tasks of other kinds (an extension's
 * CustomExecution) and tasks using variables only the editor can resolve (`${input:…}`) are not
 * capturable: VS Code runs those itself.
 */
export function planCapture(task: vscode.Task): CapturePlan | NotCapturable {
  // Our equivalent task would be an extension's task, which VS Code runs without the dependencies.
  if (hasDependencies(task)) return { reason: 'it depends on other tasks (dependsOn), which only VS Code runs in order' };
  const execution = task.execution;
  const resolver = new Resolver(variableValues(task));
  if (execution instanceof vscode.ShellExecution) {
    const flavour: ShellFlavour = process.platform === 'win32' ? 'cmd' : 'posix';
    const commandLine = execution.commandLine ?? buildCommandLine(shellWord(execution.command ?? ''), (execution.args ?? []).map(shellWord), flavour);
    const options = execution.options ?? {};
    const plan: CapturePlan = {
      kind: 'shell',
      commandLine: resolver.text(commandLine),
      shell: options.executable
        ? { executable: resolver.text(options.executable), args: (options.shellArgs ?? defaultShellArgs(options.executable)).map((arg) => resolver.text(arg)) }
        : defaultShell(),
      cwd: resolver.cwd(options.cwd),
      env: resolver.env(options.env),
    };
    return resolver.unresolved() ?? plan;
  }
  if (execution instanceof vscode.ProcessExecution) {
    const options = execution.options ?? {};
    const plan: CapturePlan = {
      kind: 'process',
      file: resolver.text(execution.process),
      args: execution.args.map((arg) => resolver.text(arg)),
      cwd: resolver.cwd(options.cwd),
      env: resolver.env(options.env),
    };
    return resolver.unresolved() ?? plan;
  }
  return { reason: 'it is run by the extension that provides it, which gives no access to its output' };
}

/** Whether the tasks.json entry of this task names tasks to run before it. */
function hasDependencies(task: vscode.Task): boolean {
  return task.source === 'Workspace' && dependsOnTasks(workspaceTaskEntries(task), task.name);
}

/** The `tasks` entries of the tasks.json the task comes from (its folder's, or the workspace's). */
export function workspaceTaskEntries(task: vscode.Task): unknown[] {
  const folder = typeof task.scope === 'object' && task.scope !== null ? task.scope.uri : undefined;
  return vscode.workspace.getConfiguration('tasks', folder).get<unknown[]>('tasks') ?? [];
}

/** The command line as a person would read it, for status lines and results. */
export function describePlan(plan: CapturePlan): string {
  return plan.kind === 'shell' ? plan.commandLine : [plan.file, ...plan.args].join(' ');
}

class Resolver {
  private readonly missing = new Set<string>();

  constructor(private readonly values: VariableValues) {}

  text(value: string): string {
    const resolution = resolveVariables(value, this.values);
    for (const variable of resolution.unresolved) this.missing.add(variable);
    return resolution.text;
  }

  cwd(value: string | undefined): string {
    const base = this.values.workspaceFolder ?? os.homedir();
    return value === undefined ? base : path.resolve(base, this.text(value));
  }

  env(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [name, value] of Object.entries(extra ?? {})) env[name] = this.text(value);
    return env;
  }

  unresolved(): NotCapturable | undefined {
    if (this.missing.size === 0) return undefined;
    return { reason: `it uses ${[...this.missing].join(', ')}, which only VS Code can resolve` };
  }
}

function variableValues(task: vscode.Task): VariableValues {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const scope = task.scope;
  const folder = typeof scope === 'object' && scope !== null ? scope : folders.length === 1 ? folders[0] : undefined;
  return {
    workspaceFolder: folder?.uri.fsPath,
    folders: Object.fromEntries(folders.map((f) => [f.name, f.uri.fsPath])),
    cwd: process.cwd(),
    env: process.env,
    userHome: os.homedir(),
    pathSeparator: path.sep,
  };
}

function shellWord(word: string | vscode.ShellQuotedString): ShellArgument {
  if (typeof word === 'string') return word;
  const quoting = word.quoting === vscode.ShellQuoting.Escape ? 'escape' : word.quoting === vscode.ShellQuoting.Strong ? 'strong' : 'weak';
  return { value: word.value, quoting };
}

/** The user's terminal shell when it reads `-c` the way tasks need; otherwise /bin/sh (cmd.exe on Windows). */
function defaultShell(): ShellProgram | undefined {
  if (process.platform === 'win32') return undefined;
  const shell = vscode.env.shell;
  return shell && POSIX_SHELLS.has(path.basename(shell)) ? { executable: shell, args: ['-c'] } : undefined;
}

function defaultShellArgs(executable: string): string[] {
  const name = path
    .basename(executable)
    .toLowerCase()
    .replace(/\.exe$/, '');
  if (name === 'cmd') return ['/d', '/c'];
  if (name === 'pwsh' || name === 'powershell') return ['-Command'];
  return ['-c'];
}
