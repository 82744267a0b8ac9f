/**
 * One task wire as the client side speaks it: how to reach a server on it. Each wire's folder
 * (`client/<wire>/`) implements this; `clientWires.ts` lists them, and `connectServer.ts` tries
 * them without knowing any of them.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Implementation } from '@modelcontextprotocol/sdk/types.js';
import type { IDisposable } from '../../core/lifecycle';
import type { Logger } from '../../core/logger';
import type { Wire } from '../wire';
import { realClock, withTimeout } from './clock';
import type { TaskWireClient } from './taskWire';

/** A connection to a server on the wire negotiation chose. */
export interface NegotiatedConnection {
  readonly client: TaskWireClient & IDisposable;
  readonly wire: Wire;
  /** The protocol revision in use, as the wire's handshake settled it. */
  readonly protocolVersion: string;
  readonly serverInfo?: Implementation;
  /** Whether the server offers tasks on the chosen wire. */
  readonly supportsTasks: boolean;
  /** In `auto` mode, why a wire listed before the chosen one was not chosen. */
  readonly fallbackReason?: string;
  /** Ends the connection (and, for stdio, the process). */
  close(): Promise<void>;
}

export interface HttpAttemptOptions {
  /** Every header to send, the bearer token included. */
  readonly headers: Readonly<Record<string, string>>;
  readonly clientInfo?: Implementation;
  /** Open server-pushed notification streams where the wire has them (default true). */
  readonly notifications?: boolean;
  /** Time allowed for each step of the handshake (ms). */
  readonly timeoutMs: number;
  readonly log: Logger;
}

/**
 * What trying one wire on a server gave. Failures that no other wire would get past (nothing
 * listening, a refused token) are thrown instead.
 */
export type WireAttempt =
  /** The server speaks this wire: use it. */
  | { readonly kind: 'connected'; readonly connection: NegotiatedConnection }
  /** It speaks the wire's framing but offers no tasks on it (`why`): kept in case no later wire does better. */
  | { readonly kind: 'withoutTasks'; readonly connection: NegotiatedConnection; readonly why: string }
  /** The server does not speak this wire (`why`): the next one is tried. */
  | { readonly kind: 'declined'; readonly why: string };

export interface ClientWire<Id extends Wire = Wire> {
  readonly wire: Id;
  /** How log lines name a connection on this wire ("a 2025-11-25 session"). */
  readonly label: string;
  /** Whether a server's tasks can be listed on this wire (`tasks/list`): a team board needs it. */
  readonly listsTasks: boolean;
  /** Tries this wire on a Streamable HTTP endpoint. */
  tryHttp(url: string | URL, options: HttpAttemptOptions): Promise<WireAttempt>;
}

/** A wire whose handshake runs over any SDK transport (stdio, an in-memory pair). */
export interface StreamClientWire<Id extends Wire = Wire> extends ClientWire<Id> {
  /**
   * Connects a new client over `transport`. When the handshake fails the client is disposed and
   * the error rethrown; the transport stays the caller's to close.
   */
  open(transport: Transport, clientInfo?: Implementation): Promise<StreamConnection>;
}

/** A client a stream wire has connected. */
export interface StreamConnection {
  readonly client: TaskWireClient & IDisposable;
  /** The protocol revision the handshake settled on. */
  readonly protocolVersion: string;
  readonly serverInfo?: Implementation;
  readonly supportsTasks: boolean;
}

/**
 * Opens `wire` over `transport` within `timeoutMs`, as a connection whose `close` also closes the
 * transport; a failed handshake closes the transport too.
 */
export async function connectOverStream(
  wire: StreamClientWire,
  transport: Transport,
  clientInfo: Implementation | undefined,
  timeoutMs = 30_000,
): Promise<NegotiatedConnection> {
  let opened: StreamConnection;
  try {
    opened = await withTimeout(wire.open(transport, clientInfo), timeoutMs, realClock, 'initialize');
  } catch (error) {
    await transport.close().catch(() => undefined);
    throw error;
  }
  const { client } = opened;
  return {
    client,
    wire: wire.wire,
    protocolVersion: opened.protocolVersion,
    ...(opened.serverInfo ? { serverInfo: opened.serverInfo } : {}),
    supportsTasks: opened.supportsTasks,
    close: async () => {
      client.dispose();
      await transport.close().catch(() => undefined);
    },
  };
}
