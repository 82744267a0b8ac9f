import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTestFailures, type TestFailure } from '../../../src/core/testFailures';
import { MESSAGE_LINES, formatLocation, frameLocation, messageOf } from '../../../src/core/testFailureText';

/** Real output of each runner (see test/fixtures/testOutput/README.md). */
function sample(name: string): string {
  return fs.readFileSync(path.resolve(__dirname, '../../../../test/fixtures/testOutput', name), 'utf8');
}

/** name → "file:line" (or "-"), for comparing many failures at once. */
function where(failures: readonly TestFailure[]): Record<string, string> {
  return Object.fromEntries(failures.map((failure) => [failure.name, failure.location ? formatLocation(failure.location) : '-']));
}

describe('test failure parsing', () => {
  it("reads mocha spec failures: nested titles, message lines, the test's own stack frame", () => {
    const failures = parseTestFailures(sample('mocha-spec.txt'));
    assert.deepEqual(where(failures), {
      'calc › splits on commas': 'test/calc.spec.js:14:12',
      'calc › throws nothing': 'test/calc.spec.js:17:11',
      'calc › add › adds small numbers': 'test/calc.spec.js:7:14',
    });
    assert.equal(failures[1].message, 'TypeError: boom: not a function');
    assert.equal(failures[2].message, 'AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n\n5 !== 4\n\n+ expected - actual');
    // Node's multi-line message keeps its own indentation under mocha's.
    assert.match(
      failures[0].message,
      /^AssertionError \[ERR_ASSERTION\]: Expected values to be strictly deep-equal:\n\+ actual - expected\n\n {2}\[\n {4}'a',/,
    );
  });

  it('reads jest failures with their expectation, not the code frame', () => {
    const failures = parseTestFailures(sample('jest.txt'));
    assert.deepEqual(where(failures), {
      'calc › add › adds small numbers': 'jt/calc.test.js:6:25',
      'calc › splits on commas': 'jt/calc.test.js:13:26',
      'calc › throws nothing': 'jt/calc.test.js:16:11',
    });
    assert.equal(failures[0].message, 'expect(received).toBe(expected) // Object.is equality\n\nExpected: 4\nReceived: 5');
    assert.ok(
      failures.every((failure) => !/\|/.test(failure.message)),
      'no code frame lines',
    );
  });

  it('reads jest across files, a file that failed to load included, skipping node_modules frames', () => {
    const failures = parseTestFailures(sample('jest-several-files.txt'));
    assert.equal(failures.length, 5);
    assert.deepEqual(failures[3], {
      name: 'adds big numbers',
      message: 'expect(received).toBe(expected) // Object.is equality\n\nExpected: 102\nReceived: 103',
      location: { file: 'jt2/b.test.js', line: 3, column: 23 },
    });
    assert.deepEqual(failures[4], {
      name: 'jt2/broken.test.js: test suite failed to run',
      message: "Cannot find module '../src/missing' from 'jt2/broken.test.js'",
      location: { file: 'jt2/broken.test.js', line: 1, column: 18 },
    });
  });

  it('reads vitest failures through its colours', () => {
    const output = sample('vitest.txt');
    assert.ok(output.includes('\x1b['), 'the sample is coloured, as vitest writes into a pipe');
    const failures = parseTestFailures(output);
    assert.deepEqual(where(failures), {
      'calc › add › adds small numbers': 'vt/calc.test.js:7:25',
      'calc › splits on commas': 'vt/calc.test.js:14:26',
      'calc › throws nothing': 'vt/calc.test.js:17:11',
    });
    assert.equal(failures[2].message, 'TypeError: boom: not a function');
    assert.match(failures[0].message, /^AssertionError: expected 5 to be 4 \/\/ Object\.is equality\n/);
  });

  it("reads pytest failures by node id, with the E lines and the test's line", () => {
    const failures = parseTestFailures(sample('pytest.txt'));
    assert.deepEqual(where(failures), {
      'tests/test_calc.py::test_add_small': 'tests/test_calc.py:6',
      'tests/test_calc.py::TestSplit::test_split': 'tests/test_calc.py:15',
      'tests/test_calc.py::test_raises': 'tests/test_calc.py:19',
    });
    assert.equal(failures[0].message, 'assert 5 == 4\n +  where 5 = add(2, 2)');
    assert.equal(failures[2].message, 'ValueError: boom');
  });

  it("reads pytest's short summary alone when there are no tracebacks", () => {
    const quiet = 'FAILED tests/test_calc.py::test_add_small - assert 5 == 4\nERROR tests/test_db.py::test_connect - ConnectionError\n2 failed in 0.1s';
    assert.deepEqual(parseTestFailures(quiet), [
      { name: 'tests/test_calc.py::test_add_small', message: 'assert 5 == 4' },
      { name: 'tests/test_db.py::test_connect', message: 'ConnectionError' },
    ]);
  });

  for (const file of ['go-test-v.txt', 'go-test.txt']) {
    it(`reads go test failures from ${file}: subtests, continued log lines, no parent that only failed through them`, () => {
      assert.deepEqual(parseTestFailures(sample(file)), [
        { name: 'TestAdd', message: 'Add(2, 2) = 5, want 4', location: { file: 'calc_test.go', line: 10 } },
        { name: 'TestSplit/two', message: 'Split("a,b") = ["a" "b"],\nwant ["a" "b" "c"]', location: { file: 'calc_test.go', line: 24 } },
      ]);
    });
  }

  it('reads node --test TAP: suites as name parts, the failing frame, no suite roll-up', () => {
    assert.deepEqual(parseTestFailures(sample('node-test-tap.txt')), [
      {
        name: 'calc › adds small numbers',
        message: 'AssertionError: Expected values to be strictly equal:\n\n5 !== 4',
        location: { file: '/tmp/rt-samples/nodetest/calc.test.js', line: 7, column: 12 },
      },
      { name: 'throws nothing', message: 'TypeError: boom: not a function', location: { file: '/tmp/rt-samples/nodetest/calc.test.js', line: 14, column: 9 } },
    ]);
  });

  it("reads tape TAP: the test's name with the assertion's, expected and actual as the message", () => {
    assert.deepEqual(parseTestFailures(sample('tape.txt')), [
      {
        name: 'adds small numbers › should be strictly equal',
        message: 'expected: 4\nactual: 5',
        location: { file: '/tmp/rt-samples/js/test/tape.js', line: 5, column: 5 },
      },
      {
        name: 'splits on commas › three parts',
        message: "expected: [ 'a', 'b', 'c' ]\nactual: [ 'a', 'b' ]",
        location: { file: '/tmp/rt-samples/js/test/tape.js', line: 10, column: 5 },
      },
    ]);
  });

  it("reads node --test's spec reporter", () => {
    const failures = parseTestFailures(sample('node-test-spec.txt'));
    assert.deepEqual(where(failures), {
      'adds small numbers': '/tmp/rt-samples/nodetest/calc.test.js:7:12',
      'throws nothing': '/tmp/rt-samples/nodetest/calc.test.js:14:9',
    });
    assert.equal(failures[0].message, 'AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n\n5 !== 4');
  });

  it('ignores TAP TODO and SKIP directives, and finds nothing in passing or foreign output', () => {
    assert.deepEqual(parseTestFailures('TAP version 13\nnot ok 1 - later # TODO not yet\nnot ok 2 - slow # SKIP\nok 3 - fine\n1..3'), []);
    assert.deepEqual(parseTestFailures('  3 passing (5ms)\n'), []);
    assert.deepEqual(parseTestFailures('running 4 tests\n3 passed, 1 failed\n'), []);
    assert.deepEqual(parseTestFailures(''), []);
  });

  it('lists a test once when the runner repeats it in a closing summary', () => {
    const once = ['FAIL a.test.js', '  ● adds', '', '    Expected: 1', '', '      at Object.toBe (a.test.js:2:3)', ''];
    const output = [...once, 'Summary of all failing tests', ...once, 'Test Suites: 1 failed, 1 total'].join('\n');
    assert.deepEqual(parseTestFailures(output), [{ name: 'adds', message: 'Expected: 1', location: { file: 'a.test.js', line: 2, column: 3 } }]);
  });
});

describe('test failure text', () => {
  it('keeps the first lines of a message, collapsing blank runs', () => {
    const long = Array.from({ length: 20 }, (_, index) => `line ${index}`);
    assert.equal(messageOf(long).split('\n').length, MESSAGE_LINES);
    assert.equal(messageOf(['', '   a', '', '', '     b', '']), 'a\n\n  b');
    assert.ok(messageOf(['x'.repeat(5000)]).length <= 600);
  });

  it("finds a frame's file, line and column; not in node internals or node_modules", () => {
    assert.deepEqual(frameLocation('    at Context.<anonymous> (test/a.spec.js:14:12)'), { file: 'test/a.spec.js', line: 14, column: 12 });
    assert.deepEqual(frameLocation('    at file:///home/me/My%20Project/a.test.mjs:3:5'), { file: '/home/me/My Project/a.test.mjs', line: 3, column: 5 });
    assert.deepEqual(frameLocation('    at Object.<anonymous> (C:\\work\\a.test.js:2:1)'), { file: 'C:\\work\\a.test.js', line: 2, column: 1 });
    assert.equal(frameLocation('    at process.processImmediate (node:internal/timers:483:21)'), undefined);
    assert.equal(frameLocation('    at Resolver._throw (node_modules/jest-resolve/build/index.js:1031:11)'), undefined);
  });
});
