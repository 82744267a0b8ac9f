import * as assert from 'assert';
import * as vscode from 'vscode';

describe('Tasklane activation', () => {
  it('is installed, activates, and runs in a real VS Code', async () => {
    const ext = vscode.extensions.getExtension('tasklane.tasklane');
    assert.ok(ext, 'extension tasklane.tasklane is present');
    await ext.activate();
    assert.strictEqual(ext.isActive, true, 'extension is active');
    assert.strictEqual(typeof vscode.version, 'string');
    console.log(`Tasklane active in VS Code ${vscode.version} (${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'} UI, Node ${process.version})`);
  });
});
