import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { type WaitOptions, waitFor } from '../../helpers/waitFor';

/** A JSON-RPC message exactly as it would look on the wire (undefined fields dropped). */
export type Wire = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RawResponse {
  readonly jsonrpc: '2.0';
  readonly id: string | number;
  readonly result?: Wire;
  readonly error?: { code: number; message: string; data?: unknown };
}

export const INIT_PARAMS = {
  protocolVersion: '2025-11-25',
  capabilities: { elicitation: { form: {} } },
  clientInfo: { name: 't', version: '1' },
};

/** Deep copy through JSON: what a real transport would have carried. */
export function onWire<T>(message: T): T {
  return JSON.parse(JSON.stringify(message)) as T;
}

/**
 * Drives the client end of a transport by hand: sends raw JSON-RPC, and records every message
 * the server sends (responses, notifications, server→client requests) in wire form.
 */
export class RawClient {
  /** Everything received, in order. */
  readonly received: Wire[] = [];
  readonly notifications: Wire[] = [];
  /** Requests the server sent to us. */
  readonly serverRequests: Wire[] = [];
  private readonly responses = new Map<string | number, RawResponse>();
  private readonly pending = new Map<string | number, (response: RawResponse) => void>();
  private nextId = 1;

  constructor(readonly transport: Transport) {}

  async start(): Promise<void> {
    this.transport.onmessage = (message: JSONRPCMessage) => this.onMessage(onWire(message) as Wire);
    await this.transport.start();
  }

  /** initialize + notifications/initialized; returns the initialize response. */
  async initialize(params: Wire = INIT_PARAMS): Promise<RawResponse> {
    const response = await this.request('initialize', params);
    await this.notify('notifications/initialized');
    return response;
  }

  /** Sends a request and resolves with the raw response (result or error). */
  request(method: string, params?: Wire, id: string | number = `r${this.nextId++}`): Promise<RawResponse> {
    const answer = new Promise<RawResponse>((resolve) => this.pending.set(id, resolve));
    void this.transport.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) } as JSONRPCMessage);
    return answer;
  }

  /** Sends a request without waiting; returns its id. The response can be read later with `responseTo`. */
  send(method: string, params?: Wire, id: string | number = `r${this.nextId++}`): string | number {
    void this.request(method, params, id);
    return id;
  }

  responseTo(id: string | number): RawResponse | undefined {
    return this.responses.get(id);
  }

  async notify(method: string, params?: Wire): Promise<void> {
    await this.transport.send({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) } as JSONRPCMessage);
  }

  /** Answers a request the server sent us. */
  async respond(id: string | number, result: Wire): Promise<void> {
    await this.transport.send({ jsonrpc: '2.0', id, result } as JSONRPCMessage);
  }

  async respondError(id: string | number, error: { code: number; message: string; data?: unknown }): Promise<void> {
    await this.transport.send({ jsonrpc: '2.0', id, error } as JSONRPCMessage);
  }

  /** Resolves with the first received message (past or future) matching `predicate`. */
  waitForMessage(predicate: (message: Wire) => boolean, options: WaitOptions): Promise<Wire> {
    return waitFor(() => this.received.find(predicate), options);
  }

  waitForNotification(method: string, predicate: (params: Wire) => boolean = () => true, what = method): Promise<Wire> {
    return this.waitForMessage((m) => m.id === undefined && m.method === method && predicate(m.params ?? {}), { what });
  }

  waitForServerRequest(method: string, predicate: (params: Wire) => boolean = () => true, what = method): Promise<Wire> {
    return this.waitForMessage((m) => m.id !== undefined && m.method === method && predicate(m.params ?? {}), { what });
  }

  /** Status notifications received for one task, in order. */
  statusNotifications(taskId: string): Wire[] {
    return this.notifications.filter((n) => n.method === 'notifications/tasks/status' && n.params?.taskId === taskId);
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  private onMessage(message: Wire): void {
    this.received.push(message);
    if (message.method !== undefined) {
      if (message.id !== undefined) this.serverRequests.push(message);
      else this.notifications.push(message);
    } else if (message.id !== undefined) {
      const response = message as RawResponse;
      this.responses.set(response.id, response);
      const resolve = this.pending.get(response.id);
      this.pending.delete(response.id);
      resolve?.(response);
    }
  }
}
