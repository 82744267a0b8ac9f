import type { Event } from './events';
import type { JsonSchema } from './schemaForm';

/** How a server is reached: the editor's own embedded server, a program Tasklane starts, or a URL. */
export type ServerKind = 'embedded' | 'stdio' | 'http';

/** Where a configured external server is declared. */
export type ServerSource = 'settings' | 'mcp.json';

/** A configured external server's connection, as its supervisor sees it. */
export type ServerState = 'connecting' | 'connected' | 'disconnected' | 'failed';

/** What a connected server offers, as data: the views never look at the wire client itself. */
export interface ServerInfo {
  readonly id: string;
  readonly name: string;
  readonly kind: ServerKind;
  /** Whether the server's tasks outlive this host (an external process does; the embedded server does not). */
  readonly durable: boolean;
  /** The task wire the connection speaks, as its protocol names it (for people; never branched on). */
  readonly wire: string;
  readonly supportsTasks: boolean;
  /** The server can list its tasks (re-attach after a reload finds work started elsewhere). */
  readonly supportsList: boolean;
  /** Tasklane keeps this server's JSON-RPC messages with its tasks (the wire log; setting `tasklane.wire.captureServers`). */
  readonly wireCapture?: boolean;
}

/** A connection's supervision: state, retries and the last error. */
export interface ServerStatus {
  readonly id: string;
  readonly name: string;
  readonly kind: 'stdio' | 'http';
  readonly state: ServerState;
  readonly wire?: string;
  readonly supportsTasks?: boolean;
  readonly supportsList?: boolean;
  readonly pid?: number;
  readonly lastError?: string;
  readonly lastErrorAt?: number;
  /** When the next automatic attempt happens (ms since epoch), while one is scheduled. */
  readonly nextRetryAt?: number;
  /** Retries since the last stable connection. */
  readonly retries: number;
  readonly connectedAt?: number;
}

/** What the Servers view shows of one configured external server. */
export interface ConfiguredServer extends ServerStatus {
  readonly source: ServerSource;
  /** The file or setting that declares it. */
  readonly origin: string;
  /** The command line or URL as configured (variables unresolved, so no secret shows). */
  readonly target: string;
  /** The configuration is invalid: the server is listed but never started. */
  readonly invalid?: boolean;
  /** A bearer token is stored for it (HTTP). */
  readonly hasToken?: boolean;
  /** Tasklane keeps this server's JSON-RPC messages with its tasks (the wire log; setting `tasklane.wire.captureServers`). */
  readonly wireCapture?: boolean;
}

/** One tool of a server, with what New Task needs to ask for its arguments. */
export interface ToolInfo {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly inputSchema: JsonSchema;
  /** The tool runs as a task (`taskSupport` optional or required). */
  readonly runsAsTask: boolean;
  /** It may change or delete things (`destructiveHint`). */
  readonly destructive: boolean;
  /** It says that running it twice is not the same as once (`idempotentHint: false`). */
  readonly notIdempotent: boolean;
}

/** Running the tool again may do harm: the person is asked first (setting `tasklane.retry.confirmUnsafe`). */
export function isUnsafeToRepeat(tool: ToolInfo): boolean {
  return tool.destructive || tool.notIdempotent;
}

/** A value to offer for one of a tool's arguments (New Task picks from these, or the person types). */
export interface ArgumentChoice {
  readonly value: string;
  readonly label: string;
  readonly description?: string;
}

/** A new external server, as Add Server… collects it. */
export type NewServer =
  | {
      readonly name: string;
      readonly type: 'stdio';
      readonly command: string;
      readonly args?: string[];
      readonly env?: Record<string, string>;
      readonly cwd?: string;
    }
  | { readonly name: string; readonly type: 'http'; readonly url: string };

/**
 * The servers the editor knows, for views and commands: what is connected, what is configured,
 * their tools, and the few things a person does to a configured server. The host implements it.
 */
export interface ServerDirectory {
  /** Connected servers, the embedded one first. */
  connected(): ServerInfo[];
  get(id: string): ServerInfo | undefined;
  /** A server's name as people read it; its id when it is not connected. */
  nameOf(id: string): string;
  /** Configured external servers in configuration order, connected or not. */
  configured(): ConfiguredServer[];
  /** Fires when a server connects, goes, or changes state. */
  readonly onDidChange: Event<void>;
  tools(id: string): Promise<ToolInfo[]>;
  /** Values to offer for a tool's arguments, by argument name (the workspace's tasks for the editor's task tools); undefined for none. */
  argumentChoices(serverId: string, tool: string): Promise<Record<string, ArgumentChoice[]> | undefined>;
  /** Writes a new server into user or workspace settings; returns its id. */
  add(server: NewServer, target: 'user' | 'workspace'): Promise<string>;
  reconnect(id: string): Promise<void>;
  disconnect(id: string): Promise<void>;
  setToken(id: string, token: string | undefined): Promise<void>;
  showLog(id: string): void;
  /** Whether Tasklane keeps the server's JSON-RPC messages with its tasks, connected or not. */
  isCapturingWire(id: string): boolean;
  /**
   * Turns capture of the server's JSON-RPC messages on or off (the embedded server's too). It
   * applies at once to the live connection; with it off, nothing sits in the connection's path.
   */
  setWireCapture(serverId: string, on: boolean): Promise<void>;
}

/** Why a server URL cannot be used, or undefined when it can. */
export function checkServerUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `must be an http:// or https:// URL, not ${parsed.protocol}`;
  return undefined;
}
