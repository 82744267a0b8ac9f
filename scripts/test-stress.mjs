#!/usr/bin/env node
// `npm run test:stress`: runs the full `npm test` several times in a row on a loaded machine (one
// CPU-burning process per core beside it) and reports the counts of each run and in total, ending
// with a plain "N passed, N failed" line. A flaky test shows up here as a failure in some run.
//
// Env: TASKLANE_STRESS_RUNS     how many runs (default 5)
//      TASKLANE_STRESS_COMMAND  the command each run executes, through the shell (default `npm test`)
//      TASKLANE_STRESS_BURNERS  how many CPU burners (default: one per core)
//
// Each run's counts come from its last line of the form "N passed, N failed" (what `npm test`
// prints last); a run that prints none counts as one failure. The burners are killed when this
// script ends, however it ends; each also stops by itself once this script is gone.
import { spawn } from 'node:child_process';
import os from 'node:os';

const RUNS = Number(process.env.TASKLANE_STRESS_RUNS || 5);
const COMMAND = process.env.TASKLANE_STRESS_COMMAND || 'npm test';
const BURNERS = Number(process.env.TASKLANE_STRESS_BURNERS || (os.availableParallelism?.() ?? os.cpus().length));
// Also a single suite's own last line ("unit: N passed, N failed").
const COUNTS = /^(?:[a-z]+: )?(\d+) passed, (\d+) failed\s*$/;

const ANSI = /\x1b\[[0-9;]*m/g;

if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error(`TASKLANE_STRESS_RUNS must be a positive integer, not ${process.env.TASKLANE_STRESS_RUNS}`);
  process.exit(2);
}

// --- the load ------------------------------------------------------------------------------------
// Spins for half a second at a time, then checks that its parent still lives (so it never outlives us).
const BURN =
  'const parent = Number(process.argv[1]); for (;;) { const t = Date.now(); while (Date.now() - t < 500); try { process.kill(parent, 0); } catch { process.exit(0); } }';
const burners = [];
function startBurners() {
  for (let i = 0; i < BURNERS; i++) burners.push(spawn(process.execPath, ['-e', BURN, String(process.pid)], { stdio: 'ignore' }));
}
function stopBurners() {
  for (const burner of burners.splice(0)) {
    try {
      burner.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
/** The run in progress: its own process group, so that stopping early stops all of it. */
let current;
process.on('exit', stopBurners);
for (const [signal, number] of [
  ['SIGINT', 2],
  ['SIGTERM', 15],
  ['SIGHUP', 1],
]) {
  process.on(signal, () => {
    stopBurners();
    if (current) {
      try {
        process.kill(-current.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    process.exit(128 + number);
  });
}

// --- the runs ------------------------------------------------------------------------------------
/** Runs the command once, passing its output through; resolves with its exit code and last counts line. */
function runOnce() {
  return new Promise((resolve) => {
    const child = spawn(COMMAND, { shell: true, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    current = child;
    let counts;
    let pending = '';
    const scan = (text) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        const match = COUNTS.exec(line.replace(ANSI, ''));
        if (match) counts = { passed: Number(match[1]), failed: Number(match[2]) };
      }
    };
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      scan(String(chunk));
    });
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.on('close', (code, signal) => {
      current = undefined;
      scan('\n');
      resolve({ code: code ?? 128, signal, counts });
    });
  });
}

async function main() {
  startBurners();
  console.log(`[stress] ${RUNS} run(s) of \`${COMMAND}\` beside ${burners.length} CPU burner(s) on ${os.cpus().length} core(s)`);
  const results = [];
  for (let i = 1; i <= RUNS; i++) {
    const started = Date.now();
    console.log(`[stress] run ${i} of ${RUNS}`);
    const { code, signal, counts } = await runOnce();
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    // A run that printed no counts (it crashed, or never got that far) is one failure, never nothing.
    const result = counts ?? { passed: 0, failed: 1 };
    results.push({ ...result, code, signal, seconds, reported: !!counts });
    console.log(
      `[stress] run ${i}: ${result.passed} passed, ${result.failed} failed (exit ${signal ?? code}, ${seconds} s)${counts ? '' : ' (no counts line: counted as 1 failure)'}`,
    );
  }
  stopBurners();

  console.log('\n[stress] per run:');
  for (const [i, r] of results.entries()) console.log(`  run ${i + 1}: ${r.passed} passed, ${r.failed} failed (exit ${r.signal ?? r.code}, ${r.seconds} s)`);
  const passed = results.reduce((sum, r) => sum + r.passed, 0);
  const failed = results.reduce((sum, r) => sum + r.failed, 0);
  const badExits = results.filter((r) => r.code !== 0).length;
  console.log(`[stress] total over ${RUNS} run(s)${badExits ? `, ${badExits} with a non-zero exit` : ''}:`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed || badExits ? 1 : 0);
}

main().catch((error) => {
  console.error(`[stress] ${error.stack ?? error}`);
  stopBurners();
  process.exit(2);
});
