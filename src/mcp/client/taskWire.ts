import type { CreateMessageRequest, CreateMessageResult, ElicitRequest, ElicitResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Event } from '../../core/events';
import type { Wire } from '../wire';
import type { RemoteOutcome, RemoteTaskState } from '../wires/remoteTask';
import type { IDisposable } from '../../core/lifecycle';
import type { WireObserver } from './wireTap';

/** An answer to one of a task's `inputRequests`: the user's (elicitation) or the host's language model's (sampling). */
export type TaskInputResponse = ElicitResult | CreateMessageResult;

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
  /** How a task whose tool result has `isError` ends on this wire (2025-11-25: failed; the extension: completed, T-S-41). */
  readonly toolErrorStatus: 'failed' | 'completed';
  /** Status updates the server pushes (if it does); polling stays the source of truth. */
  readonly onDidReceiveStatus: Event<RemoteTaskState>;
  /**
   * Fires when the transport under a long-lived connection (a 2025-11-25 session) closes or
   * reports an error; wires whose requests stand alone have no such transport and leave it out.
   */
  readonly onDidTransportFail?: Event<TransportFailure>;
  /** A liveness probe: asks the server something cheap, and rejects if it does not answer. */
  ping(): Promise<void>;
  listTools(): Promise<Tool[]>;
  start(tool: string, args: Record<string, unknown>, options: StartOptions): Promise<StartResult>;
  get(taskId: string): Promise<RemoteTaskState>;
  /** Resolves with the final outcome; may block until the task is terminal. */
  awaitOutcome(taskId: string, signal: AbortSignal): Promise<RemoteOutcome>;
  /** Asks the server to cancel; `undefined` when the wire only acknowledges (the host keeps following until terminal). */
  cancel(taskId: string): Promise<RemoteTaskState | undefined>;
  /**
   * Answers one of a task's `inputRequests` (wires that carry questions in the task snapshot;
   * the extension sends `tasks/update` with `inputResponses`). The 2025-11-25 wire asks its own
   * session's questions through `inputHandler`; it carries only a team server's questions of
   * another principal's task (`dev.tasklane/inputRequests`), answered with `dev.tasklane/tasks/update`.
   */
  answer?(taskId: string, key: string, response: TaskInputResponse): Promise<void>;
  list(cursor?: string): Promise<{ tasks: RemoteTaskState[]; nextCursor?: string }>;
  /** Set by the host: answers questions servers ask while tasks run. */
  inputHandler: ((request: InputRequestEvent) => Promise<ElicitResult>) | undefined;
  /** Set by the host: answers `sampling/createMessage` (wires that declare sampling), or declines. */
  samplingHandler?: ((request: SamplingRequestEvent) => Promise<CreateMessageResult>) | undefined;
  /**
   * Puts a tap on this connection's transport (wireTap.ts) that sees every JSON-RPC message sent
   * and received, until the result is disposed; nothing is in the path before or after.
   */
  tapWire?(observe: WireObserver): IDisposable;
}

/** What went wrong under a connection: the transport closed, or reported an error that may be only a hiccup. */
export type TransportFailure = { readonly kind: 'closed' } | { readonly kind: 'error'; readonly error: Error };

/** A server's request to use the host's language model, on behalf of a task or a plain call. */
export interface SamplingRequestEvent {
  readonly taskId?: string;
  /** `StartOptions.ref` of the call that asked, for requests made before a task exists (MRTR `input_required` rounds). */
  readonly ref?: string;
  readonly params: CreateMessageRequest['params'];
}

/** Thrown by a sampling handler to decline; the message is the reason the server is given. */
export class SamplingDeclinedError extends Error {
  override readonly name = 'SamplingDeclinedError';
}

/** The code of a declined sampling request: what the spec's own example uses for a request the user rejected. */
export const SAMPLING_DECLINED_CODE = -1;

/**
 * A declined sampling request as a JSON-RPC error. The 2025-11-25 wire sends it to the server as
 * the answer; the extension wire has no error answer for an input request, so there it becomes the
 * call's or the task's own outcome.
 */
export function samplingDeclinedError(declined: SamplingDeclinedError): { code: number; message: string } {
  return { code: SAMPLING_DECLINED_CODE, message: `Tasklane declined the sampling request: ${declined.message}` };
}

/** Every task the server lists for this client: each page of `list`, in order. */
export async function listEveryPage(client: Pick<TaskWireClient, 'list'>): Promise<RemoteTaskState[]> {
  const tasks: RemoteTaskState[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.list(cursor);
    tasks.push(...page.tasks);
    cursor = page.nextCursor;
  } while (cursor);
  return tasks;
}
