import type * as vscode from 'vscode';
import { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { MAX_LISTED_FAILURES, failureReport } from '../../core/testFailureReport';
import { parseTestFailures } from '../../core/testFailures';
import { TestStepLines } from '../../core/testStepLines';
import { parseTestSummary } from '../../core/testSummary';
import { StatusThrottle } from '../../mcp/server/tools/statusThrottle';
import { type ToolContext, defineTool } from '../../mcp/server/tools/toolDefinition';
import { runWorkspaceTask } from './runWorkspaceTask';
import { describeCounts, describeEnd, describeFailures, describeOutput, endedBadly } from './taskRunReport';
import { resolveFailureLocations } from './testFailureLocations';
import { budgetFor, folderSchema, maxOutputFor, timeoutMsSchema } from './toolBudget';
import { findTestTask } from './workspaceTasks';

const inputSchema = z.object({
  label: z.string().min(1).optional().describe("The test task's label; by default the workspace's default test task, or its only task in the test group."),
  folder: folderSchema,
  timeoutMs: timeoutMsSchema,
});

/** Runs the workspace's test task and reports pass/fail counts and the failing tests when the output states them. */
export function createRunTestsTool(log: vscode.LogOutputChannel) {
  return defineTool({
    name: 'run_tests',
    title: 'Run tests',
    description:
      'Runs the workspace\'s test task (the default task of the "test" group in tasks.json, or the one named) through ' +
      "VS Code's task system, streaming its output, and reports the exit code and the numbers of passed, failed and " +
      'skipped tests when the output states them (mocha, jest, vitest, pytest, go test, TAP, cargo, "N passed, N failed"), ' +
      "and each failing test's name, the first lines of its message and its file and line (structuredContent.failures, " +
      `at most ${MAX_LISTED_FAILURES}; failuresNotListed counts the rest) when the output gives them. ` +
      'Counts the output does not state are left out. Cancelling or running out of time terminates the run.',
    inputSchema,
    // Test tasks run whatever the workspace defines (and tests may write files): as open-ended as run_command.
    annotations: { title: 'Run tests', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    taskSupport: 'optional',
    runsCommands: true,
    async run(args, context): Promise<CallToolResult> {
      const choice = await findTestTask(args.label, args.folder, context.signal);
      if ('error' in choice) return { content: [{ type: 'text', text: choice.error }], isError: true };
      const budgetMs = budgetFor(args.timeoutMs, context);
      const tests = withTestSteps(context);
      const outcome = await runWorkspaceTask(choice.task, tests.context, budgetMs, log).finally(tests.finish);
      const captured = outcome.notCaptured === undefined;
      const counts = captured ? parseTestSummary(outcome.output) : undefined;
      const found = failureReport(captured ? parseTestFailures(outcome.output) : []);
      const report = { ...found, failures: await resolveFailureLocations(found.failures, outcome.cwd, log) };
      const text = [
        describeEnd(outcome, budgetMs),
        describeCounts(counts),
        ...describeFailures(report),
        ...describeOutput(outcome, maxOutputFor(context)),
      ].join('\n');
      return {
        content: [{ type: 'text', text }],
        structuredContent: {
          task: outcome.label,
          exitCode: outcome.exitCode ?? null,
          ...(counts?.passed !== undefined ? { passed: counts.passed } : {}),
          ...(counts?.failed !== undefined ? { failed: counts.failed } : {}),
          ...(counts?.skipped !== undefined ? { skipped: counts.skipped } : {}),
          ...(counts ? { runner: counts.runner } : {}),
          durationMs: outcome.durationMs,
          timedOut: outcome.timedOut,
          outputCaptured: captured,
          failures: report.failures,
          failuresNotListed: report.failuresNotListed,
        },
        isError: endedBadly(outcome) || (counts?.failed ?? 0) > 0 || report.failures.length > 0,
      };
    },
  });
}

/**
 * The context with the run's output also read for its tests, each reported as a step as its line
 * arrives (see testStepLines.ts); `finish` sends the last of them before the task ends. The list is
 * bounded by failing tests first, so it is rebuilt each time rather than kept by a `StepReporter`
 * (which stops listing at the bound); the status throttle only paces the sends.
 */
function withTestSteps(context: ToolContext): { readonly context: ToolContext; readonly finish: () => void } {
  const send = context.steps;
  if (!send) return { context, finish: () => {} };
  const tests = new TestStepLines();
  let changes = 0;
  const throttle = new StatusThrottle(() => send(tests.list()));
  return {
    context: {
      ...context,
      output(chunk) {
        context.output(chunk);
        if (tests.add(chunk, Date.now())) throttle.offer(String(++changes));
      },
    },
    finish() {
      if (tests.end(Date.now())) throttle.offer(String(++changes));
      throttle.flush();
    },
  };
}
