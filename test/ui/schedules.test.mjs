// The Schedules view used as a person does: a schedule made through "Tasklane: New Schedule…" in
// the palette (server, tool, command, an interval of a few seconds, confirmed), then read from the
// screen: its row with name, trigger and next run, its runs appearing under it, "paused" after its
// inline Pause, and gone after Delete (confirmed in the dialog).
import assert from 'node:assert/strict';
import {
  GENEROUS_MS,
  answerDialog,
  choosePick,
  chooseRowMenuItem,
  clickInlineAction,
  formatRows,
  pane,
  readRows,
  runCommand,
  screenshot,
  session,
  setViewExpanded,
  typeInto,
  viewRow,
  waitFor,
} from './workbench.mjs';

const VIEW = 'Schedules';
const NAME = 'scheduled-ui check';
const COMMAND = 'echo scheduled-ui';
const INTERVAL = '3 s';
/** Generous: the first run is due 3 s after creation; on a loaded machine the run and the redraw take longer. */
const FIRST_RUN_DEADLINE_MS = 60_000;

/** The rows of the schedule made here and of its runs (level 2 rows right under it). */
async function scheduleRows(page) {
  const rows = await readRows(page, VIEW);
  const index = rows.findIndex((r) => r.level === 1 && r.label === NAME);
  if (index < 0) return { rows, row: undefined, runs: [] };
  const runs = [];
  for (let i = index + 1; i < rows.length && rows[i].level > 1; i++) runs.push(rows[i]);
  return { rows, row: rows[index], runs };
}

describe('Schedules view, used from the palette', function () {
  const { page, log } = session();
  let wasExpanded = false;
  /** Whether the schedule made here still exists (the test failed before deleting it). */
  let leftBehind = false;

  before(async function () {
    const header = pane(page, VIEW).locator('> .pane-header');
    await header.waitFor({ timeout: GENEROUS_MS });
    wasExpanded = (await header.getAttribute('aria-expanded')) === 'true';
    await setViewExpanded(page, VIEW, true);
  });

  after(async function () {
    if (leftBehind) await deleteLeftover(page);
    await setViewExpanded(page, VIEW, wasExpanded);
  });

  it('creates a schedule whose row, runs, pause and deletion show on screen', async function () {
    this.timeout(FIRST_RUN_DEADLINE_MS + 4 * GENEROUS_MS);
    await runCommand(page, 'Tasklane: New Schedule');
    // The server is asked only when more than one is connected.
    const title = page.locator('.quick-input-widget .quick-input-title');
    await waitFor(async () => /New Schedule \((1|2)\/5\)/.test(await title.innerText()), { what: 'the server or tool pick of New Schedule' });
    if (/New Schedule \(1\/5\)/.test(await title.innerText())) await choosePick(page, 'Tasklane (this editor)');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'New Schedule (2/5): tool' }).waitFor({ state: 'visible', timeout: GENEROUS_MS });
    await choosePick(page, 'Run command');

    // The tool's form: the command, then Enter past its optional fields ("cwd (2 of 4)" …).
    await typeInto(page, 'command (1 of', COMMAND);
    const fieldCount = Number(/\(1 of (\d+)\)/.exec(await title.innerText())?.[1]);
    assert.ok(fieldCount >= 1, `the form's first step does not say how many fields it has: "${await title.innerText()}"`);
    await page.keyboard.press('Enter');
    for (let field = 2; field <= fieldCount; field++) {
      await page
        .locator('.quick-input-widget .quick-input-title', { hasText: `(${field} of ${fieldCount})` })
        .waitFor({ state: 'visible', timeout: GENEROUS_MS });
      await page.keyboard.press('Enter');
    }

    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'New Schedule (4/5): when' }).waitFor({ state: 'visible', timeout: GENEROUS_MS });
    await choosePick(page, 'Every…');
    await typeInto(page, 'New Schedule (4/5): every…', INTERVAL);
    await page.keyboard.press('Enter');
    await typeInto(page, 'New Schedule (5/5): name', NAME);
    await page.keyboard.press('Enter');
    const question = await answerDialog(page, 'Create');
    leftBehind = true;
    assert.match(question, new RegExp(`Create the schedule “${NAME}”\\?`));
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: GENEROUS_MS });

    // Its row: the name, the trigger in words and when it next runs.
    const shown = await waitFor(async () => (await scheduleRows(page)).row, { what: `the row of "${NAME}" in the ${VIEW} view` }).catch(async (error) =>
      assert.fail(`${error.message}\nrows on screen:\n${formatRows(await readRows(page, VIEW))}`),
    );
    log(`schedule row: ${shown.label} [${shown.description}]`);
    assert.match(shown.description, new RegExp(`^every ${INTERVAL} · `), `the row does not say its trigger:\n${formatRows(await readRows(page, VIEW))}`);
    assert.match(shown.description, / · (in \d+ s|due now)( · |$)/, `the row does not say when it next runs:\n${formatRows(await readRows(page, VIEW))}`);

    // Its runs: the row becomes expandable once it has one; opened, it lists them.
    const runs = await waitFor(
      async () => {
        const { row, runs } = await scheduleRows(page);
        if (row?.expanded === 'false') await viewRow(page, VIEW, NAME).first().locator('.monaco-tl-twistie').click();
        return runs.length ? runs : undefined;
      },
      { what: `a run row under "${NAME}"`, timeoutMs: FIRST_RUN_DEADLINE_MS, intervalMs: 250 },
    ).catch(async (error) => assert.fail(`${error.message}\nrows on screen:\n${formatRows(await readRows(page, VIEW))}`));
    log(`run rows: ${runs.map((r) => `${r.label} [${r.description}]`).join(', ')}`);
    await screenshot(page, 'ui-schedules-running');

    // Pause through the row's inline action: the row says "paused".
    await clickInlineAction(viewRow(page, VIEW, NAME).first(), 'Pause Schedule');
    const paused = await waitFor(
      async () => {
        const { row } = await scheduleRows(page);
        return row && / · paused( · |$)/.test(row.description) ? row : undefined;
      },
      { what: `"${NAME}" to show paused` },
    ).catch(async (error) => assert.fail(`${error.message}\nrows on screen:\n${formatRows(await readRows(page, VIEW))}`));
    log(`paused row: ${paused.label} [${paused.description}]`);
    await screenshot(page, 'ui-schedules-paused');

    // Delete from the palette, picking the schedule and confirming in the dialog: the row goes.
    await runCommand(page, 'Tasklane: Delete Schedule');
    await choosePick(page, NAME);
    const warning = await answerDialog(page, 'Delete');
    assert.match(warning, new RegExp(`Delete the schedule “${NAME}”\\?`));
    leftBehind = false;
    await waitFor(async () => !(await scheduleRows(page)).row, { what: `the row of "${NAME}" to go` }).catch(async (error) =>
      assert.fail(`${error.message}\nrows on screen:\n${formatRows(await readRows(page, VIEW))}`),
    );
  });
});

/**
 * A schedule a failed test left behind would keep running every few seconds: deleted as a person
 * would, from its row, or from the palette when the view does not show it.
 */
async function deleteLeftover(page) {
  await page.keyboard.press('Escape');
  const deleting = (await viewRow(page, VIEW, NAME).count())
    ? chooseRowMenuItem(page, viewRow(page, VIEW, NAME).first(), 'Delete Schedule…')
    : runCommand(page, 'Tasklane: Delete Schedule', 5_000).then(() => choosePick(page, NAME));
  await deleting.then(() => answerDialog(page, 'Delete')).catch(() => page.keyboard.press('Escape'));
}
