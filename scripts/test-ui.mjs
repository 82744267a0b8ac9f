#!/usr/bin/env node
// `npm run test:ui`: the UI suite (test/ui/*.test.mjs), which uses the workbench the way a person
// does: command palette, clicks on view actions and rows, typing, reading what is on screen.
//
// It starts one VS Code server WITHOUT the smoke-test driver (which hides every notification), with
// Tasklane installed as a normal extension (a link to this build), opens one headless Chromium page
// on a fresh temporary copy of test/fixtures/workspace, and runs the suite with mocha in this Node
// process. Tests get the page from test/ui/workbench.mjs `session()`.
//
// Exit code: 0 when every test passed, 1 on failures, 124 on timeout, 2 on launcher errors.
// Writes test-results/ui.json {passed, failed, rowTimesMs}, screenshots the tests take, and
// test-results/ui-failure-<test>.png for each failing test.
//
// Env: TASKLANE_UI_GREP=<pattern>   run only the tests whose full title matches
//      TASKLANE_UI_TIMEOUT_MS      timeout for the whole suite (default 300000)
//      TASKLANE_SKIP_BUILD=1       don't run `npm run build` first
//      TASKLANE_HOST_KEEP_TMP=1    keep the host's temporary dir (code-server log, user data, workspace)
//      VERBOSE=1                   show the browser's console output
import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import { ROOT, log, runSetup, runBuild, extensionMain, startHost, launchChromium, settleWorkbench } from './host/host.mjs';
import { paneHeader } from '../test/ui/workbench.mjs';
import { failedTest } from './failedTest.mjs';

const SUITE_DIR = path.join(ROOT, 'test', 'ui');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'workspace');
const RESULTS = path.join(ROOT, 'test-results');
const RESULT_JSON = path.join(RESULTS, 'ui.json');
const TIMEOUT_MS = Number(process.env.TASKLANE_UI_TIMEOUT_MS) || 5 * 60_000;
const VIEWPORT = { width: 1400, height: 900 };

const SETTINGS = {
  'workbench.colorTheme': 'Light Modern',
  // The side bar is the subject: no Chat side bar, and no Git toast about the repository this
  // fixture's copy does not sit in anyway (it lives in the host's temp dir).
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.openRepositoryInParentFolders': 'never',
};

/** Opens the workbench on the workspace with the Tasks view showing, tall enough for every row. */
async function openWorkbench(browser, url) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  // No step waits longer than this unless it says so (playwright's default is 30 s).
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  if (process.env.VERBOSE) page.on('console', (m) => console.error(`[browser:${m.type()}] ${m.text().slice(0, 300)}`));
  await page.goto(url, { timeout: 120_000 });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 90_000 });
  // The smoke-test driver puts `window.driver` on the page; this suite is about the window users get.
  if (await page.evaluate(() => 'driver' in window)) throw new Error('the workbench runs with the smoke-test driver, which hides toasts');
  const container = page.locator('.part.activitybar li.action-item:has(> a.action-label[aria-label^="Tasklane"])').first();
  await container.waitFor({ timeout: 90_000 });
  if ((await container.getAttribute('aria-selected')) !== 'true') await container.click();
  // The tree is virtualized: give the Tasks view the whole side bar.
  for (const [view, expanded] of [
    ['Archive', false],
    ['Servers', false],
    ['Tasks', true],
  ]) {
    const header = page.locator(`.part.sidebar .pane > ${paneHeader(view)}`);
    await header.waitFor({ timeout: 60_000 });
    if (((await header.getAttribute('aria-expanded')) === 'true') !== expanded) await header.click();
  }
  await widenSideBar(page, 560);
  // The extension is up once the Tasks view shows its welcome text (no tasks yet) or rows.
  await page
    .locator(`.part.sidebar .pane:has(> ${paneHeader('Tasks')}) .pane-body`)
    .locator('.welcome-view-content, .monaco-list-row')
    .first()
    .waitFor({ timeout: 90_000 });
  // Let the workbench finish starting (extensions activating, views loading) before the first click.
  await settleWorkbench(page);
  return { page, context };
}

