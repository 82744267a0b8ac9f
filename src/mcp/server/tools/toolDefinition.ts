import type { z } from 'zod';
import type {
  CallToolResult,
  CreateMessageRequest,
  CreateMessageResult,
  ElicitRequest,
  ElicitResult,
  LoggingLevel,
  ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import type { ResourceLimits } from '../../../core/taskRecord';
import type { OwnTasks } from '../../engine/engineTask';
import type { TaskStep } from '../../../core/taskSteps';

export type TaskSupport = 'forbidden' | 'optional' | 'required';

/** What a running tool can see and do, whatever wire or transport started it. */
export interface ToolContext {
  /** The task this run belongs to; undefined for a plain synchronous `tools/call`. */
  readonly taskId?: string;
  /** Aborted when the task is cancelled or its time budget runs out; `signal.reason` says which. */
  readonly signal: AbortSignal;
  readonly limits: ResourceLimits;
  /** Working directory used when the caller names none. */
  readonly defaultCwd: string;
  /** A short human status line: becomes the task's statusMessage and a timeline entry. */
  status(message: string): void;
  /** Raw output, appended to the task's live output. */
  output(chunk: string): void;
  /**
   * The steps of composite work, the whole list each time (send through a `StepReporter`, which
   * throttles). Absent for a plain call, which has no task to show them on.
   */
  readonly steps?: (steps: readonly TaskStep[]) => void;
  /** Asks the requestor a question; the task shows `input_required` until it is answered. */
  elicit(params: ElicitRequest['params']): Promise<ElicitResult>;
  /**
   * Asks the requestor's language model (sampling); the task shows `input_required` until it
   * answers. Absent where the run cannot ask (tasks on the extension wire and plain calls on a
   * 2025-11-25 session can).
   */
  readonly sample?: (params: CreateMessageRequest['params']) => Promise<CreateMessageResult>;
  /**
   * Sends the requestor a log message (`notifications/message`), dropped below the level it set.
   * Absent where the run cannot log (plain calls on a 2025-11-25 session of a server that declares
   * logging can).
   */
  readonly log?: (level: LoggingLevel, data: unknown) => void;
  /** The caller's own tasks on this server (another owner's are "not found"); given to plain calls, which is how `observesTasks` tools run. */
  readonly tasks?: OwnTasks;
}

export interface ToolDefinition<Schema extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly inputSchema: Schema;
  /** Honest hints: clients use them to warn before re-running destructive or non-idempotent work. */
  readonly annotations: ToolAnnotations;
  readonly taskSupport: TaskSupport;
  /** Whether every run asks the requestor (elicitation): a call from a client that cannot answer is refused before any task exists. */
  readonly alwaysElicits?: boolean;
  /** Whether the tool runs programs on this machine, and so must not run in an untrusted workspace. */
  readonly runsCommands?: boolean;
  /**
   * Whether the tool only reads the caller's tasks (`context.tasks`) rather than doing work: it runs
   * beside the scheduler, taking no slot, so waiting on queued work never holds the slot that work needs.
   */
  readonly observesTasks?: boolean;
  /** The tool's `_meta` in `tools/list`, e.g. its own retry policy (`dev.tasklane/retry`). */
  readonly meta?: Readonly<Record<string, unknown>>;
  /** Throws `RpcError` (src/mcp/rpcError.ts) for a protocol-level failure: the task then ends `failed` with that JSON-RPC error. */
  run(args: z.infer<Schema>, context: ToolContext): Promise<CallToolResult>;
}

export function defineTool<Schema extends z.ZodObject>(tool: ToolDefinition<Schema>): ToolDefinition<Schema> {
  return tool;
}
