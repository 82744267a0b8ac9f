import * as vscode from 'vscode';
import { Emitter } from '../../core/events';
import { Disposable, toDisposable } from '../../core/lifecycle';
import type { AgentCredentials } from '../../mcp/agents/agentCredentials';
import type { EmbeddedServer } from '../../mcp/embeddedServer';
import { type RunningHttpServer, startHttpServer } from '../../mcp/server/httpServer';
import { setting } from '../../platform/config';

export type AgentServerState =
  | { readonly kind: 'off'; readonly reason: string }
  | { readonly kind: 'running'; readonly url: string; readonly port: number }
  | { readonly kind: 'failed'; readonly reason: string };

/** The port the server last listened on when the setting says "any": reused so copied configs keep working across reloads. */
const LAST_PORT_KEY = 'tasklane.agents.http.lastPort';

/**
 * The embedded task server over Streamable HTTP on 127.0.0.1, for agents outside the editor and
 * for VS Code's chat. Follows `tasklane.agents.http.*` (restarting on change) and workspace trust:
 * in Restricted Mode no agent is let in, because the server's tools act on the workspace.
 */
export class AgentAccess extends Disposable {
  private server: RunningHttpServer | undefined;
  private _state: AgentServerState = { kind: 'off', reason: 'not started yet' };
  private readonly _onDidChangeState = this._register(new Emitter<AgentServerState>());
  readonly onDidChangeState = this._onDidChangeState.event;
  /** Applies settings one change at a time, so two quick edits never start two servers. */
  private queue: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly embedded: EmbeddedServer,
    private readonly credentials: AgentCredentials,
    private readonly workspaceState: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('tasklane.agents.http')) void this.apply();
      }),
    );
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.apply()));
    this._register(
      toDisposable(() => {
        this.disposed = true;
        void this.stop();
      }),
    );
  }

  get state(): AgentServerState {
    return this._state;
  }

  /** The endpoint, while the server runs. */
  get url(): string | undefined {
    return this._state.kind === 'running' ? this._state.url : undefined;
  }

  /** Starts, restarts or stops the server to match settings and trust; resolves when done. */
  apply(): Promise<void> {
    this.queue = this.queue.then(() => this.applyNow()).catch((error: Error) => this.log.error(`[agents] ${error.message}`));
    return this.queue;
  }

  private async applyNow(): Promise<void> {
    if (this.disposed) return;
    const enabled = setting('tasklane.agents.http.enabled');
    const configuredPort = setting('tasklane.agents.http.port');
    if (!enabled) return this.switchOff('turned off in settings (tasklane.agents.http.enabled)');
    if (!vscode.workspace.isTrusted) return this.switchOff('the workspace is not trusted (Restricted Mode); trust it to let agents in');
    const wanted = configuredPort || this.workspaceState.get<number>(LAST_PORT_KEY) || 0;
    if (this.server && (configuredPort === 0 || this.server.port === configuredPort)) return;
    await this.stop();
    try {
      this.server = await this.listen(wanted);
    } catch (error) {
      if (!configuredPort && wanted && isAddressInUse(error)) {
        this.server = await this.listen(0).catch((second: Error) => this.fail(second, 0));
      } else {
        this.server = undefined;
        this.fail(error as Error, wanted);
      }
    }
    if (!this.server) return;
    if (this.disposed) return void this.stop();
    if (!configuredPort) await this.workspaceState.update(LAST_PORT_KEY, this.server.port);
    this.log.info(`[agents] agents can reach Tasklane at ${this.server.url} (each with its own token)`);
    this.setState({ kind: 'running', url: this.server.url, port: this.server.port });
  }

  private listen(port: number): Promise<RunningHttpServer> {
    return startHttpServer(this.embedded.host, this.embedded.engine, { port, authenticate: this.credentials.authenticate, log: this.log });
  }

  private fail(error: Error, port: number): undefined {
    const reason = isAddressInUse(error)
      ? `port ${port} is already in use; choose another in tasklane.agents.http.port, or 0 for any free port`
      : `the server could not start: ${error.message}`;
    this.log.error(`[agents] agents cannot reach Tasklane: ${reason}`);
    this.setState({ kind: 'failed', reason });
    void vscode.window.showErrorMessage(`Tasklane cannot let agents in: ${reason}.`, 'Open Settings', 'Show Log').then((choice) => {
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'tasklane.agents.http');
      if (choice === 'Show Log') this.log.show();
    });
    return undefined;
  }

  private async switchOff(reason: string): Promise<void> {
    await this.stop();
    if (this._state.kind === 'off' && this._state.reason === reason) return;
    this.log.info(`[agents] agent access is off: ${reason}`);
    this.setState({ kind: 'off', reason });
  }

  private async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      await server.close();
      this.log.info(`[agents] stopped serving agents on ${server.url}`);
    }
  }

  private setState(state: AgentServerState): void {
    this._state = state;
    this._onDidChangeState.fire(state);
  }
}

function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE';
}
