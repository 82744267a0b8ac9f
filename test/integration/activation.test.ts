import * as assert from 'assert';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';

describe('Tasklane activation', () => {
  it('is installed, activates, and runs in a real VS Code', async () => {
    const ext = vscode.extensions.getExtension<TasklaneApi>('tasklane.tasklane');
    assert.ok(ext, 'extension tasklane.tasklane is present');
    const api = await ext.activate();
    assert.strictEqual(ext.isActive, true, 'extension is active');
    assert.strictEqual(typeof vscode.version, 'string');
    // Reported, not asserted: timing targets live in the benchmarks.
    assert.ok(Number.isFinite(api.activationMs) && api.activationMs > 0);
    console.log(
      `Tasklane active in VS Code ${vscode.version} (${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'} UI, Node ${process.version}); activate() took ${api.activationMs.toFixed(1)} ms with ${api.store.size} tasks`,
    );
  });
});
