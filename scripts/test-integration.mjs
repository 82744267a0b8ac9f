#!/usr/bin/env node
// Offline integration-test launcher: runs the compiled mocha suite (out/test/integration, whose
// index exports run()) inside a real VS Code extension host (code-server + headless Chromium),
// with this project loaded as extensionDevelopmentPath and test/fixtures/workspace as the folder.
//
//   npm run test:integration        (compiles the suite with tsc, then runs this file)
//
// Exit code: the suite's (0 = all passed, 1 = failures or load error), 124 on timeout, 2 on launcher errors.
// Writes test-results/integration.json {passed, failed} and, after a passing run,
// test-results/workbench-light.png and workbench-dark.png (screenshot failures are only warnings).
// While the suite runs it answers two requests the suite writes into the host's temp dir: a
// screenshot of a live scene (serveScreenshot), and the rendered DOM of the open webviews, which
// only the browser sees (serveUiRequest).
//
// Env: TASKLANE_HOST_TIMEOUT_MS   timeout for the suite (default 600000)
//      TASKLANE_SKIP_BUILD=1      don't run `npm run build` first
//      TASKLANE_SCREENSHOTS=0     skip the screenshots
//      TASKLANE_HOST_KEEP_TMP=1   keep the host's temporary dir (code-server log, user data)
//      VERBOSE=1                  show all workbench log lines and browser console output
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { ROOT, log, runSetup, runBuild, extensionMain, startHost, launchChromium, revealExtensionViews, settleWorkbench } from './host/host.mjs';
import { serveUiRequest } from './host/uiDriver.mjs';

const TESTS = path.join(ROOT, 'out', 'test', 'integration');
const RELOAD_TESTS = path.join(TESTS, 'reload');
// Tells the suite (through the extension host's environment) that this launcher follows a window reload.
process.env.TASKLANE_RELOAD_PHASE = '1';
// Tells the suite that this launcher answers its requests for the browser's view (serveUiRequest).
process.env.TASKLANE_UI_REQUESTS = '1';
const WORKSPACE = path.join(ROOT, 'test', 'fixtures', 'workspace');
// Installed in the host beside Tasklane (the workbench loads only one development extension): a
// language model that echoes, so sampling goes through VS Code's real language-model API.
const TEST_EXTENSIONS = [path.join(ROOT, 'test', 'fixtures', 'lm-provider')];
const RESULTS = path.join(ROOT, 'test-results');
const RESULT_JSON = path.join(RESULTS, 'integration.json');
const TIMEOUT_MS = Number(process.env.TASKLANE_HOST_TIMEOUT_MS) || 10 * 60_000;
const VERBOSE = !!process.env.VERBOSE;
const VIEWPORT = { width: 1400, height: 900 };
// VS Code 1.139 names for "Default Light Modern"/"Default Dark Modern". The old names still work but
// make the workbench migrate (rewrite) settings.json, which races with our own writes.
const THEMES = [
  ['light', 'Light Modern'],
  ['dark', 'Dark Modern'],
];

// Workbench/server chatter that is not about our tests (offline look-ups, agent/chat services).
const NOISE = new RegExp(
  [
    /^\[(AgentHost[^\]]*|AccountPolicyGate|ChatModelSelection|reconnection-grace-time|Service Worker|lifecycle)\]/,
    /^Creating a socket|^Resolv(ing|ed) connection token|^Updating additional builtin extensions cache/,
    /^Creation of workbench contribution|^Timed out waiting for authentication provider/,
    /ENOTFOUND|EAI_AGAIN|getaddrinfo|ERR_NAME_NOT_RESOLVED/,
  ]
    .map((r) => r.source)
    .join('|'),
);
const RESULT_RE = /INTEGRATION_RESULT passed=(\d+) failed=(\d+)/;
const FAILED_RE = /INTEGRATION_FAILED (\{.*\})/;
/** Titles of the failed tests of every phase, for integration.json. */
const failures = [];

let T_OPEN = Date.now();
/**
 * Opens one browser page for the suite. `run(testsPath)` loads the workbench with that test module
 * and resolves with its exit code and counts. Running it again on the same page is a window reload:
 * the browser keeps the workbench's storage, so open editors (and our detail panels) come back.
 */
