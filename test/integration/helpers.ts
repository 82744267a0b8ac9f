import * as assert from 'assert';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';

/** The running extension's API (activating it if needed). */
export async function tasklaneApi(): Promise<TasklaneApi> {
  const extension = vscode.extensions.getExtension<TasklaneApi>('tasklane.tasklane');
  assert.ok(extension, 'the extension is installed');
  return extension.activate();
}

/** Polls `probe` until it returns something truthy; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
