/**
 * Reads pass/fail counts from a test run's output, for the runners whose summary lines are
 * unambiguous. Counts the output does not state are left out, never guessed.
 */

export interface TestCounts {
  /** Which summary format the counts came from, e.g. "mocha" or "pytest". */
  readonly runner: string;
  readonly passed?: number;
  readonly failed?: number;
  readonly skipped?: number;
}

type Kind = 'passed' | 'failed' | 'skipped';

interface SummaryFormat {
  readonly runner: string;
  /** Counts found in the output; several runs (e.g. two test binaries) add up. Undefined: not this format. */
  read(lines: readonly string[]): Partial<Record<Kind, number>> | undefined;
}

/** Colour and cursor sequences (CSI) and terminal titles/links (OSC). */
const ANSI_PATTERN = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}

/** The counts of the first format (most specific first) that recognises the output; undefined when none does. */
export function parseTestSummary(output: string): TestCounts | undefined {
  const lines = stripAnsi(output).split(/\r\n|\r|\n/);
  for (const format of FORMATS) {
    const counts = format.read(lines);
    if (counts) return { runner: format.runner, ...counts };
  }
  return undefined;
}

/** Adds `count` to `kind`, so that every summary line of a format contributes. */
class Tally {
  private readonly counts: Partial<Record<Kind, number>> = {};
  private seen = false;

  add(kind: Kind, count: number): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + count;
    this.seen = true;
  }

  result(): Partial<Record<Kind, number>> | undefined {
    return this.seen ? { ...this.counts } : undefined;
  }
}

/** Reads "<n> <word>" pairs from a summary line, mapping each runner's word to a kind. */
function addPairs(tally: Tally, text: string, words: Readonly<Record<string, Kind>>): void {
  for (const match of text.matchAll(/(\d+)\s+([a-z]+)/gi)) {
    const kind = words[match[2].toLowerCase()];
    if (kind) tally.add(kind, Number(match[1]));
  }
}

function byLine(pattern: RegExp, words: Readonly<Record<string, Kind>>): SummaryFormat['read'] {
  return (lines) => {
    const tally = new Tally();
    for (const line of lines) {
      const match = pattern.exec(line);
      if (match) addPairs(tally, match[1], words);
    }
    return tally.result();
  };
}

const cargo: SummaryFormat = {
  runner: 'cargo',
  // test result: ok. 5 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s
  read: byLine(/^\s*test result: (?:ok|FAILED)\. (.*)$/, { passed: 'passed', failed: 'failed', ignored: 'skipped' }),
};

const jest: SummaryFormat = {
  runner: 'jest',
  // Tests:       1 failed, 2 skipped, 3 passed, 6 total   ("Test Suites:" counts files, not tests)
  read: byLine(/^\s*Tests:\s+(.*\btotal\b.*)$/, { passed: 'passed', failed: 'failed', skipped: 'skipped', todo: 'skipped' }),
};

const vitest: SummaryFormat = {
  runner: 'vitest',
  // Tests  1 failed | 3 passed | 1 skipped (5)   ("Test Files" counts files, not tests)
  read: byLine(/^\s*Tests\s{2,}(\d+ [a-z]+(?: \| \d+ [a-z]+)*)\s+\(\d+\)/, { passed: 'passed', failed: 'failed', skipped: 'skipped', todo: 'skipped' }),
};

const pytest: SummaryFormat = {
  runner: 'pytest',
  // ===== 3 failed, 10 passed, 2 skipped, 1 error in 0.12s =====   (errors are tests that could not run: failures)
  read: byLine(/^=+ (\d+ [a-z]+(?:, \d+ [a-z]+)*) in [\d.]+s(?: \([^)]*\))? =+$/, {
    passed: 'passed',
    failed: 'failed',
    error: 'failed',
    errors: 'failed',
    skipped: 'skipped',
    xfailed: 'skipped',
  }),
};

const mocha: SummaryFormat = {
  runner: 'mocha',
  // "  3 passing (12ms)", "  1 failing", "  2 pending": one line each
  read: byLine(/^\s*(\d+ (?:passing|failing|pending))\b(?:\s+\(\d+(?:\.\d+)?m?s\))?\s*$/, { passing: 'passed', failing: 'failed', pending: 'skipped' }),
};

const tap: SummaryFormat = {
  runner: 'tap',
  // "# pass 3" / "# fail 1" / "# skip 1" (tape, node --test TAP); "ℹ pass 3" (node --test spec)
  read: readTap,
};

function readTap(lines: readonly string[]): Partial<Record<Kind, number>> | undefined {
  const words: Record<string, Kind> = { pass: 'passed', fail: 'failed', skip: 'skipped', skipped: 'skipped', todo: 'skipped' };
  const tally = new Tally();
  for (const line of lines) {
    const match = /^(?:#|ℹ)\s+(pass|fail|skipped|skip|todo)\s+(\d+)\s*$/.exec(line);
    if (match) tally.add(words[match[1]], Number(match[2]));
  }
  return tally.result();
}

const goTest: SummaryFormat = {
  runner: 'go',
  read(lines) {
    let verbose = false;
    let packages = false;
    const tally = new Tally();
    for (const line of lines) {
      const result = /^\s*--- (PASS|FAIL|SKIP): /.exec(line);
      if (result) tally.add(result[1] === 'PASS' ? 'passed' : result[1] === 'FAIL' ? 'failed' : 'skipped', 1);
      if (/^=== RUN\s/.test(line)) verbose = true;
      if (/^(?:ok|FAIL|\?)\s+\S+\s+(?:[\d.]+s|\[no test files\]|\(cached\))/.test(line)) packages = true;
    }
    if (!packages) return undefined;
    const counts = tally.result() ?? {};
    // Without -v go prints only the failures: "ok" packages say nothing failed, but not how many passed.
    const known: Partial<Record<Kind, number>> = { failed: counts.failed ?? 0 };
    if (verbose) {
      known.passed = counts.passed ?? 0;
      known.skipped = counts.skipped ?? 0;
    }
    return known;
  },
};

const plain: SummaryFormat = {
  runner: 'summary',
  // "3 passed, 1 failed", "Tests: 4 passed; 0 failed": the last such line is the run's summary.
  // One count alone only when it is the whole line: "step 2 passed" is no summary.
  read(lines) {
    for (let index = lines.length - 1; index >= 0; index--) {
      const pairs = [...lines[index].matchAll(/\b(\d+) (passed|failed|skipped)\b/gi)];
      const kinds = new Set(pairs.map((pair) => pair[2].toLowerCase()));
      const alone = /^\s*(?:[A-Za-z ]+:\s*)?\d+ (?:passed|failed|skipped)\.?\s*$/i.test(lines[index]);
      if (kinds.size < 2 && !alone) continue;
      const tally = new Tally();
      for (const [, count, word] of pairs) tally.add(word.toLowerCase() as Kind, Number(count));
      return tally.result();
    }
    return undefined;
  },
};

const FORMATS: readonly SummaryFormat[] = [cargo, jest, vitest, pytest, mocha, tap, goTest, plain];
