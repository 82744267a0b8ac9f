import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JsonSchema } from '../../core/schemaForm';
import type { TaskRecord } from '../../core/taskRecord';
import { EMBEDDED_SERVER_ID } from '../../mcp/embeddedServer';
import { setting } from '../config';
import { promptForm } from './formPrompt';
import type { UiContext } from './uiContext';

/** Optional answers, so tests and other extensions can run the command without prompts. */
export interface NewTaskArgs {
  readonly serverId?: string;
  readonly tool?: string;
  readonly arguments?: Record<string, unknown>;
  readonly intent?: string;
}

export async function newTask(ui: UiContext, given: NewTaskArgs = {}): Promise<TaskRecord | undefined> {
  const servers = ui.service.listServers();
  let serverId = given.serverId;
  if (!serverId) {
    if (servers.length === 1) serverId = servers[0].id;
    else {
      const picked = await vscode.window.showQuickPick(
        servers.map((server) => ({ label: server.name, description: `${server.kind} · ${server.client.wire}`, detail: server.client.supportsTasks ? 'Supports tasks' : 'No task support: calls run as plain tool calls', id: server.id })),
        { title: 'New Task (1/3): server', placeHolder: 'Run a tool on which server?' },
      );
      if (!picked) return undefined;
      serverId = picked.id;
    }
  }
  const server = ui.service.getServer(serverId);
  if (!server) throw new Error(`The server "${serverId}" is not connected.`);
  const tools = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Listing tools of ${server.name}` }, () => server.client.listTools());
  let toolName = given.tool;
  if (!toolName) {
    const picked = await vscode.window.showQuickPick(
      tools.map((tool) => ({
        label: tool.title ?? tool.name,
        description: `${tool.name}${tool.execution?.taskSupport && tool.execution.taskSupport !== 'forbidden' ? ' · task' : ''}${tool.annotations?.destructiveHint ? ' · destructive' : ''}`,
        detail: tool.description,
        name: tool.name,
      })),
      { title: 'New Task (2/3): tool', placeHolder: 'Which tool?', matchOnDescription: true, matchOnDetail: true },
    );
    if (!picked) return undefined;
    toolName = picked.name;
  }
  const tool = tools.find((t) => t.name === toolName);
  if (!tool) throw new Error(`${server.name} has no tool named "${toolName}".`);
  const args = given.arguments ?? (await promptForm(tool.inputSchema as JsonSchema, { title: `New Task (3/3): ${tool.title ?? tool.name}` }));
  if (!args) return undefined;
  return start(ui, { serverId, tool: tool.name, arguments: args, intent: given.intent });
}

export async function runShellCommand(ui: UiContext, given?: { command?: string; cwd?: string }): Promise<TaskRecord | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Tasklane runs no commands in an untrusted workspace. Trust this workspace to run shell commands as tasks.', 'Manage Workspace Trust').then(
      (choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'),
    );
    return undefined;
  }
  const command =
    given?.command ??
    (await vscode.window.showInputBox({
      title: 'Run Shell Command as Task',
      prompt: 'The command runs in the workspace folder; its output streams into the task.',
      placeHolder: 'npm test',
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : 'Type a command to run'),
    }));
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

async function start(ui: UiContext, spec: { serverId: string; tool: string; arguments: Record<string, unknown>; intent?: string; context?: { workspace?: string; cwd?: string } }): Promise<TaskRecord> {
  const record = await ui.service.start({
    ...spec,
    ttl: setting('tasklane.tasks.requestedTtlMinutes') * 60_000,
    // No agent: work the person starts in the editor is the editor's own ("Editor" in the views).
    context: { ...spec.context },
  });
  // Showing the new task is a courtesy: wait until the view has drawn its row (revealing earlier
  // races the view's own refresh), and skip it if the task is gone or the view hidden by then.
  void ui.tree.whenFetched(record.id).then((node) => {
    if (!node || !ui.treeView.visible) return;
    ui.treeView.reveal(node, { select: true, focus: false }).then(undefined, (error: Error) => ui.log.debug(`[ui] could not reveal ${record.id}: ${error.message}`));
  });
  return record;
}
