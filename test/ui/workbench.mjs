// Page helpers for the UI suite: what a person does in the workbench (command palette, clicks on
// view actions and rows, reading what the views and notifications show), done with playwright-core
// on the real page that scripts/test-ui.mjs opened. Selectors: shared docs/host-testing.md,
// "Using the UI the way a person does" (VS Code 1.139, code-server).
import fs from 'node:fs';
import path from 'node:path';

/**
 * @typedef {{ page: any, resultsDir: string, workspace: string, log: (...args: unknown[]) => void }} UiSession
 * @typedef {{ level: number, label: string, description: string, expanded: string | null }} Row
 */

/** The page and paths the launcher (scripts/test-ui.mjs) set up for this run. */
export function session() {
  /** @type {UiSession | undefined} */
  const s = /** @type {any} */ (globalThis).__tasklaneUiSession;
  if (!s) throw new Error('no UI session: run this suite with `npm run test:ui` (scripts/test-ui.mjs)');
  return s;
}

/** Deadline for things that normally take well under a second, on a loaded 2-core machine. */
export const GENEROUS_MS = 20_000;
/** Step of every DOM poll. */
export const POLL_MS = 50;

/** A waitFor's deadline unless it names its own: 20 s, doubled when CI is set (as in test/unit/helpers/waitFor.ts). */
export const DEFAULT_WAIT_MS = process.env.CI ? 40_000 : 20_000;

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const STILL_ASKING = Symbol('still asking');

/**
 * Asks `condition` every `intervalMs` (default POLL_MS) until it returns or resolves to something
 * truthy, and resolves with that. An exception counts as not yet. After `timeoutMs` it fails with
 * an error naming `what` and the last value or exception seen. The contract and argument order of
 * test/unit/helpers/waitFor.ts, which this plain-JS suite cannot load without a compile step.
 * @template T
 * @param {() => T | Promise<T>} condition
 * @param {{ what: string, timeoutMs?: number, intervalMs?: number }} options
 * @returns {Promise<T>}
 */
export async function waitFor(condition, { what, timeoutMs = DEFAULT_WAIT_MS, intervalMs = POLL_MS }) {
  const deadline = Date.now() + timeoutMs;
  let last = 'last it gave undefined';
  for (;;) {
    let timer;
    try {
      const late = new Promise((_, reject) => (timer = setTimeout(() => reject(STILL_ASKING), Math.max(0, deadline - Date.now()))));
      const value = await Promise.race([condition(), late]);
      if (value) return value;
      last = `last it gave ${shortForm(value)}`;
    } catch (error) {
      last = error === STILL_ASKING ? 'the condition was still working on its last answer' : `last it threw ${shortForm(error)}`;
    } finally {
      clearTimeout(timer);
    }
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; ${last}`);
    await pause(Math.min(intervalMs, left));
  }
}

/** A short, readable form of whatever a condition gave, for the timeout message. */
function shortForm(seen) {
  if (seen instanceof Error) return `${seen.name}: ${seen.message}`;
  let text;
  try {
    text = JSON.stringify(seen) ?? String(seen);
  } catch {
    text = String(seen);
  }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** Ms from `since` until `condition` held, or null when it did not within `timeoutMs`: for the suite's timings. */
export async function msUntil(condition, { what, timeoutMs, since }) {
  return waitFor(condition, { what, timeoutMs }).then(
    () => Date.now() - since,
    () => null,
  );
}

/** A RegExp matching exactly `text` (then `suffix`, a RegExp source), ignoring surrounding spaces. */
const exactly = (text, suffix = '') => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${suffix}\\s*$`);

// ---------------------------------------------------------------------------------------------
// Command palette and quick input

/** The quick input's text box, once it is visible (typing earlier loses keystrokes). */
async function quickInputBox(page) {
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: GENEROUS_MS });
  return input;
}

/**
 * F1, type the command's title ("Category: Title", without a trailing "…"), then click the entry
 * with exactly that title: the first entry need not be it ("Preferences: Color Theme" also finds
 * "Preferences: Browse Color Themes in Marketplace").
 */
export async function runCommand(page, title, timeout = GENEROUS_MS) {
  await page.keyboard.press('F1');
  const input = await quickInputBox(page);
  await input.fill(`>${title}`);
  const entry = page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(title, '…?') }) }).first();
  await entry.waitFor({ timeout });
  await entry.click();
}

