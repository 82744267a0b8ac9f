import * as vscode from 'vscode';
import { splitCommandLine } from '../../core/shellCommandLine';
import { type ConfiguredServer, type NewServer, type ServerDirectory, checkServerUrl } from '../../core/serverDirectory';
import type { ServerNode } from '../tree/serversTreeProvider';
import { registerHandlers } from '../../platform/registerHandlers';

/** Optional answers to "Add Server…", so tests and other extensions can skip the prompts. */
export interface AddServerArgs {
  readonly name?: string;
  readonly type?: 'stdio' | 'http';
  readonly command?: string;
  readonly args?: string[];
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly url?: string;
  readonly target?: 'user' | 'workspace';
}

/** A server as commands receive it: a Servers view row, `{ id }`, or the id itself. */
type ServerArg = ServerNode | { id?: string } | string | undefined;

/** Registers Add Server…, Reconnect Server, Disconnect Server, Set Server Token…, Show Server Log and the wire capture toggle. */
export function registerServerCommands(servers: ServerDirectory, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const handlers: Record<string, (...args: unknown[]) => unknown> = {
    'tasklane.addServer': (arg) => addServer(servers, (arg as AddServerArgs) ?? {}),
    'tasklane.reconnectServer': async (arg) => {
      const view = await pickServer(servers, arg as ServerArg, 'Reconnect which server?');
      if (view) await servers.reconnect(view.id);
      return view?.id;
    },
    'tasklane.disconnectServer': async (arg) => {
      const view = await pickServer(
        servers,
        arg as ServerArg,
        'Disconnect which server?',
        (v) => v.state === 'connected' || v.state === 'connecting' || (v.state === 'disconnected' && v.nextRetryAt !== undefined),
      );
      if (view) await servers.disconnect(view.id);
      return view?.id;
    },
    'tasklane.setServerToken': (arg, token) => setServerToken(servers, arg as ServerArg, token as string | undefined),
    'tasklane.captureWireMessages': (arg) => setWireCapture(servers, arg as ServerArg, true),
    'tasklane.stopCapturingWireMessages': (arg) => setWireCapture(servers, arg as ServerArg, false),
    'tasklane.showServerLog': async (arg) => {
      const view = await pickServer(servers, arg as ServerArg, 'Show the log of which server?');
      if (view) servers.showLog(view.id);
    },
  };
  return registerHandlers(handlers, log);
}

async function pickServer(
  servers: ServerDirectory,
  arg: ServerArg,
  placeHolder: string,
  filter: (view: ConfiguredServer) => boolean = () => true,
): Promise<ConfiguredServer | undefined> {
  const views = servers.configured().filter((view) => !view.invalid);
  const id =
    typeof arg === 'string' ? arg : arg && 'view' in arg ? arg.view.id : arg && 'entry' in arg ? arg.entry.id : (arg as { id?: string } | undefined)?.id;
  if (id) {
    const view = views.find((v) => v.id === id);
    if (!view) throw new Error(`"${id}" is not a configured external server.`);
    return view;
  }
  const candidates = views.filter(filter);
  if (!candidates.length) {
    void vscode.window.showInformationMessage(
      views.length ? 'No server fits that action right now.' : 'No external servers are configured. Use "Tasklane: Add Server…" to add one.',
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((view) => ({ label: view.name, description: `${view.kind} · ${view.state}`, detail: view.target, view })),
    { placeHolder, matchOnDetail: true },
  );
  return picked?.view;
}

/** Capture Wire Messages / Stop Capturing Wire Messages: on any server, the embedded one included. */
async function setWireCapture(servers: ServerDirectory, arg: ServerArg, on: boolean): Promise<string | undefined> {
  let id = idOf(arg);
  if (!id) {
    const known = [...servers.connected().map((entry) => ({ id: entry.id, name: entry.name })), ...servers.configured().filter((view) => !view.invalid)];
    const candidates = known.filter(
      (server, index) => known.findIndex((other) => other.id === server.id) === index && servers.isCapturingWire(server.id) !== on,
    );
    if (!candidates.length) {
      void vscode.window.showInformationMessage(on ? 'Every server is already captured.' : 'No server is being captured.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      candidates.map((server) => ({ label: server.name, description: server.id, id: server.id })),
      { placeHolder: on ? 'Capture the wire messages of which server?' : 'Stop capturing which server?' },
    );
    id = picked?.id;
  }
  if (!id) return undefined;
  await servers.setWireCapture(id, on);
  return id;
}

function idOf(arg: ServerArg): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && 'view' in arg) return arg.view.id;
  if (arg && 'entry' in arg) return arg.entry.id;
  return (arg as { id?: string } | undefined)?.id;
}

