import * as vscode from 'vscode';
import { Emitter } from '../../core/events';
import { Disposable, type IDisposable } from '../../core/lifecycle';
import { type ConfigProblem, formatProblem } from '../../mcp/client/configProblems';
import { type ServerConfig, describeLaunch, fingerprint, freshServerId } from '../../mcp/client/serverConfig';
import { type ServerRegistry, ServerSupervisor, type SupervisorSnapshot } from '../../mcp/client/serverSupervisor';
import type { ConfiguredServer, NewServer } from '../../core/serverDirectory';
import { ServerConfigSource } from './serverConfigSource';
import { type InputPrompt, type OpenConnection, ServerConnector } from './serverConnector';
import { ServerNotices } from './serverNotices';

/** HTTP servers are asked whether they are still there this often. */
const HTTP_PING_MS = 20_000;

interface Managed {
  readonly config: ServerConfig;
  readonly key: string;
  readonly supervisor: ServerSupervisor;
  readonly log: vscode.LogOutputChannel;
  readonly subscription: IDisposable;
  hasToken: boolean;
}

export interface ServerManagerOptions {
  /** Replaces the real transports (tests). */
  readonly connect?: OpenConnection;
  readonly backoff?: ConstructorParameters<typeof ServerSupervisor>[0]['backoff'];
}

/**
 * The editor side of external servers: keeps one supervisor per configured server, applies each
 * configuration change as a diff (only changed servers restart), and respects workspace trust:
 * nothing a workspace's mcp.json declares starts before the workspace is trusted. Where the
 * configuration comes from (ServerConfigSource), how a server is connected with its inputs and
 * token (ServerConnector) and what the person is told (ServerNotices) live in their own files.
 */
