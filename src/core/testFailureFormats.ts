// How each runner reports a failing test. Every reader works on ANSI-free lines and returns an
// empty list for output that is not its own. The samples in test/fixtures/testOutput are the spec.
import type { FailureFormat, TestFailure, TestLocation } from './testFailures';
import { firstFrame, frameLocation, messageOf } from './testFailureText';

const NAME_SEPARATOR = ' › ';

/** Splits `lines` into blocks, each from a header line to before the next header or an end line. */
function blocks<T>(
  lines: readonly string[],
  from: number,
  header: (line: string) => T | undefined,
  isEnd: (line: string) => boolean,
): { head: T; body: string[] }[] {
  const found: { head: T; body: string[] }[] = [];
  let current: { head: T; body: string[] } | undefined;
  for (let index = from; index < lines.length; index++) {
    const line = lines[index];
    const head = header(line);
    if (head !== undefined) {
      current = { head, body: [] };
      found.push(current);
    } else if (isEnd(line)) {
      current = undefined;
    } else {
      current?.body.push(line);
    }
  }
  return found;
}

function failure(name: string, message: string, location: TestLocation | undefined): TestFailure {
  return { name, message, ...(location ? { location } : {}) };
}

/** The lines before the first that matches `stop`. */
function until(lines: readonly string[], stop: RegExp): string[] {
  const end = lines.findIndex((line) => stop.test(line));
  return end < 0 ? [...lines] : lines.slice(0, end);
}

/**
 *   3 failing
 *
 *   1) calc
 *        add
 *          adds small numbers:
 *
 *       AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:
 *       ...
 *       at Context.<anonymous> (test/calc.spec.js:7:14)
 */
const mocha: FailureFormat = {
  runner: 'mocha',
  read(lines) {
    const failures: TestFailure[] = [];
    let inFailures = false;
    let current: { title: string[]; titleDone: boolean; body: string[] } | undefined;
    const finish = () => {
      if (!current) return;
      const message = messageOf(until(current.body, /^\s+at /));
      failures.push(failure(current.title.join(NAME_SEPARATOR), message, firstFrame(current.body)));
      current = undefined;
    };
    for (const line of lines) {
      if (/^\s*\d+ failing\s*$/.test(line)) {
        finish();
        inFailures = true;
        continue;
      }
      if (!inFailures) continue;
      const header = /^ {2}\d+\) (.+)$/.exec(line);
      if (header) {
        finish();
        current = { title: [], titleDone: false, body: [] };
        addTitle(current, header[1]);
      } else if (/^\s*\d+ (?:passing|pending)\b/.test(line)) {
        // A later run's summary: its failures come after its own "N failing".
        finish();
        inFailures = false;
      } else if (current && !current.titleDone && line.trim() !== '') {
        addTitle(current, line.trim());
      } else if (current) {
        current.body.push(line);
      }
    }
    finish();
    return failures;
  },
};

/** Title lines go on until the one that ends with ":" (the test's own title). */
function addTitle(current: { title: string[]; titleDone: boolean }, text: string): void {
  const done = text.endsWith(':');
  current.title.push(done ? text.slice(0, -1) : text);
  current.titleDone = done;
}

/**
 * FAIL jt/calc.test.js
 *   ● calc › add › adds small numbers
 *
 *     expect(received).toBe(expected) // Object.is equality
 *     ...
 *       at Object.toBe (jt/calc.test.js:6:25)
 */
