import type * as vscode from 'vscode';
import type { ToolDefinition } from '../../mcp/server/tools/toolDefinition';
import { createRunTestsTool } from './runTests';
import { createRunVscodeTaskTool } from './runVscodeTask';

/** The embedded server's tools that need VS Code itself: they run the workspace's tasks. */
export function vscodeTools(log: vscode.LogOutputChannel): ToolDefinition[] {
  return [createRunVscodeTaskTool(log) as unknown as ToolDefinition, createRunTestsTool(log) as unknown as ToolDefinition];
}
