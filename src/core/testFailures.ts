/**
 * Reads which tests failed from a test run's output, for the runners whose failure reports are
 * unambiguous (mocha's spec reporter, jest, vitest, pytest, go test, TAP and node --test): each
 * failing test's name, the first lines of its message, and the file and line the output points
 * at. What the output does not state is left out, never guessed.
 *
 * No Node or vscode imports: the detail webview's protocol shares these types.
 */
import { FAILURE_FORMATS } from './testFailureFormats';
import { stripAnsi } from './testSummary';

export interface TestLocation {
  /** As the output gives it: absolute, or relative to where the runner ran (go: to the package). */
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

export interface TestFailure {
  /** The test's full name, suites first, joined with " › " (pytest: its node id; go: Test/sub). */
  readonly name: string;
  /** The first lines of what the runner said about the failure; may be empty. */
  readonly message: string;
  readonly location?: TestLocation;
}

export interface FailureFormat {
  readonly runner: string;
  /** The failures this format finds, in the order the output gives them; empty: not this format. */
  read(lines: readonly string[]): TestFailure[];
}

/** The failures of the first format that finds any, each test once; empty when none does. */
export function parseTestFailures(output: string): TestFailure[] {
  const lines = stripAnsi(output).split(/\r\n|\r|\n/);
  for (const format of FAILURE_FORMATS) {
    const failures = format.read(lines);
    if (failures.length > 0) return dedupe(failures);
  }
  return [];
}

/** Runners repeat failures in closing summaries (jest's "Summary of all failing tests"). */
function dedupe(failures: readonly TestFailure[]): TestFailure[] {
  const seen = new Set<string>();
  return failures.filter((failure) => {
    const key = `${failure.name}\n${failure.location?.file}:${failure.location?.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