const jest: FailureFormat = {
  runner: 'jest',
  read(lines) {
    let file: string | undefined;
    const found = blocks(
      lines,
      0,
      (line) => {
        const suite = /^\s*(?:FAIL|PASS)\s+(\S.*?)\s*(?:\([\d.]+ m?s\))?$/.exec(line);
        if (suite && !/\t/.test(line)) file = suite[1];
        const match = /^ {2}● (.+)$/.exec(line);
        return match ? { name: match[1].trim(), file } : undefined;
      },
      (line) => /^\s*(?:FAIL|PASS)\s+\S/.test(line) || /^Test Suites:/.test(line) || /^Summary of all failing tests/.test(line),
    );
    return found
      .filter(({ head }) => !/^Console$/.test(head.name))
      .map(({ head, body }) => {
        const name = head.name === 'Test suite failed to run' && head.file ? `${head.file}: test suite failed to run` : head.name;
        const message = messageOf(until(body, /^\s*(?:>?\s*\d+ \||at )/));
        return failure(name, message, firstFrame(body));
      });
  },
};

/**
 * ⎯⎯⎯⎯ Failed Tests 3 ⎯⎯⎯⎯
 *  FAIL  vt/calc.test.js > calc > add > adds small numbers
 * AssertionError: expected 5 to be 4 // Object.is equality
 * ...
 *  ❯ vt/calc.test.js:7:25
 */
const vitest: FailureFormat = {
  runner: 'vitest',
  read(lines) {
    const start = lines.findIndex((line) => /⎯ Failed (?:Tests|Suites) \d+ ⎯/.test(line));
    if (start < 0) return [];
    const found = blocks(
      lines,
      start + 1,
      (line) => {
        const match = /^\s*FAIL\s+(\S.*)$/.exec(line);
        if (!match) return undefined;
        const parts = match[1].split(' > ');
        // A file that failed as a whole: "FAIL  vt/broken.test.js [ vt/broken.test.js ]".
        return parts.length > 1 ? parts.slice(1).join(NAME_SEPARATOR) : `${parts[0].replace(/\s*\[.*\]\s*$/, '')}: test file failed`;
      },
      (line) => /^\s*⎯{3,}/.test(line) || /^\s*Test Files\s/.test(line),
    );
    return found.map(({ head, body }) => failure(head, messageOf(until(body, /^\s*❯ /)), firstFrame(body)));
  },
};

/**
 * ===== FAILURES =====
 * _____ TestSplit.test_split _____
 * ...
 * E       AssertionError: assert ['a', 'b'] == ['a', 'b', 'c']
 * tests/test_calc.py:15: AssertionError
 * ===== short test summary info =====
 * FAILED tests/test_calc.py::TestSplit::test_split - AssertionError: assert ['a...
 */
const pytest: FailureFormat = {
  runner: 'pytest',
  read(lines) {
    const summary = lines
      .map((line) => /^(?:FAILED|ERROR) (\S+::\S+|\S+\.py)(?: - (.*))?$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ id: match[1], message: match[2] ?? '' }));
    const sectionStart = lines.findIndex((line) => /^=+ (?:FAILURES|ERRORS) =+$/.test(line));
    const found =
      sectionStart < 0
        ? []
        : blocks(
            lines,
            sectionStart + 1,
            (line) => /^_{2,} (.+?) _{2,}$/.exec(line)?.[1],
            (line) => /^=+ .+ =+$/.test(line) && !/^=+ (?:FAILURES|ERRORS) =+$/.test(line),
          );
    const fromSection = found.map(({ head, body }) => {
      const errors = body.filter((line) => /^E {0,7}/.test(line) && line.startsWith('E')).map((line) => line.replace(/^E {0,7}/, ''));
      const where = body.map((line) => /^([^\s:][^:]*):(\d+):(?:\s|$)(.*)$/.exec(line)).find((match) => match !== null);
      const id = summary.find((entry) => nodeIdMatches(entry.id, head))?.id ?? head;
      const message = errors.length > 0 ? messageOf(errors) : (where?.[3]?.trim() ?? '');
      return failure(id, message, where ? { file: where[1], line: Number(where[2]) } : undefined);
    });
    if (fromSection.length > 0) return fromSection;
    // Without tracebacks (--tb=no, -q): the short summary still names each failure.
    return summary.map((entry) => failure(entry.id, entry.message, undefined));
  },
};

