import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../src/core/taskRecord';
import type { TasklaneApi } from '../../src/extension';
import type { HostToWebview } from '../../src/ui/detail/protocol';
import { tasklaneApi, waitFor } from './helpers';
import { canAskLauncher, detailPageDom, type WebviewDom } from './launcherRequests';

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
    await waitFor(() => made.every((id) => ['completed', 'failed', 'cancelled'].includes(tasklane.store.get(id)?.status ?? 'completed')), {
      what: "this suite's tasks to end",
    });
    for (const id of made) if (tasklane.store.get(id)) tasklane.store.remove(id);
    fs.mkdirSync(path.dirname(TALLY), { recursive: true });
    fs.writeFileSync(TALLY, JSON.stringify({ at: new Date().toISOString(), trials }, null, 2) + '\n');
  });

  it("task names, arguments, status messages and results made of HTML/script reach the page only as data, and the page's CSP allows no inline script", async () => {
    const messages: HostToWebview[] = [];
    const records: TaskRecord[] = [];
    for (const payload of PAYLOADS) {
      // `ask` waits for an answer without touching its status message, so the one set below stays.
      const record: TaskRecord = await vscode.commands.executeCommand('tasklane.newTask', {
        serverId: 'tasklane',
        tool: 'ask',
        arguments: { question: payload },
        intent: payload,
      });
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
          const state = await waitFor(() => messages.find((m): m is Extract<HostToWebview, { type: 'state' }> => m.type === 'state'), {
            what: 'the full state after the ready handshake',
          });
          const sent = JSON.stringify(state);
          // Data, byte for byte: the page puts it into text nodes, so nothing is escaped or stripped here.
          assert.ok(sent.includes(JSON.stringify(payload).slice(1, -1)), `the payload travels as a JSON string: ${payload}`);
          assert.strictEqual(state.state.intent, payload, 'the name is sent as text');
          // A status message set now reaches the open page as a patch. The task's own status updates
          // (its question, the follower's polls) may overwrite it: set it again then.
          // It arrives as a patch, or inside a full state when the panel re-sends the whole page.
          const patched = () =>
            messages.some(
              (m) =>
                (m.type === 'patch' && (m.patch as { statusMessage?: unknown }).statusMessage === payload) ||
                (m.type === 'state' && m !== state && m.state.statusMessage === payload),
            );
          // On a loaded machine that can take a while: set it again every 2 s, for up to 30 s in all.
          // A hidden panel is rightly sent nothing until it shows again: look at it again, as a person would.
          let setAt = 0;
          await waitFor(
            async () => {
              if (patched()) return true;
              if (Date.now() - setAt >= 2000) {
                if (!tasklane.ui.details.panelFor(record.id)?.visible) {
                  await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
                }
                tasklane.store.setStatus(record.id, tasklane.store.require(record.id).status, payload);
                // Sent now: the follower's next poll puts the server's own status message back, and
                // within the panel's coalescing delay that would leave nothing to patch.
                tasklane.ui.details.flush();
                setAt = Date.now();
              }
              // Thrown, not returned: a time-out then says what the panel and the record were doing.
              const current = tasklane.store.get(record.id);
              throw new Error(
                `no patch yet; panel visible: ${tasklane.ui.details.panelFor(record.id)?.visible}; ` +
                  `posted: ${messages.map((m) => m.type).join(',')}; record: ${current?.status} ${JSON.stringify(current?.statusMessage)}`,
              );
            },
            { what: 'the status message patch', timeoutMs: 30_000 },
          );
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
          assert.ok(!html.includes(payload) && !html.includes('pwned'), "no task text is written into the page's HTML");
          // What the browser made of it: the payload shows as text, and nothing in the page came from it.
          if (canAskLauncher()) {
            const dom = await detailPageDom(record.id, (d) => rendered(d, record.id, payload, 3));
            assertOnlyText(dom, payload, nonce);
          }
          // One payload, checked in the name, arguments, status message, page HTML and rendered page: it counts once.
          checked++;
        } finally {
          subscription.dispose();
          messages.length = 0;
          await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        }
      }
      trials.push({
        area: 'hostile',
        name: 'Webview: HTML/script in task name, arguments, status message (real VS Code host)',
        tries: checked,
        unit: 'payloads',
        outcome: `sent to the page as JSON data only; the page HTML holds none of it; ${canAskLauncher() ? 'the rendered page shows it as text only (no element, handler, loaded attribute or script from it); ' : ''}CSP: one nonce script, no unsafe-inline`,
        passed: true,
      });
    } catch (error) {
      trials.push({
        area: 'hostile',
        name: 'Webview: HTML/script in task name, arguments, status message (real VS Code host)',
        tries: checked,
        unit: 'payloads',
        outcome: `failed: ${(error as Error).message}`,
        passed: false,
      });
      throw error;
    } finally {
      for (const record of records) await tasklane.service.cancel(record.id).catch(() => undefined);
    }
  });

  it('a result made of HTML/script reaches the page as data', async () => {
    const payload = PAYLOADS[0] + PAYLOADS[1];
    const record: TaskRecord = await vscode.commands.executeCommand('tasklane.newTask', {
      serverId: 'tasklane',
      tool: 'wait',
      arguments: { durationMs: 1, message: payload },
      intent: 'hostile result',
    });
    made.push(record.id);
    await waitFor(() => tasklane.store.get(record.id)?.status === 'completed', { what: 'completion' });
    const messages: HostToWebview[] = [];
    const subscription = tasklane.ui.details.onDidPostMessage((event) => {
      if (event.taskId === record.id) messages.push(event.message);
    });
    try {
      await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
      const state = await waitFor(() => messages.find((m): m is Extract<HostToWebview, { type: 'state' }> => m.type === 'state'), { what: 'the state' });
      assert.ok(JSON.stringify(state).includes(JSON.stringify(payload).slice(1, -1)), 'the result text travels as a JSON string');
      assert.ok(!panelHtml(tasklane, record.id).includes(payload));
      if (canAskLauncher()) {
        const dom = await detailPageDom(record.id, (d) => rendered(d, record.id, payload, 1));
        const nonce = /nonce="([^"]+)"/.exec(panelHtml(tasklane, record.id))?.[1] ?? '';
        assertOnlyText(dom, payload, nonce);
      }
      trials.push({
        area: 'hostile',
        name: 'Webview: HTML/script in a task result (real VS Code host)',
        tries: 1,
        unit: 'payloads',
        outcome: `sent to the page as JSON data only; not in the page HTML${canAskLauncher() ? '; rendered as text only' : ''}`,
        passed: true,
      });
    } finally {
      subscription.dispose();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});

