/* The status line of a task whose tool returned an error result, whichever wire adapter settles it. */

/** A one-line reason for a tool error result, for the task's status message (T-SS-08). */
export function describeToolError(result: Record<string, unknown>): string {
  const structured = result.structuredContent as { exitCode?: unknown; timedOut?: unknown; signal?: unknown; passed?: unknown; failed?: unknown } | undefined;
  if (structured?.timedOut === true) return 'Timed out: the command ran out of its time budget';
  // A test run's counts say more than its exit code.
  if (typeof structured?.failed === 'number' && structured.failed > 0) {
    const total = typeof structured.passed === 'number' ? ` of ${structured.failed + structured.passed}` : '';
    return `${structured.failed}${total} tests failed`;
  }
  if (typeof structured?.exitCode === 'number') return `Exited with code ${structured.exitCode}`;
  if (typeof structured?.signal === 'string') return `Ended by signal ${structured.signal}`;
  const content = result.content as { type: string; text?: string }[] | undefined;
  const text = content?.find((c) => c.type === 'text')?.text?.trim();
  return text ? text.split('\n')[0].slice(0, 200) : 'The tool reported an error';
}
