import type { CallToolResult, CreateMessageRequest, CreateMessageResult, ElicitRequest, ElicitResult, Tool } from '@modelcontextprotocol/sdk/types.js';
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
  /** Its place in the server's queue while it waits to run (Tasklane servers only, from `_meta`). */
  readonly queue?: { readonly position: number; readonly size: number };
  /** Live output that arrived with this update (Tasklane servers only). */
  readonly output?: string;
  /**
   * Questions the task waits on, by the server's key, when the wire carries them in the task
   * itself (the extension's `inputRequests`: every outstanding request, repeated on each poll).
   * The 2025-11-25 wire sends them as requests instead (`inputHandler`).
   */
  readonly inputRequests?: Readonly<Record<string, RemoteInputRequest>>;
  /** The outcome, inline in a terminal snapshot, when the wire carries it there (the extension does). */
  readonly result?: CallToolResult;
  readonly error?: JsonRpcErrorObject;
}

/** One entry of a task's `inputRequests`: a request as it would have been sent on its own, without an id. */
export interface RemoteInputRequest {
  readonly method: string;
  readonly params: Record<string, unknown>;
}

/** A task's outcome; `status` is set when the wire says how it ended (the extension's snapshots do). */
export type RemoteOutcome =
  | { readonly result: CallToolResult; readonly error?: undefined; readonly status?: TerminalStatus }
  | { readonly error: JsonRpcErrorObject; readonly result?: undefined; readonly status?: TerminalStatus };

export type TerminalStatus = 'completed' | 'failed' | 'cancelled';

export type StartResult = { readonly kind: 'task'; readonly task: RemoteTaskState } | { readonly kind: 'result'; readonly outcome: RemoteOutcome };

export interface StartOptions {
  readonly ttl?: number;
  readonly meta?: Record<string, unknown>;
  /** Ask for a task even when the tool only allows one (false: call synchronously when allowed). */
  readonly preferTask?: boolean;
  /** Ends a call still in flight (a synchronous call, or the rounds of a multi-round-trip call). */
  readonly signal?: AbortSignal;
  /** An opaque host reference, echoed on questions asked before a task exists (MRTR `input_required` rounds). */
  readonly ref?: string;
}

/** A question a server asked while one of its tasks runs. */
export interface InputRequestEvent {
  readonly taskId?: string;
  /** `StartOptions.ref` of the call that asked, for questions asked before a task exists. */
  readonly ref?: string;
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
  /**
   * Terminal snapshots carry the outcome (`result`/`error`) and there is no separate result call:
   * the host finishes a task from the snapshot that shows it terminal. (The extension wire.)
   */
  readonly outcomeInSnapshot?: boolean;
  /** Status updates the server pushes (if it does); polling stays the source of truth. */
  readonly onDidReceiveStatus: Event<RemoteTaskState>;
  listTools(): Promise<Tool[]>;
  start(tool: string, args: Record<string, unknown>, options: StartOptions): Promise<StartResult>;
  get(taskId: string): Promise<RemoteTaskState>;
  /** Resolves with the final outcome; may block until the task is terminal. */
  awaitOutcome(taskId: string, signal: AbortSignal): Promise<RemoteOutcome>;
  /** Asks the server to cancel; `undefined` when the wire only acknowledges (the host keeps following until terminal). */
  cancel(taskId: string): Promise<RemoteTaskState | undefined>;
  /**
   * Answers one of a task's `inputRequests` (wires that carry questions in the task snapshot;
   * the extension sends `tasks/update` with `inputResponses`). Wires that ask through requests
   * answer through `inputHandler` instead and leave this out.
   */
  answer?(taskId: string, key: string, response: ElicitResult): Promise<void>;
  list(cursor?: string): Promise<{ tasks: RemoteTaskState[]; nextCursor?: string }>;
  /** Set by the host: answers questions servers ask while tasks run. */
  inputHandler: ((request: InputRequestEvent) => Promise<ElicitResult>) | undefined;
  /** Set by the host: answers `sampling/createMessage` (wires that declare sampling), or declines. */
  samplingHandler?: ((request: SamplingRequestEvent) => Promise<CreateMessageResult>) | undefined;
}

/** A server's request to use the host's language model, on behalf of a task or a plain call. */
export interface SamplingRequestEvent {
  readonly taskId?: string;
  readonly params: CreateMessageRequest['params'];
}

/** Thrown by a sampling handler to decline; the message is the reason the server is given. */
export class SamplingDeclinedError extends Error {
  override readonly name = 'SamplingDeclinedError';
}