/** The HTML the real host gave the panel's webview (the panels are not part of the public API). */
function panelHtml(tasklane: TasklaneApi, taskId: string): string {
  const panel = tasklane.ui.details.panelFor(taskId);
  assert.ok(panel, 'the panel is open');
  return panel.webview.html;
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/**
 * The page has drawn the task (its id shows) and either shows the payload `times` times as text or
 * went wrong visibly (an element or handler that is not the page's own): time to look closely.
 */
function rendered(dom: WebviewDom, id: string, payload: string, times: number): boolean {
  const text = dom.appText ?? '';
  const wrong = pageScripts(dom).length > 1 || dom.elements.some((e) => !PAGE_TAGS.has(e.tag) || e.attributes.some(([name]) => /^on/i.test(name)));
  return text.includes(id) && (occurrences(text, payload) >= times || wrong);
}

/** Elements a page shows task text with; anything else (script, iframe, img, object, …) would have come from the text. */
const PAGE_TAGS = new Set([
  'html',
  'head',
  'meta',
  'link',
  'title',
  'body',
  'script',
  'style',
  'div',
  'span',
  'section',
  'header',
  'main',
  'footer',
  'nav',
  'h1',
  'h2',
  'h3',
  'p',
  'ul',
  'ol',
  'li',
  'dl',
  'dt',
  'dd',
  'pre',
  'code',
  'button',
  'time',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'details',
  'summary',
  'a',
  'svg',
  'path',
  'label',
  'input',
  'textarea',
  'form',
  'select',
  'option',
  'strong',
  'em',
  'small',
  'br',
  'hr',
  'kbd',
  'abbr',
  'mark',
]);

/** The page's scripts, without the preamble VS Code puts into every webview (acquireVsCodeApi). */
function pageScripts(dom: WebviewDom): WebviewDom['scripts'] {
  return dom.scripts.filter((script) => !(script.src === null && script.text.includes('globalThis.acquireVsCodeApi')));
}

/** Attributes whose value the browser loads or runs: task text must never reach one. */
const ACTIVE_ATTRIBUTES = /^(href|src|srcdoc|srcset|action|formaction|xlink:href|data|style|poster|background)$/i;

/**
 * The rendered page holds `payload` only as text: no element, attribute or script came from it.
 * (Text in a plain attribute such as aria-label is data: setAttribute never parses it.) The only
 * scripts are VS Code's own webview preamble and the shell's script with its nonce; the payload's
 * scripts never ran (they would have renamed the page).
 */
function assertOnlyText(dom: WebviewDom, payload: string, nonce: string): void {
  assert.ok((dom.appText ?? '').includes(payload), 'the payload is shown, as text');
  // The page titles itself with the task's title, which may quote the payload as text; a script
  // that ran would have set the title to exactly what it says.
  assert.doesNotMatch(dom.title, /^pwned-(script|img)$/, 'no script from the payload ran');
  const foreign = dom.elements.filter((e) => !PAGE_TAGS.has(e.tag)).map((e) => e.tag);
  assert.deepStrictEqual(foreign, [], 'no element came from task text');
  for (const element of dom.elements) {
    for (const [name, value] of element.attributes) {
      assert.ok(!/^on/i.test(name), `no event handler attribute: <${element.tag} ${name}="${value}">`);
      if (ACTIVE_ATTRIBUTES.test(name))
        assert.ok(
          !value.includes(payload) && !/pwned|javascript:|alert\(/i.test(value),
          `no loaded or run attribute carries task text: <${element.tag} ${name}="${value}">`,
        );
    }
  }
  const ours = pageScripts(dom);
  assert.strictEqual(ours.length, 1, `one script besides VS Code's preamble: ${JSON.stringify(ours)}`);
  assert.strictEqual(ours[0].nonce, nonce, "the shell's script, with its nonce");
  assert.match(ours[0].src ?? '', /\/dist\/webview\.js$/, 'loaded from the extension');
  assert.strictEqual(ours[0].text, '', 'and no inline code');
}