/** Drags the side bar's edge, as a person would, so rows show their descriptions in full. */
async function widenSideBar(page, width) {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || box.width >= width) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 5 });
  await page.mouse.up();
  const after = await page.locator('.part.sidebar').boundingBox();
  if (!after || after.width < width - 20) log(`warning: could not widen the side bar (${box.width} -> ${after?.width} px)`);
}

async function runSuite(page, workspace) {
  const rowTimesMs = [];
  globalThis.__tasklaneUiSession = {
    page,
    workspace,
    resultsDir: RESULTS,
    log: (...args) => console.log('      ·', ...args),
    /** Tests report each measured row-appearance time here, for ui.json. */
    recordRowTime: (entry) => rowTimesMs.push(entry),
  };
  const grep = process.env.TASKLANE_UI_GREP;
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 120_000,
    reporter: 'spec',
    ...(grep ? { grep } : {}),
  });
  for (const file of fs
    .readdirSync(SUITE_DIR)
    .filter((f) => f.endsWith('.test.mjs'))
    .sort())
    mocha.addFile(path.join(SUITE_DIR, file));
  await mocha.loadFilesAsync();
  let passed = 0;
  let failed = 0;
  const failures = [];
  const shots = [];
  await new Promise((resolve) => {
    const runner = mocha.run();
    runner.on('pass', () => passed++);
    runner.on('fail', (test, err) => {
      failed++;
      failures.push(failedTest(test, err));
      // What the screen showed when a test or hook failed (taken at once, while the next one starts).
      const name = `ui-failure-${test
        .fullTitle()
        .replace(/[^\w-]+/g, '-')
        .slice(0, 80)}`;
      shots.push(
        page.screenshot({ path: path.join(RESULTS, `${name}.png`) }).then(
          () => console.log(`      · failure screenshot -> test-results/${name}.png`),
          () => undefined,
        ),
      );
    });
    runner.on('end', resolve);
  });
  await Promise.all(shots);
  return { passed, failed, failures, rowTimesMs };
}

async function main() {
  runSetup({ quiet: true });
  if (!process.env.TASKLANE_SKIP_BUILD) runBuild();
  const main = extensionMain();
  if (main && !fs.existsSync(main)) throw new Error(`${path.relative(ROOT, main)} is missing; build the extension first (npm run build)`);
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.rmSync(RESULT_JSON, { force: true });
  for (const f of fs.readdirSync(RESULTS)) if (f.startsWith('ui-failure-')) fs.rmSync(path.join(RESULTS, f));

  const started = Date.now();
  const timer = setTimeout(() => {
    console.error(`[test-ui] timeout: the suite did not finish in ${TIMEOUT_MS} ms`);
    process.exit(124); // the exit handlers stop the host; playwright closes the browser
  }, TIMEOUT_MS);
  timer.unref();

  const host = await startHost({ smokeDriver: false, installExtension: true, settings: SETTINGS });
  // A fresh copy per run, inside the host's temp dir (removed with it), so runs never dirty the repo.
  const workspace = path.join(host.tmp, 'workspace');
  fs.cpSync(FIXTURE, workspace, { recursive: true });
  log(`code-server up on ${host.base} (no smoke-test driver; Tasklane installed from this build)`);
  const browser = await launchChromium();
  const { page, context } = await openWorkbench(browser, host.url({ folder: workspace }));
  log(`workbench ready on ${path.basename(workspace)}/ after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const result = await runSuite(page, workspace);
  const seconds = (Date.now() - started) / 1000;
  fs.writeFileSync(
    RESULT_JSON,
    JSON.stringify({ passed: result.passed, failed: result.failed, failures: result.failures, seconds, rowTimesMs: result.rowTimesMs }, null, 2) + '\n',
  );
  log(`ui: ${result.passed} passed, ${result.failed} failed in ${seconds.toFixed(1)} s -> ${path.relative(ROOT, RESULT_JSON)}`);

  if (result.failed) host.keep();
  await context.close().catch(() => undefined);
  await browser.close().catch(() => undefined);
  host.stop();
  process.exit(result.failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`[test-ui] ${e.stack || e}`);
  process.exit(2);
});
