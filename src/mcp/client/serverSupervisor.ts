import { Emitter } from '../../core/events';
import { Disposable, type IDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { type Clock, realClock, withTimeout } from './clock';
import { errorMessage, isPermanent } from './connectionErrors';
import type { CloseReason, Connector, ServerConnection } from './serverConnections';
import type { ServerEntry } from './taskService';
import type { TaskWireClient } from './taskWire';

/**
 * Keeps one external MCP server connected: connects, registers it with the task service, notices
 * when it goes away (a stdio process that exits, an HTTP server that stops answering), tells the
 * service what that means for its tasks, and reconnects with bounded, jittered exponential backoff.
 * vscode-free: the editor side gives it a connector (serverConnections.ts) and shows its state.
 */

export type ServerState = 'connecting' | 'connected' | 'disconnected' | 'failed';

/** What the supervisor needs of the task service. */
export interface ServerRegistry {
  addServer(entry: ServerEntry): IDisposable;
  serverGone(serverId: string, reason: string, tasksLost: boolean): void;
}

export interface BackoffOptions {
  /** First retry delay (ms). */
  readonly initialMs: number;
  /** No delay is longer than this (ms). */
  readonly maxMs: number;
  readonly factor: number;
  /** ± this fraction of the delay, so many servers do not retry in step. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0.2 };

/** The delay before retry number `attempt` (0-based): initial × factor^attempt, jittered, capped. */
export function reconnectDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt));
  const jittered = base * (1 - options.jitter + 2 * options.jitter * random());
  return Math.round(Math.min(options.maxMs, Math.max(0, jittered)));
}

export interface SupervisorOptions {
  readonly id: string;
  readonly name: string;
  readonly kind: 'stdio' | 'http';
  /** A team server seen as its board: the task service lists its tasks (`ServerEntry.team`). */
  readonly team?: boolean;
  readonly connect: Connector;
  readonly registry: ServerRegistry;
  readonly backoff?: Partial<BackoffOptions>;
  /** After this many retries without a stable connection the server is `failed` until asked again (0: never give up). */
  readonly maxRetries?: number;
  /** A connection that lasts this long (ms) counts as a success and resets the backoff. */
  readonly stableMs?: number;
  /** How often an idle connection with a `ping` is probed (ms; 0: never). */
  readonly pingIntervalMs?: number;
  /** A probe that takes longer than this (ms) counts as a lost connection. */
  readonly pingTimeoutMs?: number;
  readonly log?: Logger;
  readonly clock?: Clock;
  readonly random?: () => number;
}

export interface SupervisorSnapshot {
  readonly id: string;
  readonly name: string;
  readonly kind: 'stdio' | 'http';
  readonly state: ServerState;
  readonly wire?: string;
  readonly supportsTasks?: boolean;
  readonly supportsList?: boolean;
  readonly pid?: number;
  readonly lastError?: string;
  readonly lastErrorAt?: number;
  /** When the next automatic attempt happens (ms since epoch), while one is scheduled. */
  readonly nextRetryAt?: number;
  /** Retries since the last stable connection. */
  readonly retries: number;
  readonly connectedAt?: number;
}

export class ServerSupervisor extends Disposable {
  readonly id: string;
  readonly name: string;
  readonly kind: 'stdio' | 'http';
  private _state: ServerState = 'disconnected';
  private _lastError: string | undefined;
  private _lastErrorAt: number | undefined;
  private connection: ServerConnection | undefined;
  private registration: IDisposable | undefined;
  private closeSubscription: IDisposable | undefined;
  private retryTimer: unknown;
  private pingTimer: unknown;
  private nextRetryAt: number | undefined;
  private retries = 0;
  private retriesBeforeConnect = 0;
  private connectedAt: number | undefined;
  /** Bumped by every start/stop so an attempt that finishes late knows it is stale. */
  private generation = 0;
  private disposed = false;
  private readonly backoff: BackoffOptions;
  private readonly maxRetries: number;
  private readonly stableMs: number;
  private readonly pingIntervalMs: number;
  private readonly pingTimeoutMs: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly _onDidChange = this._register(new Emitter<SupervisorSnapshot>());
  readonly onDidChange = this._onDidChange.event;