async function openSuitePage(host, browser) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  let result = null;
  let finish = () => {};

  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const msg = util.format(...(Array.isArray(args) ? args : [args]));
    const afterResult = !!result; // after the suite's result line comes only the workbench's shutdown chatter
    const m = RESULT_RE.exec(msg);
    if (m && !result) result = { passed: Number(m[1]), failed: Number(m[2]) };
    const failure = FAILED_RE.exec(msg);
    if (failure) {
      try {
        failures.push(JSON.parse(failure[1]));
      } catch {
        failures.push({ title: failure[1], error: '' });
      }
    }
    if (!VERBOSE && (afterResult || NOISE.test(msg))) return;
    (type === 'error' ? console.error : console.log)(VERBOSE ? `[${((Date.now() - T_OPEN) / 1000).toFixed(1)}s] ${msg}` : msg);
  });
  await page.exposeFunction('codeAutomationExit', (code) => finish({ code: Number(code) }));
  if (VERBOSE) page.on('console', (m) => console.error(`[${((Date.now() - T_OPEN) / 1000).toFixed(1)}s browser:${m.type()}] ${m.text().slice(0, 300)}`));
  page.on('pageerror', (e) => {
    if (VERBOSE || (!result && !NOISE.test(e.message))) console.error('[pageerror]', e.message);
  });
  page.on('crash', () => finish({ code: 1, why: 'the workbench page crashed' }));
  browser.on('disconnected', () => finish({ code: 1, why: 'the browser went away' }));

  /** Waits for the suite that is loading now to report; `open` starts it. */
  async function awaitSuite(open) {
    result = null;
    const done = new Promise((resolve) => {
      finish = resolve;
    });
    const timer = setTimeout(() => finish({ code: 124, why: `timeout: no test result after ${TIMEOUT_MS} ms` }), TIMEOUT_MS);
    T_OPEN = Date.now();
    open?.();
    // The suite asks for screenshots of live scenes through files in the host's temp dir.
    // It also reads and drives the workbench for tests that use it as a person does (host/uiDriver.mjs),
    // and reads a webview's rendered DOM (serveDomRequest).
    const watcher = setInterval(() => {
      void serveScreenshot(page, host);
      void serveWebviewClick(page, host);
      void servePageProbe(page, host);
      void serveUiRequest(page, path.join(host.tmp, 'tmp'), RESULTS, log);
      void serveDomRequest(page, host);
    }, 100);
    const outcome = await done;
    clearInterval(watcher);
    clearTimeout(timer);
    if (outcome.why) console.error(`[test-integration] ${outcome.why}`);
    // Log messages travel separately from the exit call; give a straggling result line a moment.
    for (let i = 0; i < 20 && !result && outcome.code !== 124; i++) await new Promise((r) => setTimeout(r, 100));
    return { code: outcome.code, result };
  }

  function run(testsPath) {
    const url = host.url({ folder: WORKSPACE, extensionDevelopmentPath: ROOT, extensionTestsPath: testsPath });
    if (VERBOSE) log('opening', url);
    return awaitSuite(() => page.goto(url).catch((e) => finish({ code: 2, why: `could not open the workbench: ${e.message}` })));
  }

  /**
   * Reloads the window the way a person does (Developer: Reload Window): the workbench saves its
   * state and comes back with the same test module, which then runs the after-reload phase.
   */
  const afterReload = () =>
    awaitSuite(async () => {
      try {
        await page.locator('.part.statusbar').waitFor({ timeout: 30_000 });
        await page.keyboard.press('F1');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor({ timeout: 10_000 });
        await input.fill('>Developer: Reload Window');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Reload Window' }).first().waitFor({ timeout: 10_000 });
        await page.keyboard.press('Enter');
      } catch (e) {
        finish({ code: 2, why: `could not reload the window: ${String(e.message).split('\n')[0]}` });
      }
    });

  return { run, afterReload, close: () => context.close().catch(() => {}) };
}

let clicking = false;
/**
 * Clicks, as a person does, the first element matching the CSS selector the suite asked for
 * (tasklane-webview-click-request) in the open webview, and says so (…-done: "ok" or the error).
 */
async function serveWebviewClick(page, host) {
  const scratch = path.join(host.tmp, 'tmp');
  const request = path.join(scratch, 'tasklane-webview-click-request');
  if (clicking || !fs.existsSync(request)) return;
  clicking = true;
  let outcome = 'ok';
  try {
    const selector = fs.readFileSync(request, 'utf8').trim();
    fs.rmSync(request, { force: true });
    await page.frameLocator('iframe.webview.ready').first().frameLocator('iframe#active-frame').locator(selector).first().click({ timeout: 20_000 });
  } catch (e) {
    outcome = `error: ${String(e.message).split('\n')[0]}`;
  } finally {
    fs.writeFileSync(path.join(scratch, 'tasklane-webview-click-done'), outcome);
    clicking = false;
  }
}

