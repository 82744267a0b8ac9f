// `npm run test:conformance`: runs EVERY server scenario of the official MCP conformance suite
// against Tasklane's conformance server (dist/conformance-server.js: the standalone server with the
// suite's fixture tools, prompts and resources) and prints every check of every scenario.
//
// The scenarios come from the suite itself (`conformance list --server`). Each runs at the protocol
// version the suite picks for it (2026-07-28 for 2026-07-28 and extension scenarios, else a
// 2025-11-25 session), and a 2025-era scenario that also applies to 2026-07-28 runs a second time
// there (`--spec-version 2026-07-28`): a run is "<scenario>@<version>". A full run starts one suite
// process per version (`--suite all`), the two side by side, against one server (about 25 s on 2
// cores); a subset starts one process per run, TASKLANE_CONFORMANCE_JOBS (default 3) at a time.
//
// Runs listed in scripts/conformance/expectedFailures.mjs (each with its reason) may fail without
// failing this script; any other failure fails it, and a listed run that passes is reported.
// `--doc` writes the results table into docs/interop.md (full runs only).
//
// The suite (@modelcontextprotocol/conformance, pinned below) needs Node >= 22. Both it and a
// Node 22 binary (the npm package node-<platform>-<arch>) are installed OUTSIDE the clone, keyed by
// a hash of the pins:  ${TASKLANE_CONFORMANCE_CACHE:-$HOME/.cache/tasklane-conformance}/<hash>/
// A marker written last makes re-runs a no-op. Needs only the npm registry.
//
// Writes test-results/conformance.json: `passed` and `failed` count RUNS (a run fails when any of
// its checks fails); `failed` counts only unexpected failures, and expected ones are counted apart
// (`expectedFailures`), so `npm test`'s "N passed, N failed" line holds neither. Per-check totals
// are under "checks", each run under "runs".
//
// Env: TASKLANE_CONFORMANCE_CACHE  cache root
//      CONFORMANCE_SCENARIOS       comma-separated subset: "<scenario>" (all its runs) or "<scenario>@<version>"
//      TASKLANE_CONFORMANCE_JOBS   suite processes at a time (default 3)
//      For the script's own test (test/unit/conformance/script.test.ts):
//      TASKLANE_CONFORMANCE_SUITE_CLI  a suite CLI to run with this Node instead of the pinned one
//      TASKLANE_CONFORMANCE_URL        a running server to check instead of starting dist/conformance-server.js
//      TASKLANE_CONFORMANCE_RESULTS    where to write the results (default test-results/conformance.json)
//      TASKLANE_CONFORMANCE_EXPECTED   a JSON file of expected failures to use instead of the list
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { EXPECTED_FAILURES } from './conformance/expectedFailures.mjs';
import { judge, print } from './conformance/judge.mjs';
import { renderSection, writeSection } from './conformance/interopSection.mjs';

const SUITE = '@modelcontextprotocol/conformance@0.2.0-alpha.12';
const NODE_MAJOR = 22;
const STATELESS = '2026-07-28';
const SESSION = '2025-11-25';
const SCENARIO_TIMEOUT_MS = 60_000;

const root = resolve(new URL('..', import.meta.url).pathname);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const t0 = Date.now();
const say = (message) => console.log(`[conformance +${Math.round((Date.now() - t0) / 1000)}s] ${message}`);

function fail(message) {
  console.error(`[conformance] ERROR: ${message}`);
  writeResults({ passed: 0, failed: 1, error: message });
  process.exit(1);
}

function writeResults(results) {
  const file = resolve(root, process.env.TASKLANE_CONFORMANCE_RESULTS || 'test-results/conformance.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
}

// --- 1. The suite and a Node 22 to run it ------------------------------------------------------
function ensureSuite() {
  if (process.env.TASKLANE_CONFORMANCE_SUITE_CLI) return { node: process.execPath, cli: resolve(process.env.TASKLANE_CONFORMANCE_SUITE_CLI) };
  const ownNodeOk = Number(process.versions.node.split('.')[0]) >= NODE_MAJOR;
  const nodePackage = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  const deps = { '@modelcontextprotocol/conformance': SUITE.split('@').pop(), ...(ownNodeOk ? {} : { [nodePackage]: `^${NODE_MAJOR}` }) };
  const hash = createHash('sha256').update(JSON.stringify(deps)).digest('hex').slice(0, 16);
  const base = process.env.TASKLANE_CONFORMANCE_CACHE || (homedir() ? join(homedir(), '.cache/tasklane-conformance') : join(tmpdir(), 'tasklane-conformance'));
  const dir = join(base, hash);
  const marker = join(dir, '.setup-complete');
  const cli = join(dir, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
  const node = ownNodeOk ? process.execPath : join(dir, 'node_modules', nodePackage, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (!(existsSync(marker) && existsSync(cli) && existsSync(node))) {
    say(
      `installing ${Object.entries(deps)
        .map(([name, version]) => `${name}@${version}`)
        .join(' and ')} into ${dir}`,
    );
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tasklane-conformance-tools', private: true, dependencies: deps }, null, 2) + '\n');
    const install = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
    if (install.status !== 0 || !existsSync(cli) || !existsSync(node)) fail(`npm install in ${dir} failed (is the npm registry reachable?)`);
    writeFileSync(marker, new Date().toISOString() + '\n');
  }
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (Number(version.replace(/^v/, '').split('.')[0]) < NODE_MAJOR) fail(`${node} is ${version}, the suite needs Node ${NODE_MAJOR}+`);
  say(`suite ready: ${SUITE} on Node ${version} (${dir})`);
  return { node, cli };
}

// --- 2. Our server, built ----------------------------------------------------------------------
function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const stat = statSync(full);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(full) : stat.mtimeMs);
  }
  return newest;
}

