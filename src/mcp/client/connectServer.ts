/**
 * Wire negotiation for a server connection, knowing no wire: over Streamable HTTP each wire in
 * `CLIENT_WIRES` is tried in turn, most preferred first, and the first the server speaks is used;
 * one whose framing the server speaks without tasks is kept in case no later wire does better.
 * (Today: the extension wire if `server/discover` declares it, else a 2025-11-25 session.) stdio
 * speaks the one stream wire, `STREAM_CLIENT_WIRE`.
 *
 * The result names the wire and protocol version chosen; `TaskService` records the wire on every
 * task it starts (`record.wire = client.wire`).
 */
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Implementation } from '@modelcontextprotocol/sdk/types.js';
import { type Logger, silentLogger } from '../../core/logger';
import { type ClientWire, type NegotiatedConnection, type WireAttempt, connectOverStream } from './clientWire';
import { CLIENT_WIRES, type ClientWireId, STREAM_CLIENT_WIRE } from './clientWires';

export type { NegotiatedConnection } from './clientWire';

/** Which wire to use: `auto` negotiates; naming a wire insists on it. */
export type WirePreference = 'auto' | ClientWireId;

export interface HttpConnectOptions {
  /** Bearer token (`Authorization: Bearer <token>`), on every wire. */
  readonly token?: string;
  /** Extra headers on every request (e.g. from `.vscode/mcp.json`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly prefer?: WirePreference;
  /** Only a wire that lists the server's tasks will do (a team board's entry, which lists them all). */
  readonly listing?: boolean;
  readonly clientInfo?: Implementation;
  /** Open server-pushed notification streams where the wire has them (`subscriptions/listen`; default true). */
  readonly notifications?: boolean;
  /** Time allowed for each step of the negotiation (ms, default 30 s). */
  readonly timeoutMs?: number;
  readonly log?: Logger;
}

/** The server refused the connection for good (authentication), or does not speak the wire that was insisted on. */
export class NegotiationError extends Error {
  override readonly name = 'NegotiationError';
}

/** Connects to a Streamable HTTP MCP server on the best task wire both sides speak. */
export async function connectHttpServer(url: string | URL, options: HttpConnectOptions = {}): Promise<NegotiatedConnection> {
  const log = options.log ?? silentLogger;
  const prefer = options.prefer ?? 'auto';
  const wires: readonly ClientWire[] = (prefer === 'auto' ? CLIENT_WIRES : CLIENT_WIRES.filter((wire) => wire.wire === prefer)).filter(
    (wire) => !options.listing || wire.listsTasks,
  );
  if (wires.length === 0) throw new NegotiationError(`Tasklane speaks no task wire named "${prefer}"${options.listing ? ' that lists tasks' : ''}`);
  const attemptOptions = {
    headers: withToken(options.headers ?? {}, options.token),
    clientInfo: options.clientInfo,
    notifications: options.notifications,
    timeoutMs: options.timeoutMs ?? 30_000,
    log,
  };
  const reasons: string[] = [];
  const withReasons = (connection: NegotiatedConnection) => (reasons.length ? { ...connection, fallbackReason: reasons.join('; ') } : connection);
  // A connection on a wire the server speaks without tasks: the last resort if no later wire does better.
  let withoutTasks: { readonly wire: ClientWire; readonly connection: NegotiatedConnection } | undefined;

  for (const [index, wire] of wires.entries()) {
    let attempt: WireAttempt;
    try {
      attempt = await wire.tryHttp(url, attemptOptions);
    } catch (error) {
      if (!withoutTasks) throw describeFailure(error, url);
      log.info(`[connect] ${String(url)}: ${wire.label} failed too (${(error as Error).message}); using ${withoutTasks.wire.label} without tasks`);
      return withReasons(withoutTasks.connection);
    }
    if (attempt.kind === 'connected') {
      await withoutTasks?.connection.close();
      return withReasons(attempt.connection);
    }
    if (attempt.kind === 'withoutTasks') {
      if (prefer === 'auto' && !withoutTasks) withoutTasks = { wire, connection: attempt.connection };
      else await attempt.connection.close();
    }
    if (prefer !== 'auto') throw new NegotiationError(`${String(url)} does not offer the ${wire.wire} wire: ${attempt.why}`);
    reasons.push(attempt.why);
    const next = wires[index + 1];
    if (next) log.info(`[connect] ${String(url)}: ${attempt.why}; trying ${next.label}`);
  }
  if (withoutTasks) return withReasons(withoutTasks.connection);
  throw new NegotiationError(`${String(url)} speaks none of Tasklane's task wires: ${reasons.join('; ')}`);
}

export interface StdioConnectOptions {
  readonly clientInfo?: Implementation;
  readonly timeoutMs?: number;
  /** Where the server's stderr goes (default: ignored). */
  readonly stderr?: 'ignore' | 'inherit' | 'pipe';
}

/**
 * Starts a stdio MCP server and connects on the stream wire (2025-11-25: `initialize`, tasks
 * utility). The stateless 2026-07-28 framing over stdio is not negotiated here (out of scope):
 * such servers are served on their 2025-11-25 fallback, which the era's servers keep.
 */
export async function connectStdioServer(
  command: string,
  args: readonly string[] = [],
  env?: Readonly<Record<string, string>>,
  cwd?: string,
  options: StdioConnectOptions = {},
): Promise<NegotiatedConnection> {
  const transport = new StdioClientTransport({
    command,
    args: [...args],
    ...(env ? { env: { ...(process.env as Record<string, string>), ...env } } : {}),
    ...(cwd ? { cwd } : {}),
    stderr: options.stderr ?? 'ignore',
  });
  return connectOverStream(STREAM_CLIENT_WIRE, transport, options.clientInfo, options.timeoutMs);
}

function describeFailure(error: unknown, url: string | URL): Error {
  if (error instanceof NegotiationError) return error;
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (status === 401 || status === 403 || /\b40[13]\b|Unauthorized|Forbidden/i.test(message)) {
    return new NegotiationError(`${String(url)} refused the connection (${message}): it wants a valid token`);
  }
  const cause = (error as { cause?: { code?: string } })?.cause?.code;
  if (cause === 'ECONNREFUSED') return new Error(`${String(url)}: nothing is listening there (${message})`);
  return error instanceof Error ? error : new Error(message);
}

function withToken(headers: Readonly<Record<string, string>>, token: string | undefined): Record<string, string> {
  const result: Record<string, string> = { ...headers };
  if (token) {
    for (const key of Object.keys(result)) if (key.toLowerCase() === 'authorization') delete result[key];
    result.Authorization = `Bearer ${token}`;
  }
  return result;
}

/** The HTTP status a wire's error carries, if it has one. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}