  constructor(private readonly options: SupervisorOptions) {
    super();
    this.id = options.id;
    this.name = options.name;
    this.kind = options.kind;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.maxRetries = options.maxRetries ?? 10;
    this.stableMs = options.stableMs ?? 10_000;
    this.pingIntervalMs = options.pingIntervalMs ?? 0;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 10_000;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.log = options.log ?? silentLogger;
  }

  get state(): ServerState {
    return this._state;
  }

  get lastError(): string | undefined {
    return this._lastError;
  }

  /** The live connection's process id (stdio), for diagnostics and tests. */
  get pid(): number | undefined {
    return this.connection?.pid;
  }

  get client(): TaskWireClient | undefined {
    return this.connection?.client;
  }

  snapshot(): SupervisorSnapshot {
    const client = this._state === 'connected' ? this.connection?.client : undefined;
    return {
      id: this.id,
      name: this.name,
      kind: this.kind,
      state: this._state,
      ...(client ? { wire: client.wire, supportsTasks: client.supportsTasks, supportsList: client.supportsList } : {}),
      ...(this.connection?.pid !== undefined ? { pid: this.connection.pid } : {}),
      ...(this._lastError !== undefined ? { lastError: this._lastError, lastErrorAt: this._lastErrorAt } : {}),
      ...(this.nextRetryAt !== undefined ? { nextRetryAt: this.nextRetryAt } : {}),
      retries: this.retries,
      ...(this.connectedAt !== undefined && this._state === 'connected' ? { connectedAt: this.connectedAt } : {}),
    };
  }

  /** Connects unless already connected or connecting. */
  start(): void {
    if (this.disposed || this._state === 'connected' || this._state === 'connecting') return;
    this.clearRetry();
    void this.attempt();
  }

  /** Connects again now, with a fresh backoff. A live connection is closed first (its tasks are told why). */
  async reconnect(): Promise<void> {
    if (this.disposed) return;
    this.retries = 0;
    this.retriesBeforeConnect = 0;
    await this.stop(this.kind === 'stdio' ? 'The server was restarted' : 'Reconnecting');
    void this.attempt();
  }

  /** Disconnects and stays disconnected until `start`/`reconnect`. */
  async disconnect(reason = 'Disconnected'): Promise<void> {
    await this.stop(reason);
    this.setState('disconnected');
  }

  /** Marks the server failed without connecting (it cannot start: untrusted, misconfigured, a prompt dismissed). */
  async fail(message: string): Promise<void> {
    await this.stop('The server was stopped');
    this.recordError(message);
    this.setState('failed');
  }

  /** Waits until the server reaches `state` (tests, commands that want to report the outcome). */
  whenState(states: readonly ServerState[]): Promise<SupervisorSnapshot> {
    if (states.includes(this._state)) return Promise.resolve(this.snapshot());
    return new Promise((resolve) => {
      const subscription = this.onDidChange((snapshot) => {
        if (states.includes(snapshot.state)) {
          subscription.dispose();
          resolve(snapshot);
        }
      });
    });
  }

