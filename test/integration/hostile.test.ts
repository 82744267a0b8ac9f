import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../src/core/taskRecord';
import type { TasklaneApi } from '../../src/extension';
import type { HostToWebview } from '../../src/ui/detail/protocol';
import { tasklaneApi, waitFor } from './helpers';

/** Markup an attacker would put wherever a task carries text. */
const PAYLOADS = [
  '<script>document.title="pwned-script"</script>',
  '<img src=x onerror="document.title=\'pwned-img\'">',
  '"><svg onload=alert(1)>',
  '</textarea><iframe srcdoc="<script>parent.postMessage(1,\'*\')</script>">',
  'javascript:alert(document.domain)',
];

/** Where the counts go for docs/reliability.md (the repository's test-results folder). */
const TALLY = path.join(__dirname, '..', '..', '..', 'test-results', 'reliability-integration.json');

describe('Hostile text in the real host: the detail panel', function () {
  this.timeout(60_000);
  let tasklane: TasklaneApi;
  const trials: Array<{ area: 'hostile'; name: string; tries: number; unit: string; outcome: string; passed: boolean }> = [];
  /** Records this suite made: removed at the end, so later suites and the screenshots never show them. */
  const made: string[] = [];

  before(async () => {
    tasklane = await tasklaneApi();
  });

  after(async () => {
    await waitFor('this suite\'s tasks to end', () => made.every((id) => ['completed', 'failed', 'cancelled'].includes(tasklane.store.get(id)?.status ?? 'completed')));
    for (const id of made) if (tasklane.store.get(id)) tasklane.store.remove(id);
    fs.mkdirSync(path.dirname(TALLY), { recursive: true });
    fs.writeFileSync(TALLY, JSON.stringify({ at: new Date().toISOString(), trials }, null, 2) + '\n');
  });

  it('task names, arguments, status messages and results made of HTML/script reach the page only as data, and the page\'s CSP allows no inline script', async () => {
    const messages: HostToWebview[] = [];
    const records: TaskRecord[] = [];
    for (const payload of PAYLOADS) {
      // `ask` waits for an answer without touching its status message, so the one set below stays.
      const record: TaskRecord = await vscode.commands.executeCommand('tasklane.newTask', { serverId: 'tasklane', tool: 'ask', arguments: { question: payload }, intent: payload });
      records.push(record);
      made.push(record.id);
    }
    let checked = 0;
    try {
      for (const [i, payload] of PAYLOADS.entries()) {
        const record = records[i];
        const subscription = tasklane.ui.details.onDidPostMessage((event) => {
          if (event.taskId === record.id) messages.push(event.message);
        });
        try {
          await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
          const state = await waitFor('the full state after the ready handshake', () => messages.find((m): m is Extract<HostToWebview, { type: 'state' }> => m.type === 'state'));
          const sent = JSON.stringify(state);
          // Data, byte for byte: the page puts it into text nodes, so nothing is escaped or stripped here.
          assert.ok(sent.includes(JSON.stringify(payload).slice(1, -1)), `the payload travels as a JSON string: ${payload}`);
          assert.strictEqual(state.state.intent, payload, 'the name is sent as text');
          // A status message set now reaches the open page as a patch. The task's own status updates
          // (it is about to ask its question) may overwrite it before the patch goes out: set it again then.
          // It arrives as a patch, or inside a full state when the panel re-sends the whole page.
          const patched = () =>
            messages.some(
              (m) =>
                (m.type === 'patch' && (m.patch as { statusMessage?: unknown }).statusMessage === payload) ||
                (m.type === 'state' && m !== state && m.state.statusMessage === payload),
            );
          for (let attempt = 0; attempt < 5 && !patched(); attempt++) {
            tasklane.store.setStatus(record.id, tasklane.store.require(record.id).status, payload);
            await waitFor('the status message patch', patched, 2000).catch(() => undefined);
          }
          assert.ok(patched(), 'the status message reached the page as data');
          assert.strictEqual((state.state.arguments as { question?: unknown }).question, payload, 'the arguments are sent as data');

          const html = panelHtml(tasklane, record.id);
          const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
          const scriptSrc = /script-src ([^;]+)/.exec(csp)?.[1] ?? '';
          const nonce = /'nonce-([^']+)'/.exec(scriptSrc)?.[1];
          assert.ok(nonce && nonce.length >= 16, `script-src names a nonce: ${csp}`);
          assert.ok(!/unsafe-inline|unsafe-eval|\*/.test(scriptSrc), `script-src allows no inline script, eval or wildcard: ${scriptSrc}`);
          assert.match(csp, /default-src 'none'/);
          const scripts = [...html.matchAll(/<script\b([^>]*)>/g)];
          assert.strictEqual(scripts.length, 1, 'one script tag');
          assert.ok(scripts[0][1].includes(`nonce="${nonce}"`), 'and it carries the nonce');
          assert.ok(!html.includes(payload) && !html.includes('pwned'), 'no task text is written into the page\'s HTML');
          // One payload, checked in the name, arguments, status message and page HTML: it counts once.
          checked++;
        } finally {
          subscription.dispose();
          messages.length = 0;
          await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        }
      }
      trials.push({ area: 'hostile', name: 'Webview: HTML/script in task name, arguments, status message (real VS Code host)', tries: checked, unit: 'payloads', outcome: 'each sent to the page as name, arguments and status message, as JSON data only; the page HTML holds none of it; CSP: one nonce script, no unsafe-inline', passed: true });
    } catch (error) {
      trials.push({ area: 'hostile', name: 'Webview: HTML/script in task name, arguments, status message (real VS Code host)', tries: checked, unit: 'payloads', outcome: `failed: ${(error as Error).message}`, passed: false });
      throw error;
    } finally {
      for (const record of records) await tasklane.service.cancel(record.id).catch(() => undefined);
    }
  });

  it('a result made of HTML/script reaches the page as data', async () => {
    const payload = PAYLOADS[0] + PAYLOADS[1];
    const record: TaskRecord = await vscode.commands.executeCommand('tasklane.newTask', { serverId: 'tasklane', tool: 'wait', arguments: { durationMs: 1, message: payload }, intent: 'hostile result' });
    made.push(record.id);
    await waitFor('completion', () => tasklane.store.get(record.id)?.status === 'completed');
    const messages: HostToWebview[] = [];
    const subscription = tasklane.ui.details.onDidPostMessage((event) => {
      if (event.taskId === record.id) messages.push(event.message);
    });
    try {
      await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
      const state = await waitFor('the state', () => messages.find((m): m is Extract<HostToWebview, { type: 'state' }> => m.type === 'state'));
      assert.ok(JSON.stringify(state).includes(JSON.stringify(payload).slice(1, -1)), 'the result text travels as a JSON string');
      assert.ok(!panelHtml(tasklane, record.id).includes(payload));
      trials.push({ area: 'hostile', name: 'Webview: HTML/script in a task result (real VS Code host)', tries: 1, unit: 'payloads', outcome: 'sent to the page as JSON data only; not in the page HTML', passed: true });
    } finally {
      subscription.dispose();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});

/** The HTML the real host gave the panel's webview. */
function panelHtml(tasklane: TasklaneApi, taskId: string): string {
  const panel = tasklane.ui.details.panelFor(taskId);
  assert.ok(panel, 'the panel is open');
  return panel.webview.html;
}
