import type { Event } from './events';

/**
 * A task's wire log: the JSON-RPC messages that belonged to one task, as Tasklane's client sent and
 * received them, for people building MCP servers. Captured only for servers the person turned
 * capture on for; bounded per task (the oldest entries go first); secrets redacted before anything
 * is kept; large payloads cut with a note of their full size.
 */

/** Seen from Tasklane's side of the connection. */
export type WireDirection = 'sent' | 'received';

export type WireTransport = 'memory' | 'stdio' | 'http';

/** What a message is on the wire: a listen stream's SSE event is an `event`. */
export type WireMessageKind = 'request' | 'response' | 'error' | 'notification' | 'event';

/** A rule of the task checklist (docs: mcp-tasks.md) that a peer's message breaks, by its id. */
export interface WireFlag {
  /** The checklist id, e.g. "T-S-07". */
  readonly rule: string;
  /** What is wrong with this message, in plain words a server author can act on. */
  readonly text: string;
}

/** The HTTP side of a message sent or received over HTTP (headers already redacted). */
export interface WireHttp {
  readonly method?: string;
  readonly url?: string;
  readonly status?: number;
  /** The relevant headers only: Mcp-Method, Mcp-Name, MCP-Protocol-Version, Mcp-Session-Id, Content-Type, Authorization (redacted). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface WireEntry {
  /** Order within the task's log, from 1; never reused, so a dropped prefix shows as a gap. */
  readonly seq: number;
  /** ISO 8601, when Tasklane sent or received it. */
  readonly at: string;
  readonly direction: WireDirection;
  readonly transport: WireTransport;
  readonly kind: WireMessageKind;
  /** The method, for requests and notifications; for a response, the method of its request. */
  readonly method?: string;
  /** The JSON-RPC id of a request, response or error. */
  readonly rpcId?: string | number;
  /** The message's full size in bytes (UTF-8 JSON), before any cut. */
  readonly bytes: number;
  /** The message as kept: redacted, with long values cut (see `cut`). */
  readonly message: unknown;
  /** Set when parts of the message were cut to keep the log bounded. */
  readonly cut?: { readonly keptBytes: number };
  readonly http?: WireHttp;
  readonly flags: readonly WireFlag[];
}

export interface WireLog {
  /** The task record's id (TaskRecord.id). */
  readonly recordId: string;
  readonly serverId: string;
  /** The wire the task was started on, as its protocol names it. */
  readonly wire: string;
  readonly entries: readonly WireEntry[];
  /** What the bounds dropped from the front of the log. */
  readonly dropped: { readonly messages: number; readonly bytes: number };
}

/** Reading captured wire logs: what the detail panel and the export need. */
export interface WireLogReader {
  /** The task's log, or undefined when nothing was captured for it. */
  readWireLog(recordId: string): WireLog | undefined;
  /** Fires with a record id when that task's log gains entries (coalesced by the caller as it likes). */
  readonly onDidChangeWireLog: Event<string>;
}
