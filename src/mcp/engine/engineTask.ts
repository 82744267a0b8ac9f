/**
 * The engine's vocabulary, shared by the engine, the wires and the tools: a task as the receiving
 * side sees it, what its work is given, and how a wire asks for one. Kept apart from the engine so
 * a wire or a tool can speak about tasks without reaching into how the engine keeps them.
 */
import type { Wire } from '../wire';
import type { Agent, JsonRpcErrorObject } from '../../core/taskRecord';
import type { TaskStatus } from '../../core/taskStatus';
import type { OutputRead } from './taskOutputs';
import type { TaskStep } from '../../core/taskSteps';

/** The receiver-side view of a task, independent of the wire that carries it. */
export interface EngineTask {
  readonly taskId: string;
  readonly owner: string;
  readonly tool: string;
  readonly status: TaskStatus;
  readonly statusMessage?: string;
  readonly createdAt: string;
  readonly lastUpdatedAt: string;
  /**
   * Time to live in ms from creation, as reported to the requestor; null = unlimited. The granted
   * retention at first; moved on while the work is unfinished; the run time plus the retention once
   * it ended (taskRetention.ts).
   */
  readonly ttl: number | null;
  readonly pollInterval: number;
  readonly outcome?: TaskOutcome;
  /** Questions waiting for the requestor, by key; keys are never reused within a task. */
  readonly inputRequests: ReadonlyMap<string, InputRequest>;
  /** The task wire that created the task, when the adapter said so. */
  readonly wire?: Wire;
  /** The client that asked for it (name and version from its handshake) and how it connected. */
  readonly agent?: Agent;
  /** The tool's arguments, so the host can show and re-run the work. */
  readonly arguments?: Record<string, unknown>;
  /** The task this one was started on behalf of (same owner). */
  readonly parentTaskId?: string;
  /** Higher runs first when work is queued; 0 when not given. */
  readonly priority?: number;
  /** Set while the task waits in the scheduler (status stays `working`). */
  readonly queue?: { readonly position: number; readonly size: number };
  /** The request's `_meta` as the client sent it, so the host can keep the task's metadata (intent, tags, custom keys…). */
  readonly meta?: Readonly<Record<string, unknown>>;
  /** The steps of the work, as its tool last reported them (`RunContext.steps`); bounded. */
  readonly steps?: readonly TaskStep[];
  /** The host whose engine runs the work (`EngineOptions.machine`; a mirrored task keeps its own instance's). */
  readonly machine?: string;
}

export type TaskOutcome =
  { readonly kind: 'result'; readonly result: Record<string, unknown> } | { readonly kind: 'error'; readonly error: JsonRpcErrorObject };

export interface InputRequest {
  readonly method: string;
  readonly params: Record<string, unknown>;
}

export interface RunContext {
  readonly taskId: string;
  readonly signal: AbortSignal;
  status(message: string): void;
  /** Live output of the work, for hosts that show it (the wires relay it themselves, if at all). */
  output(chunk: string): void;
  /** The work's steps, the whole list each time (bounded by `boundSteps`); the wires send it as `dev.tasklane/steps`. */
  steps?(steps: readonly TaskStep[]): void;
  /** Asks the requestor; the task is `input_required` while any question is open. */
  requestInput(request: InputRequest): Promise<unknown>;
}

export interface StartOptions {
  readonly owner: string;
  readonly tool: string;
  /** The wire the task was created on; recorded on the snapshot. */
  readonly wire?: Wire;
  readonly agent?: Agent;
  readonly arguments?: Record<string, unknown>;
  /** The request's `_meta`, kept on the task as given. */
  readonly meta?: Record<string, unknown>;
  readonly parentTaskId?: string;
  readonly priority?: number;
  /** Scheduling hints: not before this time (epoch ms), not before that task (same owner) is terminal. */
  readonly runAfter?: number;
  readonly afterTaskId?: string;
  /**
   * The requestor's idempotency key (`dev.tasklane/idempotencyKey`): while a task of the same owner
   * with this key is unfinished, `start` returns that task instead of creating one.
   */
  readonly idempotencyKey?: string;
  /** Requested retention (how long the task is kept after its work ends); clamped to the engine's maximum. */
  readonly ttl?: number;
  readonly timeBudgetMs?: number;
  /** Called when a question opens, so the wire can deliver it (2025-11-25 sends a request; the extension waits for a poll). */
  readonly deliverInput?: (taskId: string, key: string, request: InputRequest) => void;
  /** Maps the work's settled value to a terminal state and outcome (the wires disagree about `isError`). */
  readonly settle: (value: Record<string, unknown>) => { status: 'completed' | 'failed'; message?: string };
  readonly run: (context: RunContext) => Promise<Record<string, unknown>>;
}

/**
 * One owner's tasks, as a tool that reads them sees them (`wait_for_tasks`, `tail_task`): every
 * lookup is scoped to that owner, so another owner's task is "not found", like an unknown one.
 */
export interface OwnTasks {
  /** The task, or undefined (unknown, expired, or another owner's). */
  get(taskId: string): EngineTask | undefined;
  /** Resolves once the task is terminal; rejects if it is not found or disappears, or `signal` aborts. */
  waitForTerminal(taskId: string, signal: AbortSignal): Promise<EngineTask>;
  /** The task's output after `cursor` (taskOutputs.ts); throws for an unknown task or a cursor not issued for it. */
  readOutput(taskId: string, cursor?: string): OutputRead;
}

/** The client name recorded when a client did not name itself. */
export const UNKNOWN_CLIENT = 'unknown client';

/**
 * The agent a task records, on either wire: the client's name and version (from its handshake or
 * the request) and how it connected; none when neither is known.
 */
export function agentFromClient(info: { readonly name: string; readonly version?: string } | undefined, connection: string | undefined): Agent | undefined {
  if (!info && connection === undefined) return undefined;
  return { name: info?.name ?? UNKNOWN_CLIENT, ...(info?.version ? { version: info.version } : {}), ...(connection !== undefined ? { connection } : {}) };
}

/** `snapshot` with `change` applied at `at`. */
export function changedSnapshot(snapshot: EngineTask, change: Partial<EngineTask>, at: string): EngineTask {
  const next: { -readonly [K in keyof EngineTask]: EngineTask[K] } = { ...snapshot, ...change, lastUpdatedAt: at };
  if (next.queue !== undefined || !('queue' in next)) return next;
  // Absent, not undefined: snapshots are spread into wire objects and compared. (Built without it
  // rather than deleted: a deleted property turns the object into a slow dictionary.)
  const { queue: _absent, ...rest } = next;
  void _absent;
  return rest;
}
