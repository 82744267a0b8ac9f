import type { CallToolResult, ElicitRequest, ElicitResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Event } from '../../core/events';
import type { Wire } from '../../core/meta';
import type { JsonRpcErrorObject } from '../../core/taskRecord';
import type { TaskStatus } from '../../core/taskStatus';

/** A task as a server reports it, whatever wire carried it. */
export interface RemoteTaskState {
  readonly taskId: string;
  readonly status: TaskStatus;
  readonly statusMessage?: string;
  readonly createdAt: string;
  readonly lastUpdatedAt: string;
  readonly ttl: number | null;
  readonly pollInterval?: number;
  /** Live output that arrived with this update (Tasklane servers only). */
  readonly output?: string;
}

export type RemoteOutcome = { readonly result: CallToolResult; readonly error?: undefined } | { readonly error: JsonRpcErrorObject; readonly result?: undefined };

export type StartResult = { readonly kind: 'task'; readonly task: RemoteTaskState } | { readonly kind: 'result'; readonly outcome: RemoteOutcome };

export interface StartOptions {
  readonly ttl?: number;
  readonly meta?: Record<string, unknown>;
  /** Ask for a task even when the tool only allows one (false: call synchronously when allowed). */
  readonly preferTask?: boolean;
}

/** A question a server asked while one of its tasks runs. */
export interface InputRequestEvent {
  readonly taskId?: string;
  readonly method: 'elicitation/create';
  readonly params: ElicitRequest['params'];
}

/**
 * What the host needs from a server connection, per task wire. The 2025-11-25 utility and the
 * `io.modelcontextprotocol/tasks` extension each implement it; the task service above never sees
 * which one it talks to beyond `wire`.
 */
export interface TaskWireClient {
  readonly wire: Wire;
  readonly supportsTasks: boolean;
  readonly supportsList: boolean;
  /** Status updates the server pushes (if it does); polling stays the source of truth. */
  readonly onDidReceiveStatus: Event<RemoteTaskState>;
  listTools(): Promise<Tool[]>;
  start(tool: string, args: Record<string, unknown>, options: StartOptions): Promise<StartResult>;
  get(taskId: string): Promise<RemoteTaskState>;
  /** Resolves with the final outcome; may block until the task is terminal. */
  awaitOutcome(taskId: string, signal: AbortSignal): Promise<RemoteOutcome>;
  cancel(taskId: string): Promise<RemoteTaskState | undefined>;
  list(cursor?: string): Promise<{ tasks: RemoteTaskState[]; nextCursor?: string }>;
  /** Set by the host: answers questions servers ask while tasks run. */
  inputHandler: ((request: InputRequestEvent) => Promise<ElicitResult>) | undefined;
}