  /**
   * Ends the connection quietly: for a window closing or the extension stopping. Tasks are not
   * touched; the next start decides their fate (reattach, or "stopped when the window reloaded").
   */
  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.generation++;
    this.clearRetry();
    this.stopPing();
    const connection = this.detach();
    if (connection) void connection.close().catch(() => undefined);
    super.dispose();
  }

  private async attempt(): Promise<void> {
    const generation = ++this.generation;
    this.nextRetryAt = undefined;
    this.setState('connecting');
    let connection: ServerConnection;
    try {
      connection = await this.options.connect();
    } catch (error) {
      if (generation !== this.generation) return;
      this.recordError(errorMessage(error));
      this.log.warn(`[${this.id}] could not connect: ${this._lastError}`);
      if (isPermanent(error)) {
        // Trying again cannot help until something changes (a token, the command, an answer).
        this.setState('failed');
        return;
      }
      this.scheduleRetry();
      return;
    }
    if (generation !== this.generation || this.disposed) {
      void connection.close().catch(() => undefined);
      return;
    }
    this.connection = connection;
    this.closeSubscription = connection.onDidClose((reason) => this.onClosed(connection, reason));
    try {
      this.registration = this.options.registry.addServer({
        id: this.id,
        name: this.name,
        kind: this.kind,
        durable: this.kind === 'http',
        ...(this.options.team ? { team: true } : {}),
        client: connection.client,
      });
    } catch (error) {
      this.detach();
      void connection.close().catch(() => undefined);
      this.recordError(errorMessage(error));
      this.setState('failed');
      return;
    }
    this.connectedAt = this.clock.now();
    this.retriesBeforeConnect = this.retries;
    this.retries = 0;
    this.log.info(`[${this.id}] connected (${connection.client.wire}${connection.pid !== undefined ? `, pid ${connection.pid}` : ''})`);
    this.schedulePing();
    this.setState('connected');
  }

  private onClosed(connection: ServerConnection, reason: CloseReason): void {
    if (connection !== this.connection || this.disposed) return;
    const stable = this.connectedAt !== undefined && this.clock.now() - this.connectedAt >= this.stableMs;
    this.detach();
    this.stopPing();
    void connection.close().catch(() => undefined);
    const message =
      reason.kind === 'exit'
        ? `The server process exited (${reason.code !== null ? `code ${reason.code}` : `signal ${reason.signal ?? 'unknown'}`})`
        : 'Connection lost';
    this.recordError(reason.kind === 'drop' && reason.error ? `${message}: ${reason.error}` : message);
    this.log.warn(`[${this.id}] ${this._lastError}`);
    // A process that exits takes its tasks with it; a dropped connection leaves them on the server.
    this.options.registry.serverGone(this.id, message, reason.kind === 'exit');
    // A connection that did not last does not reset the backoff, so a crash loop slows down.
    this.retries = stable ? 0 : this.retriesBeforeConnect;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.disposed) return;
    if (this.maxRetries > 0 && this.retries >= this.maxRetries) {
      this.nextRetryAt = undefined;
      this.log.error(`[${this.id}] gave up after ${this.retries} attempts; use Reconnect to try again`);
      this.setState('failed');
      return;
    }
    const delay = reconnectDelay(this.retries, this.backoff, this.random);
    this.retries++;
    this.nextRetryAt = this.clock.now() + delay;
    const generation = this.generation;
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (generation === this.generation && !this.disposed) void this.attempt();
    }, delay);
    this.log.info(`[${this.id}] retrying in ${Math.round(delay / 100) / 10} s (attempt ${this.retries})`);
    this.setState('disconnected');
  }

  /** Ends a live or pending connection on purpose and tells the service what happens to its tasks. */
  private async stop(reason: string): Promise<void> {
    this.generation++;
    this.clearRetry();
    this.stopPing();
    const connection = this.detach();
    if (!connection) return;
    this.options.registry.serverGone(this.id, reason, this.kind === 'stdio');
    await connection.close().catch(() => undefined);
  }

  private detach(): ServerConnection | undefined {
    const connection = this.connection;
    this.connection = undefined;
    this.connectedAt = undefined;
    this.closeSubscription?.dispose();
    this.closeSubscription = undefined;
    this.registration?.dispose();
    this.registration = undefined;
    return connection;
  }

  private schedulePing(): void {
    const connection = this.connection;
    if (!connection?.ping || this.pingIntervalMs <= 0) return;
    // Fire and forget: a failed ping is caught below and closes the connection.
    this.pingTimer = this.clock.setTimeout(
      () =>
        void (async () => {
          this.pingTimer = undefined;
          if (connection !== this.connection) return;
          try {
            await withTimeout(connection.ping!(), this.pingTimeoutMs, this.clock);
            if (connection === this.connection) this.schedulePing();
          } catch (error) {
            this.onClosed(connection, { kind: 'drop', error: errorMessage(error) });
          }
        })(),
      this.pingIntervalMs,
    );
  }

  private stopPing(): void {
    if (this.pingTimer !== undefined) this.clock.clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
  }

  private clearRetry(): void {
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.nextRetryAt = undefined;
  }

  private recordError(message: string): void {
    this._lastError = message;
    this._lastErrorAt = this.clock.now();
  }

  private setState(state: ServerState): void {
    this._state = state;
    if (!this.disposed) this._onDidChange.fire(this.snapshot());
  }
}
