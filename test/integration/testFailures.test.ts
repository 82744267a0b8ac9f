import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/taskRecord';
import { isTerminal } from '../../src/core/taskStatus';
import { tasklaneApi, waitFor } from './helpers';

// The launcher (scripts/test-integration.mjs) serves these requests from the browser page it holds.
const SCREENSHOT_REQUEST = path.join(os.tmpdir(), 'tasklane-screenshot-request');
const SCREENSHOT_DONE = path.join(os.tmpdir(), 'tasklane-screenshot-done');
const CLICK_REQUEST = path.join(os.tmpdir(), 'tasklane-webview-click-request');
const CLICK_DONE = path.join(os.tmpdir(), 'tasklane-webview-click-done');

const SPEC_FILE = path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', 'specs', 'calc.spec.js');

interface Failure {
  name: string;
  message: string;
  location?: { file: string; line: number; column?: number };
}

/** Clicks in the open webview as a person does, through the launcher. */
async function clickInWebview(selector: string): Promise<void> {
  fs.rmSync(CLICK_DONE, { force: true });
  fs.writeFileSync(CLICK_REQUEST, selector);
  const outcome = await waitFor(() => fs.existsSync(CLICK_DONE) && fs.readFileSync(CLICK_DONE, 'utf8'), { what: `a click on ${selector}`, timeoutMs: 60_000 });
  fs.rmSync(CLICK_DONE, { force: true });
  assert.strictEqual(outcome, 'ok', `the launcher clicked ${selector}`);
}

async function screenshot(name: string, themeClass: string): Promise<void> {
  fs.rmSync(SCREENSHOT_DONE, { force: true });
  fs.writeFileSync(SCREENSHOT_REQUEST, `${name} ${themeClass}`);
  await waitFor(() => fs.existsSync(SCREENSHOT_DONE) && fs.readFileSync(SCREENSHOT_DONE, 'utf8') === name, {
    what: `the ${name} screenshot`,
    timeoutMs: 60_000,
  });
}

describe('run_tests lists failing tests and opens where they failed', function () {
  this.timeout(180_000);
  let tasklane: TasklaneApi;
  let existing: Set<string>;
  let done: TaskRecord;

  before(async () => {
    tasklane = await tasklaneApi();
    existing = new Set(tasklane.store.all().map((record) => record.id));
    const record = await tasklane.service.start({ serverId: 'tasklane', tool: 'run_tests', arguments: { label: 'failing specs' } });
    done = await waitFor(
      () => {
        const latest = tasklane.store.get(record.id);
        return latest && isTerminal(latest.status) ? latest : undefined;
      },
      { what: 'the failing specs to finish', timeoutMs: 120_000 },
    );
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // VS Code reuses a finished task's terminal for the next task, under the old name: close ours.
    const ours = () => vscode.window.terminals.filter((terminal) => terminal.name.includes('failing specs'));
    for (const terminal of ours()) terminal.dispose();
    await waitFor(() => ours().length === 0, { what: 'the failing specs terminal to close', timeoutMs: 10_000 });
    tasklane.store.removeMany(
      tasklane.store
        .all()
        .filter((record) => !existing.has(record.id))
        .map((record) => record.id),
    );
  });

  it('puts each failing test with its message and file:line into the result', () => {
    const result = done.result as { content: { text?: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };
    assert.strictEqual(done.status, 'failed', done.statusMessage);
    assert.ok(result?.structuredContent, `a structured result: ${JSON.stringify(done.result)}\noutput: ${done.output}`);
    const failures = result.structuredContent.failures as Failure[];
    assert.deepStrictEqual(
      failures.map((failure) => [failure.name, failure.location?.file, failure.location?.line]),
      [
        ['calc › adds small numbers', SPEC_FILE, 12],
        ['calc › parse › reads a number', SPEC_FILE, 16],
      ],
      `output: ${done.output}`,
    );
    assert.match(failures[0].message, /^AssertionError \[ERR_ASSERTION\]: Expected values to be strictly equal:\n\n5 !== 4/);
    assert.strictEqual(failures[1].message, 'TypeError: parse is not a function');
    assert.strictEqual(result.structuredContent.failuresNotListed, 0);
    const text = result.content.map((part) => part.text ?? '').join('\n');
    assert.ok(text.includes(`Failing tests:\n✗ calc › adds small numbers (${SPEC_FILE}:12:12)\n    AssertionError`), text);
    assert.ok(text.includes(`✗ calc › parse › reads a number (${SPEC_FILE}:16:13)\n    TypeError: parse is not a function`), text);
  });

  it('shows them in the detail panel; clicking a place opens that file at that line', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const posted = new Promise<void>((resolve) => {
      const listener = tasklane.ui.details.onDidPostMessage(({ taskId, message }) => {
        if (taskId === done.id && message.type === 'state') {
          listener.dispose();
          resolve();
        }
      });
    });
    assert.ok(tasklane.ui.details.show(done.id), 'the panel opens');
    await posted;
    await clickInWebview('.test-failure:nth-child(2) .test-failure-place');
    const editor = await waitFor(
      () => {
        const active = vscode.window.activeTextEditor;
        return active?.document.uri.fsPath === SPEC_FILE ? active : undefined;
      },
      { what: 'the spec file to open', timeoutMs: 30_000 },
    );
    assert.deepStrictEqual([editor.selection.active.line, editor.selection.active.character], [15, 12], 'line 16, column 13 (zero-based 15:12)');

    // The panel again, for people to look at in both themes.
    assert.ok(tasklane.ui.details.show(done.id));
    if (process.env.TASKLANE_SCREENSHOTS !== '0') {
      const workbench = vscode.workspace.getConfiguration('workbench');
      const theme = workbench.get<string>('colorTheme');
      try {
        for (const [name, themeName, themeClass] of [
          ['test-failures-light', 'Light Modern', 'vs'],
          ['test-failures-dark', 'Dark Modern', 'vs-dark'],
        ] as const) {
          await workbench.update('colorTheme', themeName, vscode.ConfigurationTarget.Global);
          await screenshot(name, themeClass);
        }
      } finally {
        await workbench.update('colorTheme', theme, vscode.ConfigurationTarget.Global);
      }
    }
  });
});
