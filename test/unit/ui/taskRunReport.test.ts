import assert from 'node:assert/strict';
import type { ToolContext } from '../../../src/mcp/server/tools/toolDefinition';
import type { TaskRunOutcome } from '../../../src/host/tools/runWorkspaceTask';
import { MAX_LISTED_FAILURES, failureReport, readFailureReport } from '../../../src/core/testFailureReport';
import { describeCounts, describeEnd, describeFailures, describeOutput, endedBadly } from '../../../src/host/tools/taskRunReport';
import { DEFAULT_TASK_BUDGET_MS, budgetFor } from '../../../src/host/tools/toolBudget';

function outcome(overrides: Partial<TaskRunOutcome> = {}): TaskRunOutcome {
  return { label: 'build', exitCode: 0, durationMs: 120, output: 'done\n', truncated: false, timedOut: false, commandLine: 'make', ...overrides };
}

describe('VS Code task tool reports', () => {
  it('says how a task ended', () => {
    assert.equal(describeEnd(outcome(), 1000), 'Task "build": exit code 0 (120 ms)');
    assert.equal(describeEnd(outcome({ exitCode: 2 }), 1000), 'Task "build": exit code 2 (120 ms)');
    assert.equal(describeEnd(outcome({ exitCode: 143, timedOut: true }), 1000), 'Task "build": timed out after 1000 ms and was stopped (120 ms)');
    assert.equal(
      describeEnd(outcome({ exitCode: undefined, startError: 'spawn make ENOENT' }), 1000),
      'Task "build": could not start: spawn make ENOENT (120 ms)',
    );
    assert.equal(describeEnd(outcome({ exitCode: undefined, signal: 'SIGKILL' }), 1000), 'Task "build": killed by SIGKILL (120 ms)');
    assert.equal(describeEnd(outcome({ exitCode: undefined }), 1000), 'Task "build": ended; VS Code did not report an exit code (120 ms)');
  });

  it('counts a non-zero exit, a timeout, a kill or no start as failure, an unknown exit code not', () => {
    assert.equal(endedBadly(outcome()), false);
    assert.equal(endedBadly(outcome({ exitCode: 1 })), true);
    assert.equal(endedBadly(outcome({ timedOut: true })), true);
    assert.equal(endedBadly(outcome({ exitCode: undefined, signal: 'SIGTERM' })), true);
    assert.equal(endedBadly(outcome({ exitCode: undefined, startError: 'no shell' })), true);
    assert.equal(endedBadly(outcome({ exitCode: undefined })), false);
  });

  it('shows the command and output, or says why there is none', () => {
    assert.deepEqual(describeOutput(outcome(), 100), ['$ make', '', 'output:', 'done']);
    assert.deepEqual(describeOutput(outcome({ output: '', truncated: true }), 100), [
      '$ make',
      'Output truncated: only the last 100 characters are kept.',
      '',
      'output:',
      '(empty)',
    ]);
    assert.deepEqual(describeOutput(outcome({ commandLine: undefined, notCaptured: 'it is run by the extension that provides it' }), 100), [
      "Output not captured: it is run by the extension that provides it. It is in the task's terminal.",
    ]);
  });

  it('states only the counts it has', () => {
    assert.equal(describeCounts({ runner: 'go', failed: 0 }), 'Tests: 0 failed (from go output).');
    assert.equal(describeCounts({ runner: 'mocha', passed: 3, failed: 1, skipped: 2 }), 'Tests: 3 passed, 1 failed, 2 skipped (from mocha output).');
    assert.equal(describeCounts(undefined), 'Test counts: not found in the output.');
  });

  it('lists failing tests with their place and message, and how many more there are', () => {
    const report = failureReport([
      { name: 'calc › adds', message: 'Expected: 4\nReceived: 5', location: { file: '/w/calc.test.js', line: 6, column: 25 } },
      { name: 'TestSplit/two', message: '' },
    ]);
    assert.deepEqual(describeFailures(report), [
      '',
      'Failing tests:',
      '✗ calc › adds (/w/calc.test.js:6:25)',
      '    Expected: 4',
      '    Received: 5',
      '✗ TestSplit/two',
    ]);
    assert.deepEqual(describeFailures(failureReport([])), []);
    const many = failureReport(Array.from({ length: MAX_LISTED_FAILURES + 3 }, (_, index) => ({ name: `test ${index}`, message: '' })));
    assert.equal(many.failures.length, MAX_LISTED_FAILURES);
    assert.equal(many.failuresNotListed, 3);
    assert.equal(describeFailures(many).at(-1), '… and 3 more failing tests not listed.');
  });

  it('reads a failure report back only from a well-formed run_tests result', () => {
    const structuredContent = { task: 'unit tests', failures: [{ name: 'adds', message: 'no', location: { file: 'a.js', line: 2 } }], failuresNotListed: 0 };
    assert.deepEqual(readFailureReport('run_tests', { content: [], structuredContent }), { failures: structuredContent.failures, failuresNotListed: 0 });
    assert.equal(readFailureReport('run_command', { content: [], structuredContent }), undefined);
    assert.equal(
      readFailureReport('run_tests', {
        structuredContent: { ...structuredContent, failures: [{ name: 'adds', message: 'no', location: { file: 'a.js', line: 0 } }] },
      }),
      undefined,
    );
    assert.equal(readFailureReport('run_tests', { structuredContent: { failures: 'all of them', failuresNotListed: 0 } }), undefined);
    assert.equal(readFailureReport('run_tests', undefined), undefined);
  });

  it("gives a task the smaller of its own timeout and the task's time budget, 30 minutes by default", () => {
    const context = (timeBudgetMs?: number) => ({ limits: timeBudgetMs === undefined ? {} : { timeBudgetMs } }) as ToolContext;
    assert.equal(budgetFor(undefined, context()), DEFAULT_TASK_BUDGET_MS);
    assert.equal(DEFAULT_TASK_BUDGET_MS, 30 * 60 * 1000);
    assert.equal(budgetFor(5_000, context()), 5_000);
    assert.equal(budgetFor(5_000, context(2_000)), 2_000);
    assert.equal(budgetFor(undefined, context(60_000)), 60_000);
  });
});
