import type * as vscode from 'vscode';
import { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { defineTool } from '../../mcp/server/tools/toolDefinition';
import { runWorkspaceTask } from './runWorkspaceTask';
import { describeEnd, describeOutput, endedBadly } from './taskRunReport';
import { budgetFor, folderSchema, maxOutputFor, timeoutMsSchema } from './toolBudget';
import { findWorkspaceTask } from './workspaceTasks';

const inputSchema = z.object({
  label: z.string().min(1).describe('The task\'s label as "Run Task" shows it: its name in tasks.json, or "source: name" (e.g. "npm: build").'),
  folder: folderSchema,
  timeoutMs: timeoutMsSchema,
});

/** Runs a task of the workspace (tasks.json or an extension's) through VS Code's task system. */
export function createRunVscodeTaskTool(log: vscode.LogOutputChannel) {
  return defineTool({
    name: 'run_vscode_task',
    title: 'Run VS Code task',
    description:
      "Runs a task from the workspace's tasks.json (or one an extension provides) through VS Code's task system, " +
      'in a terminal the user can watch. The output of shell and process tasks streams into this task; ' +
      'the result gives the exit code. Cancelling or running out of time terminates the task and everything it started.',
    inputSchema,
    // A task runs whatever command the workspace defines: as open-ended and destructive as run_command.
    annotations: { title: 'Run VS Code task', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    taskSupport: 'optional',
    runsCommands: true,
    async run(args, context): Promise<CallToolResult> {
      const choice = await findWorkspaceTask(args.label, args.folder, context.signal);
      if ('error' in choice) return { content: [{ type: 'text', text: choice.error }], isError: true };
      const budgetMs = budgetFor(args.timeoutMs, context);
      const outcome = await runWorkspaceTask(choice.task, context, budgetMs, log);
      const text = [describeEnd(outcome, budgetMs), ...describeOutput(outcome, maxOutputFor(context))].join('\n');
      return {
        content: [{ type: 'text', text }],
        structuredContent: {
          task: outcome.label,
          exitCode: outcome.exitCode ?? null,
          durationMs: outcome.durationMs,
          timedOut: outcome.timedOut,
          outputCaptured: outcome.notCaptured === undefined,
          ...(outcome.notCaptured === undefined ? { output: outcome.output } : {}),
        },
        isError: endedBadly(outcome),
      };
    },
  });
}
