import type { ToolDefinition } from '../../mcp/server/tools/toolDefinition';
import { runTestsTool } from './runTests';
import { runVscodeTaskTool } from './runVscodeTask';

/** The embedded server's tools that need VS Code itself: they run the workspace's tasks. */
export function vscodeTools(): ToolDefinition[] {
  return [runVscodeTaskTool as unknown as ToolDefinition, runTestsTool as unknown as ToolDefinition];
}
