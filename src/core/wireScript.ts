/**
 * A task's wire log as something a server author can run again: over HTTP, a `curl` sequence of
 * the messages Tasklane sent (headers kept, the token left to an environment variable, the session
 * carried from response to request); over stdio or in memory, a JSON-lines transcript of them for
 * `node dist/server.js --stdio < file` or any stdio server. Pure: strings in, string out.
 */
import type { WireEntry, WireLog } from './wireLog';

export type WireScript =
  { readonly kind: 'curl'; readonly text: string; readonly messages: number } | { readonly kind: 'jsonl'; readonly text: string; readonly messages: number };

/** The environment variable a curl script reads the server's token from; the secret is never written. */
export const TOKEN_VARIABLE = 'TASKLANE_TOKEN';
/** Where a curl script keeps the session id: set from the log, replaced by each response that names one. */
export const SESSION_VARIABLE = 'TASKLANE_SESSION';

/** Headers curl sets itself, or that the script writes from variables instead of the log. */
const LEFT_TO_CURL = new Set(['content-length', 'host', 'connection', 'accept-encoding', 'transfer-encoding', 'authorization', 'mcp-session-id']);

/** The id of the `initialize` a transcript starts with when the log has none (the task's log begins at its call). */
export const REPLAY_INITIALIZE_ID = 'tasklane-replay-initialize';

/**
 * The script for a log: `curl` when its messages went over HTTP, JSON lines otherwise. Only what
 * Tasklane sent is replayed (requests, notifications and its answers to the server's requests);
 * undefined when it sent nothing.
 */
export function wireScript(log: WireLog): WireScript | undefined {
  const sent = log.entries.filter((entry) => entry.direction === 'sent');
  if (sent.length === 0) return undefined;
  return sent.some((entry) => entry.transport === 'http') ? curlScript(log, sent) : jsonLinesScript(log, sent);
}

/** One word quoted for a POSIX shell: inside single quotes nothing expands; a single quote is closed, escaped and reopened. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function curlScript(log: WireLog, sent: readonly WireEntry[]): WireScript {
  const firstSession = sent.map((entry) => headerOf(entry, 'mcp-session-id')).find((value) => value !== undefined);
  const lines = [
    '#!/bin/sh',
    `# Tasklane wire log of task ${oneLine(log.recordId)} on server ${oneLine(log.serverId)} (${oneLine(log.wire)}): ${sent.length} message${sent.length === 1 ? '' : 's'} sent.`,
    'set -eu',
    ...(sent.some((entry) => headerOf(entry, 'authorization') !== undefined)
      ? [`# The token is read from $${TOKEN_VARIABLE}; the log never kept it.`, `: "\${${TOKEN_VARIABLE}:?set ${TOKEN_VARIABLE} to the server token}"`]
      : []),
    // A fresh server hands out a new session: set TASKLANE_SESSION, or let an initialize below replace it.
    `${SESSION_VARIABLE}="\${${SESSION_VARIABLE}:-}"`,
    ...(firstSession !== undefined ? [`[ -n "$${SESSION_VARIABLE}" ] || ${SESSION_VARIABLE}=${shellQuote(firstSession)}`] : []),
    'HEADERS=$(mktemp)',
    `trap 'rm -f "$HEADERS"' EXIT`,
  ];
  for (const entry of sent) {
    lines.push('', `# ${describe(entry)}`);
    if (entry.cut) lines.push(`# Cut in the log: ${entry.cut.keptBytes} of ${entry.bytes} bytes kept, so this body is not the message as sent.`);
    const http = entry.http;
    const url = http?.url ?? '${TASKLANE_URL:?set TASKLANE_URL to the server endpoint}';
    const args = [`curl -sS -X ${shellQuote(http?.method ?? 'POST')} ${http?.url !== undefined ? shellQuote(url) : `"${url}"`}`, '-D "$HEADERS"'];
    const headers = http?.headers ?? {};
    const names = Object.keys(headers).map((name) => name.toLowerCase());
    if (!names.includes('content-type')) args.push(`-H ${shellQuote('Content-Type: application/json')}`);
    if (!names.includes('accept')) args.push(`-H ${shellQuote('Accept: application/json, text/event-stream')}`);
    for (const [name, value] of Object.entries(headers)) {
      if (LEFT_TO_CURL.has(name.toLowerCase()) || !isHeaderSafe(name, value)) continue;
      args.push(`-H ${shellQuote(`${name}: ${value}`)}`);
    }
    const authorization = headerOf(entry, 'authorization');
    if (authorization !== undefined) args.push(`-H "Authorization: ${schemeOf(authorization)} $${TOKEN_VARIABLE}"`);
    if (headerOf(entry, 'mcp-session-id') !== undefined) args.push(`-H "Mcp-Session-Id: $${SESSION_VARIABLE}"`);
    args.push(`--data-raw ${shellQuote(JSON.stringify(entry.message) ?? 'null')}`);
    lines.push(args.join(' \\\n  '));
    // The response's session id, if it names one (initialize does), is the one the next requests use.
    lines.push(
      `NEXT_SESSION=$(sed -n 's/^[Mm][Cc][Pp]-[Ss][Ee][Ss][Ss][Ii][Oo][Nn]-[Ii][Dd]:[[:space:]]*//p' "$HEADERS" | tr -d '\\r' | tail -n 1)`,
      `[ -z "$NEXT_SESSION" ] || ${SESSION_VARIABLE}=$NEXT_SESSION`,
      'echo',
    );
  }
  return { kind: 'curl', text: lines.join('\n') + '\n', messages: sent.length };
}

