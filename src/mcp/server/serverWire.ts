/**
 * One task wire as the server side speaks it: how its requests reach the engine. Each wire's
 * folder (`server/<wire>/`) implements this; `serverWires.ts` lists them, and `httpServer.ts`,
 * `cli.ts` and the embedded server mount them without knowing any of them.
 */
import type * as http from 'node:http';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { IDisposable } from '../../core/lifecycle';
import type { Logger } from '../../core/logger';
import type { EngineTask, StartOptions } from '../engine/engineTask';
import type { TaskEngine } from '../engine/taskEngine';
import type { Wire } from '../wire';
import type { TaskHost } from './toolCatalog';

/** What a wire on the HTTP endpoint serves with. */
export interface HttpWireContext {
  readonly host: TaskHost;
  readonly engine: TaskEngine;
  readonly log: Logger;
  /** Whether requests carry a token: tasks then belong to its principal, and outlive a connection. */
  readonly authenticated: boolean;
  /** Instructions for clients, on wires that hand them out. */
  readonly instructions?: string;
}

/** One request on the HTTP endpoint, already past the Host, Origin and token checks. */
export interface HttpWireRequest {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  /** The `Mcp-Session-Id` header, if any. */
  readonly sessionId: string | undefined;
  /** The parsed JSON body of a POST; undefined for other methods. */
  readonly body: unknown;
  /** Who the token stands for (`local` without authentication). */
  readonly principal: string;
}

/** A wire mounted on one running HTTP endpoint. */
export interface HttpWireEndpoint {
  /** Serves the request if it is this wire's (settles once it is answered); undefined leaves it to the next wire. */
  serve(request: HttpWireRequest): Promise<void> | undefined;
  close(): Promise<void>;
}

export interface HttpServerWire {
  readonly wire: Wire;
  mount(context: HttpWireContext): HttpWireEndpoint;
  /**
   * A task of this wire's start options, rebuilt from the task alone, for any instance sharing a
   * team's queue to run it; absent on a wire whose tasks must run where they were created (a
   * session's questions go to that session).
   */
  readonly claimedStartOptions?: (host: TaskHost, engine: TaskEngine, task: EngineTask) => StartOptions;
}

export interface StreamServeOptions {
  /** The authorization context of everything on this stream: its tasks are visible only within it. */
  readonly owner: string;
  /** How the client reached us, recorded with the agent on every task it creates (e.g. "editor"). */
  readonly connection?: string;
}

/** A server for one stream (stdio, an in-memory pair). */
export interface StreamServer extends IDisposable {
  connect(transport: Transport): Promise<void>;
}

/** A wire whose server runs over any SDK transport. */
export interface StreamServerWire {
  readonly wire: Wire;
  serve(host: TaskHost, engine: TaskEngine, options: StreamServeOptions): StreamServer;
}
