import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Agent, JsonRpcErrorObject } from '../../core/taskRecord';
import type { TaskStatus } from '../../core/taskStatus';
import type { TaskStep } from '../../core/taskSteps';
import type { ListedCall } from './callMeta';

/*
 * What a wire's codec decodes a server's task into, whatever wire carried it: the one shape the
 * host's task service reads (src/mcp/client/taskService.ts).
 */

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
  /** The steps of its work (Tasklane servers only, from `_meta`); absent when the server sent none. */
  readonly steps?: readonly TaskStep[];
  /** Who owns it and the machine that runs it (Tasklane team servers only, from `dev.tasklane/agent`). */
  readonly agent?: Agent;
  /** The tool and arguments that made it (Tasklane team servers' `tasks/list` items only, from `dev.tasklane/call`). */
  readonly call?: ListedCall;
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
