/**
 * Runs inside the real VS Code extension host (the `extensionTestsPath` of bench/host/activation.mjs):
 * activates Tasklane (or takes its activation from startup) and prints what `activate()` measured
 * about itself, for the launcher to read, once the tasks are read (`api.ready`).
 */
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import { endedByReload } from '../../src/core/reloadInterruption';

export const HOST_RESULT_PREFIX = 'TASKLANE_BENCH_ACTIVATION ';

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<TasklaneApi>('tasklane.tasklane');
  if (!ext) throw new Error('the extension tasklane.tasklane is not loaded');
  const api = await ext.activate();
  const returned = performance.now();
  // activationMs is what activate() took; the tasks it left to read are counted once they are read.
  await api.ready;
  const readyMs = performance.now() - returned;
  const interrupted = api.store.all().filter(endedByReload).length;
  console.log(
    HOST_RESULT_PREFIX +
      JSON.stringify({
        activationMs: api.activationMs,
        readyMs,
        tasks: api.store.size,
        interrupted,
        storageDirectory: api.storageDirectory,
        vscode: vscode.version,
        node: process.version,
        uiKind: vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop',
      }),
  );
}