function ensureBuilt() {
  const server = join(root, 'dist/conformance-server.js');
  const inputs = Math.max(newestMtime(join(root, 'src')), statSync(join(root, 'package.json')).mtimeMs);
  if (existsSync(server) && statSync(server).mtimeMs >= inputs) return server;
  say('building (npm run build)');
  const build = spawnSync(npm, ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0 || !existsSync(server)) fail('npm run build failed');
  return server;
}

function startServer(serverJs) {
  return new Promise((resolveStart, rejectStart) => {
    const child = spawn(process.execPath, [serverJs, '--port', '0', '--log', 'warn'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const timer = setTimeout(() => rejectStart(new Error(`server did not start within 15 s:\n${stderr}`)), 15_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /Tasklane task server on (http:\/\/\S+)/.exec(stderr);
      if (match && timer) {
        clearTimeout(timer);
        resolveStart({ child, url: match[1], stderr: () => stderr });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      rejectStart(new Error(`server exited with ${code} before it was ready:\n${stderr}`));
    });
  });
}

// --- 3. The runs ---------------------------------------------------------------------------------
/**
 * Every server scenario the suite lists, as runs. `list --server` prints "  - <name> [<versions>]";
 * the suite runs a scenario at 2026-07-28 when it is an extension one or new in 2026-07-28, else
 * at 2025-11-25, and we add a 2026-07-28 run for a 2025-era scenario that also applies there.
 */
function listRuns({ node, cli }) {
  const listed = spawnSync(node, [cli, 'list', '--server'], { cwd: root, encoding: 'utf8' });
  if (listed.status !== 0) fail(`conformance list --server failed: ${listed.stderr || listed.stdout}`);
  const runs = [];
  for (const line of listed.stdout.split('\n')) {
    const match = /^\s+-\s+(\S+)\s+\[([^\]]*)\]/.exec(line);
    if (!match) continue;
    const [, scenario, list] = match;
    const tags = list.split(',').map((tag) => tag.trim());
    const version = tags[0] === 'extension' || tags[0] === STATELESS ? STATELESS : SESSION;
    runs.push({ scenario, tags, version, forced: false });
    if (version === SESSION && tags.includes(STATELESS)) runs.push({ scenario, tags, version: STATELESS, forced: true });
  }
  if (!runs.length) fail(`conformance list --server listed no scenarios:\n${listed.stdout}`);
  return runs.map((run) => ({ ...run, key: `${run.scenario}@${run.version}` }));
}

/**
 * One suite process over a batch of runs: `--suite all` for every scenario of a version (one
 * process is far cheaper than one per scenario: the suite spends seconds starting and stopping),
 * or `--scenario` for a single run. The suite writes <out>/server-<scenario>-<time>/checks.json
 * per scenario; its own per-scenario timeout stops a scenario that hangs.
 */
function runBatch({ node, cli }, url, batch, outDir) {
  return new Promise((resolveRun) => {
    const out = join(outDir, `batch-${batch.id}`);
    const args = [cli, 'server', '--url', url, ...batch.args, '--timeout', String(SCENARIO_TIMEOUT_MS), '-o', out];
    const started = Date.now();
    const child = spawn(node, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), batch.runs.length * SCENARIO_TIMEOUT_MS + 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const dirs = existsSync(out) ? readdirSync(out) : [];
      const outcomes = batch.runs.map((run) => {
        const own = new RegExp(`^server-${run.scenario.replace(/[^\w]/g, '\\$&')}-\\d{4}-`);
        const dir = dirs
          .filter((name) => own.test(name))
          .sort()
          .pop();
        const file = dir ? join(out, dir, 'checks.json') : undefined;
        const checks = file && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
        // A whole-suite batch exits non-zero when any scenario fails: only a single run's exit code is its own.
        return { run, checks, code: batch.runs.length === 1 ? code : checks ? 0 : code, output };
      });
      resolveRun({ outcomes, ms: Date.now() - started });
    });
  });
}

/** Runs `work` over `items`, `jobs` at a time, calling `done` as each finishes. */
async function pool(items, jobs, work, done) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(jobs, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      done(item, await work(item));
    }
  });
  await Promise.all(lanes);
}

/**
 * The suite processes to start: for a full run, one `--suite all` per version (the 2026-07-28
 * batch also repeats the 2026-07-28-only scenarios; those repeats are not kept); for a subset,
 * one process per run.
 */
