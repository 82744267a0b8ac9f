import { Emitter, type Event } from '../../core/events';
import type { IDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import { realClock, withTimeout } from './clock';
import { PermanentConnectError, errorMessage, isPermanent } from './connectionErrors';
import { type NegotiatedConnection, NegotiationError, connectHttpServer } from './connectServer';
import { ProcessTransport } from './processTransport';
import type { StdioPlatform } from './stdioSpawn';
import type { HttpLaunch, StdioLaunch } from './serverConfig';
import { STREAM_CLIENT_WIRE } from './clientWires';
import type { TaskWireClient } from './taskWire';

/** Why a live connection ended on its own. */
export type CloseReason =
  { readonly kind: 'exit'; readonly code: number | null; readonly signal: NodeJS.Signals | null } | { readonly kind: 'drop'; readonly error?: string };

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

/*
 * Connectors: real transports. HTTP negotiates the wire through connectServer.ts; stdio speaks the
 * stream wire (clientWires.ts) on its own transport, for what the SDK's drops: the exit code,
 * stderr, the process id.
 */

/** Header names whose values are never written to a log. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|api-key)$|token|secret|password|key$/i;

export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([key, value]) => [key, SECRET_HEADER.test(key) ? (/^bearer\s/i.test(value) ? 'Bearer <redacted>' : '<redacted>') : value]),
  );
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

export interface StdioConnectOptions {
  readonly log?: Logger;
  /** The environment the server starts with, before the configured `env` (default: this process's). */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** How long the server may take to answer `initialize` (ms). */
  readonly timeoutMs?: number;
  /** The operating system to start the server on (tests pass a fake one). */
  readonly platform?: StdioPlatform;
}

/** Starts a stdio server process and connects to it. The process's stderr goes to the log. */
export async function connectStdio(launch: StdioLaunch, options: StdioConnectOptions = {}): Promise<ServerConnection> {
  const log = options.log ?? silentLogger;
  const transport = new ProcessTransport(launch, options.baseEnv ?? process.env, log, { platform: options.platform });
  const closed = new Emitter<CloseReason>();
  let open = true;
  transport.onExit = (code, signal) => {
    if (open) closed.fire({ kind: 'exit', code, signal });
  };
  let client: TaskWireClient & IDisposable;
  try {
    ({ client } = await withTimeout(STREAM_CLIENT_WIRE.open(transport), options.timeoutMs ?? 30_000, realClock));
  } catch (error) {
    open = false;
    await transport.close();
    const exit = transport.exitInfo;
    const detail = exit
      ? ` (the process exited with ${exit.code !== null ? `code ${exit.code}` : `signal ${exit.signal}`}${transport.stderrTail ? `: ${transport.stderrTail}` : ''})`
      : '';
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
    negotiated = await connectHttpServer(launch.url, {
      headers: launch.headers,
      token: options.token,
      log,
      timeoutMs: options.timeoutMs ?? 30_000,
      // A team board lists the team's tasks: only a wire with `tasks/list` will do.
      listing: launch.team === true,
    });
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
