import { askTool } from './tools/ask';
import { runCommandTool } from './tools/runCommand';
import { tailTaskTool } from './tools/tailTask';
import type { ToolDefinition } from './tools/toolDefinition';
import { waitTool } from './tools/wait';
import { waitForTasksTool } from './tools/waitForTasks';

/** The tools every Tasklane server offers. */
export const BUILTIN_TOOLS: readonly ToolDefinition[] = [
  runCommandTool as unknown as ToolDefinition,
  waitTool as unknown as ToolDefinition,
  askTool as unknown as ToolDefinition,
  waitForTasksTool as unknown as ToolDefinition,
  tailTaskTool as unknown as ToolDefinition,
];
