// `npm run test:conformance`: runs the official MCP conformance suite against Tasklane's conformance
// server (dist/conformance-server.js: the standalone server with the suite's fixture tools) and
// prints every check of every scenario.
//
// The suite (@modelcontextprotocol/conformance, pinned below) needs Node >= 22. Both it and a
// Node 22 binary (the npm package node-<platform>-<arch>) are installed OUTSIDE the clone, keyed by
// a hash of the pins:  ${TASKLANE_CONFORMANCE_CACHE:-$HOME/.cache/tasklane-conformance}/<hash>/
// A marker written last makes re-runs a no-op. Needs only the npm registry.
//
// Writes test-results/conformance.json: { passed, failed } count SCENARIOS (a scenario fails when
// any of its checks fails); per-check totals are under "checks". Exits non-zero on any failure.
// There is no expected-failures file: every scenario listed here must pass.
//
// Env: TASKLANE_CONFORMANCE_CACHE  cache root
//      CONFORMANCE_SCENARIOS       comma-separated subset to run (default: all below)
//      For the script's own test (test/unit/conformance/script.test.ts):
//      TASKLANE_CONFORMANCE_SUITE_CLI  a suite CLI to run with this Node instead of the pinned one
//      TASKLANE_CONFORMANCE_URL        a running server to check instead of starting dist/conformance-server.js
//      TASKLANE_CONFORMANCE_RESULTS    where to write the results (default test-results/conformance.json)
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const SUITE = '@modelcontextprotocol/conformance@0.2.0-alpha.12';
const NODE_MAJOR = 22;
const SCENARIOS = [
  'tasks-lifecycle',
  'tasks-capability-negotiation',
  'tasks-wire-fields',
  'tasks-request-state-removal',
  'tasks-mrtr-input',
  'tasks-request-headers',
  'tasks-dispatch-and-envelope',
  'tasks-status-notifications',
  'tasks-required-task-error',
  'tasks-mrtr-composition',
  'server-stateless',
  'http-header-validation',
  'input-required-result-basic-elicitation',
  'input-required-result-basic-sampling',
  'input-required-result-basic-list-roots',
];
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

// --- 3. The scenarios --------------------------------------------------------------------------
function runScenario({ node, cli }, url, scenario, outDir) {
  return new Promise((resolveRun) => {
    const child = spawn(node, [cli, 'server', '--url', url, '--scenario', scenario, '--timeout', String(SCENARIO_TIMEOUT_MS), '-o', outDir], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), SCENARIO_TIMEOUT_MS + 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const dirs = existsSync(outDir) ? readdirSync(outDir).filter((name) => name.startsWith(`server-${scenario}-`)) : [];
      const file = dirs.length ? join(outDir, dirs.sort().pop(), 'checks.json') : undefined;
      const checks = file && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
      resolveRun({ code, checks, output });
    });
  });
}

const MARK = { SUCCESS: '✓', FAILURE: '✗', WARNING: '!', SKIPPED: '-', INFO: 'i' };

async function main() {
  const tools = ensureSuite();
  const wanted = process.env.CONFORMANCE_SCENARIOS
    ? process.env.CONFORMANCE_SCENARIOS.split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : SCENARIOS;
  const given = process.env.TASKLANE_CONFORMANCE_URL;
  const server = given ? { url: given, child: undefined } : await startServer(ensureBuilt()).catch((error) => fail(error.message));
  say(`server (conformance fixtures) at ${server.url}`);
  const outDir = mkdtempSync(join(tmpdir(), 'tasklane-conformance-'));
  const results = [];
  try {
    for (const scenario of wanted) {
      const run = await runScenario(tools, server.url, scenario, outDir);
      const checks = run.checks ?? [
        { id: scenario, status: 'FAILURE', description: 'the suite produced no checks', errorMessage: run.output.trim().split('\n').slice(-5).join(' | ') },
      ];
      const count = (status) => checks.filter((check) => check.status === status).length;
      const failed = count('FAILURE') + (run.code !== 0 && count('FAILURE') === 0 ? 1 : 0);
      const summary = {
        name: scenario,
        status: failed ? 'failed' : checks.every((c) => c.status === 'SKIPPED') ? 'skipped-by-suite' : 'passed',
        passed: count('SUCCESS'),
        failed,
        warnings: count('WARNING'),
        skipped: count('SKIPPED'),
      };
      results.push(summary);
      console.log(
        `\n${failed ? '✗' : '✓'} ${scenario}: ${summary.passed} passed, ${summary.failed} failed, ${summary.warnings} warnings, ${summary.skipped} skipped`,
      );
      for (const check of checks) {
        console.log(`    ${MARK[check.status] ?? '?'} ${check.status.padEnd(7)} ${check.id}: ${check.description ?? check.name ?? ''}`);
        if (check.errorMessage && check.status !== 'SUCCESS') console.log(`              ${String(check.errorMessage).split('\n').join('\n              ')}`);
      }
      if (run.code !== 0 && count('FAILURE') === 0) console.log(`    ✗ the suite exited with ${run.code}:\n${run.output}`);
    }
  } finally {
    server.child?.kill('SIGTERM');
    rmSync(outDir, { recursive: true, force: true });
  }
  const passed = results.filter((r) => !r.failed).length;
  const failed = results.length - passed;
  const sum = (key) => results.reduce((total, r) => total + r[key], 0);
  writeResults({
    passed,
    failed,
    counts: 'scenarios',
    checks: { passed: sum('passed'), failed: sum('failed'), warnings: sum('warnings'), skipped: sum('skipped') },
    suite: SUITE,
    scenarios: results,
  });
  const skippedBySuite = results.filter((r) => r.status === 'skipped-by-suite').map((r) => r.name);
  console.log(
    `\nconformance: ${passed} of ${results.length} scenarios passed, ${failed} failed (${sum('passed')} checks passed, ${sum('failed')} failed, ${sum('warnings')} warnings)`,
  );
  if (skippedBySuite.length) console.log(`note: the suite itself skips every check of ${skippedBySuite.join(', ')} in ${SUITE}`);
  process.exit(failed ? 1 : 0);
}

main().catch((error) => fail(error.stack ?? String(error)));
