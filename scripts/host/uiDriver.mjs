// Lets the integration suite, which runs inside the extension host, see and use the workbench the
// way a person does: it writes a request file in the host's temp dir; the launcher (which holds
// the playwright page) reads what the quick input shows, optionally photographs it, types and
// presses keys, and writes the answer back. The suite side is test/integration/uiDriver.ts.
//
// Request (tasklane-ui-request, JSON):
//   { id, waitFor?: { title?: string, widget?: "quickInput" | "notification" }, screenshot?: { name, themeClass? },
//     actions?: [ { fill: string } | { press: string } | { click: string, hasText?: string } ] }
// Answer (tasklane-ui-answer, JSON): { id, before: State, after: State } or { id, error }.
// State: { quickInput: { title, prompt, placeholder, value, items: [{ label, description, active }] } | null,
//          notifications: [{ message, actions: [string] }] }
import fs from 'node:fs';
import path from 'node:path';

const REQUEST = 'tasklane-ui-request';
const ANSWER = 'tasklane-ui-answer';

let busy = false;

/** Serves one pending request, if any. `results` is where screenshots go. */
export async function serveUiRequest(page, scratch, results, log) {
  const request = path.join(scratch, REQUEST);
  if (busy || !fs.existsSync(request)) return;
  busy = true;
  let id = '?';
  try {
    const body = JSON.parse(fs.readFileSync(request, 'utf8'));
    fs.rmSync(request, { force: true });
    id = body.id;
    const answer = await handle(page, body, results, log);
    write(scratch, { id, ...answer });
  } catch (e) {
    write(scratch, { id, error: String(e.message).split('\n')[0] });
  } finally {
    busy = false;
  }
}

function write(scratch, answer) {
  const file = path.join(scratch, ANSWER);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(answer));
  fs.renameSync(`${file}.tmp`, file);
}

const widget = (page) => page.locator('.quick-input-widget');

async function handle(page, body, results, log) {
  const timeout = body.timeoutMs ?? 30_000;
  if (body.waitFor?.title !== undefined) {
    await widget(page).locator('.quick-input-title', { hasText: body.waitFor.title }).waitFor({ state: 'visible', timeout });
    // Items and the input box are filled in right after the title; let one frame pass.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  }
  if (body.waitFor?.widget === 'notification') {
    await page
      .locator('.notifications-center .notification-list-item, .notifications-toasts .notification-toast')
      .first()
      .waitFor({ state: 'visible', timeout });
  }
  const before = await readState(page);
  if (body.screenshot) {
    const { name, themeClass } = body.screenshot;
    if (themeClass) await page.waitForFunction((c) => document.querySelector('.monaco-workbench')?.classList.contains(c), themeClass, { timeout: 15_000 });
    fs.mkdirSync(results, { recursive: true });
    const file = path.join(results, `${String(name).replace(/[^\w-]/g, '')}.png`);
    await page.screenshot({ path: file });
    log(`screenshot -> ${path.relative(path.dirname(results), file)}`);
  }
  for (const action of body.actions ?? []) {
    if (action.fill !== undefined) await widget(page).locator('input.input').fill(action.fill, { timeout });
    else if (action.press !== undefined) await page.keyboard.press(action.press);
    else if (action.click !== undefined) {
      const target = action.hasText ? page.locator(action.click, { hasText: action.hasText }) : page.locator(action.click);
      await target.first().click({ timeout });
    }
  }
  const after = body.actions?.length ? await readState(page) : before;
  return { before, after };
}

/** What a person sees of the quick input and the notifications right now. */
function readState(page) {
  return page.evaluate(() => {
    const visible = (el) => !!el && el.offsetParent !== null && getComputedStyle(el).visibility !== 'hidden';
    const text = (root, selector) => root.querySelector(selector)?.textContent?.trim() ?? '';
    const box = document.querySelector('.quick-input-widget');
    let quickInput = null;
    if (visible(box)) {
      const input = box.querySelector('input.input');
      const rows = [...box.querySelectorAll('.quick-input-list .monaco-list-row')].filter(visible);
      quickInput = {
        title: text(box, '.quick-input-title'),
        prompt: [...box.querySelectorAll('.quick-input-message')]
          .filter(visible)
          .map((el) => el.textContent.trim())
          .join(' '),
        placeholder: input?.getAttribute('placeholder') ?? '',
        value: input?.value ?? '',
        items: rows.map((row) => ({
          label: text(row, '.label-name') || (row.getAttribute('aria-label') ?? ''),
          description: text(row, '.label-description'),
          active: row.classList.contains('focused'),
        })),
      };
    }
    const notifications = [...document.querySelectorAll('.notifications-center .notification-list-item, .notifications-toasts .notification-list-item')]
      .filter(visible)
      .map((item) => ({
        message: text(item, '.notification-list-item-message'),
        actions: [...item.querySelectorAll('.notification-list-item-buttons-container .monaco-button')].map((b) => b.textContent.trim()),
      }));
    // The Tasks view's rows as drawn: each row's text and its depth in the tree (1 for a group or top-level task).
    const tasksPane = [...document.querySelectorAll('.pane')].find((pane) => pane.querySelector('.pane-header .title')?.textContent?.trim() === 'Tasks');
    const tasksTree = tasksPane
      ? [...tasksPane.querySelectorAll('.monaco-list-row')].filter(visible).map((row) => ({
          text: row.innerText.replace(/\s+/g, ' ').trim(),
          level: Number(row.getAttribute('aria-level') ?? 0),
        }))
      : [];
    return { quickInput, notifications, tasksTree };
  });
}
