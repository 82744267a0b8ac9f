import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../src/core/taskRecord';
import type { TasklaneApi } from '../../src/extension';
import { inThemes, launcherServesPage, readDetailPage, screenshot, tasklaneApi, waitFor } from './helpers';

const FINISHED = ['completed', 'failed', 'cancelled'];
const TITLE = 'Flaky build with a retry policy';

// Automatic retries as a person meets them: a command that fails twice then succeeds, started with
// a retry policy, runs three attempts on its own; the attempts and their reasons are on the page.
describe('Retry policies: automatic attempts in the chain', function () {
  this.timeout(180_000);
  let tasklane: TasklaneApi;
  const counter = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-flaky-')), 'runs');

  before(async () => {
    tasklane = await tasklaneApi();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const record of chainOf(TITLE)) if (FINISHED.includes(record.status)) tasklane.store.remove(record.id);
    fs.rmSync(path.dirname(counter), { recursive: true, force: true });
  });

  function chainOf(intent: string): TaskRecord[] {
    return tasklane.store
      .all()
      .filter((record) => record.intent === intent)
      .sort((a, b) => a.attempt - b.attempt);
  }

  it('retries a failing command on its own, attempt 3 completes, and the page shows each attempt with its reason', async () => {
    // Fails on its first two runs (the counter file remembers them), succeeds on the third.
    const command = `n=$(($(cat '${counter}' 2>/dev/null || echo 0) + 1)); echo $n > '${counter}'; echo "run $n"; [ $n -ge 3 ] || exit 7`;
    const first = await tasklane.actions.start({
      serverId: 'tasklane',
      tool: 'run_command',
      arguments: { command },
      intent: TITLE,
      retry: { attempts: 3, backoff: 'exponential', delayMs: 1500, maxDelayMs: 10_000 },
    });

    const waiting = await waitFor(() => tasklane.store.get(first.id)?.retryDue && tasklane.store.get(first.id), { what: 'attempt 1 to wait for its retry' });
    assert.match(waiting.statusMessage ?? '', /^Retrying in [12] s \(attempt 2 of 3\)$/);
    assert.strictEqual(waiting.status, 'failed');

    const done = await waitFor(() => chainOf(TITLE).find((record) => record.attempt === 3 && FINISHED.includes(record.status)), {
      what: 'attempt 3 to finish',
      timeoutMs: 60_000,
    });
    assert.strictEqual(done.status, 'completed');
    const [one, two, three] = chainOf(TITLE);
    assert.deepStrictEqual(
      [one, two, three].map((record) => [record.attempt, record.status]),
      [
        [1, 'failed'],
        [2, 'failed'],
        [3, 'completed'],
      ],
    );
    assert.strictEqual(two.retryOf, one.id);
    assert.strictEqual(three.retryOf, two.id);
    assert.match(two.retryReason ?? '', /^Automatic retry 2 of 3 after: .*7/);
    assert.match(three.retryReason ?? '', /^Automatic retry 3 of 3 after: .*7/);
    assert.strictEqual(fs.readFileSync(counter, 'utf8').trim(), '3', 'the command ran three times, no more');

    if (!launcherServesPage()) return;
    await vscode.commands.executeCommand('tasklane.tasks.focus');
    const node = await tasklane.ui.tree.whenFetched(three.id);
    if (node) await tasklane.ui.treeView.reveal(node, { select: true, focus: false, expand: true });
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: two.id });
    const second = await readDetailPage(TITLE);
    assert.match(second.text, /Attempt\s+2 · retry of\s+\S+\s+· retried as\s+\S+\s+Automatic retry 2 of 3 after: Exited with code 7/);
    assert.match(second.text, /Automatic retry 2 of 3 after: .*7/);
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: three.id });
    await inThemes(async (theme, themeClass) => {
      const page = await readDetailPage(TITLE, { themeClass });
      assert.match(page.text, /Attempt\s+3 · retry of\s+\S+\s+Automatic retry 3 of 3 after: Exited with code 7/);
      assert.match(page.text, /Automatic retry 3 of 3 after: .*7/);
      assert.match(page.text, /Retry policy: up to 3 attempts, waiting 1500 ms doubling to at most 10 s/);
      await screenshot(`retry-chain-${theme}`, themeClass);
    });
  });
});