/** "tests/test_calc.py::TestSplit::test_split" is the test the section headed "TestSplit.test_split" reports. */
function nodeIdMatches(id: string, header: string): boolean {
  const test = header.replace(/^ERROR at (?:setup|teardown) of /, '');
  const path = id.split('::').slice(1).join('.');
  return path === test;
}

/**
 * === RUN   TestAdd
 *     calc_test.go:10: Add(2, 2) = 5, want 4
 * --- FAIL: TestAdd (0.00s)
 * (without -v the log lines come after the "--- FAIL" line, indented under it)
 */
const goTest: FailureFormat = {
  runner: 'go',
  read(lines) {
    const logs = new Map<string, { location: TestLocation; lines: string[] }[]>();
    const failed: string[] = [];
    let current: string | undefined;
    let entry: { location: TestLocation; lines: string[]; indent: number } | undefined;
    for (const line of lines) {
      const run = /^=== (?:RUN|CONT|NAME)\s+(\S+)/.exec(line);
      const result = /^\s*--- (FAIL|PASS|SKIP): (\S+) \(/.exec(line);
      const log = /^(\s+)([^\s:]+\.go):(\d+): ?(.*)$/.exec(line);
      if (run || result) {
        current = run?.[1] ?? result?.[2];
        entry = undefined;
        if (result?.[1] === 'FAIL') failed.push(result[2]);
      } else if (log && current) {
        entry = { location: { file: log[2], line: Number(log[3]) }, lines: [log[4]], indent: log[1].length };
        logs.set(current, [...(logs.get(current) ?? []), entry]);
      } else if (entry && /^\s+\S/.test(line) && /^\s*/.exec(line)![0].length > entry.indent) {
        entry.lines.push(line.trim());
      } else {
        entry = undefined;
      }
    }
    return (
      failed
        // A parent that failed only because a subtest did says nothing of its own.
        .filter((name) => logs.has(name) || !failed.some((other) => other.startsWith(`${name}/`)))
        .map((name) => {
          const own = logs.get(name) ?? [];
          return failure(name, messageOf(own.flatMap((log) => log.lines)), own[0]?.location);
        })
    );
  },
};

/**
 * TAP (tape, node --test's TAP reporter, and others): "not ok" lines, with a YAML block after them.
 *   # Subtest: calc                      (node: the suite; tape: "# test name")
 *       not ok 1 - adds small numbers
 *         ---
 *         location: '/path/calc.test.js:6:8'
 *         error: |-
 *           Expected values to be strictly equal:
 *         ...
 */
const tap: FailureFormat = {
  runner: 'tap',
  read(lines) {
    const failures: TestFailure[] = [];
    const suites: { indent: number; name: string }[] = [];
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index];
      const comment = /^(\s*)# (?:Subtest: )?(.+)$/.exec(line);
      if (comment && !/^(?:tests|suites|pass|fail|cancelled|skipped|todo|duration_ms|ok)\b/.test(comment[2])) {
        const indent = comment[1].length;
        while (suites.length > 0 && suites[suites.length - 1].indent >= indent) suites.pop();
        suites.push({ indent, name: comment[2].trim() });
        continue;
      }
      const notOk = /^(\s*)not ok \d+(?:\s+-)?\s*(.*?)\s*$/.exec(line);
      if (!notOk || /#\s*(?:TODO|SKIP)\b/i.test(notOk[2])) continue;
      const indent = notOk[1].length;
      const yaml = yamlBlock(lines, index + 1, indent);
      if (yaml.fields.failureType === 'subtestsFailed') continue;
      // node nests a test under its own "# Subtest:" line at the same indent; tape puts "# name" before its assertions.
      const ancestors = suites.filter((suite) => suite.indent < indent || (suite.indent === indent && suite.name !== notOk[2]));
      const name = [...ancestors.map((suite) => suite.name), notOk[2]].filter((part) => part !== '').join(NAME_SEPARATOR);
      failures.push(failure(name, tapMessage(yaml.fields), tapLocation(yaml.fields)));
    }
    return failures;
  },
};

