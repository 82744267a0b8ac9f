#!/usr/bin/env node
// `npm start`: build Tasklane and open it on the demo workspace (demo/).
//
// - With a desktop VS Code on PATH (`code`): code --extensionDevelopmentPath=<repo> <repo>/demo
// - Otherwise: starts a local VS Code server (code-server, installed once by scripts/host/setup.sh
//   into ~/.cache/tasklane-host/) with Tasklane installed as a normal extension (a link to this
//   build), and prints the URL to open in a browser. Port: $PORT if set, else 8080 if free, else a
//   free one. Ctrl-C stops it. The server runs without VS Code's smoke-test driver, which the test
//   launcher needs but which hides every notification: here you see the product as users get it.
//
// Flags/env: --smoke (or TASKLANE_START_SMOKE=1): open the URL in headless Chromium, save
//            test-results/start.png, and exit (a self-check of this script).
//            --no-code (or TASKLANE_NO_CODE=1): use the server even if `code` is on PATH.
//            TASKLANE_SKIP_BUILD=1: don't run `npm run build`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT,
  log,
  runSetup,
  runBuild,
  extensionMain,
  startHost,
  isPortFree,
  freePort,
  launchChromium,
  revealExtensionViews,
  settleWorkbench,
} from './host/host.mjs';

const DEMO = path.join(ROOT, 'demo');
const argv = process.argv.slice(2);
const SMOKE = argv.includes('--smoke') || !!process.env.TASKLANE_START_SMOKE;
const NO_CODE = argv.includes('--no-code') || !!process.env.TASKLANE_NO_CODE;

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, cmd);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      /* next */
    }
  }
  return null;
}

async function choosePort() {
  if (process.env.PORT) {
    const port = Number(process.env.PORT);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`PORT=${process.env.PORT} is not a valid port`);
    if (!(await isPortFree(port))) throw new Error(`PORT=${port} is already in use`);
    return port;
  }
  if (await isPortFree(8080)) return 8080;
  const port = await freePort();
  log(`port 8080 is busy; using ${port}`);
  return port;
}

async function smokeCheck(url) {
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(url, { timeout: 120_000 });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 90_000 });
    await revealExtensionViews(page);
    await settleWorkbench(page);
    const title = await page.title();
    fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    const file = path.join(ROOT, 'test-results', 'start.png');
    await page.screenshot({ path: file });
    log(`smoke check: window title "${title}", screenshot -> ${path.relative(ROOT, file)}`);
    // The smoke-test driver puts `window.driver` on the page; a user's window has none.
    if (await page.evaluate(() => 'driver' in window)) throw new Error('the workbench runs with the smoke-test driver, which hides notifications');
    if (title.includes('Extension Development Host')) throw new Error('Tasklane was loaded as a development extension, not installed');
    const tasksView = page.locator('.pane-header', { hasText: 'Tasks' }).first();
    if (!(await tasksView.isVisible())) throw new Error('the Tasklane view container did not open: is the extension installed?');
  } finally {
    await browser.close().catch(() => {});
  }
}

async function main() {
  if (!process.env.TASKLANE_SKIP_BUILD && !runBuild()) log('warning: package.json has no "build" script; using the existing build');
  const main = extensionMain();
  if (main && !fs.existsSync(main)) throw new Error(`${path.relative(ROOT, main)} is missing; the build did not produce it`);

  const code = !NO_CODE && !SMOKE && which('code');
  if (code) {
    log(`opening the demo workspace in VS Code: ${code} --extensionDevelopmentPath=${ROOT} ${DEMO}`);
    const r = spawnSync(code, [`--extensionDevelopmentPath=${ROOT}`, DEMO], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }

  runSetup();
  const host = await startHost({
    port: await choosePort(),
    smokeDriver: false,
    installExtension: true,
    // Hide the Chat side bar so the demo opens on Tasklane; demo/ sits in this repository, so Git
    // would otherwise offer to open the parent repository in a toast.
    settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'git.openRepositoryInParentFolders': 'never' },
  });
  const url = host.url({ folder: DEMO });
  console.log(`\nTasklane is running: open ${url}\n`);
  console.log(`(VS Code server on ${host.base}, demo workspace ${path.relative(ROOT, DEMO)}/; press Ctrl-C to stop)\n`);

  if (SMOKE) {
    await smokeCheck(url);
    host.stop();
    process.exit(0);
  }
  const { code: exitCode, signal } = await host.exited;
  log(`code-server exited (${exitCode ?? signal}); log: ${host.logFile}`);
  host.keep();
  host.stop();
  process.exit(exitCode || 1);
}

main().catch((e) => {
  console.error(`[start] ${e.message || e}`);
  process.exit(1);
});