let shooting = false;
/** Takes the screenshot the suite asked for (tasklane-screenshot-request) and says so (…-done). */
async function serveScreenshot(page, host) {
  const scratch = path.join(host.tmp, 'tmp');
  const request = path.join(scratch, 'tasklane-screenshot-request');
  if (shooting || !fs.existsSync(request)) return;
  shooting = true;
  try {
    const [rawName, themeClass] = fs.readFileSync(request, 'utf8').trim().split(/\s+/);
    const name = rawName.replace(/[^\w-]/g, '');
    fs.rmSync(request, { force: true });
    if (themeClass) {
      await page
        .waitForFunction((c) => document.querySelector('.monaco-workbench')?.classList.contains(c), themeClass, { timeout: 15_000 })
        .catch(() => log(`warning: the workbench did not switch to the ${themeClass} theme`));
    }
    await settleWorkbench(page, { timeout: 5_000 });
    fs.mkdirSync(RESULTS, { recursive: true });
    const file = path.join(RESULTS, `${name}.png`);
    await page.screenshot({ path: file });
    log(`screenshot -> ${path.relative(ROOT, file)}`);
    fs.writeFileSync(path.join(scratch, 'tasklane-screenshot-done'), name);
  } catch (e) {
    log(`warning: screenshot failed (${String(e.message).split('\n')[0]})`);
  } finally {
    shooting = false;
  }
}

let probing = false;
/**
 * Reads what the visible detail panel shows, for the suite (tasklane-page-request, JSON
 * {"title", "themeClass"?, "scroll"?, "click"?} -> tasklane-page-done, JSON): waits for the theme and
 * until the page's heading is `title`, optionally scrolls an element into view, reports the page's text, timeline rows, its
 * colours and the editor tabs, then optionally clicks an element (as a person does). Tests
 * assert on what a person sees, not only on the messages sent to the page.
 */
async function servePageProbe(page, host) {
  const scratch = path.join(host.tmp, 'tmp');
  const request = path.join(scratch, 'tasklane-page-request');
  const done = path.join(scratch, 'tasklane-page-done');
  if (probing || !fs.existsSync(request)) return;
  probing = true;
  let answer;
  try {
    const ask = JSON.parse(fs.readFileSync(request, 'utf8'));
    fs.rmSync(request, { force: true });
    if (ask.themeClass) {
      await page.waitForFunction((c) => document.querySelector('.monaco-workbench')?.classList.contains(c), ask.themeClass, { timeout: 15_000 });
    }
    const deadline = Date.now() + 30_000;
    let frame;
    for (;;) {
      for (const iframe of await page.locator('iframe.webview.ready').all()) {
        if (!(await iframe.isVisible().catch(() => false))) continue;
        const inner = iframe.contentFrame().locator('iframe#active-frame').contentFrame();
        const heading = await inner
          .locator('#app h1')
          .textContent({ timeout: 500 })
          .catch(() => null);
        if (heading === ask.title) frame = inner;
      }
      if (frame || Date.now() > deadline) break;
      await page.waitForTimeout(100);
    }
    if (!frame) throw new Error(`no visible detail panel shows "${ask.title}"`);
    if (ask.scroll)
      await frame
        .locator(ask.scroll)
        .first()
        .scrollIntoViewIfNeeded({ timeout: 5_000 })
        .catch(() => {});
    const shown = await frame.locator('body').evaluate((body) => {
      const colour = (value) => {
        const probe = document.createElement('span');
        probe.style.color = value;
        body.append(probe);
        const result = getComputedStyle(probe).color;
        probe.remove();
        return result;
      };
      const id = body.querySelector('.fact code');
      return {
        text: body.querySelector('#app').innerText,
        timelineRows: [...body.querySelectorAll('.timeline tbody tr')].map((row) => [...row.cells].map((cell) => cell.innerText.trim())),
        documentTitle: document.title,
        idColor: id ? getComputedStyle(id).color : null,
        textColor: getComputedStyle(body).color,
        errorColor: colour('var(--vscode-errorForeground)'),
        preformatColor: colour('var(--vscode-textPreformat-foreground)'),
      };
    });
    const tabs = await page.locator('.tabs-container .tab').evaluateAll((list) =>
      list.map((tab) => ({
        label: tab.querySelector('.label-name')?.textContent ?? tab.textContent?.trim() ?? '',
        active: tab.classList.contains('active'),
        italic: tab.classList.contains('italic'),
      })),
    );
    answer = { ok: true, ...shown, tabs };
    if (ask.click) await frame.locator(ask.click).first().click({ timeout: 5_000 });
  } catch (e) {
    answer = { ok: false, error: String(e.message).split('\n')[0] };
  } finally {
    // Written whole, then renamed: the suite polls for the file and must never read half of it.
    fs.writeFileSync(`${done}.tmp`, JSON.stringify(answer ?? { ok: false, error: 'no answer' }));
    fs.renameSync(`${done}.tmp`, done);
    probing = false;
  }
}

