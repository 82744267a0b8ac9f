// The tests of a run as its reporter prints them, one line per test as each ends, read into steps
// while the output streams. Works on ANSI-free lines; a line that is no reporter's says nothing.
import { MAX_STEP_LABEL, type TaskStep, boundSteps } from './taskSteps';
import { stripAnsi } from './testSummary';

export type TestOutcome = 'passed' | 'failed' | 'skipped';

/** What one line of output says. */
export type TestLine =
  | { readonly kind: 'test'; readonly title: string; readonly outcome: TestOutcome; readonly durationMs?: number; readonly indent: number }
  /** A describe block's title (mocha, jest): indented text without a marker. */
  | { readonly kind: 'suite'; readonly title: string; readonly indent: number }
  /** Where a reporter starts listing failures in full: numbered titles and diffs follow, not tests. */
  | { readonly kind: 'report' };

// "(12ms)" (mocha), "(12 ms)" / "(1.2 s)" (jest), " 7ms" (vitest).
const DURATION = String.raw`(?:\s+\((\d+(?:\.\d+)?)\s?(ms|s)\)|\s+(\d+(?:\.\d+)?)(ms|s))?`;
const PASSED = new RegExp(String.raw`^[✔✓√]\s+(.+?)${DURATION}$`);
const FAILED = new RegExp(String.raw`^[✕✖×✗]\s+(.+?)${DURATION}$`);
/** Mocha numbers a failing test where it ran, and again where it lists the failures. */
const MOCHA_FAILED = /^\d+\)\s+(.+)$/;
/** Jest "○ skipped title" / "✎ todo title", vitest "↓ title". */
const SKIPPED = /^(?:○(?:\s+skipped)?|✎(?:\s+todo)?|↓)\s+(.+)$/;
/** Mocha's "- title": any list looks so, so only among test lines. */
const MOCHA_PENDING = /^-\s+(.+)$/;
/** pytest -v: "tests/test_calc.py::TestSplit::test_split FAILED  [ 40%]", "… SKIPPED (reason)  [ 60%]". */
const PYTEST = /^(\S+::\S.*?)\s+(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)(?:\s+\(.*\))?(?:\s+\[\s*\d+%\])?$/;
/** go test -v: "--- PASS: TestAdd (0.00s)", subtests indented. */
const GO = /^--- (PASS|FAIL|SKIP): (\S+) \((\d+(?:\.\d+)?)s\)$/;
/** Mocha's "  3 passing (30ms)" ends its test lines; jest's "● title" and vitest's "Failed Tests 3" start its failures. */
const REPORT = /^(?:\d+ (?:passing|failing|pending)\b|●\s)|\bFailed Tests \d+/;
/** Jest starts a file's tests with "PASS file" / "FAIL file" (vitest's "FAIL file > test" heads a failure). */
const JEST_FILE = /^(?:PASS|FAIL)\s+[^\s>]+(?:\s+\([\d.]+\s?m?s\))?$/;

const PYTEST_OUTCOMES: Record<string, TestOutcome> = {
  PASSED: 'passed',
  XPASS: 'passed',
  XFAIL: 'skipped',
  SKIPPED: 'skipped',
  FAILED: 'failed',
  ERROR: 'failed',
};
const GO_OUTCOMES: Record<string, TestOutcome> = { PASS: 'passed', FAIL: 'failed', SKIP: 'skipped' };

function durationOf(match: RegExpMatchArray, at: number): number | undefined {
  const value = match[at] ?? match[at + 2];
  const unit = match[at + 1] ?? match[at + 3];
  if (value === undefined) return undefined;
  return Math.round(Number(value) * (unit === 's' ? 1000 : 1));
}

/**
 * What `line` (ANSI-free, one line) says. `inReport` when it comes after a `report` line (where
 * mocha repeats numbered titles and diffs show "- expected"): there only a new file's or a
 * passing test's line counts. `afterTests` when a test's line came before it.
 */
export function readTestLine(line: string, inReport: boolean, afterTests = false): TestLine | undefined {
  const text = line.trim();
  if (text === '') return undefined;
  const indent = line.length - line.trimStart().length;
  if (REPORT.test(text)) return { kind: 'report' };
  const go = GO.exec(text);
  if (go) return { kind: 'test', title: go[2], outcome: GO_OUTCOMES[go[1]], durationMs: Math.round(Number(go[3]) * 1000), indent };
  const pytest = PYTEST.exec(text);
  if (pytest) return { kind: 'test', title: pytest[1], outcome: PYTEST_OUTCOMES[pytest[2]], indent };
  const passed = PASSED.exec(text);
  if (passed) return test(passed[1], 'passed', durationOf(passed, 2), indent);
  if (JEST_FILE.test(text)) return { kind: 'suite', title: '', indent: -1 };
  if (inReport) return undefined;
  const failed = FAILED.exec(text) ?? MOCHA_FAILED.exec(text);
  if (failed) return test(failed[1], 'failed', durationOf(failed, 2), indent);
  const skipped = SKIPPED.exec(text) ?? (afterTests ? MOCHA_PENDING.exec(text) : null);
  if (skipped) return test(skipped[1], 'skipped', undefined, indent);
  // A describe title: indented plain words (a suite only once a test follows inside it).
  if (indent >= 2 && /^[\p{L}\p{N}_]/u.test(text)) return { kind: 'suite', title: text, indent };
  return undefined;
}

