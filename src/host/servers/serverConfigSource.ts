import * as vscode from 'vscode';
import { Emitter } from '../../core/events';
import { Disposable } from '../../core/lifecycle';
import { type ParsedServers, mergeServers, parseMcpJson, parseSettingsServers } from '../../mcp/client/serverConfig';
import type { NewServer } from '../../core/serverDirectory';

/** The setting that lists servers (declared in src/core/settings.ts). */
export const SERVERS_SETTING = 'tasklane.servers';
const MCP_JSON = '.vscode/mcp.json';
/** A save or a settings edit often comes as a burst of events; the configuration is read once after it. */
const RELOAD_DEBOUNCE_MS = 150;

/**
 * Where the server configuration lives: the `tasklane.servers` setting and each workspace folder's
 * `.vscode/mcp.json`. It reads them, watches them (and the folders and workspace trust, which change
 * what may run), and writes new servers into settings. Kept apart from the manager so the manager
 * sees only "the configuration changed" and "here it is", not where it came from.
 */
export class ServerConfigSource extends Disposable {
  private readonly _onDidChange = this._register(new Emitter<void>());
  /** Fires once after a burst of changes to the setting, an mcp.json, the folders or workspace trust. */
  readonly onDidChange = this._onDidChange.event;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private watchers: vscode.Disposable[] = [];
  private disposed = false;

  constructor() {
    super();
    this._register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(SERVERS_SETTING)) this.scheduleChange();
      }),
    );
    this._register(
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.watchFolders();
        this.scheduleChange();
      }),
    );
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.scheduleChange()));
    this._register({ dispose: () => this.watchers.forEach((w) => w.dispose()) });
    this.watchFolders();
  }

  override dispose(): void {
    this.disposed = true;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    super.dispose();
  }

  /** The servers of the setting and of every folder's mcp.json, merged, with their problems. */
  async read(): Promise<ParsedServers> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const parts: ParsedServers[] = [parseSettingsServers(vscode.workspace.getConfiguration().get(SERVERS_SETTING), { folder: folders[0]?.uri.fsPath })];
    for (const folder of folders) {
      const uri = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
      let text: string;
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      } catch {
        continue;
      }
      parts.push(parseMcpJson(text, uri.fsPath, folder.uri.fsPath));
    }
    return mergeServers(...parts);
  }

  /** Appends a server under `id` to the user or workspace `tasklane.servers`; the change event follows. */
  async add(server: NewServer, id: string, target: 'user' | 'workspace'): Promise<void> {
    const entry = { ...server, id, name: server.name.trim(), ...(server.type === 'stdio' ? { args: server.args ?? [] } : {}) };
    const configuration = vscode.workspace.getConfiguration();
    const inspected = configuration.inspect<unknown[]>(SERVERS_SETTING);
    const current = (target === 'workspace' ? inspected?.workspaceValue : inspected?.globalValue) ?? [];
    const configTarget = target === 'workspace' ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await configuration.update(SERVERS_SETTING, [...(Array.isArray(current) ? current : []), entry], configTarget);
  }

  private scheduleChange(): void {
    if (this.disposed) return;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      this._onDidChange.fire();
    }, RELOAD_DEBOUNCE_MS);
  }

  private watchFolders(): void {
    this.watchers.forEach((w) => w.dispose());
    this.watchers = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, MCP_JSON));
      watcher.onDidCreate(() => this.scheduleChange());
      watcher.onDidChange(() => this.scheduleChange());
      watcher.onDidDelete(() => this.scheduleChange());
      this.watchers.push(watcher);
    }
  }
}