/** Waits for a quick input titled `title` (an input box or a pick), then types `text`. */
export async function typeInto(page, title, text) {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: GENEROUS_MS });
  const input = await quickInputBox(page);
  await input.fill(text);
  // A quick input that finishes opening after the typing clears it: type again, as a person would.
  if ((await input.inputValue()) !== text) await input.fill(text);
  if ((await input.inputValue()) !== text) throw new Error(`could not type "${text}" into "${title}"`);
}

/** In an open quick pick, waits for the pick whose label is exactly `label` and chooses it. */
export async function choosePick(page, label) {
  const row = page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(label) }) }).first();
  await row.waitFor({ timeout: GENEROUS_MS });
  await row.click();
}

/**
 * "Tasklane: Run Shell Command as Task…" from the palette, typing `command`.
 * Returns the time (Date.now()) just before the Enter (or click) that starts the task.
 */
export async function runShellTask(page, command) {
  await runCommand(page, 'Tasklane: Run Shell Command as Task');
  await typeInto(page, 'Run Shell Command as Task', command);
  // An input box just takes Enter. A command box that also offers recent commands (a quick pick)
  // lists what was typed once the extension has seen it: take that entry, by Enter when it is the
  // highlighted one, else by a click.
  let choose = () => page.keyboard.press('Enter');
  if (await page.locator('.quick-input-widget .quick-input-list').isVisible()) {
    const typed = page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(command) }) }).first();
    await typed.waitFor({ timeout: GENEROUS_MS });
    if (!(await typed.evaluate((row) => row.classList.contains('focused')))) choose = () => typed.click();
  }
  const enterAt = Date.now();
  await choose();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: GENEROUS_MS });
  return enterAt;
}

// ---------------------------------------------------------------------------------------------
// Views

/**
 * A view's header: "Tasks Section", or with the view's description, "Tasks - by Tool Section".
 */
export function paneHeader(name) {
  return `.pane-header:is([aria-label="${name} Section"], [aria-label^="${name} - "][aria-label$=" Section"])`;
}

/** A view's pane in the side bar, by its name ("Tasks", "Archive", "Servers"). */
export function pane(page, name) {
  return page.locator(`.part.sidebar .pane:has(> ${paneHeader(name)})`);
}

/** Expands or collapses a view by clicking its header, as needed. */
export async function setViewExpanded(page, name, expanded) {
  const header = pane(page, name).locator('> .pane-header');
  await header.waitFor({ timeout: GENEROUS_MS });
  if (((await header.getAttribute('aria-expanded')) === 'true') !== expanded) await header.click();
  await waitFor(async () => ((await header.getAttribute('aria-expanded')) === 'true') === expanded, {
    what: `the ${name} view to be ${expanded ? 'expanded' : 'collapsed'}`,
  });
}

/**
 * The rows a view renders now, top to bottom: level (1 = group), label, description, and whether a
 * group is open. The tree is virtualized: only rows in view are in the DOM.
 * @returns {Promise<Row[]>}
 */
export async function readRows(page, view = 'Tasks') {
  return pane(page, view)
    .locator('.pane-body .monaco-list-row[role="treeitem"]')
    .evaluateAll((elements) =>
      elements
        .map((el) => ({
          index: Number(el.getAttribute('data-index')),
          level: Number(el.getAttribute('aria-level')),
          label: el.querySelector('.label-name')?.textContent?.trim() ?? '',
          description: el.querySelector('.label-description')?.textContent?.trim() ?? '',
          expanded: el.getAttribute('aria-expanded'),
          // What a screen reader says: "<title>, Running, …" (the status is an icon on screen).
          accessible: el.getAttribute('aria-label') ?? '',
        }))
        .sort((a, b) => a.index - b.index)
        .map(({ index: _index, ...row }) => row),
    );
}

/** Whether a task row says (to a screen reader, as its icon does on screen) that the task runs. */
export function isRunningRow(row) {
  return /, Running(,|$)/.test(row.accessible);
}

/** One line per row, indented by level, for failure messages and logs. */
export function formatRows(rows) {
  if (!rows.length) return '    (no rows)';
  return rows.map((r) => `    ${'  '.repeat(r.level - 1)}${r.label}${r.description ? `  [${r.description}]` : ''}`).join('\n');
}

/** The group (level-1 row) each row sits under. */
export function groupOfRow(rows, index) {
  for (let i = index; i >= 0; i--) if (rows[i].level === 1) return rows[i];
  return undefined;
}

/** The top-level task row (level 2) labelled exactly `label`, as a playwright locator. */
export function taskRow(page, label, view = 'Tasks') {
  return pane(page, view).locator('.monaco-list-row[aria-level="2"]', { has: page.locator('.label-name', { hasText: exactly(label) }) });
}

