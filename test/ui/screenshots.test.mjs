// Screenshots of the Tasks view with running work, in the light and the dark theme, chosen the way
// a person does (Preferences: Color Theme), saved to test-results/ui-tasks-<theme>.png.
import assert from 'node:assert/strict';
import {
  cancelThroughTheUi,
  chooseColorTheme,
  chooseViewMenuItem,
  formatRows,
  isRunningRow,
  readRows,
  runShellTask,
  screenshot,
  session,
  waitFor,
} from './workbench.mjs';

const THEMES = [
  { name: 'light', theme: 'Light Modern', cssClass: 'vs' },
  { name: 'dark', theme: 'Dark Modern', cssClass: 'vs-dark' },
];

describe('Screenshots of the Tasks view with running tasks', function () {
  const { page } = session();
  // Short enough (≤ 32 characters) to be a row's whole label.
  const commands = ['sleep 120; echo build docs', 'sleep 120; echo watch tests'];

  before(async function () {
    await chooseViewMenuItem(page, 'Tasks', 'Group Tasks by Status');
    for (const command of commands) await runShellTask(page, command);
  });

  after(async function () {
    await cancelThroughTheUi(page, commands);
    await chooseColorTheme(page, 'Light Modern', 'vs');
  });

  for (const { name, theme, cssClass } of THEMES) {
    it(`in ${theme}`, async function () {
      await chooseColorTheme(page, theme, cssClass);
      const allRunningShown = async () => {
        const rows = await readRows(page);
        return commands.every((c) => rows.some((r) => r.label === c && isRunningRow(r)));
      };
      // Screenshot first, shown or not: the picture of a failure helps too.
      const shown = await waitFor(allRunningShown, { what: 'every running task to be shown', timeoutMs: 10_000 }).then(
        () => true,
        () => false,
      );
      await screenshot(page, `ui-tasks-${name}`);
      assert.ok(shown, `the running tasks are not all shown:\n${formatRows(await readRows(page))}`);
    });
  }
});
