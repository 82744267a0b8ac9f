import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { tasklaneApi, waitFor } from './helpers';

const NAVIGATOR_WARNING = 'navigator is now a global in nodejs';

/** The extension host's own log: `remoteexthost.log` under a VS Code server, `exthost.log` on the desktop. */
function hostLogFile(extensionLogDirectory: string): string {
  const folder = path.dirname(extensionLogDirectory);
  const file = ['remoteexthost.log', 'exthost.log'].map((name) => path.join(folder, name)).find((candidate) => fs.existsSync(candidate));
  assert.ok(file, `an extension host log in ${folder}: ${fs.existsSync(folder) ? fs.readdirSync(folder).join(', ') : 'no such folder'}`);
  return file;
}

/** Log entries (a timestamped line and the stack lines under it) that carry the navigator warning. */
function navigatorWarnings(logFile: string): string[] {
  const entries = fs.readFileSync(logFile, 'utf8').split(/\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/);
  return entries.filter((entry) => entry.includes(NAVIGATOR_WARNING));
}

describe('Tasklane in the Node extension host', () => {
  it('reads no browser global: VS Code logs no "navigator is now a global" for it', async () => {
    const api = await tasklaneApi();
    const logFile = hostLogFile(api.logDirectory);
    // VS Code reports a navigator read once per extension, as the first reader's stack. This suite
    // lives in the extension's folder, so its own read below counts as the extension's: it is
    // logged only if nothing of Tasklane (its bundle, at load or activation) read navigator before.
    // Waiting for that entry also proves the log is flushed past activation.
    void (globalThis as { navigator?: unknown }).navigator;
    const warnings = await waitFor(
      () => {
        const found = navigatorWarnings(logFile);
        return found.length > 0 && found;
      },
      { what: 'the host to log the navigator read of this test', timeoutMs: 30_000 },
    );
    assert.strictEqual(warnings.length, 1, `one navigator warning:\n${warnings.join('\n')}`);
    assert.match(warnings[0], /hostLog\.test\.js/, `the one navigator warning is this test's own read, not Tasklane's:\n${warnings[0]}`);
  });
});