/** Clicks a view's title action (e.g. "Refresh"); the actions show on hover, as for a person. */
export async function clickViewAction(page, view, action) {
  const header = pane(page, view).locator('> .pane-header');
  await header.hover();
  await header.locator(`.action-label[aria-label="${action}"]`).click({ timeout: GENEROUS_MS });
}

/**
 * Opens a view's "More Actions..." menu and chooses `item` (e.g. "Group by Tool"). A menu that does
 * not open, or closes under the click (the view's toolbar re-renders while the extension sets its
 * context keys), is opened again, as a person would.
 */
export async function chooseViewMenuItem(page, view, item) {
  // A picker left open (a cancel that raced the task's own end) would take the click.
  await closeQuickInput(page);
  // The current choice of a set (Group Tasks by …) is shown checked: "✓ Group Tasks by Status".
  const checkedOrNot = new RegExp(`^(✓ )?${item.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const entry = page.locator('.context-view .action-label', { hasText: checkedOrNot }).first();
  for (let attempt = 1; ; attempt++) {
    await clickViewAction(page, view, 'More Actions...');
    const chosen = await entry
      .waitFor({ state: 'visible', timeout: 5_000 })
      .then(() => entry.click({ timeout: 5_000 }))
      .then(
        () => true,
        () => false,
      );
    if (chosen) break;
    const menu = await page.locator('.context-view .action-label').allInnerTexts();
    await page.keyboard.press('Escape');
    if (attempt === 3) throw new Error(`could not choose "${item}" in the ${view} view's More Actions menu; the menu shows ${JSON.stringify(menu)}`);
    session().log(`the ${view} view's menu closed or did not show "${item}" (it shows ${JSON.stringify(menu)}); opening it again`);
  }
  await page.locator('.context-view .monaco-menu').waitFor({ state: 'hidden', timeout: GENEROUS_MS });
}

/** Hovers a row and clicks one of its inline actions (e.g. "Cancel Task"). */
export async function clickInlineAction(row, action, timeout = GENEROUS_MS) {
  await row.hover({ timeout });
  await row.locator(`.action-label[aria-label="${action}"]`).click({ timeout });
}

/**
 * Cancels the given tasks as a person does: the row's inline "Cancel Task" action when the row is
 * on screen and running, else "Tasklane: Cancel Task" from the palette, picking the task by its
 * label (a task the view failed to show, or a row that moved under the mouse). Goes round again
 * while the status bar still counts running work, so the next suite starts clean.
 */
export async function cancelThroughTheUi(page, labels) {
  for (let round = 1; round <= 3; round++) {
    for (const label of labels) {
      if (!(await runningCount(page))) break;
      const shown = (await readRows(page)).find((r) => r.level === 2 && r.label === label);
      if (shown && !isRunningRow(shown)) continue;
      if (
        shown &&
        (await clickInlineAction(taskRow(page, label).first(), 'Cancel Task', 5_000).then(
          () => true,
          () => false,
        ))
      )
        continue;
      await cancelFromPalette(page, label);
    }
    const allEnded = await waitFor(async () => (await runningCount(page)) === 0, { what: 'no task to run', timeoutMs: 10_000 }).then(
      () => true,
      () => false,
    );
    if (allEnded) return closeQuickInput(page);
  }
  throw new Error(`tasks still run after cancelling them: ${await tasklaneStatus(page)}`);
}

/**
 * Closes a quick input that is still open, as a person would (Escape), and waits until it is gone.
 * A "Cancel which task?" picker opened while its task was ending can stay up with that task in it.
 */
export async function closeQuickInput(page) {
  const widget = page.locator('.quick-input-widget');
  for (let attempt = 1; attempt <= 3 && (await widget.isVisible()); attempt++) {
    await page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
  }
}

/** "Tasklane: Cancel Task" from the palette, then a click on the task labelled `label` (if it still runs). */
async function cancelFromPalette(page, label) {
  const widget = page.locator('.quick-input-widget');
  // The palette offers the command only while something runs; what ended meanwhile needs no cancel.
  const offered = await runCommand(page, 'Tasklane: Cancel Task', 5_000).then(
    () => true,
    () => false,
  );
  if (!offered) {
    await page.keyboard.press('Escape');
    return;
  }
  // Wait for the picker itself (its placeholder), then for the task among its picks: typing before the list is up gets lost.
  await widget
    .locator('input.input[placeholder="Cancel which task?"]')
    .waitFor({ state: 'visible', timeout: GENEROUS_MS })
    .catch(() => undefined);
  const pick = widget.locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: exactly(label) }) }).first();
  if (
    await pick.waitFor({ state: 'visible', timeout: 5_000 }).then(
      () => true,
      () => false,
    )
  )
    await pick.click().catch(() => undefined);
  if (
    !(await widget.waitFor({ state: 'hidden', timeout: 5_000 }).then(
      () => true,
      () => false,
    ))
  )
    await page.keyboard.press('Escape');
}