let answering = false;
/**
 * Answers the suite's requests for what only the browser can see or do. The suite writes
 * tasklane-dom-request ({"id", "kind", ...}) into the host's temp dir; the answer goes to
 * tasklane-dom-<id>.json. One kind so far:
 *   webviews  the rendered DOM of every open webview: its page's title, `#app`'s HTML, text and
 *             data-task-id, every element with its attributes, every script.
 * (Modal dialogs cannot be answered this way: VS Code refuses to show them while extension tests run.)
 */
async function serveDomRequest(page, host) {
  const scratch = path.join(host.tmp, 'tmp');
  const request = path.join(scratch, 'tasklane-dom-request');
  if (answering || !fs.existsSync(request)) return;
  answering = true;
  let answer;
  let id = '';
  try {
    const asked = JSON.parse(fs.readFileSync(request, 'utf8'));
    fs.rmSync(request, { force: true });
    id = String(asked.id).replace(/[^\w-]/g, '');
    if (asked.kind === 'webviews') answer = { webviews: await webviewDoms(page) };
    else answer = { error: `unknown request kind ${asked.kind}` };
  } catch (e) {
    answer = { error: String(e.message).split('\n')[0] };
  }
  try {
    const file = path.join(scratch, `tasklane-dom-${id}.json`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(answer));
    fs.renameSync(`${file}.tmp`, file);
  } catch (e) {
    log(`warning: could not answer the suite's request (${e.message})`);
  } finally {
    answering = false;
  }
}

async function webviewDoms(page) {
  const outer = page.locator('iframe.webview.ready');
  const snapshots = [];
  for (let i = 0; i < (await outer.count()); i++) {
    // Each webview is an iframe whose page (iframe#active-frame) holds the extension's HTML.
    const inner = outer.nth(i).contentFrame().locator('iframe#active-frame').contentFrame().locator('html');
    snapshots.push(
      await inner.evaluate(
        (root) => {
          const app = root.ownerDocument.querySelector('#app');
          return {
            title: root.ownerDocument.title,
            taskId: app?.getAttribute('data-task-id') ?? null,
            appHtml: app?.outerHTML ?? null,
            appText: app?.textContent ?? null,
            elements: [...root.querySelectorAll('*')].map((e) => ({
              tag: e.tagName.toLowerCase(),
              attributes: [...e.attributes].map((a) => [a.name, a.value]),
            })),
            scripts: [...root.ownerDocument.scripts].map((s) => ({
              src: s.getAttribute('src'),
              nonce: s.nonce || s.getAttribute('nonce'),
              text: s.textContent,
            })),
          };
        },
        undefined,
        { timeout: 10_000 },
      ),
    );
  }
  return snapshots;
}

