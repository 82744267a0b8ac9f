import { type ChildProcess, spawn } from 'node:child_process';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { Emitter, type Event } from '../../core/events';
import { Disposable, type IDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { type NegotiatedConnection, NegotiationError, connectHttpServer } from './connectServer';
import type { HttpLaunch, StdioLaunch } from './serverConfig';
import { TaskClientV1 } from './taskClientV1';
import type { ServerEntry } from './taskService';
import type { TaskWireClient } from './taskWire';

/**
 * Keeps one external MCP server connected: connects, registers it with the task service, notices
 * when it goes away (a stdio process that exits, an HTTP server that stops answering), tells the
 * service what that means for its tasks, and reconnects with bounded, jittered exponential backoff.
 * vscode-free: the editor side gives it a connector and shows its state.
 */

export type ServerState = 'connecting' | 'connected' | 'disconnected' | 'failed';

/** Why a live connection ended on its own. */
export type CloseReason =
  | { readonly kind: 'exit'; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly kind: 'drop'; readonly error?: string };

/** One live connection to a server. */
export interface ServerConnection {
  readonly client: TaskWireClient & IDisposable;
  /** The server process, for stdio servers. */
  readonly pid?: number;
  /** Fires once if the connection ends by itself (not after `close()`). */
  readonly onDidClose: Event<CloseReason>;
  /** A liveness probe for transports that do not notice a vanished peer by themselves (HTTP). */
  ping?(): Promise<void>;
  /** Ends the connection on purpose (for stdio: stops the process). */
  close(): Promise<void>;
}

export type Connector = () => Promise<ServerConnection>;

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

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface SupervisorOptions {
  readonly id: string;
  readonly name: string;
  readonly kind: 'stdio' | 'http';
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
   * touched; the next start decides their fate (reattach, or "interrupted by restart").
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
      this.registration = this.options.registry.addServer({ id: this.id, name: this.name, kind: this.kind, durable: this.kind === 'http', client: connection.client });
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
    const message = reason.kind === 'exit' ? `The server process exited (${reason.code !== null ? `code ${reason.code}` : `signal ${reason.signal ?? 'unknown'}`})` : 'Connection lost';
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
    this.pingTimer = this.clock.setTimeout(() => void (async () => {
      this.pingTimer = undefined;
      if (connection !== this.connection) return;
      try {
        await withTimeout(connection.ping!(), this.pingTimeoutMs, this.clock);
        if (connection === this.connection) this.schedulePing();
      } catch (error) {
        this.onClosed(connection, { kind: 'drop', error: errorMessage(error) });
      }
    })(), this.pingIntervalMs);
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

function withTimeout<T>(promise: Promise<T>, ms: number, clock: Clock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** An error that retrying cannot fix: the supervisor goes to `failed` at once. */
export class PermanentConnectError extends Error {
  override readonly name = 'PermanentConnectError';
  readonly permanent = true;
}

export function isPermanent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

// ---------------------------------------------------------------------------------------------
// Connectors: real transports. HTTP negotiates the wire through connectServer.ts; stdio keeps its
// own transport (2025-11-25), for what the SDK's drops: the exit code, stderr, the process id.

/** Header names whose values are never written to a log. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|api-key)$|token|secret|password|key$/i;

export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, SECRET_HEADER.test(key) ? (/^bearer\s/i.test(value) ? 'Bearer <redacted>' : '<redacted>') : value]));
}

/** A URL fit for a log: no user info, and the values of secret-looking query parameters hidden. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.username || parsed.password) {
    parsed.username = parsed.password ? 'redacted' : '';
    parsed.password = '';
  }
  for (const key of [...parsed.searchParams.keys()]) if (/key|token|secret|password|auth|sig|code/i.test(key)) parsed.searchParams.set(key, 'redacted');
  return parsed.toString();
}

async function openClient(transport: Transport): Promise<TaskClientV1> {
  const client = new TaskClientV1();
  try {
    await client.connect(transport);
  } catch (error) {
    client.dispose();
    throw error;
  }
  return client;
}

export interface StdioConnectOptions {
  readonly log?: Logger;
  /** The environment the server starts with, before the configured `env` (default: this process's). */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** How long the server may take to answer `initialize` (ms). */
  readonly timeoutMs?: number;
}

/** Starts a stdio server process and connects to it. The process's stderr goes to the log. */
export async function connectStdio(launch: StdioLaunch, options: StdioConnectOptions = {}): Promise<ServerConnection> {
  const log = options.log ?? silentLogger;
  const transport = new ProcessTransport(launch, options.baseEnv ?? process.env, log);
  const closed = new Emitter<CloseReason>();
  let open = true;
  transport.onExit = (code, signal) => {
    if (open) closed.fire({ kind: 'exit', code, signal });
  };
  let client: TaskClientV1;
  try {
    client = await withTimeout(openClient(transport), options.timeoutMs ?? 30_000, realClock);
  } catch (error) {
    open = false;
    await transport.close();
    const exit = transport.exitInfo;
    const detail = exit ? ` (the process exited with ${exit.code !== null ? `code ${exit.code}` : `signal ${exit.signal}`}${transport.stderrTail ? `: ${transport.stderrTail}` : ''})` : '';
    const message = `${errorMessage(error)}${detail}`;
    throw isPermanent(error) ? new PermanentConnectError(message) : new Error(message);
  }
  return {
    client,
    pid: transport.pid,
    onDidClose: closed.event,
    async close() {
      open = false;
      client.dispose();
      await transport.close();
      closed.dispose();
    },
  };
}

export interface HttpConnectOptions {
  readonly log?: Logger;
  /** Sent as `Authorization: Bearer <token>` (overrides a configured Authorization header). */
  readonly token?: string;
  readonly timeoutMs?: number;
}

/**
 * Connects to a Streamable HTTP server on the best task wire both sides speak (the extension wire
 * when `server/discover` offers it, else a 2025-11-25 session). Losing it is noticed by the
 * supervisor's pings and, on a 2025-11-25 session, by transport errors.
 */
export async function connectHttp(launch: HttpLaunch, options: HttpConnectOptions = {}): Promise<ServerConnection> {
  const log = options.log ?? silentLogger;
  const shown = { ...launch.headers, ...(options.token ? { Authorization: 'Bearer <token>' } : {}) };
  log.info(`connecting to ${redactUrl(launch.url)}${Object.keys(shown).length ? ` with headers ${JSON.stringify(redactHeaders(shown))}` : ''}`);
  let negotiated: NegotiatedConnection;
  try {
    negotiated = await connectHttpServer(launch.url, { headers: launch.headers, token: options.token, log, timeoutMs: options.timeoutMs ?? 30_000 });
  } catch (error) {
    const message = describeHttpError(error).split(launch.url).join(redactUrl(launch.url));
    throw isAuthError(error) || error instanceof NegotiationError ? new PermanentConnectError(message) : new Error(message);
  }
  const client = negotiated.client;
  log.info(`wire: ${negotiated.wire} (protocol ${negotiated.protocolVersion})${negotiated.fallbackReason ? `; ${negotiated.fallbackReason}` : ''}`);
  const closed = new Emitter<CloseReason>();
  let open = true;
  const ping = (): Promise<void> => client.ping();
  const transportFailures = client.onDidTransportFail?.((failure) => {
    if (!open) return;
    if (failure.kind === 'closed') {
      closed.fire({ kind: 'drop', error: 'the transport closed' });
      return;
    }
    log.debug(`transport error: ${failure.error.message}`);
    // An error on the event stream may only be a hiccup: ask the server whether it is still there.
    ping().catch((pingError) => {
      if (open) closed.fire({ kind: 'drop', error: describeHttpError(pingError) });
    });
  });
  return {
    client,
    onDidClose: closed.event,
    ping,
    async close() {
      open = false;
      transportFailures?.dispose();
      await negotiated.close().catch(() => undefined);
      closed.dispose();
    },
  };
}

function isAuthError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 401 || code === 403 || /\b40[13]\b|Unauthorized|Forbidden/i.test(errorMessage(error));
}

function describeHttpError(error: unknown): string {
  const message = errorMessage(error);
  if (isAuthError(error)) return `${message} (the server wants a token: use "Tasklane: Set Server Token…")`;
  const cause = (error as { cause?: { code?: string } })?.cause?.code;
  if (cause === 'ECONNREFUSED') return `${message} (nothing is listening there)`;
  return message;
}

/**
 * A stdio client transport that keeps what the SDK's drops: the exit code and signal, the
 * server's stderr (to the log), and the whole environment (an extension host's `process.execPath`
 * needs `ELECTRON_RUN_AS_NODE` to act as Node).
 */
export class ProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private child: ChildProcess | undefined;
  private readonly buffer = new ReadBuffer();
  private stderrLines: string[] = [];
  private stderrPartial = '';
  private exited: Promise<void> | undefined;

  constructor(
    private readonly launch: StdioLaunch,
    private readonly baseEnv: Readonly<Record<string, string | undefined>>,
    private readonly log: Logger,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last lines the server wrote to stderr (why it would not start, usually). */
  get stderrTail(): string {
    return [...this.stderrLines, this.stderrPartial].filter(Boolean).slice(-5).join(' | ');
  }

  start(): Promise<void> {
    if (this.child) throw new Error('ProcessTransport already started');
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.baseEnv)) if (value !== undefined) env[key] = value;
    Object.assign(env, this.launch.env);
    return new Promise((resolve, reject) => {
      const child = spawn(this.launch.command, [...this.launch.args], {
        cwd: this.launch.cwd,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
      });
      this.child = child;
      this.exited = new Promise((done) => child.once('close', () => done()));
      child.once('error', (error: NodeJS.ErrnoException) => {
        const message = error.code === 'ENOENT' ? `Could not start "${this.launch.command}": not found (check the command and PATH${this.launch.cwd ? ` and the folder ${this.launch.cwd}` : ''})` : `Could not start "${this.launch.command}": ${error.message}`;
        reject(error.code === 'ENOENT' || error.code === 'EACCES' ? new PermanentConnectError(message) : new Error(message));
        this.onerror?.(new Error(message));
      });
      child.once('spawn', () => resolve());
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
      });
      child.once('close', (code, signal) => {
        this.exitInfo ??= { code, signal };
        this.log.info(`process ${child.pid ?? '?'} exited (${code !== null ? `code ${code}` : `signal ${signal}`})`);
        this.onExit?.(this.exitInfo.code, this.exitInfo.signal);
        this.onclose?.();
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        this.buffer.append(chunk);
        for (;;) {
          let message: JSONRPCMessage | null;
          try {
            message = this.buffer.readMessage();
          } catch (error) {
            this.log.warn(`not a JSON-RPC message on stdout: ${errorMessage(error)}`);
            continue;
          }
          if (!message) break;
          this.onmessage?.(message);
        }
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (text: string) => {
        const lines = (this.stderrPartial + text).split(/\r?\n/);
        this.stderrPartial = lines.pop() ?? '';
        for (const line of lines) {
          if (!line) continue;
          this.log.info(`[stderr] ${line}`);
          this.stderrLines.push(line);
          if (this.stderrLines.length > 20) this.stderrLines.shift();
        }
      });
      child.stdin?.on('error', (error) => this.onerror?.(error));
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || this.exitInfo) return reject(new Error('The server process is not running'));
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** Closes stdin, then asks politely (SIGTERM), then insists (SIGKILL). */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || !this.exited) return;
    if (this.exitInfo) return this.exited;
    const wait = (ms: number) => Promise.race([this.exited!, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);
    try {
      child.stdin?.end();
    } catch {
      // already closed
    }
    await wait(2_000);
    if (!this.exitInfo) child.kill('SIGTERM');
    await wait(2_000);
    if (!this.exitInfo) child.kill('SIGKILL');
    await wait(1_000);
    this.buffer.clear();
  }
}