async function setServerToken(servers: ServerDirectory, arg: ServerArg, given?: string): Promise<boolean> {
  const view = await pickServer(servers, arg, 'Set the token of which HTTP server?', (v) => v.kind === 'http');
  if (!view) return false;
  if (view.kind !== 'http')
    throw new Error(`${view.name} is a stdio server; tokens are for HTTP servers (put a stdio server's secrets in an \${input:…} of .vscode/mcp.json).`);
  let token = given;
  if (token === undefined) {
    token = await vscode.window.showInputBox({
      title: `Tasklane: token for ${view.name}`,
      prompt: `Sent as "Authorization: Bearer <token>" to ${view.target}, and to nothing else. Kept in VS Code's SecretStorage. Leave empty to remove the token.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (token === undefined) return false;
  }
  await servers.setToken(view.id, token.trim() || undefined);
  return true;
}

async function addServer(servers: ServerDirectory, given: AddServerArgs): Promise<string | undefined> {
  let type = given.type ?? (given.url ? 'http' : given.command ? 'stdio' : undefined);
  if (!type) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: '$(terminal) Command (stdio)', detail: 'Tasklane starts a program and talks MCP over its stdin/stdout', type: 'stdio' as const },
        { label: '$(globe) HTTP (Streamable HTTP)', detail: 'Connect to a running server by URL', type: 'http' as const },
      ],
      { title: 'Add Server (1/3): type' },
    );
    if (!picked) return undefined;
    type = picked.type;
  }
  let command = given.command;
  let args = given.args;
  let url = given.url;
  if (type === 'stdio' && !command) {
    const line = await vscode.window.showInputBox({
      title: 'Add Server (2/3): command',
      prompt: 'The command line that starts the server, e.g. npx -y @modelcontextprotocol/server-everything stdio',
      ignoreFocusOut: true,
      validateInput: (value) => {
        try {
          return splitCommandLine(value).length ? undefined : 'Type the command that starts the server';
        } catch (error) {
          return `Not a command line: ${(error as Error).message}`;
        }
      },
    });
    if (!line) return undefined;
    [command, ...args] = splitCommandLine(line);
  }
  if (type === 'http' && !url) {
    url = await vscode.window.showInputBox({
      title: 'Add Server (2/3): URL',
      prompt: "The server's Streamable HTTP endpoint, e.g. https://example.com/mcp",
      ignoreFocusOut: true,
      validateInput: (value) => checkServerUrl(value.trim()),
    });
    if (!url) return undefined;
    url = url.trim();
  }
  const suggested =
    type === 'http'
      ? new URL(url!).hostname
      : (command ?? 'server')
          .split(/[\\/]/)
          .pop()!
          .replace(/\.(c?js|exe|cmd)$/, '');
  const name =
    given.name ??
    (await vscode.window.showInputBox({
      title: 'Add Server (3/3): name',
      prompt: 'How the server is shown in Tasklane',
      value: suggested,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : 'Give the server a name'),
    }));
  if (!name?.trim()) return undefined;

  const server: NewServer =
    type === 'stdio'
      ? { name: name.trim(), type, command: command!, args: args ?? [], ...(given.env ? { env: given.env } : {}), ...(given.cwd ? { cwd: given.cwd } : {}) }
      : { name: name.trim(), type, url: url! };

  let target = given.target;
  if (!target && vscode.workspace.workspaceFolders?.length) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'User settings', detail: 'Available in every window', target: 'user' as const },
        { label: 'Workspace settings', detail: 'Only in this workspace', target: 'workspace' as const },
      ],
      { title: 'Add Server: save where?' },
    );
    if (!picked) return undefined;
    target = picked.target;
  }
  const id = await servers.add(server, target ?? 'user');

  if (type === 'http' && !given.name) {
    void vscode.window.showInformationMessage(`Added ${name}. Does it need a token?`, 'Set Server Token…').then((choice) => {
      if (choice) void vscode.commands.executeCommand('tasklane.setServerToken', { id });
    });
  }
  return id;
}