function batchesFor(runs, full) {
  if (!full) return runs.map((run, id) => ({ id, runs: [run], args: ['--scenario', run.scenario, ...(run.forced ? ['--spec-version', run.version] : [])] }));
  return [
    { id: 0, runs: runs.filter((run) => !run.forced), args: ['--suite', 'all'] },
    { id: 1, runs: runs.filter((run) => run.forced), args: ['--suite', 'all', '--spec-version', STATELESS] },
  ].filter((batch) => batch.runs.length);
}

function selected(runs) {
  const wanted = (process.env.CONFORMANCE_SCENARIOS ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (!wanted.length) return runs;
  const unknown = wanted.filter((name) => !runs.some((run) => run.key === name || run.scenario === name));
  if (unknown.length) fail(`CONFORMANCE_SCENARIOS names runs the suite does not have: ${unknown.join(', ')}`);
  return runs.filter((run) => wanted.includes(run.key) || wanted.includes(run.scenario));
}

async function main() {
  const writeDoc = process.argv.includes('--doc');
  const expected = process.env.TASKLANE_CONFORMANCE_EXPECTED ? JSON.parse(readFileSync(process.env.TASKLANE_CONFORMANCE_EXPECTED, 'utf8')) : EXPECTED_FAILURES;
  const tools = ensureSuite();
  const all = listRuns(tools);
  const runs = selected(all);
  const jobs = Math.max(1, Number(process.env.TASKLANE_CONFORMANCE_JOBS) || 3);
  const given = process.env.TASKLANE_CONFORMANCE_URL;
  const server = given ? { url: given, child: undefined } : await startServer(ensureBuilt()).catch((error) => fail(error.message));
  say(`server (conformance fixtures) at ${server.url}; ${runs.length} runs of ${new Set(runs.map((run) => run.scenario)).size} scenarios`);
  const outDir = mkdtempSync(join(tmpdir(), 'tasklane-conformance-'));
  const started = Date.now();
  const byKey = new Map();
  try {
    await pool(
      batchesFor(runs, runs.length === all.length),
      jobs,
      (batch) => runBatch(tools, server.url, batch, outDir),
      (batch, { outcomes, ms }) => {
        if (batch.runs.length > 1) say(`${batch.args.join(' ')}: ${batch.runs.length} runs in ${Math.round(ms / 1000)} s`);
        for (const outcome of outcomes) {
          const result = judge(outcome.run, outcome, expected);
          byKey.set(outcome.run.key, result);
          print(result, expected);
        }
      },
    );
  } finally {
    server.child?.kill('SIGTERM');
    rmSync(outDir, { recursive: true, force: true });
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  const results = runs.map((run) => byKey.get(run.key));
  const of = (status) => results.filter((result) => result.status === status);
  const nowPassing = of('passed')
    .filter((result) => result.key in expected)
    .map((result) => result.key);
  const unknownExpected = Object.keys(expected).filter((key) => !all.some((run) => run.key === key));
  const sum = (key) => results.reduce((total, result) => total + result[key], 0);
  const summary = {
    passed: of('passed').length,
    failed: of('failed').length,
    expectedFailures: of('expected-failure').length,
    counts: 'scenario runs (<scenario>@<protocol version>)',
    nowPassing,
    unknownExpected,
    checks: { passed: sum('passed'), failed: sum('failed'), warnings: sum('warnings'), skipped: sum('skipped') },
    suite: SUITE,
    seconds,
    runs: results.map(({ checks: _checks, output: _output, ...rest }) => rest),
  };
  writeResults(summary);

  console.log(
    `\nconformance: ${results.length} runs of ${new Set(results.map((r) => r.scenario)).size} scenarios in ${seconds} s: ${summary.passed} passed, ${summary.failed} failed, ${summary.expectedFailures} expected failures (${sum('passed')} checks passed, ${sum('failed')} failed, ${sum('warnings')} warnings, ${sum('skipped')} skipped)`,
  );
  for (const result of of('expected-failure')) console.log(`  ~ expected failure ${result.key}: ${expected[result.key]}`);
  for (const key of nowPassing) console.log(`  ! ${key} now passes: remove it from scripts/conformance/expectedFailures.mjs`);
  for (const key of unknownExpected) console.log(`  ! ${key} is on the expected-failure list, but the suite has no such run: remove it`);
  for (const result of of('failed')) console.log(`  ✗ unexpected failure: ${result.key}`);

  if (writeDoc) {
    if (runs.length !== all.length || process.env.TASKLANE_CONFORMANCE_SUITE_CLI) {
      console.log('--doc: not written, this was not a full run of the pinned suite');
    } else {
      const file = resolve(root, 'docs/interop.md');
      writeSection(
        file,
        renderSection(summary, expected, {
          date: new Date().toISOString().slice(0, 10),
          platform: `${process.platform}/${process.arch}, ${cpus().length} cores`,
        }),
      );
      say(`wrote the conformance section of ${file}`);
    }
  }
  process.exit(summary.failed ? 1 : 0);
}

main().catch((error) => fail(error.stack ?? String(error)));
