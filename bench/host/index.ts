/**
 * Runs inside the real VS Code extension host (the `extensionTestsPath` of bench/host/activation.mjs):
 * activates Tasklane (or takes its activation from startup) and prints what `activate()` measured
 * about itself, for the launcher to read.
 */
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';

export const HOST_RESULT_PREFIX = 'TASKLANE_BENCH_ACTIVATION ';

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<TasklaneApi>('tasklane.tasklane');
  if (!ext) throw new Error('the extension tasklane.tasklane is not loaded');
  const api = await ext.activate();
  const interrupted = api.store.all().filter((r) => r.statusMessage?.startsWith('Interrupted by restart') === true).length;
  console.log(
    HOST_RESULT_PREFIX +
      JSON.stringify({
        activationMs: api.activationMs,
        tasks: api.store.size,
        interrupted,
        storageDirectory: api.storageDirectory,
        vscode: vscode.version,
        node: process.version,
        uiKind: vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop',
      }),
  );
}
