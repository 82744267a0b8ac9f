import { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isTerminal } from '../../../core/taskStatus';
import type { EngineTask, OwnTasks } from '../../engine/engineTask';
import { defineTool } from './toolDefinition';

/** The most tasks one call may wait on. */
export const MAX_WAITED_TASKS = 100;
/** The longest one call may wait; longer waits are several calls. */
export const MAX_WAIT_FOR_TASKS_MS = 10 * 60 * 1000;
/** Below the 60 s many MCP clients allow a request by default. */
export const DEFAULT_WAIT_FOR_TASKS_MS = 30_000;

/** How one task stands when the call returns. */
export type WaitedTask =
  | { readonly taskId: string; readonly found: false }
  | {
      readonly taskId: string;
      readonly found: true;
      readonly status: EngineTask['status'];
      readonly statusMessage?: string;
      /** The tool's result, once the task is terminal with one. */
      readonly result?: Record<string, unknown>;
      /** The JSON-RPC error the task ended with, if it ended with one. */
      readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
    };

export interface WaitForTasksReport {
  /** Whether the wait ended because the mode was satisfied (false: the timeout came first, or none of the ids was found). */
  readonly satisfied: boolean;
  readonly timedOut: boolean;
  readonly tasks: readonly WaitedTask[];
  [key: string]: unknown;
}

/**
 * Parks on the caller's tasks until the first (`any`) or every (`all`) one found is terminal, or
 * the timeout, or the call's signal. Every park shares one controller that is aborted on the way
 * out, so nothing stays parked in the engine after the call returns, however it returns.
 */
export async function waitForTasks(
  tasks: OwnTasks,
  request: { readonly taskIds: readonly string[]; readonly mode: 'any' | 'all'; readonly timeoutMs: number },
  signal: AbortSignal,
): Promise<WaitForTasksReport> {
  const ids = [...new Set(request.taskIds)];
  const found = ids.filter((taskId) => tasks.get(taskId) !== undefined);
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => stop.abort(), request.timeoutMs);
  try {
    if (signal.aborted) onAbort();
    // A wait that ends (terminal, gone, or stopped) counts as ended; the report re-reads each task.
    const ends = found.map((taskId) => tasks.waitForTerminal(taskId, stop.signal).then(settled, settled));
    if (ends.length) await (request.mode === 'any' ? Promise.race(ends) : Promise.all(ends));
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    stop.abort();
  }
  if (signal.aborted) throw signal.reason;
  const report = ids.map((taskId) => standing(tasks.get(taskId), taskId));
  const ended = report.filter((task) => task.found && isTerminal(task.status)).length;
  const satisfied = found.length > 0 && (request.mode === 'any' ? ended > 0 : ended === found.length);
  return { satisfied, timedOut: found.length > 0 && !satisfied, tasks: report };
}

function settled(): void {}

function standing(task: EngineTask | undefined, taskId: string): WaitedTask {
  if (!task) return { taskId, found: false };
  const outcome = isTerminal(task.status) ? task.outcome : undefined;
  return {
    taskId,
    found: true,
    status: task.status,
    ...(task.statusMessage !== undefined ? { statusMessage: task.statusMessage } : {}),
    ...(outcome?.kind === 'result' ? { result: outcome.result } : {}),
    ...(outcome?.kind === 'error' ? { error: outcome.error } : {}),
  };
}

/** Tells an agent when work it started ends, in one call, instead of polling each task. */
export const waitForTasksTool = defineTool({
  name: 'wait_for_tasks',
  title: 'Wait for tasks',
  description:
    'Waits until the first (mode "any") or all (mode "all") of the given tasks have finished (completed, failed or cancelled), ' +
    `or until timeoutMs passes (default ${DEFAULT_WAIT_FOR_TASKS_MS} ms, at most ${MAX_WAIT_FOR_TASKS_MS} ms), then returns each task's status and ` +
    'status message, and for a finished task its result or error. Only tasks you started on this server are waited on: ' +
    'any other id (unknown, expired, or started by someone else) is reported as found: false. ' +
    `At most ${MAX_WAITED_TASKS} task ids per call. timedOut: true means the timeout came first: call again to keep waiting.`,
  inputSchema: z.object({
    taskIds: z.array(z.string().min(1).max(200)).min(1).max(MAX_WAITED_TASKS).describe('Ids of tasks you started (from their CreateTaskResult).'),
    mode: z.enum(['any', 'all']).describe('"any": return when the first task finishes; "all": when every task has finished.'),
    timeoutMs: z.number().int().min(0).max(MAX_WAIT_FOR_TASKS_MS).optional().describe('How long to wait at most, in milliseconds.'),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false },
  taskSupport: 'forbidden',
  observesTasks: true,
  async run({ taskIds, mode, timeoutMs }, context): Promise<CallToolResult> {
    if (!context.tasks)
      return { content: [{ type: 'text', text: 'wait_for_tasks is not available here: this server does not say whose tasks they are.' }], isError: true };
    const report = await waitForTasks(context.tasks, { taskIds, mode, timeoutMs: timeoutMs ?? DEFAULT_WAIT_FOR_TASKS_MS }, context.signal);
    return { content: [{ type: 'text', text: JSON.stringify(report) }], structuredContent: report };
  },
});
