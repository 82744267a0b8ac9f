/**
 * The failing tests as `run_tests` puts them in its result's `structuredContent`: the first
 * `MAX_LISTED_FAILURES`, and how many more there were. The editor reads them back from a stored
 * result (detail panel, "Show Failing Tests") and trusts nothing it did not check here.
 *
 * No Node or vscode imports: the detail webview's protocol uses these schemas.
 */
import { z } from 'zod';
import type { TestFailure } from './testFailures';

export const MAX_LISTED_FAILURES = 50;

/** The tool whose results carry a failure report. */
export const RUN_TESTS_TOOL = 'run_tests';

export const TestFailureSchema = z.object({
  name: z.string().min(1).max(2_000),
  message: z.string().max(4_000),
  location: z
    .object({
      file: z.string().min(1).max(4_096),
      line: z.number().int().positive(),
      column: z.number().int().positive().optional(),
    })
    .optional(),
});

export const TestFailureReportSchema = z.object({
  failures: z.array(TestFailureSchema).max(MAX_LISTED_FAILURES),
  /** Failures found beyond the listed ones. */
  failuresNotListed: z.number().int().nonnegative(),
});
export type TestFailureReport = z.infer<typeof TestFailureReportSchema>;

/** The first `MAX_LISTED_FAILURES` failures, and the count of the rest. */
export function failureReport(failures: readonly TestFailure[]): TestFailureReport {
  return { failures: failures.slice(0, MAX_LISTED_FAILURES), failuresNotListed: Math.max(0, failures.length - MAX_LISTED_FAILURES) };
}

/** The report in a stored `run_tests` result, or undefined when it has none or it is malformed. */
export function readFailureReport(tool: string, result: unknown): TestFailureReport | undefined {
  if (tool !== RUN_TESTS_TOOL || typeof result !== 'object' || result === null) return undefined;
  const structured = (result as { structuredContent?: unknown }).structuredContent;
  const parsed = TestFailureReportSchema.safeParse(structured);
  return parsed.success ? parsed.data : undefined;
}
