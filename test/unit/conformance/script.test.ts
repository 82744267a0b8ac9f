/**
 * scripts/conformance.mjs, run for real against an in-process conformance server, with a stand-in
 * for the official suite's CLI (test/fixtures/conformance/fakeSuite.mjs) that records what it is
 * asked to run and fails a scenario on request.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestServer, startTestServer } from '../mcp/v2/helpers';

const TASK_SCENARIOS = [
  'lifecycle',
  'capability-negotiation',
  'wire-fields',
  'request-state-removal',
  'mrtr-input',
  'request-headers',
  'dispatch-and-envelope',
  'status-notifications',
  'required-task-error',
  'mrtr-composition',
].map((t) => `tasks-${t}`);
const CORE_SCENARIOS = [
  'server-stateless',
  'http-header-validation',
  'input-required-result-basic-elicitation',
  'input-required-result-basic-sampling',
  'input-required-result-basic-list-roots',
];

interface Run {
  code: number;
  output: string;
  invoked: { command: string; url: string; scenario: string }[];
  results: { passed: number; failed: number; scenarios: { name: string; status: string }[] };
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
  function runScript(env: Record<string, string> = {}): Promise<Run> {
    const log = join(scratch, 'invoked.jsonl');
    const resultsFile = join(scratch, 'conformance.json');
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
            FAKE_SUITE_LOG: log,
            ...env,
          },
          timeout: 100_000,
        },
        (error, stdout, stderr) => {
          const invoked = readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line));
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr, invoked, results: JSON.parse(readFileSync(resultsFile, 'utf8')) });
        },
      );
    });
  }

  it('runs all ten task scenarios and the required core ones against the server, and counts each as passed', async () => {
    const run = await runScript();
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(run.invoked.map((i) => i.scenario).sort(), [...TASK_SCENARIOS, ...CORE_SCENARIOS].sort());
    for (const call of run.invoked) assert.deepEqual([call.command, call.url], ['server', server.http.url], call.scenario);
    assert.deepEqual([run.results.passed, run.results.failed], [15, 0]);
  });

  it('a single failing check fails the run: no expected-failures list forgives it', async () => {
    const run = await runScript({ FAKE_SUITE_FAIL: 'tasks-mrtr-composition' });
    assert.notEqual(run.code, 0, 'the script exits non-zero');
    assert.deepEqual([run.results.passed, run.results.failed], [14, 1]);
    assert.deepEqual(
      run.results.scenarios.filter((s) => s.status === 'failed').map((s) => s.name),
      ['tasks-mrtr-composition'],
    );
    assert.match(run.output, /failed on purpose/, 'and prints why');
  });
});