interface YamlBlock {
  readonly fields: Record<string, string>;
}

/** The top-level keys of the YAML block that follows a TAP line (scalars and `|` blocks as text). */
function yamlBlock(lines: readonly string[], from: number, indent: number): YamlBlock {
  const fields: Record<string, string> = {};
  if (!/^\s*---\s*$/.test(lines[from] ?? '') || /^\s*/.exec(lines[from])![0].length < indent) return { fields };
  let keyIndent: number | undefined;
  let key: string | undefined;
  for (let index = from + 1; index < lines.length; index++) {
    const line = lines[index];
    if (/^\s*\.\.\.\s*$/.test(line)) break;
    const lineIndent = /^\s*/.exec(line)![0].length;
    const pair = /^(\s*)([A-Za-z_][\w]*):\s?(.*)$/.exec(line);
    if (pair && (keyIndent === undefined || lineIndent <= keyIndent)) {
      keyIndent = lineIndent;
      key = pair[2];
      fields[key] = /^[|>][-+]?$/.test(pair[3].trim()) ? '' : unquote(pair[3].trim());
    } else if (key !== undefined) {
      fields[key] += (fields[key] ? '\n' : '') + line;
    }
  }
  return { fields };
}

function unquote(value: string): string {
  if (/^'.*'$/.test(value)) return value.slice(1, -1).replace(/''/g, "'");
  if (/^".*"$/.test(value)) {
    try {
      return JSON.parse(value) as string;
    } catch {
      return value.slice(1, -1);
    }
  }
  return value;
}

function tapMessage(fields: Record<string, string>): string {
  const text = fields.error ?? fields.message;
  if (text) {
    // node gives the error's class apart: "name: 'TypeError'", "error: 'boom'".
    const message = messageOf(text.split('\n'));
    return fields.name && !message.startsWith(fields.name) ? `${fields.name}: ${message}` : message;
  }
  const compared = ['expected', 'actual'].filter((key) => fields[key] !== undefined).map((key) => `${key}: ${fields[key].trim()}`);
  return messageOf(compared);
}

function tapLocation(fields: Record<string, string>): TestLocation | undefined {
  const stack = (fields.stack ?? '').split('\n').map((line) => `at ${line.trim().replace(/^at /, '')}`);
  return (
    (fields.at ? frameLocation(fields.at) : undefined) ??
    firstFrame(stack.filter((line) => !/^at \w*Error\b/.test(line))) ??
    (fields.location ? frameLocation(fields.location) : undefined)
  );
}

/**
 * node --test's spec reporter (Node 22 and later), after its counts:
 *   ✖ failing tests:
 *
 *   test at calc.test.js:6:8
 *   ✖ adds small numbers (24.6ms)
 *     AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:
 *     ...
 *         at TestContext.<anonymous> (/path/calc.test.js:7:12)
 */
const nodeSpec: FailureFormat = {
  runner: 'node',
  read(lines) {
    const start = lines.findIndex((line) => /^✖ failing tests:\s*$/.test(line));
    if (start < 0) return [];
    const found = blocks(
      lines,
      start + 1,
      (line) => /^test at (\S+)$/.exec(line)?.[1],
      () => false,
    );
    return found.flatMap(({ head, body }) => {
      const title = /^✖ (.+?)(?: \([\d.]+m?s\))?\s*$/.exec(body[0] ?? '');
      if (!title) return [];
      const rest = body.slice(1);
      const message = messageOf(until(rest, /^\s+at /));
      return [failure(title[1], message, firstFrame(rest) ?? frameLocation(head))];
    });
  },
};

/** Most specific first; the first that finds failures wins. */
export const FAILURE_FORMATS: readonly FailureFormat[] = [vitest, jest, pytest, mocha, nodeSpec, tap, goTest];
