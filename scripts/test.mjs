// `npm test`: lints (`npm run lint`: no warnings allowed), builds, runs the unit suite (plain Node),
// the integration suite (a real VS Code extension host), the UI suite (the workbench used as a person does, without the smoke-test
// driver), the official MCP conformance suite and the SIGKILL soak (scripts/reliability.mjs,
// which also writes docs/reliability.md), then prints one summary line for all:
// "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// The integration launcher would build again; the build step above already did.
const run = (script) => spawnSync(npm, ['run', '--silent', script], { stdio: 'inherit', env: { ...process.env, TASKLANE_SKIP_BUILD: '1' } }).status ?? 1;
const counts = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);

rmSync('test-results/unit.json', { force: true });
rmSync('test-results/integration.json', { force: true });
rmSync('test-results/ui.json', { force: true });
rmSync('test-results/conformance.json', { force: true });
rmSync('test-results/reliability.json', { force: true });

// Lint first. A lint error fails the run, but the suites still run, so one run shows everything wrong.
const lint = run('lint');

const steps = [
  ['lint', lint],
  ['build', run('build')],
  ['unit', run('test:unit')],
  ['integration', run('test:integration')],
  ['ui', run('test:ui')],
  ['conformance', run('test:conformance')],
  // Last: the SIGKILL soak, then docs/reliability.md from every suite's recorded counts.
  ['reliability', spawnSync(process.execPath, ['scripts/reliability.mjs'], { stdio: 'inherit' }).status ?? 1],
];

let passed = 0;
let failed = 0;
/** Each failed test by suite and title, said again just above the summary line. */
const failedTests = [];
for (const [suite, file] of [
  ['unit', 'test-results/unit.json'],
  ['integration', 'test-results/integration.json'],
  // The workbench driven through its UI (palette, clicks, what is on screen).
  ['ui', 'test-results/ui.json'],
  // The official conformance suite: each run (a scenario at one protocol version) counts as one
  // test. Its expected failures (scripts/conformance/expectedFailures.mjs, each with a reason)
  // count in neither number; they are said on a line of their own.
  ['conformance', 'test-results/conformance.json'],
  // The soak's checks (the unit-level reliability tests are counted with the unit suite).
  ['reliability', 'test-results/reliability.json'],
]) {
  const result = counts(file);
  if (result) {
    passed += result.passed;
    failed += result.failed;
    for (const { title, error } of result.failures ?? []) failedTests.push(`${suite}: ${title}${error ? ` (${error})` : ''}`);
    if (result.expectedFailures) console.log(`${suite}: ${result.expectedFailures} expected failures, not counted below (reasons in docs/interop.md)`);
  } else {
    // A suite that could not even start counts as one failure, so the line never hides it.
    console.error(`${suite}: no results were recorded`);
    failed += 1;
  }
}
// Lint records no per-test results: a failed lint counts as one failure, so the line never hides it.
if (lint !== 0) failed += 1;
if (failedTests.length) console.error(`failed tests:\n${failedTests.map((line) => `  ${line}`).join('\n')}`);
const broken = steps.filter(([, status]) => status !== 0).map(([name]) => name);
if (broken.length) console.error(`failed steps: ${broken.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(broken.length || failed ? 1 : 0);
