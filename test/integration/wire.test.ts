import * as assert from 'assert';
import { type ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TaskRecord } from '../../src/core/taskRecord';
import type { WireLog } from '../../src/core/wireLog';
import type { WireLogStore } from '../../src/core/wireLogStore';
import type { TasklaneApi } from '../../src/extension';
import { inThemes, launcherServesPage, readDetailPage, screenshot, tasklaneApi, waitFor } from './helpers';

const FINISHED = ['completed', 'failed', 'cancelled'];
const HTTP_SERVER = 'wire-http';

function occurrences(text: string, part: RegExp): number {
  return text.match(new RegExp(part.source, 'g'))?.length ?? 0;
}

async function setCapture(servers: string[] | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('tasklane').update('wire.captureServers', servers, vscode.ConfigurationTarget.Global);
}

// The Wire section of the detail panel, as a server author reads it: the task's messages captured
// on the embedded server (in memory, 2025-11-25) and on an HTTP server (2026-07-28), read from the
// rendered page, and the log copied as a script to run again.
describe('The wire view: a task’s messages in its detail panel', function () {
  this.timeout(180_000);
  let tasklane: TasklaneApi;
  const made: string[] = [];

  before(async () => {
    tasklane = await tasklaneApi();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  after(async () => {
    await setCapture(undefined);
    for (const id of made)
      if (tasklane.store.get(id) && !FINISHED.includes(tasklane.store.require(id).status)) await tasklane.service.cancel(id).catch(() => undefined);
    await waitFor(() => made.every((id) => FINISHED.includes(tasklane.store.get(id)?.status ?? 'completed')), { what: "this suite's tasks to end" });
    for (const id of made) if (tasklane.store.get(id)) tasklane.store.remove(id);
  });

  async function start(spec: Parameters<TasklaneApi['service']['start']>[0]): Promise<TaskRecord> {
    const record = await tasklane.service.start(spec);
    made.push(record.id);
    return record;
  }

  async function finished(id: string): Promise<TaskRecord> {
    return waitFor(
      () => {
        const now = tasklane.store.get(id);
        return now && FINISHED.includes(now.status) ? now : undefined;
      },
      { what: `task ${id} to finish`, timeoutMs: 60_000 },
    );
  }

  /** The task's log once its last message (the terminal answer) is in it. */
  async function settledLog(id: string): Promise<WireLog> {
    let last = '';
    return waitFor(
      () => {
        const log = tasklane.wireLogs.readWireLog(id);
        // Capture delivers after the store has the result: wait until two reads agree.
        const now = JSON.stringify(log?.entries.map((entry) => entry.seq));
        const settled = log && log.entries.some((entry) => entry.direction === 'received') && now === last;
        last = now;
        return settled ? log : undefined;
      },
      { what: `the wire log of task ${id}`, intervalMs: 300 },
    );
  }

  it('says capture is off, and how to turn it on, for a task of a server that is not captured', async function () {
    if (!launcherServesPage()) this.skip();
    await setCapture([]);
    const record = await start({ serverId: 'tasklane', tool: 'wait', arguments: { durationMs: 10, message: 'quiet' }, intent: 'Wire off' });
    await finished(record.id);
    assert.strictEqual(tasklane.wireLogs.readWireLog(record.id), undefined, 'nothing was captured');
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
    const page = await readDetailPage('Wire off', { scroll: '.section-wire' });
    assert.match(page.text, /Capture is off for Tasklane \(this editor\)/);
    assert.match(page.text, /Capture Wire Messages/);
    assert.match(page.text, /tasklane\.wire\.captureServers/);
  });

  it('lists the embedded server’s messages in order as they arrive, folds their JSON, and copies them as JSON lines', async function () {
    if (!launcherServesPage()) this.skip();
    await setCapture(['tasklane']);
    const record = await start({ serverId: 'tasklane', tool: 'wait', arguments: { durationMs: 1500, message: 'on the wire' }, intent: 'Wire in memory' });
    // Opened while the task runs: what arrives later reaches the page as patches.
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
    await readDetailPage('Wire in memory');
    await finished(record.id);
    const log = await settledLog(record.id);
    const sent = log.entries.filter((entry) => entry.direction === 'sent');
    const received = log.entries.filter((entry) => entry.direction === 'received');
    assert.ok(
      sent.some((entry) => entry.method === 'tools/call'),
      `the call was captured: ${JSON.stringify(log.entries.map((e) => [e.direction, e.method]))}`,
    );

    const page = await waitFor(
      async () => {
        const read = await readDetailPage('Wire in memory', { scroll: '.section-wire' });
        return occurrences(read.text, /\bReceived\b/) === received.length ? read : undefined;
      },
      { what: 'the page to show every received message', timeoutMs: 30_000, intervalMs: 500 },
    );
    assert.strictEqual(occurrences(page.text, /\bSent\b/), sent.length, `every sent message is listed:\n${page.text}`);
    const wireText = page.text.slice(page.text.indexOf('Wire\n'));
    assert.ok(wireText.indexOf('tools/call') >= 0 && wireText.indexOf('tools/call') < wireText.lastIndexOf('Received'), 'the call comes first');
    assert.match(wireText, /\+\d+\.\d{3} s/, 'times relative to the task’s creation');
    for (const entry of log.entries.filter((e) => e.rpcId !== undefined))
      assert.ok(wireText.includes(`id ${JSON.stringify(entry.rpcId)}`), `id ${entry.rpcId} shown`);
    assert.doesNotMatch(wireText, /"jsonrpc"/, 'JSON starts folded');

    await readDetailPage('Wire in memory', { scroll: '.section-wire', click: '.wire-fold > summary' });
    const opened = await readDetailPage('Wire in memory', { scroll: '.section-wire' });
    assert.match(opened.text, /"jsonrpc"/, 'a click unfolds the first message’s JSON');

    const script = await vscode.commands.executeCommand<string>('tasklane.copyWireLogAsScript', { id: record.id });
    assert.strictEqual(await vscode.env.clipboard.readText(), script);
    const lines = script
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { method?: string });
    assert.strictEqual(lines[0].method, 'initialize');
    assert.ok(lines.some((line) => line.method === 'tools/call'));
    assert.strictEqual(lines.length, sent.length + (sent[0].method === 'initialize' ? 0 : 2));
  });

  it('shows a rule a server broke beside its message, a cut message and the dropped ones, as text, and follows a log that appears', async function () {
    if (!launcherServesPage()) this.skip();
    await setCapture([]);
    const record = await start({ serverId: 'tasklane', tool: 'wait', arguments: { durationMs: 10, message: 'flagged' }, intent: 'Wire flagged' });
    await finished(record.id);
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
    assert.match((await readDetailPage('Wire flagged', { scroll: '.section-wire' })).text, /Capture is off/);
    const hostile = '<img src=x onerror="document.body.dataset.pwned=1">';
    const at = (ms: number) => new Date(Date.parse(record.createdAt) + ms).toISOString();
    // A log as capture keeps one (an imported task's log goes in the same way): the page was open before it existed.
    (tasklane.wireLogs as WireLogStore).put({
      recordId: record.id,
      serverId: 'tasklane',
      wire: '2025-11-25',
      dropped: { messages: 42, bytes: 118 * 1024 },
      entries: [
        {
          seq: 43,
          at: at(1204),
          direction: 'received',
          transport: 'memory',
          kind: 'response',
          method: 'tasks/get',
          rpcId: 9,
          bytes: 2_000_000,
          cut: { keptBytes: 4096 },
          message: { jsonrpc: '2.0', id: 9, result: { taskId: hostile, status: 'done' } },
          flags: [{ rule: 'T-S-07', text: `status "done" is not a task status (${hostile})` }],
        },
      ],
    });
    const page = await waitFor(
      async () => {
        const read = await readDetailPage('Wire flagged', { scroll: '.section-wire' });
        return /T-S-07/.test(read.text) ? read : undefined;
      },
      { what: 'the page to show the new log', timeoutMs: 30_000, intervalMs: 500 },
    );
    const wireText = page.text.slice(page.text.indexOf('Wire\n'));
    assert.match(wireText, /42 earlier messages \(118\.0 KB\) not kept/);
    assert.match(wireText, /Cut: 4\.0 KB of 1\.9 MB kept/);
    assert.match(wireText, /\+1\.204 s/);
    assert.ok(wireText.includes(`status "done" is not a task status (${hostile})`), `the flag's text is shown as text:\n${wireText}`);
    await readDetailPage('Wire flagged', { scroll: '.wire-flag' });
    await screenshot('wire-section-flagged-light', 'vs');
  });

  // Written against wirecap's rule-breaking fixture after this suite's runs: see the branch's report before trusting it.
  it('shows the rules a rule-breaking stdio server broke beside its messages (T-S-07, T-S-08, T-S-13)', async function () {
    if (!launcherServesPage()) this.skip();
    const root = vscode.extensions.getExtension('tasklane.tasklane')!.extensionPath;
    const serverId = 'wire-rude';
    await setCapture([serverId]);
    await vscode.workspace.getConfiguration('tasklane').update(
      'servers',
      [
        {
          id: serverId,
          name: 'Rude (test)',
          type: 'stdio',
          command: process.execPath,
          args: [path.join(root, 'test', 'fixtures', 'wire', 'rudeTaskServer.mjs')],
        },
      ],
      vscode.ConfigurationTarget.Global,
    );
    try {
      const supervisor = await waitFor(() => tasklane.servers.supervisor(serverId), { what: 'the rule-breaking server to be configured' });
      await waitFor(() => supervisor.state === 'connected', { what: 'the rule-breaking server to connect' });
      const record = await start({ serverId, tool: 'slow', arguments: {}, intent: 'Wire rude server' });
      await waitFor(() => tasklane.wireLogs.readWireLog(record.id)?.entries.some((entry) => entry.flags.some((flag) => flag.rule === 'T-S-07')), {
        what: 'the T-S-07 flag in the log',
      });
      await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
      const page = await waitFor(
        async () => {
          const read = await readDetailPage('Wire rude server', { scroll: '.wire-flag' });
          return /T-S-07/.test(read.text) ? read : undefined;
        },
        { what: 'the page to show the flags', timeoutMs: 30_000, intervalMs: 500 },
      );
      const wireText = page.text.slice(page.text.indexOf('Wire\n'));
      for (const rule of ['T-S-07', 'T-S-08', 'T-S-13']) assert.match(wireText, new RegExp(rule), `${rule} is shown:\n${wireText}`);
      await screenshot('wire-section-rude-light', 'vs');
    } finally {
      await vscode.workspace.getConfiguration('tasklane').update('servers', undefined, vscode.ConfigurationTarget.Global);
      await waitFor(() => !tasklane.servers.supervisor(serverId), { what: 'the rule-breaking server to be removed' });
    }
  });

  it('shows an HTTP task on the 2026-07-28 wire with its status and headers, never its token, and copies it as curl', async function () {
    if (!launcherServesPage()) this.skip();
    const root = vscode.extensions.getExtension('tasklane.tasklane')!.extensionPath;
    const token = `wire-token-${Date.now()}`;
    const child: ChildProcess = spawn(process.execPath, [path.join(root, 'dist', 'server.js'), '--http', '--port', '0', '--token', token], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      let stderr = '';
      child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
      const url = (await waitFor(() => /on (http:\/\/\S+)/.exec(stderr) ?? undefined, { what: 'the HTTP server to listen' }))[1];
      await setCapture([HTTP_SERVER]);
      await vscode.workspace
        .getConfiguration('tasklane')
        .update('servers', [{ id: HTTP_SERVER, name: 'Wire HTTP (test)', type: 'http', url }], vscode.ConfigurationTarget.Global);
      const supervisor = await waitFor(() => tasklane.servers.supervisor(HTTP_SERVER), { what: 'the HTTP server to be configured' });
      assert.strictEqual(await vscode.commands.executeCommand('tasklane.setServerToken', { id: HTTP_SERVER }, token), true);
      await waitFor(() => supervisor.state === 'connected', { what: 'the connection with the token' });

      const record = await start({ serverId: HTTP_SERVER, tool: 'wait', arguments: { durationMs: 300, message: 'over http' }, intent: 'Wire over HTTP' });
      const done = await finished(record.id);
      assert.strictEqual(done.wire, 'io.modelcontextprotocol/tasks');
      const log = await settledLog(record.id);
      assert.ok(!JSON.stringify(log).includes(token), 'the log keeps no token');
      assert.ok(log.entries.every((entry) => entry.transport === 'http'));

      await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
      await inThemes(async (theme, themeClass) => {
        const page = await readDetailPage('Wire over HTTP', { themeClass, scroll: '.section-wire' });
        await screenshot(`wire-section-${theme}`, themeClass);
        const wireText = page.text.slice(page.text.indexOf('Wire\n'));
        assert.match(wireText, /HTTP 200/, `the HTTP status is shown (${theme}):\n${wireText}`);
        assert.match(wireText, /Mcp-Method/i, 'and the headers');
        assert.match(wireText, /tools\/call/);
        assert.ok(!page.text.includes(token), 'the page shows no token');
      });

      const script = await vscode.commands.executeCommand<string>('tasklane.copyWireLogAsScript', { id: record.id });
      assert.match(script, /^#!\/bin\/sh/);
      assert.match(script, /curl -sS -X 'POST' /);
      assert.match(script, /Authorization: Bearer \$TASKLANE_TOKEN/);
      assert.ok(!script.includes(token), 'the script has no token');
    } finally {
      await vscode.workspace.getConfiguration('tasklane').update('servers', undefined, vscode.ConfigurationTarget.Global);
      await waitFor(() => !tasklane.servers.supervisor(HTTP_SERVER), { what: 'the HTTP server to be removed' });
      child.kill();
    }
  });
});
