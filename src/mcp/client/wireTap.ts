/**
 * Where capture listens in: on an SDK transport's `send` and `onmessage` (the in-memory pair,
 * stdio), or on the `fetch` an HTTP transport calls (both wires over HTTP, so the status and the
 * headers are seen too). A tap is installed only while a server's capture is on and removed
 * entirely when it goes off: the path of a server without capture is the plain one, with no
 * wrapper of any kind.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type IDisposable, toDisposable } from '../../core/lifecycle';
import type { WireDirection, WireTransport } from '../../core/wireLog';
import { isObject, readSse } from './sseReader';

/** The HTTP side of one exchange, headers as received (the capture keeps only the relevant ones, redacted). */
export interface ObservedHttp {
  readonly method?: string;
  readonly url?: string;
  readonly status?: number;
  readonly header: (name: string) => string | null | undefined;
}

/** One JSON-RPC message as a tap saw it. */
export interface ObservedMessage {
  readonly direction: WireDirection;
  readonly transport: WireTransport;
  readonly message: Record<string, unknown>;
  /** Its size in bytes as UTF-8 JSON. */
  readonly bytes: number;
  readonly http?: ObservedHttp;
  /** It came as an event on a `subscriptions/listen` stream. */
  readonly onListenStream?: boolean;
  readonly at: string;
}

export type WireObserver = (observed: ObservedMessage) => void;

/**
 * Listens in on an SDK transport that is already connected: its `send` and the `onmessage` the
 * client set. Disposing puts both back as they were (unless something else replaced them since).
 */
export function tapStreamTransport(transport: Transport, kind: WireTransport, observe: WireObserver): IDisposable {
  const ownSend = Object.getOwnPropertyDescriptor(transport, 'send');
  const send = transport.send.bind(transport);
  const deliver = transport.onmessage;
  const tappedSend: Transport['send'] = (message, options) => {
    observe(observed('sent', kind, message as unknown as Record<string, unknown>));
    return send(message, options);
  };
  const tappedDeliver: NonNullable<Transport['onmessage']> = (message, extra) => {
    observe(observed('received', kind, message as unknown as Record<string, unknown>));
    deliver?.(message, extra);
  };
  transport.send = tappedSend;
  if (deliver) transport.onmessage = tappedDeliver;
  return toDisposable(() => {
    if (transport.send === tappedSend) {
      if (ownSend) Object.defineProperty(transport, 'send', ownSend);
      else delete (transport as { send?: unknown }).send;
    }
    if (deliver && transport.onmessage === tappedDeliver) transport.onmessage = deliver;
  });
}

/**
 * A `fetch` that reports the JSON-RPC messages of every exchange: the request body as sent, then
 * the answer (a JSON body, or each event of an SSE stream, read from a copy of the stream while
 * the transport reads the other).
 */
export function observingFetch(inner: typeof fetch, observe: WireObserver): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const requestHeaders = new Headers(init?.headers);
    const sent = typeof init?.body === 'string' ? messagesIn(init.body) : [];
    const listen = sent.some((message) => message.method === 'subscriptions/listen');
    const request: ObservedHttp = { method, url, header: (name) => requestHeaders.get(name) };
    for (const message of sent) observe(observed('sent', 'http', message, request, sent.length === 1 ? Buffer.byteLength(init!.body as string) : undefined));
    const response = await inner(input, init);
    const answer: ObservedHttp = { status: response.status, header: (name) => response.headers.get(name) };
    const type = response.headers.get('content-type') ?? '';
    if (!response.body) return response;
    if (type.includes('text/event-stream')) {
      const [mine, theirs] = response.body.tee();
      void (async () => {
        for await (const message of readSse(new Response(mine, { headers: response.headers }))) {
          observe({ ...observed('received', 'http', message as Record<string, unknown>, answer), ...(listen ? { onListenStream: true } : {}) });
        }
      })().catch(() => undefined);
      return new Response(theirs, { status: response.status, statusText: response.statusText, headers: response.headers });
    }
    if (type.includes('json')) {
      const text = await response.clone().text();
      const received = messagesIn(text);
      for (const message of received) observe(observed('received', 'http', message, answer, received.length === 1 ? Buffer.byteLength(text) : undefined));
    }
    return response;
  };
}

function observed(direction: WireDirection, transport: WireTransport, message: Record<string, unknown>, http?: ObservedHttp, bytes?: number): ObservedMessage {
  return {
    direction,
    transport,
    message,
    bytes: bytes ?? Buffer.byteLength(JSON.stringify(message)),
    ...(http ? { http } : {}),
    at: new Date().toISOString(),
  };
}

/** The JSON-RPC messages of a body: one, or a batch. */
function messagesIn(text: string): Record<string, unknown>[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  const all = Array.isArray(value) ? value : [value];
  return all.filter(isObject);
}
