import { z } from 'zod';
import type { ToolContext } from '../../mcp/server/tools/toolDefinition';

/** Long enough for a real build or test suite, short enough that a hung task does not run all day. */
export const DEFAULT_TASK_BUDGET_MS = 30 * 60 * 1000;
export const DEFAULT_MAX_OUTPUT_CHARS = 1024 * 1024;

export const timeoutMsSchema = z
  .number()
  .int()
  .positive()
  .optional()
  .describe(`Time budget in ms (default ${DEFAULT_TASK_BUDGET_MS}); when the task also has one, the smaller wins. The task is terminated when it runs out.`);

export const folderSchema = z
  .string()
  .optional()
  .describe('The workspace folder (name or path) whose task to run, when several folders have one of that label.');

export function budgetFor(timeoutMs: number | undefined, context: ToolContext): number {
  return Math.min(timeoutMs ?? DEFAULT_TASK_BUDGET_MS, context.limits.timeBudgetMs ?? Infinity);
}

export function maxOutputFor(context: ToolContext): number {
  return context.limits.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_CHARS;
}
