import type { TestFailureReport } from '../../core/testFailureReport';
import { formatLocation } from '../../core/testFailureText';
import type { TestCounts } from '../../core/testSummary';
import type { TaskRunOutcome } from './runWorkspaceTask';

/** One line on how the task ended, e.g. `Task "build": exit code 0 (1200 ms)`. */
export function describeEnd(outcome: TaskRunOutcome, budgetMs: number): string {
  const how = outcome.timedOut
    ? `timed out after ${budgetMs} ms and was stopped`
    : outcome.startError
      ? `could not start: ${outcome.startError}`
      : outcome.signal
        ? `killed by ${outcome.signal}`
        : outcome.exitCode === undefined
          ? 'ended; VS Code did not report an exit code'
          : `exit code ${outcome.exitCode}`;
  return `Task "${outcome.label}": ${how} (${outcome.durationMs} ms)`;
}

export function describeCounts(counts: TestCounts | undefined): string {
  if (!counts) return 'Test counts: not found in the output.';
  const parts = (['passed', 'failed', 'skipped'] as const).filter((kind) => counts[kind] !== undefined).map((kind) => `${counts[kind]} ${kind}`);
  return `Tests: ${parts.join(', ')} (from ${counts.runner} output).`;
}

/**
 * The failing tests, one paragraph each: "✗ name (file:line)" and the message's first lines
 * indented under it; then how many more there were. Nothing when none was found.
 */
export function describeFailures(report: TestFailureReport): string[] {
  if (report.failures.length === 0) return [];
  const lines = ['', 'Failing tests:'];
  for (const failure of report.failures) {
    lines.push(`✗ ${failure.name}${failure.location ? ` (${formatLocation(failure.location)})` : ''}`);
    if (failure.message) for (const line of failure.message.split('\n')) lines.push(line === '' ? '' : `    ${line}`);
  }
  if (report.failuresNotListed > 0) lines.push(`… and ${report.failuresNotListed} more failing test${report.failuresNotListed === 1 ? '' : 's'} not listed.`);
  return lines;
}

/** The lines after the summary: the command, and the output or why there is none. */
export function describeOutput(outcome: TaskRunOutcome, maxChars: number): string[] {
  const lines: string[] = [];
  if (outcome.commandLine) lines.push(`$ ${outcome.commandLine}`);
  if (outcome.notCaptured !== undefined) {
    lines.push(`Output not captured: ${outcome.notCaptured}. It is in the task's terminal.`);
    return lines;
  }
  if (outcome.truncated) lines.push(`Output truncated: only the last ${maxChars} characters are kept.`);
  lines.push('', 'output:', outcome.output.trimEnd() || '(empty)');
  return lines;
}

/** Whether the run counts as a failure: a non-zero exit, no start, a timeout or a kill. */
export function endedBadly(outcome: TaskRunOutcome): boolean {
  return outcome.timedOut || outcome.startError !== undefined || outcome.signal !== undefined || (outcome.exitCode !== undefined && outcome.exitCode !== 0);
}