export class ServerManager extends Disposable {
  private readonly managed = new Map<string, Managed>();
  private invalid: ConfiguredServer[] = [];
  private problems: ConfigProblem[] = [];
  private readonly source: ServerConfigSource;
  private readonly connector: ServerConnector;
  private readonly notices: ServerNotices;
  private readonly _onDidChange = this._register(new Emitter<void>());
  readonly onDidChange = this._onDidChange.event;
  private reloading: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    context: vscode.ExtensionContext,
    private readonly registry: ServerRegistry,
    private readonly log: vscode.LogOutputChannel,
    private readonly options: ServerManagerOptions = {},
  ) {
    super();
    this.connector = new ServerConnector(context.secrets, options.connect);
    this.notices = new ServerNotices(log);
    this.source = this._register(new ServerConfigSource());
    this._register(this.source.onDidChange(() => void this.reload()));
  }

  /** Reads the configuration and connects; resolves once every server has been started (not connected). */
  start(): Promise<void> {
    return this.reload();
  }

  override dispose(): void {
    this.disposed = true;
    for (const managed of this.managed.values()) this.drop(managed);
    this.managed.clear();
    super.dispose();
  }

  list(): ConfiguredServer[] {
    const views = [...this.managed.values()].map((managed) => this.view(managed));
    return [...views, ...this.invalid.filter((view) => !this.managed.has(view.id))];
  }

  /** The current configuration problems (each names its file and field). */
  configProblems(): readonly ConfigProblem[] {
    return this.problems;
  }

  /** Values secret for a server wherever they appear (its password inputs' answers, its token): wire capture redacts them. */
  secretValuesOf(serverId: string): readonly string[] {
    return this.connector.secretValuesOf(serverId);
  }

  /** Asks the person for an input's value (replaceable by tests; the real one is an input box or a quick pick). */
  get prompt(): InputPrompt {
    return this.connector.prompt;
  }

  set prompt(prompt: InputPrompt) {
    this.connector.prompt = prompt;
  }

  /** The supervisor of a configured server: state, pid, and a way to wait for a state (also the tests' hook). */
  supervisor(id: string): ServerSupervisor | undefined {
    return this.managed.get(id)?.supervisor;
  }

  config(id: string): ServerConfig | undefined {
    return this.managed.get(id)?.config;
  }

  async reconnect(id: string): Promise<void> {
    const managed = this.require(id);
    if (this.blockedReason(managed.config)) {
      this.notices.tellUntrusted(true);
      return;
    }
    managed.log.info('reconnecting (asked by you)');
    await managed.supervisor.reconnect();
  }

  async disconnect(id: string): Promise<void> {
    const managed = this.require(id);
    managed.log.info('disconnecting (asked by you)');
    await managed.supervisor.disconnect('Disconnected by you');
  }

  showLog(id: string): void {
    this.require(id).log.show(true);
  }

  async setToken(id: string, token: string | undefined): Promise<void> {
    const managed = this.require(id);
    await this.connector.setToken(managed.config, managed.log, token);
    managed.hasToken = Boolean(token);
    this._onDidChange.fire();
    await this.reconnect(id);
  }

  /** Writes a new server into user or workspace settings under a fresh id; the settings watcher connects it. */
  async add(server: NewServer, target: 'user' | 'workspace'): Promise<string> {
    const taken = new Set(this.list().map((view) => view.id));
    const id = freshServerId(server.name, taken);
    await this.source.add(server, id, target);
    return id;
  }

  /** Forgets a remembered input answer, so the next connection asks again. */
  async forgetInput(id: string, inputId: string): Promise<void> {
    await this.connector.forgetInput(this.require(id).config, inputId);
  }

  // -------------------------------------------------------------------------------------------

  private require(id: string): Managed {
    const managed = this.managed.get(id);
    if (!managed) throw new Error(`No external server "${id}" is configured.`);
    return managed;
  }

  private reload(): Promise<void> {
    this.reloading = this.reloading.then(() => this.apply()).catch((error) => this.log.error('[servers] reading the server configuration failed', error));
    return this.reloading;
  }

  private async apply(): Promise<void> {
    if (this.disposed) return;
    const { servers, problems } = await this.source.read();
    if (this.disposed) return;
    const wanted = new Map(servers.map((config) => [config.id, config]));

    for (const [id, managed] of this.managed) {
      const next = wanted.get(id);
      if (next && this.keyOf(next) === managed.key) continue;
      this.managed.delete(id);
      managed.log.info(next ? 'the configuration changed; restarting' : 'removed from the configuration');
      await managed.supervisor.disconnect(next ? 'The server configuration changed' : 'The server was removed from the configuration');
      this.drop(managed);
    }

    // Rebuild in configuration order.
    const previous = new Map(this.managed);
    this.managed.clear();
    const started: Managed[] = [];
    for (const config of servers) {
      const existing = previous.get(config.id);
      if (existing) {
        this.managed.set(config.id, existing);
        continue;
      }
      const managed = this.create(config);
      this.managed.set(config.id, managed);
      started.push(managed);
    }

    this.problems = problems;
    this.invalid = problems
      .filter((problem) => problem.serverId && !wanted.has(problem.serverId))
      .filter((problem, index, all) => all.findIndex((p) => p.serverId === problem.serverId) === index)
      .map((problem) => ({
        id: problem.serverId!,
        name: problem.serverId!,
        kind: 'stdio' as const,
        state: 'failed' as const,
        retries: 0,
        lastError: formatProblem(problem),
        source: problem.origin.endsWith('mcp.json') ? ('mcp.json' as const) : ('settings' as const),
        origin: problem.origin,
        target: '',
        invalid: true,
      }));
    this.notices.reportProblems(problems);

    let blocked = 0;
    for (const managed of started) {
      const reason = this.blockedReason(managed.config);
      if (reason) {
        blocked++;
        managed.log.warn(reason);
        void managed.supervisor.fail(reason);
      } else {
        managed.log.info(
          `starting ${managed.config.launch.type === 'stdio' ? 'process' : 'connection'}: ${describeLaunch(managed.config.launch)} (from ${managed.config.origin})`,
        );
        managed.supervisor.start();
      }
    }
    if (blocked) this.notices.tellUntrusted(false);
    void vscode.commands.executeCommand('setContext', 'tasklane.hasExternalServers', this.managed.size > 0);
    this._onDidChange.fire();
  }

  /** Servers restart when their configuration, or whether they may run, changes. */
  private keyOf(config: ServerConfig): string {
    return `${fingerprint(config)}|${this.blockedReason(config) ? 'blocked' : 'allowed'}`;
  }

  private blockedReason(config: ServerConfig): string | undefined {
    if (config.source !== 'mcp.json' || vscode.workspace.isTrusted) return undefined;
    return `Not started: ${config.origin} belongs to a workspace you have not trusted, and Tasklane starts nothing a workspace declares until you trust it (Manage Workspace Trust).`;
  }

  private create(config: ServerConfig): Managed {
    const log = vscode.window.createOutputChannel(`Tasklane Server: ${config.name}`, { log: true });
    const kind = config.launch.type;
    const supervisor = new ServerSupervisor({
      id: config.id,
      name: config.name,
      kind,
      ...(config.launch.type === 'http' && config.launch.team ? { team: true } : {}),
      registry: this.registry,
      log,
      backoff: this.options.backoff,
      pingIntervalMs: kind === 'http' ? HTTP_PING_MS : 0,
      connect: () => this.connector.connect(config, log),
    });
    const managed: Managed = {
      config,
      key: this.keyOf(config),
      supervisor,
      log,
      hasToken: false,
      subscription: supervisor.onDidChange((snapshot) => this.onStateChange(managed, snapshot)),
    };
    if (kind === 'http') {
      void this.connector.hasToken(config.id).then((has) => {
        managed.hasToken = has;
        this._onDidChange.fire();
      });
    }
    return managed;
  }

  private onStateChange(managed: Managed, snapshot: SupervisorSnapshot): void {
    const line = `[servers] ${managed.config.name}: ${snapshot.state}${snapshot.state !== 'connected' && snapshot.lastError ? ` (${snapshot.lastError})` : ''}`;
    if (snapshot.state === 'failed') this.log.warn(line);
    else this.log.info(line);
    this._onDidChange.fire();
  }

  private drop(managed: Managed): void {
    managed.subscription.dispose();
    managed.supervisor.dispose();
    managed.log.dispose();
  }

  private view(managed: Managed): ConfiguredServer {
    return {
      ...managed.supervisor.snapshot(),
      source: managed.config.source,
      origin: managed.config.origin,
      target: describeLaunch(managed.config.launch),
      ...(managed.config.launch.type === 'http' ? { hasToken: managed.hasToken } : {}),
    };
  }
}