/** Loads the workbench (no tests) in a fresh browser context and saves one screenshot of it. */
async function screenshot(host, browser, name, theme) {
  // Write the settings while no workbench is open: an open one holds settings.json in memory and
  // writes it back (migrations, its own changes), conflicting with an outside write.
  host.writeSettings({ 'workbench.colorTheme': theme, 'workbench.secondarySideBar.defaultVisibility': 'hidden' });
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  try {
    await page.goto(host.url({ folder: WORKSPACE, extensionDevelopmentPath: ROOT }), { timeout: 120_000 });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
    // The workbench paints with the default theme first and applies settings.json a moment later.
    const cls = name === 'dark' ? 'vs-dark' : 'vs';
    await page
      .waitForFunction((c) => document.querySelector('.monaco-workbench')?.classList.contains(c), cls, { timeout: 30_000 })
      .catch(() => log(`warning: the workbench did not switch to ${theme}`));
    if (!(await revealExtensionViews(page))) log('package.json contributes no views; the screenshot shows the plain workbench');
    await settleWorkbench(page);
    await openFirstTask(page);
    const file = path.join(RESULTS, `workbench-${name}.png`);
    await page.screenshot({ path: file });
    log(`screenshot (${theme}) -> ${path.relative(ROOT, file)}`);
  } finally {
    // Unload properly so the window's extension host shuts down now (not after the reconnection grace time).
    await page.close({ runBeforeUnload: true }).catch(() => {});
    await page.waitForEvent('close', { timeout: 5_000 }).catch(() => {});
    await context.close().catch(() => {});
  }
}

/** Clicks the first task in the Tasks view, so the screenshot shows its detail panel too. */
async function openFirstTask(page) {
  try {
    const row = page.locator('.part.sidebar .monaco-list-row[aria-level="2"]').first();
    await row.click({ timeout: 10_000 });
    // Webviews are overlaid on the editor, outside the editor part's DOM.
    await page.locator('iframe.webview').first().waitFor({ timeout: 20_000 });
    // The page inside the webview renders after its ready handshake.
    await page.frameLocator('iframe.webview').first().frameLocator('iframe').locator('#app *').first().waitFor({ timeout: 20_000 });
    await settleWorkbench(page);
  } catch (e) {
    log(`warning: could not open a task's detail panel for the screenshot (${String(e.message).split('\n')[0]})`);
  }
}

async function main() {
  runSetup({ quiet: true });
  if (!process.env.TASKLANE_SKIP_BUILD) runBuild();
  const main = extensionMain();
  if (main && !fs.existsSync(main)) throw new Error(`${path.relative(ROOT, main)} is missing; build the extension first (npm run build)`);
  if (!fs.existsSync(path.join(TESTS, 'index.js'))) {
    throw new Error(`${path.relative(ROOT, TESTS)}/index.js is missing; compile the suite: npx tsc -p test/integration/tsconfig.json`);
  }
  fs.mkdirSync(RESULTS, { recursive: true });
  for (const f of [RESULT_JSON, ...THEMES.map(([name]) => path.join(RESULTS, `workbench-${name}.png`))]) fs.rmSync(f, { force: true });

  const host = await startHost();
  log(`code-server up on ${host.base}`);
  for (const dir of TEST_EXTENSIONS) {
    const { publisher, name, version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    fs.cpSync(dir, path.join(host.extensionsDir, `${publisher}.${name}-${version}`), { recursive: true });
  }
  const browser = await launchChromium();
  const suite = await openSuitePage(host, browser);
  let { code, result } = await suite.run(TESTS);
  log(`extension tests finished, exit code ${code}`);
  if (code === 0 && result && fs.existsSync(RELOAD_TESTS) && !process.env.TASKLANE_TEST_GREP) {
    log('the window reloads for the after-reload checks');
    const after = await suite.afterReload();
    log(`after-reload tests finished, exit code ${after.code}`);
    code = after.code;
    result = after.result ? { passed: result.passed + after.result.passed, failed: result.failed + after.result.failed } : null;
  }
  await suite.close();

  let exit = code;
  if (result) {
    fs.writeFileSync(RESULT_JSON, JSON.stringify({ ...result, failures }, null, 2) + '\n');
    log(`${result.passed} passed, ${result.failed} failed -> ${path.relative(ROOT, RESULT_JSON)}`);
    if (result.failed > 0 && exit === 0) exit = 1;
  } else {
    console.error('[test-integration] no INTEGRATION_RESULT line from the suite (did it load?)');
    if (exit === 0) exit = 1;
  }

  if (exit === 0 && process.env.TASKLANE_SCREENSHOTS !== '0') {
    for (const [name, theme] of THEMES) {
      try {
        await screenshot(host, browser, name, theme);
      } catch (e) {
        console.warn(`[test-integration] warning: ${name} screenshot failed: ${String(e.message).split('\n')[0]}`);
      }
    }
  }
  if (exit !== 0) host.keep();
  await browser.close().catch(() => {});
  host.stop();
  process.exit(exit);
}

main().catch((e) => {
  console.error(`[test-integration] ${e.stack || e}`);
  process.exit(2);
});
