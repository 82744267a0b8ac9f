/**
 * Wire negotiation for a server connection. Over Streamable HTTP we first ask `server/discover`
 * in the stateless 2026-07-28 framing: a server that answers and declares
 * `io.modelcontextprotocol/tasks` gets the extension wire (`TaskClientV2`); anything else (a
 * 2025-11-25 server refuses a request without a session) falls back to a 2025-11-25 session
 * (`initialize`, tasks utility) on the SDK 1.x client (`TaskClientV1`). stdio speaks 2025-11-25
 * only: the stateless framing over stdio is out of scope for now.
 *
 * The result names the wire and protocol version chosen; `TaskService` records the wire on every
 * task it starts (`record.wire = client.wire`).
 */
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Implementation } from '@modelcontextprotocol/sdk/types.js';
import type { IDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import type { Wire } from '../wires/wire';
import { RpcError } from '../rpcError';
import { WIRE_V1 } from '../wires/v1/codec';
import { InvalidResponseError, WIRE_V2 } from '../wires/v2/codec';
import { HttpStatusError, TaskClientV2 } from './v2/taskClientV2';
import { TASKLANE_CLIENT_INFO } from '../identity';
import { TaskClientV1 } from './v1/taskClientV1';
import type { TaskWireClient } from './taskWire';

/** Which wire to use: `auto` negotiates; naming a wire insists on it. */
export type WirePreference = 'auto' | Wire;

export interface HttpConnectOptions {
  /** Bearer token (`Authorization: Bearer <token>`), on both wires. */
  readonly token?: string;
  /** Extra headers on every request (e.g. from `.vscode/mcp.json`). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly prefer?: WirePreference;
  readonly clientInfo?: Implementation;
  /** Open `subscriptions/listen` on the extension wire (default true). */
  readonly notifications?: boolean;
  /** Time allowed for each step of the negotiation (ms, default 30 s). */
  readonly timeoutMs?: number;
  readonly log?: Logger;
}

export interface NegotiatedConnection {
  readonly client: TaskWireClient & IDisposable;
  readonly wire: Wire;
  /** The protocol revision in use: `2026-07-28` on the extension wire, the `initialize` answer's otherwise. */
  readonly protocolVersion: string;
  readonly serverInfo?: Implementation;
  /** Whether the server offers tasks on the chosen wire. */
  readonly supportsTasks: boolean;
  /** In `auto` mode, why the extension wire was not chosen. */
  readonly fallbackReason?: string;
  /** Ends the connection (and, for stdio, the process). */
  close(): Promise<void>;
}

/** The server refused the connection for good (authentication), or does not speak the wire that was insisted on. */
export class NegotiationError extends Error {
  override readonly name = 'NegotiationError';
}

/** Connects to a Streamable HTTP MCP server on the best task wire both sides speak. */
export async function connectHttpServer(url: string | URL, options: HttpConnectOptions = {}): Promise<NegotiatedConnection> {
  const log = options.log ?? silentLogger;
  const prefer = options.prefer ?? 'auto';
  const headers = withToken(options.headers ?? {}, options.token);
  let fallbackReason: string | undefined;
  let discovered: TaskClientV2 | undefined;

  if (prefer !== WIRE_V1) {
    const client = new TaskClientV2({
      url,
      headers,
      clientInfo: options.clientInfo,
      notifications: options.notifications,
      requestTimeoutMs: options.timeoutMs ?? 30_000,
      log,
    });
    try {
      await client.discover();
      if (client.supportsTasks) {
        log.info(`[connect] ${String(url)}: server/discover declares ${client.wire}; using the extension wire (2026-07-28)`);
        return v2Connection(client);
      }
      fallbackReason = `server/discover answered but does not declare ${client.wire}`;
      discovered = client;
    } catch (error) {
      client.dispose();
      if (!isLegacySignal(error)) throw describeFailure(error, url);
      fallbackReason = `server/discover was refused (${(error as Error).message})`;
    }
    if (prefer === WIRE_V2) {
      discovered?.dispose();
      throw new NegotiationError(`${String(url)} does not offer the ${WIRE_V2} extension: ${fallbackReason}`);
    }
    log.info(`[connect] ${String(url)}: ${fallbackReason}; trying a 2025-11-25 session`);
  }

  try {
    const transport = new StreamableHTTPClientTransport(new URL(String(url)), { requestInit: { headers } });
    const connection = await connectV1(transport, options.clientInfo, options.timeoutMs);
    discovered?.dispose();
    return { ...connection, ...(fallbackReason ? { fallbackReason } : {}) };
  } catch (error) {
    // It spoke 2026-07-28 without the extension and has no sessions: plain tool calls on the new framing.
    if (discovered) {
      log.info(`[connect] ${String(url)}: no 2025-11-25 session either (${(error as Error).message}); using 2026-07-28 without tasks`);
      return { ...v2Connection(discovered), ...(fallbackReason ? { fallbackReason } : {}) };
    }
    throw describeFailure(error, url);
  }
}

export interface StdioConnectOptions {
  readonly clientInfo?: Implementation;
  readonly timeoutMs?: number;
  /** Where the server's stderr goes (default: ignored). */
  readonly stderr?: 'ignore' | 'inherit' | 'pipe';
}

/**
 * Starts a stdio MCP server and connects on 2025-11-25 (`initialize`, tasks utility). The stateless
 * 2026-07-28 framing over stdio is not negotiated here (out of scope): such servers are served on
 * their 2025-11-25 fallback, which the era's servers keep.
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
  return connectV1(transport, options.clientInfo, options.timeoutMs);
}

async function connectV1(transport: Transport, clientInfo: Implementation | undefined, timeoutMs = 30_000): Promise<NegotiatedConnection> {
  let protocolVersion: string | undefined;
  const setVersion = transport.setProtocolVersion?.bind(transport);
  transport.setProtocolVersion = (version: string) => {
    protocolVersion = version;
    setVersion?.(version);
  };
  const client = new TaskClientV1(clientInfo ?? TASKLANE_CLIENT_INFO);
  try {
    await withTimeout(client.connect(transport), timeoutMs, 'initialize');
  } catch (error) {
    client.dispose();
    await transport.close().catch(() => undefined);
    throw error;
  }
  return {
    client,
    wire: client.wire,
    protocolVersion: protocolVersion ?? client.wire,
    ...(client.serverInfo ? { serverInfo: client.serverInfo } : {}),
    supportsTasks: client.supportsTasks,
    close: async () => {
      client.dispose();
      await transport.close().catch(() => undefined);
    },
  };
}

function v2Connection(client: TaskClientV2): NegotiatedConnection {
  return {
    client,
    wire: client.wire,
    protocolVersion: client.protocolVersion,
    ...(client.serverInfo ? { serverInfo: client.serverInfo } : {}),
    supportsTasks: client.supportsTasks,
    close: async () => client.dispose(),
  };
}

/**
 * Whether a failed `server/discover` means "this server predates 2026-07-28" (fall back) rather
 * than "the server is unreachable or refuses us" (fail): a JSON-RPC error (no such method, no
 * session, unsupported version), an HTTP 400/404/405/406/415 without one, or an answer that is
 * not JSON-RPC at all.
 */
function isLegacySignal(error: unknown): boolean {
  if (error instanceof RpcError) return true;
  if (error instanceof HttpStatusError) return [400, 404, 405, 406, 415].includes(error.status);
  return error instanceof InvalidResponseError;
}

function describeFailure(error: unknown, url: string | URL): Error {
  if (error instanceof NegotiationError) return error;
  const status = error instanceof HttpStatusError ? error.status : undefined;
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

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      timer.unref?.();
    }),
  ]).finally(() => clearTimeout(timer));
}
