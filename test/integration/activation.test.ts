import * as assert from 'assert';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';

/** `1.139.1` (or `1.139.1-insider`) as numbers. */
function versionOf(text: string): number[] {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(text);
  assert.ok(match, `a version: ${text}`);
  return match.slice(1).map(Number);
}

describe('Tasklane activation', () => {
  it("is installed, activates in a VS Code its manifest accepts, and wires its server and the editor's tools", async () => {
    const ext = vscode.extensions.getExtension<TasklaneApi>('tasklane.tasklane');
    assert.ok(ext, 'extension tasklane.tasklane is present');
    const api = await ext.activate();
    assert.strictEqual(ext.isActive, true, 'extension is active');
    assert.strictEqual(ext.exports, api, 'the API is what activate() returned');
    // The host is at least the VS Code that package.json's engines.vscode asks for.
    const engine = /^\^(\d+\.\d+\.\d+)$/.exec(ext.packageJSON.engines.vscode)?.[1] ?? 'none';
    const [host, wanted] = [versionOf(vscode.version), versionOf(engine)];
    const cmp = host.map((part, i) => part - wanted[i]).find((d) => d !== 0) ?? 0;
    assert.ok(cmp >= 0, `VS Code ${vscode.version} satisfies engines.vscode ${ext.packageJSON.engines.vscode}`);
    // Activation returns before the tasks are read and the embedded server is connected; `ready` says when they are.
    await api.ready;
    assert.strictEqual(api.store.isOpen, true, 'the store has read its tasks');
    // The embedded server, connected in the background, offers the tools only an editor has.
    assert.ok(api.service.getServer('tasklane'), 'the embedded server is connected');
    const tools = (await api.embedded.client.listTools()).map((tool) => tool.name);
    for (const name of ['run_command', 'run_vscode_task', 'run_tests'])
      assert.ok(tools.includes(name), `the embedded server offers ${name}: ${tools.join(', ')}`);
    // Reported, not asserted: timing targets live in the benchmarks.
    assert.ok(Number.isFinite(api.activationMs) && api.activationMs > 0);
    console.log(
      `Tasklane active in VS Code ${vscode.version} (${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'} UI, Node ${process.version}); activate() took ${api.activationMs.toFixed(1)} ms with ${api.store.size} tasks`,
    );
  });
});
