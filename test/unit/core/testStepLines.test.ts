import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_STEPS, type TaskStep } from '../../../src/core/taskSteps';
import { TestStepLines, readTestLine } from '../../../src/core/testStepLines';

/** Real output of each runner (see test/fixtures/testOutput/README.md). */
function sample(name: string): string {
  return fs.readFileSync(path.resolve(__dirname, '../../../../test/fixtures/testOutput', name), 'utf8');
}

const AT = Date.parse('2026-01-01T00:00:10.000Z');

function stepsOf(output: string): TaskStep[] {
  const tests = new TestStepLines();
  tests.add(output, AT);
  tests.end(AT);
  return tests.list();
}

/** "depth label: status" per step, for comparing a whole run at once. */
function rows(steps: readonly TaskStep[]): string[] {
  return steps.map((step) => `${'  '.repeat(step.depth ?? 0)}${step.label}: ${step.status}`);
}

describe('test steps from reporter lines', () => {
  it("reads mocha's spec reporter: failing, pending and passing tests under their describe blocks, not its failure list", () => {
    assert.deepEqual(rows(stepsOf(sample('mocha-spec.txt'))), [
      'calc: failed',
      '  splits on commas: failed',
      '  throws nothing: failed',
      '  is slow: cancelled',
      'calc › add: failed',
      '  adds small numbers: failed',
      '  adds zero: completed',
    ]);
  });

  it('gives a test the duration its line states, ending when the line came', () => {
    const [, test] = stepsOf('  calc\n    ✔ adds (12ms)\n');
    assert.equal(test.endedAt, '2026-01-01T00:00:10.000Z');
    assert.equal(test.startedAt, '2026-01-01T00:00:09.988Z');
    const [older] = stepsOf('  ✓ adds\n');
    assert.equal(older.label, 'adds');
    assert.equal(older.status, 'completed');
    assert.equal(older.depth, undefined);
  });

  it("reads jest's verbose lines, with durations in ms and s", () => {
    const steps = stepsOf(sample('jest.txt'));
    assert.deepEqual(rows(steps), [
      'calc: failed',
      '  splits on commas: failed',
      '  throws nothing: failed',
      '  is slow: cancelled',
      'calc › add: failed',
      '  adds small numbers: failed',
      '  adds zero: completed',
    ]);
    assert.equal(Date.parse(steps[1].endedAt!) - Date.parse(steps[1].startedAt!), 12);
    assert.deepEqual(readTestLine('  ✓ loads (1.2 s)', false), { kind: 'test', title: 'loads', outcome: 'passed', durationMs: 1200, indent: 2 });
  });

  it("reads vitest's coloured lines (ANSI stripped), and not its failure report", () => {
    const steps = stepsOf(sample('vitest.txt'));
    assert.deepEqual(rows(steps), [
      'adds small numbers: failed',
      'adds zero: completed',
      'splits on commas: failed',
      'throws nothing: failed',
      'is slow: cancelled',
    ]);
    assert.equal(Date.parse(steps[0].endedAt!) - Date.parse(steps[0].startedAt!), 7);
  });

  it('reads pytest -v lines', () => {
    const output = [
      'collected 3 items',
      '',
      'tests/test_calc.py::test_add_small FAILED                                [ 33%]',
      'tests/test_calc.py::TestSplit::test_split PASSED                         [ 66%]',
      'tests/test_calc.py::test_slow SKIPPED (slow)                             [100%]',
      '',
      'FAILED tests/test_calc.py::test_add_small - assert 5 == 4',
    ].join('\n');
    assert.deepEqual(rows(stepsOf(output)), [
      'tests/test_calc.py::test_add_small: failed',
      'tests/test_calc.py::TestSplit::test_split: completed',
      'tests/test_calc.py::test_slow: cancelled',
    ]);
  });

  it('reads go test -v lines, subtests by their full name', () => {
    assert.deepEqual(rows(stepsOf(sample('go-test-v.txt'))), [
      'TestAdd: failed',
      'TestAddZero: completed',
      'TestSplit: failed',
      'TestSplit/two: failed',
      'TestSplit/empty: completed',
      'TestSlow: cancelled',
    ]);
  });

  it('reads a line split across chunks (and an escape code split with it) once it is whole', () => {
    const tests = new TestStepLines();
    assert.equal(tests.add('  calc\n    \x1b[32m✔', AT), false);
    assert.equal(tests.add('\x1b[39m adds (3', AT), false);
    assert.equal(tests.add('ms)\r\n    1) spl', AT), true);
    assert.deepEqual(rows(tests.list()), ['calc: completed', '  adds: completed']);
    assert.equal(tests.end(AT), true);
    assert.deepEqual(rows(tests.list()), ['calc: failed', '  adds: completed', '  spl: failed']);
  });

  it("takes the failing tests of go test without -v, and says nothing of output that is no reporter's", () => {
    assert.deepEqual(rows(stepsOf(sample('go-test.txt'))), ['TestAdd: failed', 'TestSplit: failed', 'TestSplit/two: failed']);
    assert.deepEqual(stepsOf('> build\n  compiling src\n  - done\n'), []);
  });

  it('keeps failing tests first past the bound', () => {
    const lines = [];
    for (let i = 0; i < 1000; i++) lines.push(i % 100 === 7 ? `  ${i}) broken ${i}` : `  ✔ works ${i}`);
    const steps = stepsOf(lines.join('\n'));
    assert.equal(steps.length, MAX_STEPS);
    assert.deepEqual(
      steps.filter((step) => step.status === 'failed').map((step) => step.label),
      [7, 107, 207, 307, 407, 507, 607, 707, 807, 907].map((i) => `broken ${i}`),
    );
    assert.equal(steps[steps.length - 1].label, 'works 999');
  });
});
