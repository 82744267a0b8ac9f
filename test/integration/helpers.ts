import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import { type WaitOptions, waitFor } from '../unit/helpers/waitFor';

/** The running extension's API (activating it if needed), once its tasks are read and its own server is connected (`api.ready`). */
export async function tasklaneApi(): Promise<TasklaneApi> {
  const extension = vscode.extensions.getExtension<TasklaneApi>('tasklane.tasklane');
  assert.ok(extension, 'the extension is installed');
  const api = await extension.activate();
  await api.ready;
  return api;
}

// The unit tests' waitFor, compiled beside this suite (out/test/unit/helpers/waitFor.js): one way to wait.
export { type WaitOptions, waitFor };

/** True while a process with this pid exists (and is not a zombie waiting to be reaped). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** What the offline launcher read from the visible detail panel (scripts/test-integration.mjs servePageProbe). */
export interface DetailPageView {
  /** The page's visible text (`innerText`). */
  readonly text: string;
  readonly documentTitle: string;
  /** Cells of each timeline row. */
  readonly timelineRows: string[][];
  /** Computed colours: the task id's, the body text's, and the theme's error and preformat colours. */
  readonly idColor: string | null;
  readonly textColor: string;
  readonly errorColor: string;
  readonly preformatColor: string;
  /** The workbench's editor tabs, left to right. */
  readonly tabs: { label: string; active: boolean }[];
}

/** Only the offline launcher (which also drives window reloads) reads pages and takes screenshots. */
export const launcherServesPage = (): boolean => !!process.env.TASKLANE_RELOAD_PHASE;

/**
 * Reads the visible detail panel whose heading is `title`, as a person sees it, once the workbench
 * wears `themeClass`; `scroll` brings an element of the page into view first and `click` clicks
 * one afterwards.
 */
export async function readDetailPage(title: string, options: { themeClass?: string; scroll?: string; click?: string } = {}): Promise<DetailPageView> {
  const request = path.join(os.tmpdir(), 'tasklane-page-request');
  const done = path.join(os.tmpdir(), 'tasklane-page-done');
  fs.rmSync(done, { force: true });
  // Written whole, then renamed: the launcher polls for the file and must never read half of it.
  fs.writeFileSync(`${request}.tmp`, JSON.stringify({ title, ...options }));
  fs.renameSync(`${request}.tmp`, request);
  const answer = await waitFor(() => fs.existsSync(done) && (JSON.parse(fs.readFileSync(done, 'utf8')) as { ok: boolean; error?: string } & DetailPageView), {
    what: 'the launcher to read the detail page',
    timeoutMs: 60_000,
  });
  fs.rmSync(done, { force: true });
  assert.ok(answer.ok, `the launcher read the page: ${answer.error}`);
  return answer;
}

/** Asks the launcher for a screenshot into test-results/<name>.png, once the workbench wears `themeClass`. */
export async function screenshot(name: string, themeClass?: string): Promise<void> {
  const request = path.join(os.tmpdir(), 'tasklane-screenshot-request');
  const done = path.join(os.tmpdir(), 'tasklane-screenshot-done');
  fs.rmSync(done, { force: true });
  fs.writeFileSync(request, themeClass ? `${name} ${themeClass}` : name);
  await waitFor(() => fs.existsSync(done) && fs.readFileSync(done, 'utf8') === name, { what: `the ${name} screenshot`, timeoutMs: 60_000 });
}

/** Runs `body` in the Light Modern and Dark Modern themes in turn (`vs`, `vs-dark` workbench classes), then restores the theme. */
export async function inThemes(body: (theme: 'light' | 'dark', themeClass: string) => Promise<void>): Promise<void> {
  const workbench = vscode.workspace.getConfiguration('workbench');
  const before = workbench.inspect<string>('colorTheme')?.globalValue;
  try {
    for (const [theme, name, themeClass] of [
      ['light', 'Light Modern', 'vs'],
      ['dark', 'Dark Modern', 'vs-dark'],
    ] as const) {
      await workbench.update('colorTheme', name, vscode.ConfigurationTarget.Global);
      await body(theme, themeClass);
    }
  } finally {
    await workbench.update('colorTheme', before, vscode.ConfigurationTarget.Global);
  }
}
