/**
 * Picks one of a workspace's tasks (tasks.json and those other extensions provide) by the label a
 * person sees in "Run Task", or the test task the workspace declares. Pure: callers map their
 * task objects to `WorkspaceTaskInfo`.
 */

export interface WorkspaceTaskInfo {
  readonly name: string;
  /** "Workspace" for tasks.json, else the providing extension's source, e.g. "npm". */
  readonly source: string;
  /** The workspace folder the task belongs to; absent for workspace-wide and global tasks. */
  readonly folder?: { readonly name: string; readonly path: string };
  readonly group?: { readonly kind: string; readonly isDefault: boolean };
}

export type TaskChoice<T> = { readonly task: T } | { readonly error: string };

/** Sources whose tasks show by their bare name, as in VS Code's own "Run Task" list. */
const CONFIGURED_SOURCES = new Set(['Workspace', 'User']);

/** The label VS Code shows for a task: its name, or `source: name` for a provided task. */
export function taskLabel(task: WorkspaceTaskInfo): string {
  return CONFIGURED_SOURCES.has(task.source) ? task.name : `${task.source}: ${task.name}`;
}

/** Finds the task with this label (or `source: name`), in `folder` (a name or path) when given. */
export function findTaskByLabel<T extends WorkspaceTaskInfo>(tasks: readonly T[], label: string, folder?: string): TaskChoice<T> {
  const wanted = label.trim();
  const inFolder = tasks.filter((task) => isInFolder(task, folder));
  const matches = inFolder.filter((task) => taskLabel(task) === wanted || `${task.source}: ${task.name}` === wanted || task.name === wanted);
  // An exact label beats a bare name that a provided task happens to share.
  const exact = matches.filter((task) => taskLabel(task) === wanted);
  const candidates = exact.length > 0 ? exact : matches;
  if (candidates.length === 1) return { task: candidates[0] };
  if (candidates.length > 1) return { error: ambiguity(`Several tasks are labelled "${wanted}"`, candidates, 'Name the folder to pick one.') };
  const where = folder === undefined ? '' : ` in folder "${folder}"`;
  return { error: `No task labelled "${wanted}"${where}. ${available(inFolder)}` };
}

/**
 * The task to run the tests: the default test task (`"group": { "kind": "test", "isDefault": true }`),
 * else the only task in the test group; anything else is an error that says what to do.
 */
export function chooseTestTask<T extends WorkspaceTaskInfo>(tasks: readonly T[], folder?: string): TaskChoice<T> {
  const inFolder = tasks.filter((task) => isInFolder(task, folder));
  const testTasks = inFolder.filter((task) => task.group?.kind === 'test');
  const defaults = testTasks.filter((task) => task.group?.isDefault);
  if (defaults.length === 1) return { task: defaults[0] };
  if (defaults.length > 1) return { error: ambiguity('Several default test tasks', defaults, 'Name the folder or the label to pick one.') };
  if (testTasks.length === 1) return { task: testTasks[0] };
  if (testTasks.length > 1) {
    return { error: ambiguity('Several test tasks and none is the default', testTasks, 'Pass a label, or mark one "isDefault" in tasks.json.') };
  }
  return {
    error: `No test task: add "group": { "kind": "test", "isDefault": true } to a task in tasks.json, or pass a label. ${available(inFolder)}`,
  };
}

function isInFolder(task: WorkspaceTaskInfo, folder: string | undefined): boolean {
  if (folder === undefined) return true;
  return task.folder !== undefined && (task.folder.name === folder || task.folder.path === folder);
}

function ambiguity(what: string, tasks: readonly WorkspaceTaskInfo[], remedy: string): string {
  const listed = tasks.map((task) => (task.folder ? `"${taskLabel(task)}" (folder ${task.folder.name})` : `"${taskLabel(task)}"`));
  return `${what}: ${listed.join(', ')}. ${remedy}`;
}

function available(tasks: readonly WorkspaceTaskInfo[]): string {
  if (tasks.length === 0) return 'There are no tasks.';
  const labels = [...new Set(tasks.map(taskLabel))].sort((a, b) => a.localeCompare(b));
  return `Available tasks: ${labels.map((label) => `"${label}"`).join(', ')}.`;
}

export interface TaskOffer<T> {
  readonly task: T;
  /** The label to pass as the tools' `label` argument, as "Run Task" shows it. */
  readonly label: string;
  /** Where it comes from and whether it is the default, e.g. "default test task · folder api". */
  readonly description: string;
}

/**
 * The tasks a person picks from for `run_vscode_task` (all of them) or `run_tests` (the test
 * group): the default test task first, then by label.
 */
export function taskOffers<T extends WorkspaceTaskInfo>(tasks: readonly T[], options: { readonly testsOnly: boolean }): TaskOffer<T>[] {
  const offered = options.testsOnly ? tasks.filter((task) => task.group?.kind === 'test') : [...tasks];
  const isDefaultTest = (task: WorkspaceTaskInfo) => task.group?.kind === 'test' && task.group.isDefault;
  return offered
    .map((task) => ({
      task,
      label: taskLabel(task),
      description: [
        isDefaultTest(task) ? 'default test task' : task.group?.kind === 'test' ? 'test task' : undefined,
        task.folder ? `folder ${task.folder.name}` : undefined,
      ]
        .filter(Boolean)
        .join(' · '),
    }))
    .sort((a, b) => Number(isDefaultTest(b.task)) - Number(isDefaultTest(a.task)) || a.label.localeCompare(b.label));
}
