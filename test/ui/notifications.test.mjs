// Notifications as a person sees them: this window runs without the smoke-test driver (which
// hides every toast), so a failing task must put a toast on screen, and its Retry must work.
import assert from 'node:assert/strict';
import { GENEROUS_MS, dismissToasts, formatRows, msUntil, readRows, runShellTask, session, tasklaneStatus, toasts } from './workbench.mjs';

/** Generous: the failure travels task → engine → client → store → notifier → workbench on a loaded machine. */
const TOAST_DEADLINE_MS = 30_000;

describe('A task that fails, started from the palette', function () {
  const { page, log } = session();

  before(async function () {
    await dismissToasts(page);
  });

  after(async function () {
    await dismissToasts(page);
  });

  it('shows a failure toast with Retry; Retry (confirmed) starts a new attempt that the Tasks view shows', async function () {
    const enterAt = await runShellTask(page, 'exit 3');
    const toast = toasts(page).filter({ hasText: 'Task failed: exit 3' }).first();
    const toastMs = await msUntil(() => toast.isVisible(), { what: 'the failure toast', timeoutMs: TOAST_DEADLINE_MS, since: enterAt });
    assert.ok(
      toastMs !== null,
      `no "Task failed: exit 3" toast on screen within ${TOAST_DEADLINE_MS / 1000} s; toasts: ${JSON.stringify(await toasts(page).allInnerTexts())}; ${await tasklaneStatus(page)}`,
    );
    const message = (await toast.locator('.notification-list-item-message').innerText()).trim();
    log(`toast after ${toastMs} ms: "${message}"`);
    assert.match(message, /^Task failed: exit 3 — Exited with code 3/);

    const retry = toast.locator('.monaco-button', { hasText: /^Retry$/ });
    assert.equal(await retry.count(), 1, `the toast has no Retry button: ${JSON.stringify(await toast.locator('.monaco-button').allInnerTexts())}`);
    await retry.click();
    // run_command is marked destructive, so Tasklane asks before running it again (a modal dialog).
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: GENEROUS_MS });
    assert.match(await dialog.innerText(), /Retry "exit 3"\?/);
    const confirmedAt = Date.now();
    await dialog.locator('.monaco-button', { hasText: /^Retry$/ }).click();

    const attempt2Ms = await msUntil(async () => (await readRows(page)).some((r) => r.label === 'exit 3' && /attempt 2/.test(r.description)), {
      what: 'the row of the second attempt',
      timeoutMs: GENEROUS_MS,
      since: confirmedAt,
    });
    assert.ok(attempt2Ms !== null, `no row for the second attempt of "exit 3" within ${GENEROUS_MS / 1000} s:\n${formatRows(await readRows(page))}`);
    log(`the second attempt's row after ${attempt2Ms} ms`);
  });
});
