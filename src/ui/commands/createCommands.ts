import * as path from 'node:path';
import * as vscode from 'vscode';
import { readRecentCommands, rememberCommand } from '../../core/recentCommands';
import { specOfDetails, type TaskDetails } from '../../core/taskDetails';
import type { TaskRecord, TaskSpecInput } from '../../core/taskRecord';
import { EMBEDDED_SERVER_ID } from '../../core/embeddedServer';
import type { ServerDirectory, ToolInfo } from '../../core/serverDirectory';
import { setting } from '../../platform/config';
import { promptDetails } from './detailsPrompt';
import { promptForm } from './formPrompt';
import { ESCAPED, type Offer, pickOrType } from './pickOrType';
import type { UiContext } from './uiContext';

/** globalState key of the shell commands run from the command box, most recent first. */
export const RECENT_COMMANDS_KEY = 'tasklane.recentShellCommands';

/** Optional answers, so tests and other extensions can run the command without prompts. */
export interface NewTaskArgs {
  readonly serverId?: string;
  readonly tool?: string;
  readonly arguments?: Record<string, unknown>;
  readonly intent?: string;
  readonly priority?: number;
  readonly timeBudgetMs?: number;
}

export async function newTask(ui: UiContext, given: NewTaskArgs = {}): Promise<TaskRecord | undefined> {
  const serverId = given.serverId ?? (await pickServer(ui.servers, 'New Task (1/4): server'));
  if (!serverId) return undefined;
  const server = ui.servers.get(serverId);
  if (!server) throw new Error(`The server "${serverId}" is not connected.`);
  const tools = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Listing tools of ${server.name}` }, () =>
    ui.servers.tools(server.id),
  );
  const toolName = given.tool ?? (await pickTool(tools, 'New Task (2/4): tool'));
  if (!toolName) return undefined;
  const tool = tools.find((t) => t.name === toolName);
  if (!tool) throw new Error(`${server.name} has no tool named "${toolName}".`);
  const toolTitle = tool.title ?? tool.name;
  let details: TaskDetails = { intent: given.intent, priority: given.priority, timeBudgetMs: given.timeBudgetMs };
  let args = given.arguments;
  if (!args) {
    const offers = await workspaceTaskOffers(ui, serverId, tool.name);
    args = await promptForm(tool.inputSchema, { title: `New Task (3/4): ${toolTitle}`, offers });
    if (!args) return undefined;
    // Asked only of a person filling in the form: callers that pass the arguments pass the details too.
    const asked = await promptDetails(`New Task (4/4): ${toolTitle} · Details (optional)`);
    if (!asked) return undefined;
    details = { ...details, ...asked };
  }
  return start(ui, { serverId, tool: tool.name, arguments: args, ...specOfDetails(details) });
}

/** Asks which connected server (the only one without asking); undefined when the person escapes. */
export async function pickServer(directory: ServerDirectory, title: string): Promise<string | undefined> {
  const servers = directory.connected();
  if (servers.length === 1) return servers[0].id;
  const picked = await vscode.window.showQuickPick(
    servers.map((server) => ({
      label: server.name,
      description: `${server.kind} · ${server.wire}`,
      detail: server.supportsTasks ? 'Supports tasks' : 'No task support: calls run as plain tool calls',
      id: server.id,
    })),
    { title, placeHolder: 'Run a tool on which server?', ignoreFocusOut: true },
  );
  return picked?.id;
}

/** Asks which of a server's tools; undefined when the person escapes. */
export async function pickTool(tools: readonly ToolInfo[], title: string): Promise<string | undefined> {
  const picked = await vscode.window.showQuickPick(
    tools.map((tool) => ({
      label: tool.title ?? tool.name,
      description: `${tool.name}${tool.runsAsTask ? ' · task' : ''}${tool.destructive ? ' · destructive' : ''}`,
      detail: tool.description,
      name: tool.name,
    })),
    { title, placeHolder: 'Which tool?', matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true },
  );
  return picked?.name;
}

/** Values the server offers for the tool's arguments (the workspace's tasks, for the editor's task tools). */
export async function workspaceTaskOffers(
  ui: Pick<UiContext, 'servers' | 'log'>,
  serverId: string,
  tool: string,
): Promise<Record<string, Offer<unknown>[]> | undefined> {
  try {
    const choices = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Listing choices' }, () =>
      ui.servers.argumentChoices(serverId, tool),
    );
    if (!choices) return undefined;
    return Object.fromEntries(
      Object.entries(choices).map(([name, list]) => [
        name,
        list.map((choice) => ({ label: choice.label, description: choice.description, value: choice.value })),
      ]),
    );
  } catch (error) {
    ui.log.warn(`[ui] could not list the workspace's tasks: ${(error as Error).message}`);
    return undefined;
  }
}

export async function runShellCommand(ui: UiContext, given?: { command?: string; cwd?: string }): Promise<TaskRecord | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window
      .showWarningMessage('Tasklane runs no commands in an untrusted workspace. Trust this workspace to run shell commands as tasks.', 'Manage Workspace Trust')
      .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
    return undefined;
  }
  const command = given?.command ?? (await askForCommand(ui));
  if (!command?.trim()) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const cwd = given?.cwd ?? folder;
  return start(ui, {
    serverId: EMBEDDED_SERVER_ID,
    tool: 'run_command',
    arguments: { command, ...(cwd ? { cwd } : {}) },
    intent: command,
    context: { workspace: folder ? path.basename(folder) : undefined, cwd },
  });
}

/** The command box: type a command, or pick one of the recent ones (most recent first). */
async function askForCommand(ui: UiContext): Promise<string | undefined> {
  const recent = readRecentCommands(ui.globalState.get(RECENT_COMMANDS_KEY));
  const picked = await pickOrType<string>({
    title: 'Run Shell Command as Task',
    prompt: 'Runs in the workspace folder; its output streams into the task.',
    placeholder: recent.length ? 'Type a command, e.g. npm test, or pick a recent one' : 'Type a command, e.g. npm test',
    offers: recent.map((command) => ({ label: command, description: 'recent', value: command })),
    typed: (text) => (text.trim() ? { value: text.trim(), description: 'run this command' } : undefined),
  });
  if (picked === ESCAPED) return undefined;
  await ui.globalState.update(RECENT_COMMANDS_KEY, rememberCommand(recent, picked));
  return picked;
}

async function start(
  ui: UiContext,
  spec: Pick<TaskSpecInput, 'serverId' | 'tool' | 'arguments' | 'intent' | 'priority' | 'resourceLimits'> & { context?: { workspace?: string; cwd?: string } },
): Promise<TaskRecord> {
  const record = await ui.actions.start({
    ...spec,
    ttl: setting('tasklane.tasks.requestedTtlMinutes') * 60_000,
    // No agent: work the person starts in the editor is the editor's own ("Editor" in the views).
    context: { ...spec.context },
  });
  // Showing the new task is a courtesy: wait until the view has drawn its row (revealing earlier
  // races the view's own refresh), and skip it if the task is gone or the view hidden by then.
  void ui.tree.whenFetched(record.id).then((node) => {
    if (!node || !ui.treeView.visible) return;
    ui.treeView
      .reveal(node, { select: true, focus: false })
      .then(undefined, (error: Error) => ui.log.debug(`[ui] could not reveal ${record.id}: ${error.message}`));
  });
  return record;
}
