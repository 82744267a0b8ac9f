/**
 * scripts/conformance.mjs, run for real against an in-process conformance server, with a stand-in
 * for the official suite's CLI (test/fixtures/conformance/fakeSuite.mjs) that lists a few
 * scenarios, records what it is asked to run and fails runs on request.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestServer, startTestServer } from '../mcp/v2/helpers';

/** The fake suite's scenarios as runs: each at the version the suite picks, and 2025-era ones that apply to 2026-07-28 there too. */
const RUNS = ['server-initialize@2025-11-25', 'tools-list@2025-11-25', 'tools-list@2026-07-28', 'server-stateless@2026-07-28', 'tasks-lifecycle@2026-07-28'];

interface Results {
  passed: number;
  failed: number;
  expectedFailures: number;
  nowPassing: string[];
  unknownExpected: string[];
  runs: { key: string; status: string; passed: number; failed: number }[];
}

interface Run {
  code: number;
  output: string;
  invoked: { command: string; url: string; scenario: string; version: string; pid: number; suite?: string }[];
  results: Results;
}

describe('the conformance script (scripts/conformance.mjs)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let scratch: string;

  beforeEach(async () => {
    server = await startTestServer();
    scratch = mkdtempSync(join(tmpdir(), 'tasklane-conformance-test-'));
  });
  afterEach(async () => {
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Runs the script (asynchronously: the server it checks answers from this process). */
  function runScript(env: Record<string, string> = {}, expected?: Record<string, string>): Promise<Run> {
    const log = join(scratch, 'invoked.jsonl');
    const resultsFile = join(scratch, 'conformance.json');
    const expectedFile = join(scratch, 'expected.json');
    writeFileSync(expectedFile, JSON.stringify(expected ?? {}));
    writeFileSync(log, '');
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['scripts/conformance.mjs'],
        {
          env: {
            ...process.env,
            CONFORMANCE_SCENARIOS: '',
            TASKLANE_CONFORMANCE_SUITE_CLI: 'test/fixtures/conformance/fakeSuite.mjs',
            TASKLANE_CONFORMANCE_URL: server.http.url,
            TASKLANE_CONFORMANCE_RESULTS: resultsFile,
            TASKLANE_CONFORMANCE_EXPECTED: expectedFile,
            FAKE_SUITE_LOG: log,
            ...env,
          },
          timeout: 100_000,
        },
        (error, stdout, stderr) => {
          const invoked = readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line));
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr, invoked, results: JSON.parse(readFileSync(resultsFile, 'utf8')) });
        },
      );
    });
  }

  it('runs every scenario the suite lists, at each version it applies to, in one suite process per version, and counts each run', async () => {
    const run = await runScript();
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(
      run.invoked.map((i) => `${i.scenario}@${i.version}`).sort(),
      [...RUNS, 'server-stateless@2026-07-28'].sort(),
      'the 2026-07-28 batch repeats server-stateless',
    );
    for (const call of run.invoked) assert.deepEqual([call.command, call.url, call.suite], ['server', server.http.url, 'all'], call.scenario);
    assert.equal(new Set(run.invoked.map((i) => i.pid)).size, 2, 'two suite processes');
    assert.deepEqual(
      run.results.runs.map((r) => r.key),
      RUNS,
    );
    assert.deepEqual([run.results.passed, run.results.failed, run.results.expectedFailures], [5, 0, 0]);
    assert.equal(run.results.runs[0].passed, 2, 'INFO checks are not counted');
  });

  it('a failing check fails the run when the run is not on the expected-failure list', async () => {
    const run = await runScript({ FAKE_SUITE_FAIL: 'tools-list@2026-07-28' });
    assert.notEqual(run.code, 0, 'the script exits non-zero');
    assert.deepEqual([run.results.passed, run.results.failed, run.results.expectedFailures], [4, 1, 0]);
    assert.deepEqual(
      run.results.runs.filter((r) => r.status === 'failed').map((r) => r.key),
      ['tools-list@2026-07-28'],
    );
    assert.match(run.output, /failed on purpose/, 'and prints why');
    assert.match(run.output, /unexpected failure: tools-list@2026-07-28/);
  });

  it('a listed run that fails is counted apart, with its reason, and does not fail the script', async () => {
    const run = await runScript({ FAKE_SUITE_FAIL: 'tools-list@2026-07-28' }, { 'tools-list@2026-07-28': 'the fake cannot do it' });
    assert.equal(run.code, 0, run.output);
    assert.deepEqual([run.results.passed, run.results.failed, run.results.expectedFailures], [4, 0, 1]);
    assert.match(run.output, /expected failure tools-list@2026-07-28: the fake cannot do it/);
  });

  it('a listed run that passes, and a listed run the suite does not have, are reported', async () => {
    const run = await runScript({}, { 'server-initialize@2025-11-25': 'was broken', 'gone@2026-07-28': 'no longer in the suite' });
    assert.equal(run.code, 0, run.output);
    assert.deepEqual([run.results.passed, run.results.failed, run.results.expectedFailures], [5, 0, 0]);
    assert.deepEqual(run.results.nowPassing, ['server-initialize@2025-11-25']);
    assert.deepEqual(run.results.unknownExpected, ['gone@2026-07-28']);
    assert.match(run.output, /server-initialize@2025-11-25 now passes: remove it/);
  });

  it('--doc renders every run with its result and reasons, and replaces only its own section of docs/interop.md', () => {
    const doc = join(scratch, 'interop.md');
    writeFileSync(doc, '# Interop\n\nthe peer table\n\n<!-- conformance:begin (old) -->\nold section\n<!-- conformance:end -->\n');
    const run = (key: string, status: string, extra: object = {}) => {
      const [scenario, version] = key.split('@');
      return {
        key,
        scenario,
        version,
        tags: ['2025-11-25', '2026-07-28'],
        status,
        passed: 1,
        failed: status === 'passed' ? 0 : 1,
        warnings: 0,
        skipped: 0,
        notes: [],
        ...extra,
      };
    };
    const results = {
      suite: 'suite@1',
      seconds: 9,
      runs: [
        run('a@2025-11-25', 'passed', { warnings: 1, notes: ['Warning (a SHOULD): be nicer'] }),
        run('a@2026-07-28', 'expected-failure'),
        run('b@2025-11-25', 'failed'),
        run('c@2025-11-25', 'passed'),
      ],
    };
    const expected = { 'a@2026-07-28': 'not implemented, because', 'c@2025-11-25': 'was broken' };
    const script = `import { renderSection, writeSection, BEGIN } from ${JSON.stringify(join(process.cwd(), 'scripts/conformance/interopSection.mjs'))};
      const [results, expected, file] = JSON.parse(process.argv[1]);
      writeSection(file, renderSection(results, expected, { date: 'today', platform: 'here' }));`;
    execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify([results, expected, doc])]);
    const text = readFileSync(doc, 'utf8');
    assert.ok(text.startsWith('# Interop\n\nthe peer table\n'), 'the rest of the file stays');
    assert.ok(!text.includes('old section'));
    assert.equal(text.match(/conformance:begin/g)?.length, 1);
    assert.match(
      text,
      /\| `a` \| 2025-11-25, 2026-07-28 \| pass \(1 passed, 1 warning\)<sup>1<\/sup> \| expected failure \(1 passed, 1 failed\)<sup>2<\/sup> \|/,
    );
    assert.match(text, /\| `b` \| .* \| \*\*fail\*\* \(1 passed, 1 failed\) \| — \|/);
    assert.match(text, /\| `c` \| .* \| pass \(1 passed\)<sup>3<\/sup> \| — \|/);
    assert.match(
      text,
      /1\. Warning \(a SHOULD\): be nicer\n2\. not implemented, because\n3\. Now passes, though it is on the expected-failure list \(c@2025-11-25\): remove it there\./,
    );
    assert.match(text, /4 runs\. 2 pass, 1 fail as expected \(reasons below\), 1 fail unexpectedly/);
  });

  it('a subset runs each of its runs in a process of its own, at the version of the run', async () => {
    const run = await runScript({ CONFORMANCE_SCENARIOS: 'tools-list,tasks-lifecycle@2026-07-28' });
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(run.invoked.map((i) => `${i.scenario}@${i.version}`).sort(), [
      'tasks-lifecycle@2026-07-28',
      'tools-list@2025-11-25',
      'tools-list@2026-07-28',
    ]);
    assert.equal(new Set(run.invoked.map((i) => i.pid)).size, 3);
    assert.ok(run.invoked.every((i) => i.suite === undefined));
    assert.deepEqual([run.results.passed, run.results.failed], [3, 0]);
  });
});