function test(title: string, outcome: TestOutcome, durationMs: number | undefined, indent: number): TestLine {
  return { kind: 'test', title, outcome, ...(durationMs !== undefined ? { durationMs } : {}), indent };
}

/** Past this many, the list is brought within bounds as it grows (failing tests kept first). */
const COMPACT_AT = 4 * 200;

/**
 * The steps of a test run as its output arrives in chunks: a step per test, ended as its line
 * says, its time ending when the line came and starting its duration before; tests in a describe
 * block are depth-1 steps under a step for the block (its path, "calc › add").
 */
export class TestStepLines {
  private partial = '';
  private inReport = false;
  private suites: { readonly title: string; readonly indent: number }[] = [];
  private readonly steps = new Map<string, TaskStep>();
  private count = 0;

  /** Reads the complete lines of `chunk` (the rest waits for the next); true when a step changed. */
  add(chunk: string, now: number): boolean {
    const lines = (this.partial + chunk).split(/\r\n|\r|\n/);
    this.partial = lines.pop() ?? '';
    let changed = false;
    for (const line of lines) changed = this.read(line, now) || changed;
    return changed;
  }

  /** The output ended: reads its last line if it had no newline. */
  end(now: number): boolean {
    const last = this.partial;
    this.partial = '';
    return last === '' ? false : this.read(last, now);
  }

  /** The steps so far, within `MAX_STEPS` (see `boundSteps`). */
  list(): TaskStep[] {
    return boundSteps([...this.steps.values()]);
  }

  private read(raw: string, now: number): boolean {
    const line = readTestLine(stripAnsi(raw), this.inReport, this.count > 0);
    if (!line) return false;
    if (line.kind === 'report') {
      this.inReport = true;
      return false;
    }
    if (line.kind === 'suite') {
      if (line.indent < 0) {
        // A new file: its describe blocks start afresh.
        this.inReport = false;
        this.suites = [];
        return false;
      }
      this.suites = [...this.suites.filter((suite) => suite.indent < line.indent), { title: line.title, indent: line.indent }];
      return false;
    }
    this.inReport = false;
    this.suites = this.suites.filter((suite) => suite.indent < line.indent);
    const suite = this.suites.length > 0 ? this.suiteStep(this.suites.map((each) => each.title).join(' › ')) : undefined;
    const endedAt = new Date(now).toISOString();
    const startedAt = new Date(now - (line.durationMs ?? 0)).toISOString();
    const status = line.outcome === 'passed' ? 'completed' : line.outcome === 'failed' ? 'failed' : 'cancelled';
    const step: TaskStep = {
      id: `test-${++this.count}`,
      label: line.title.slice(0, MAX_STEP_LABEL),
      status,
      ...(line.outcome === 'skipped' ? { detail: 'Skipped' } : { startedAt, endedAt }),
      ...(suite ? { depth: 1 } : {}),
    };
    if (suite && line.outcome !== 'skipped') this.steps.set(suite.id, joined(suite, step));
    this.steps.set(step.id, step);
    if (this.steps.size > COMPACT_AT) this.compact();
    return true;
  }

  /** The step of a describe block, added when its first test ends. */
  private suiteStep(path: string): TaskStep {
    const id = `suite: ${path}`.slice(0, MAX_STEP_LABEL);
    const known = this.steps.get(id);
    if (known) return known;
    const step: TaskStep = { id, label: path.slice(0, MAX_STEP_LABEL), status: 'completed' };
    this.steps.set(id, step);
    return step;
  }

  private compact(): void {
    const kept = boundSteps([...this.steps.values()]);
    this.steps.clear();
    for (const step of kept) this.steps.set(step.id, step);
  }
}

/** A block spans its tests and has failed when one of them has. */
function joined(suite: TaskStep, test: TaskStep): TaskStep {
  return {
    ...suite,
    status: suite.status === 'failed' || test.status === 'failed' ? 'failed' : 'completed',
    startedAt: suite.startedAt ?? test.startedAt,
    endedAt: test.endedAt,
  };
}