function jsonLinesScript(log: WireLog, sent: readonly WireEntry[]): WireScript {
  const messages = sent.map((entry) => entry.message);
  const first = messages[0];
  const startsWithInitialize = isObject(first) && first.method === 'initialize';
  // A stdio server answers nothing before initialize: a log that begins at the task's call gets one.
  const preamble = startsWithInitialize
    ? []
    : [
        {
          jsonrpc: '2.0',
          id: REPLAY_INITIALIZE_ID,
          method: 'initialize',
          params: {
            protocolVersion: protocolVersionOf(log, messages),
            capabilities: {},
            clientInfo: { name: 'tasklane-wire-replay', version: '1' },
          },
        },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
      ];
  const lines = [...preamble, ...messages].map((message) => JSON.stringify(message) ?? 'null');
  return { kind: 'jsonl', text: lines.join('\n') + '\n', messages: sent.length };
}

/**
 * The protocol version a replayed initialize names: the one a logged message names (its params or
 * `_meta`), else the log's wire id when it is a dated revision. Core knows no wire of its own.
 */
function protocolVersionOf(log: WireLog, messages: readonly unknown[]): string {
  const dated = /^\d{4}-\d{2}-\d{2}$/;
  for (const message of messages) {
    const params = isObject(message) && isObject(message.params) ? message.params : undefined;
    const meta = params && isObject(params._meta) ? params._meta : undefined;
    for (const value of [params?.protocolVersion, meta?.protocolVersion]) if (typeof value === 'string' && dated.test(value)) return value;
  }
  return log.wire;
}

function headerOf(entry: WireEntry, wanted: string): string | undefined {
  for (const [name, value] of Object.entries(entry.http?.headers ?? {})) if (name.toLowerCase() === wanted) return value;
  return undefined;
}

/** The scheme of a (redacted) Authorization value, e.g. "Bearer"; Bearer when it names none. */
function schemeOf(authorization: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9-]{0,30})\s/.exec(authorization)?.[1];
  return scheme ?? 'Bearer';
}

/** A header a server sent back with a line break or a bad name would split the command: left out. */
function isHeaderSafe(name: string, value: string): boolean {
  return /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name) && !/[\r\n\0]/.test(value);
}

function describe(entry: WireEntry): string {
  const what = [entry.kind, entry.method, entry.rpcId !== undefined ? `id ${String(entry.rpcId)}` : undefined].filter(Boolean).join(' ');
  return oneLine(`#${entry.seq} sent ${what} at ${entry.at}`);
}

/** Text from the log in a comment stays on the comment's line. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\0]+/g, ' ');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
