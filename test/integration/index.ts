// Entry of the integration suite: VS Code's extension host calls run() (extensionTestsPath points
// at the compiled folder, out/test/integration). Used by both launchers:
// scripts/test-integration.mjs (offline, code-server) and test/integration/electron.mjs (@vscode/test-electron).
import * as fs from 'fs';
import type * as zod from 'zod';
import * as path from 'path';
import type * as MochaModule from 'mocha';
import { RELOAD_REQUESTED_FILE } from './reloadState';

// mocha 12 ships as ESM (index.js re-exports lib/mocha.cjs); require() of it returns a namespace
// whose default is the Mocha class, while mocha <= 11 returns the class itself. Accept both.
const mochaModule = require('mocha') as typeof MochaModule & { default?: typeof MochaModule };
const Mocha = mochaModule.default ?? mochaModule;

// The suite loads src modules (and their zod) unbundled, beside the extension's bundle. zod reads
// the global `navigator` when it builds its first object schema unless told not to compile
// parsers; VS Code logs such a read once per extension, as the first reader's, and would credit
// the suite's read to Tasklane, hiding a read by the bundle (hostLog.test.ts checks there is none).

(require('zod') as typeof zod).config({ jitless: true });

export function run(): Promise<void> {
  // After the first phase reloaded the window, the same module runs the after-reload checks.
  if (process.env.TASKLANE_RELOAD_PHASE && fs.existsSync(RELOAD_REQUESTED_FILE)) {
    fs.rmSync(RELOAD_REQUESTED_FILE);
    return runTestsIn(path.join(__dirname, 'reload'));
  }
  return runTestsIn(__dirname);
}

/** Runs every `*.test.js` directly in `dir` (not in sub-folders: those are later phases). */
export function runTestsIn(dir: string): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, reporter: 'spec' });
  // The output goes through the workbench's log, not a terminal: no ANSI colors. (The constructor
  // ignores `color: false`. Mocha 12 still colors its ✔/✗ symbols when CI is set; the offline
  // runner strips escape codes unless its stdout is a terminal.)
  mocha.options.color = false;
  // TASKLANE_TEST_GREP runs only the matching tests (the launcher then skips the reload phase).
  if (process.env.TASKLANE_TEST_GREP) mocha.grep(process.env.TASKLANE_TEST_GREP);
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.js'))
    .sort();
  for (const f of files) mocha.addFile(path.join(dir, f));

  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const passed = runner.stats?.passes ?? 0;
        const failed = runner.stats?.failures ?? failures;
        console.log(`INTEGRATION_RESULT passed=${passed} failed=${failed}`);
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed.`));
        else resolve();
      });
      // Each failure's title on a line of its own, for the summary `npm test` prints last.
      runner.on('fail', (test, err: unknown) => {
        const error = String((err as Error | undefined)?.message ?? err)
          .split('\n')[0]
          .slice(0, 300);
        console.log(`INTEGRATION_FAILED ${JSON.stringify({ title: test.fullTitle(), error })}`);
      });
    } catch (err) {
      // A test file that fails to load (syntax error, missing module) lands here.
      console.error(err);
      console.log(`INTEGRATION_RESULT passed=0 failed=${Math.max(1, files.length)}`);
      reject(err);
    }
  });
}
