import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTestSummary, stripAnsi } from '../../../src/core/testSummary';

describe('test summary parsing', () => {
  it('reads mocha passing, failing and pending, adding up several runs', () => {
    const output = ['  12 passing (40ms)', '  2 pending', '  1 failing', '', '  1) suite', '     fails:', '', '  3 passing (5ms)'].join('\n');
    assert.deepEqual(parseTestSummary(output), { runner: 'mocha', passed: 15, failed: 1, skipped: 2 });
  });

  it("reads jest's Tests line and ignores Test Suites", () => {
    const output =
      'Test Suites: 1 failed, 2 passed, 3 total\nTests:       1 failed, 2 skipped, 1 todo, 7 passed, 11 total\nSnapshots:   0 total\nTime:        1.2 s';
    assert.deepEqual(parseTestSummary(output), { runner: 'jest', passed: 7, failed: 1, skipped: 3 });
  });

  it("reads vitest's Tests line and ignores Test Files", () => {
    const output = ' Test Files  1 failed | 1 passed (2)\n      Tests  2 failed | 10 passed | 1 skipped (13)\n   Start at  10:00:00';
    assert.deepEqual(parseTestSummary(output), { runner: 'vitest', passed: 10, failed: 2, skipped: 1 });
  });

  it("reads pytest's closing line, counting errors as failures", () => {
    const output = 'tests/test_a.py ..F.s\n=========== 1 failed, 10 passed, 2 skipped, 1 error in 0.12s ===========';
    assert.deepEqual(parseTestSummary(output), { runner: 'pytest', passed: 10, failed: 2, skipped: 2 });
    assert.deepEqual(parseTestSummary('==== 3 passed in 0.01s ===='), { runner: 'pytest', passed: 3 });
  });

  it('reads verbose go test results', () => {
    const output = [
      '=== RUN   TestAdd',
      '--- PASS: TestAdd (0.00s)',
      '=== RUN   TestSplit',
      '    --- PASS: TestSplit/empty (0.00s)',
      '--- FAIL: TestSplit (0.00s)',
      '--- SKIP: TestSlow (0.00s)',
      'FAIL',
      'FAIL\texample.com/calc\t0.004s',
    ].join('\n');
    assert.deepEqual(parseTestSummary(output), { runner: 'go', passed: 2, failed: 1, skipped: 1 });
  });

  it('reads only failures from quiet go test, since it does not print what passed', () => {
    assert.deepEqual(parseTestSummary('ok  \texample.com/calc\t0.002s\n?   \texample.com/cmd\t[no test files]'), { runner: 'go', failed: 0 });
    assert.deepEqual(parseTestSummary('--- FAIL: TestSplit (0.00s)\n    calc_test.go:9: wrong\nFAIL\nFAIL\texample.com/calc\t0.004s'), {
      runner: 'go',
      failed: 1,
    });
  });

  it('reads TAP totals from tape and node --test', () => {
    assert.deepEqual(parseTestSummary('ok 1 a\nnot ok 2 b\n\n1..2\n# tests 2\n# pass  1\n# fail  1'), { runner: 'tap', passed: 1, failed: 1 });
    const nodeSpec = 'ℹ tests 5\nℹ suites 1\nℹ pass 3\nℹ fail 1\nℹ cancelled 0\nℹ skipped 1\nℹ todo 0';
    assert.deepEqual(parseTestSummary(nodeSpec), { runner: 'tap', passed: 3, failed: 1, skipped: 1 });
  });

  it("adds up cargo's results across test binaries", () => {
    const output = [
      'test result: ok. 5 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s',
      'test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s',
    ].join('\n');
    assert.deepEqual(parseTestSummary(output), { runner: 'cargo', passed: 7, failed: 1, skipped: 1 });
  });

  it('reads a plain "N passed, N failed" line, the last one winning', () => {
    assert.deepEqual(parseTestSummary('3 passed, 1 failed\nrerun: 4 passed, 0 failed\ndone'), { runner: 'summary', passed: 4, failed: 0 });
    assert.deepEqual(parseTestSummary('Result: 2 passed'), { runner: 'summary', passed: 2 });
  });

  it('reads summaries through ANSI colours', () => {
    const coloured = '\x1b[32m  3 passing\x1b[0m\x1b[90m (8ms)\x1b[0m\n\x1b[31m  1 failing\x1b[0m';
    assert.deepEqual(parseTestSummary(coloured), { runner: 'mocha', passed: 3, failed: 1 });
    const jest = '\x1b[1mTests:\x1b[22m       \x1b[1m\x1b[31m1 failed\x1b[39m\x1b[22m, \x1b[1m\x1b[32m2 passed\x1b[39m\x1b[22m, 3 total';
    assert.deepEqual(parseTestSummary(jest), { runner: 'jest', passed: 2, failed: 1 });
  });

  it("reads the counts the demo workspace's test task prints, as its README promises", function () {
    this.timeout(10_000);
    const tasksFile = path.resolve(__dirname, '../../../../demo/.vscode/tasks.json');
    const { tasks } = JSON.parse(fs.readFileSync(tasksFile, 'utf8')) as { tasks: { label: string; command: string }[] };
    const testTask = tasks.find((task) => task.label === 'test (fails)');
    assert.ok(testTask, 'the demo has its test task');
    const run = spawnSync('/bin/sh', ['-c', testTask.command], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.deepEqual(parseTestSummary(run.stdout), { runner: 'tap', passed: 2, failed: 1 });
  });

  it('states no counts when the output holds no summary', () => {
    assert.equal(parseTestSummary(''), undefined);
    assert.equal(parseTestSummary('Building...\nstep 2 passed\nBuild succeeded: 3 files compiled\n'), undefined);
    assert.equal(parseTestSummary('compiled 3 passing files'), undefined);
  });

  it('strips colour, cursor and link sequences', () => {
    assert.equal(stripAnsi('\x1b[1;31mred\x1b[0m \x1b[2K\x1b[1Gline \x1b]8;;https://x\x07link\x1b]8;;\x07'), 'red line link');
  });
});
