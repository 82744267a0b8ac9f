#!/usr/bin/env node
// Real-host activation benchmark: opens a real VS Code workbench (code-server + headless Chromium,
// scripts/host/host.mjs) on an empty workspace with the extension at <extensionDir>, and loads the
// probe out/bench/host (its run() prints what activate() measured). The first window finds the
// workspace storage; then, for each run, the launcher writes a store of <tasks> tasks there and
// opens the window again, so activate() opens that store as a user's window would.
//
//   node bench/host/activation.mjs <extensionDir> <tasks> <runs> <result.json>
//
// Writes {runs: [{activationMs, tasks, interrupted, ...}], empty: {...}} to result.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { createRequire } from 'node:module';
import { ROOT, log, startHost, launchChromium } from '../../scripts/host/host.mjs';

const [extensionDir, tasksArg, runsArg, resultFile] = process.argv.slice(2);
const TASKS = Number(tasksArg);
const RUNS = Number(runsArg);
const PROBE = path.join(ROOT, 'out', 'bench', 'host');
const PREFIX = 'TASKLANE_BENCH_ACTIVATION ';
const require = createRequire(import.meta.url);
const { writeStoreFile } = require(path.join(ROOT, 'out', 'bench', 'storeScale.js'));

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-bench-ws-'));
const host = await startHost();
let browser;
try {
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  let waiting = null;
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const msg = util.format(...(Array.isArray(args) ? args : [args]));
    const at = msg.indexOf(PREFIX);
    if (at >= 0 && waiting) waiting.resolve(JSON.parse(msg.slice(at + PREFIX.length)));
  });
  await page.exposeFunction('codeAutomationExit', (code) => {
    if (Number(code) !== 0 && waiting) waiting.reject(new Error(`the probe exited with ${code}`));
  });
  const url = host.url({ folder: workspace, extensionDevelopmentPath: extensionDir, extensionTestsPath: PROBE });
  const openWindow = async () => {
    const result = new Promise((resolve, reject) => (waiting = { resolve, reject }));
    const timer = setTimeout(() => waiting?.reject(new Error('no activation result within 180 s')), 180_000);
    await page.goto(url, { timeout: 120_000 });
    try {
      return await result;
    } finally {
      clearTimeout(timer);
      waiting = null;
    }
  };
  const empty = await openWindow();
  log(`empty store: activate() ${empty.activationMs.toFixed(1)} ms; storage ${empty.storageDirectory}`);
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    // A fresh store each run (the last run's activation wrote to it), written beside and renamed in:
    // every file the writer made, whatever the store keeps on disk, in place of what was there.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-bench-store-'));
    writeStoreFile(scratch, TASKS);
    fs.rmSync(empty.storageDirectory, { recursive: true, force: true });
    fs.mkdirSync(empty.storageDirectory, { recursive: true });
    for (const file of fs.readdirSync(scratch)) fs.renameSync(path.join(scratch, file), path.join(empty.storageDirectory, file));
    fs.rmSync(scratch, { recursive: true, force: true });
    const run = await openWindow();
    log(`run ${i + 1}: activate() ${run.activationMs.toFixed(1)} ms with ${run.tasks} tasks (${run.interrupted} interrupted by restart)`);
    runs.push(run);
  }
  fs.writeFileSync(resultFile, JSON.stringify({ empty, runs }, null, 2) + '\n');
  await context.close();
} finally {
  await browser?.close().catch(() => {});
  host.stop();
  fs.rmSync(workspace, { recursive: true, force: true });
}
process.exit(0);
