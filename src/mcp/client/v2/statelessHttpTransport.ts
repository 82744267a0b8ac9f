/**
 * The client's HTTP side of the stateless 2026-07-28 framing, on `fetch`: one POST per JSON-RPC
 * request, with the routing headers (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`) and the
 * per-request `_meta` (protocol version, client info, client capabilities), answered by a JSON
 * body or an event stream (sseReader.ts). What an answer means is the codec's (wires/v2/codec.ts)
 * and the client's (taskClientV2.ts).
 */
import type { Implementation } from '@modelcontextprotocol/sdk/types.js';
import { type IDisposable, toDisposable } from '../../../core/lifecycle';
import { META_KEYS, PROTOCOL_2026_07_28, encodeHeaderValue, nameParamOf } from '../../wires/v2/protocol';
import { InvalidResponseError, checkResultType, decodeRpcError } from '../../wires/v2/codec';
import { type JsonRpcMessage, isObject, readSse, safeJson } from '../sseReader';

/** The server answered with an HTTP error that carried no JSON-RPC error. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface StatelessHttpOptions {
  readonly url: string;
  /** Bearer token, sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Extra headers on every request (never logged). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly clientInfo: Implementation;
  /** What the client declares in every request's `_meta`. */
  readonly clientCapabilities: Readonly<Record<string, unknown>>;
  /** Timeout for requests that do not opt out of one. */
  readonly requestTimeoutMs: number;
  readonly fetch: typeof fetch;
  /** Notifications that arrive on the event stream of a request's answer. */
  readonly onNotification: (message: JsonRpcMessage) => void;
}

/** The answer to a long-lived request (`subscriptions/listen`): its event stream, or why there is none. */
export type ListenAnswer =
  | { readonly kind: 'stream'; readonly id: number; readonly messages: AsyncGenerator<JsonRpcMessage> }
  | { readonly kind: 'refused'; readonly status: number; readonly code: unknown };

export class StatelessHttpTransport {
  private nextId = 1;
  /** Aborts every request and stream at once, when the client is disposed. */
  private readonly everything = new AbortController();
  /** The `fetch` every request goes through: the options' own, or a capture tap on it while one is on. */
  private fetchImpl: typeof fetch;

  constructor(private readonly options: StatelessHttpOptions) {
    this.fetchImpl = options.fetch;
  }

  /** Puts `wrap(fetch)` in the path of every request until the result is disposed (wire capture). */
  tapFetch(wrap: (inner: typeof fetch) => typeof fetch): IDisposable {
    const plain = this.fetchImpl;
    const tapped = wrap(plain);
    this.fetchImpl = tapped;
    return toDisposable(() => {
      if (this.fetchImpl === tapped) this.fetchImpl = plain;
    });
  }

  get closed(): boolean {
    return this.everything.signal.aborted;
  }

  close(reason: Error): void {
    this.everything.abort(reason);
  }

  /** The headers of one request (exposed for tests). */
  headersFor(method: string, params: Record<string, unknown>): Record<string, string> {
    const headers: Record<string, string> = {
      // Header names are case-insensitive: lower-case the caller's so ours replace theirs, never join them.
      ...Object.fromEntries(Object.entries(this.options.headers ?? {}).map(([key, value]) => [key.toLowerCase(), value])),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': PROTOCOL_2026_07_28,
      'mcp-method': method,
    };
    const field = nameParamOf(method);
    const name = field ? params[field] : undefined;
    if (typeof name === 'string') headers['mcp-name'] = encodeHeaderValue(name);
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    return headers;
  }

  /** Sends one request and returns its result, checked against what the method may answer. */
  async request(
    method: string,
    params: Record<string, unknown>,
    options: { signal?: AbortSignal; noTimeout?: boolean } = {},
  ): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const signals = [
      this.everything.signal,
      ...(options.signal ? [options.signal] : []),
      ...(options.noTimeout ? [] : [AbortSignal.timeout(this.options.requestTimeoutMs)]),
    ];
    const response = await this.post(id, method, params, AbortSignal.any(signals));
    const message = await this.readResponse(response, id, method);
    if (message.error !== undefined) throw decodeRpcError(message.error, method, response.status);
    if (!isObject(message.result)) throw new InvalidResponseError(`${method}: the result is not an object`);
    checkResultType(method, message.result);
    return message.result;
  }

  /**
   * Sends a request whose answer is a long-lived event stream, without a timeout. Any other answer
   * (an HTTP error, a JSON body) is `refused`, with the JSON-RPC error code when the body has one.
   */
  async listen(method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<ListenAnswer> {
    const id = this.nextId++;
    const response = await this.post(id, method, params, AbortSignal.any([signal, this.everything.signal]));
    if (!isEventStream(response)) {
      const text = await response.text().catch(() => '');
      const code = (safeJson(text) as { error?: { code?: unknown } } | undefined)?.error?.code;
      return { kind: 'refused', status: response.status, code };
    }
    return { kind: 'stream', id, messages: readSse(response) };
  }

  private post(id: number, method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<Response> {
    return this.fetchImpl(this.options.url, {
      method: 'POST',
      headers: this.headersFor(method, params),
      body: JSON.stringify(this.bodyFor(id, method, params)),
      signal,
    });
  }

  /** A request body: `_meta` carries the protocol version, client info and capabilities (T-C-11); caller keys cannot override them. */
  private bodyFor(id: number, method: string, params: Record<string, unknown>): Record<string, unknown> {
    const callerMeta = isObject(params._meta) ? params._meta : {};
    return {
      jsonrpc: '2.0',
      id,
      method,
      params: {
        ...params,
        _meta: {
          ...callerMeta,
          [META_KEYS.protocolVersion]: PROTOCOL_2026_07_28,
          [META_KEYS.clientInfo]: this.options.clientInfo,
          [META_KEYS.clientCapabilities]: this.options.clientCapabilities,
        },
      },
    };
  }

  /** The JSON-RPC response to request `id`: a JSON body, or the matching message of an SSE stream. */
  private async readResponse(response: Response, id: number, method: string): Promise<JsonRpcMessage> {
    if (isEventStream(response)) {
      for await (const message of readSse(response)) {
        if (message.id === id && ('result' in message || 'error' in message)) return message;
        if (message.id === undefined && typeof message.method === 'string') this.options.onNotification(message);
      }
      throw new InvalidResponseError(`${method}: the event stream ended without an answer (HTTP ${response.status})`);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!isObject(body) || (!('result' in body) && !('error' in body))) {
      if (!response.ok)
        throw new HttpStatusError(
          response.status,
          `${method}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${text ? `: ${text.slice(0, 200)}` : ''}`,
        );
      throw new InvalidResponseError(`${method}: the answer is not a JSON-RPC response (HTTP ${response.status})`);
    }
    // Authentication trouble is the transport's, whatever JSON-RPC error the body dresses it in.
    if (response.status === 401 || response.status === 403) {
      const detail = isObject(body.error) && typeof body.error.message === 'string' ? body.error.message : response.statusText;
      throw new HttpStatusError(response.status, `${method}: HTTP ${response.status}${detail ? ` ${detail}` : ''}`);
    }
    const message = body as JsonRpcMessage;
    if ('result' in message && message.id !== id) throw new InvalidResponseError(`${method}: the answer has id ${JSON.stringify(message.id)}, not ${id}`);
    return message;
  }
}

function isEventStream(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('text/event-stream');
}
