// Runs the unit suite with mocha's programmatic API and ends with the plain summary line CI reads.
import Mocha from 'mocha';
import { existsSync, readdirSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failedTest } from './failedTest.mjs';

const root = 'out/test/unit';
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    // A compiled test whose source was deleted or moved stays in out/ until it is cleaned: skip it.
    else if (name.endsWith('.test.js') && existsSync(full.replace(/^out[\\/]/, '').replace(/\.js$/, '.ts'))) files.push(full);
  }
})(root);

const grep = process.env.TEST_GREP;
// Longer than a waitFor's default deadline (test/unit/helpers/waitFor.ts: 20 s, 40 s on CI), so a
// wait that runs out fails with what it waited for rather than with mocha's bare timeout.
const timeout = process.env.CI ? 90_000 : 45_000;
const mocha = new Mocha({ ui: 'bdd', timeout, reporter: process.env.CI ? 'dot' : 'spec', ...(grep ? { grep } : {}) });
for (const file of files.sort()) mocha.addFile(join(process.cwd(), file));

let passed = 0;
let failed = 0;
/** What failed, for the summary `npm test` prints last (CI often shows only the end of the output). */
const failures = [];
const runner = mocha.run();
runner.on('pass', () => passed++);
runner.on('fail', (test, err) => {
  failed++;
  failures.push(failedTest(test, err));
});
runner.on('end', () => {
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/unit.json', JSON.stringify({ passed, failed, failures }) + '\n');
  console.log(`\nunit: ${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
  // Child processes or sockets a failing test left behind must not keep the run alive.
  setTimeout(() => process.exit(process.exitCode), 1000).unref();
});