// ---------------------------------------------------------------------------------------------
// Status bar, notifications, themes, screenshots

/** The accessible text of Tasklane's status bar item ("Tasklane: 2 running · …"), or '' when hidden. */
export async function tasklaneStatus(page) {
  // One read of the DOM: the item may hide between two reads.
  const labels = await page
    .locator('.part.statusbar [aria-label^="Tasklane:"]')
    .evaluateAll((items) => items.map((item) => item.getAttribute('aria-label') ?? ''));
  return labels[0] ?? '';
}

/** How many tasks the status bar says run (0 when the item is hidden, which it is when nothing is active). */
export async function runningCount(page) {
  const match = /(\d+) running/.exec(await tasklaneStatus(page));
  return match ? Number(match[1]) : 0;
}

/** Notification toasts on screen (not the notification centre). */
export function toasts(page) {
  return page.locator('.notifications-toasts .notification-toast');
}

/** Closes every toast on screen with its own close button. */
export async function dismissToasts(page) {
  for (let i = 0; i < 20 && (await toasts(page).count()); i++) {
    const toast = toasts(page).first();
    await toast.hover();
    await toast
      .locator('.action-label[aria-label^="Clear Notification"]')
      .click()
      .catch(() => undefined);
    // Best effort: a toast that stays is tried again, up to 20 times.
    await waitFor(async () => (await toasts(page).count()) === 0 || !(await toast.isVisible()), { what: 'the toast to close', timeoutMs: 5_000 }).catch(
      () => undefined,
    );
  }
}

/** Chooses a colour theme with "Preferences: Color Theme" and waits for the workbench to wear it. */
export async function chooseColorTheme(page, theme, cssClass) {
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input.input[placeholder*="Color Theme"]');
  await input.waitFor({ state: 'visible', timeout: GENEROUS_MS });
  await input.fill(theme);
  await choosePick(page, theme);
  await page.waitForFunction((c) => document.querySelector('.monaco-workbench')?.classList.contains(c), cssClass, { timeout: GENEROUS_MS });
  // The picker fades out after the theme applies; a screenshot taken meanwhile shows its ghost.
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: GENEROUS_MS });
}

/** Moves the mouse off the UI (no hover tooltips) and saves a screenshot to test-results/<name>.png. */
export async function screenshot(page, name) {
  const { resultsDir, log } = session();
  fs.mkdirSync(resultsDir, { recursive: true });
  const size = page.viewportSize() ?? { width: 800, height: 600 };
  await page.mouse.move(size.width / 2, size.height - 5);
  const file = path.join(resultsDir, `${name}.png`);
  await page.screenshot({ path: file });
  log(`screenshot -> ${path.relative(process.cwd(), file)}`);
  return file;
}

// ---------------------------------------------------------------------------------------------
// Rows of any view, their context menus, modal dialogs

/** The row labelled exactly `label` at `level` (1 = top level) of a view, as a playwright locator. */
export function viewRow(page, view, label, level = 1) {
  return pane(page, view).locator(`.monaco-list-row[aria-level="${level}"]`, { has: page.locator('.label-name', { hasText: exactly(label) }) });
}

/** Right-clicks a row and chooses `item` (e.g. "Delete Schedule…") from its context menu. */
export async function chooseRowMenuItem(page, row, item) {
  await row.click({ button: 'right', timeout: GENEROUS_MS });
  const entry = page.locator('.context-view .action-label', { hasText: exactly(item) }).first();
  await entry.waitFor({ state: 'visible', timeout: GENEROUS_MS });
  await entry.click();
}

/** Waits for a modal dialog, clicks its button labelled `button`, and returns what the dialog said. */
export async function answerDialog(page, button) {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: GENEROUS_MS });
  const text = await dialog.innerText();
  await dialog.locator('.monaco-button', { hasText: exactly(button) }).click();
  await dialog.waitFor({ state: 'hidden', timeout: GENEROUS_MS });
  return text;
}
