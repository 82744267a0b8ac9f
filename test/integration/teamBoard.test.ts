import * as assert from 'assert';
import { type ChildProcess, execFile, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, CreateTaskResultSchema, ElicitRequestSchema, GetTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { TasklaneApi } from '../../src/extension';
import type { TestDatabase } from '../unit/helpers/postgres';

/**
 * The PostgreSQL helper (and `pg` with it) is loaded only when this suite runs: `pg` reads the
 * `navigator` global as it loads, and hostLog.test.ts, which runs before, checks that nothing in
 * this extension host reads it.
 */
const postgres = () => import('../unit/helpers/postgres');
import { inThemes, readDetailPage, screenshot, tasklaneApi, waitFor } from './helpers';
import { canDriveUi, quickInputWhen, ui } from './uiDriver';

const SERVER_ID = 'team-board';

// The team board as a person sees it: a `"team": true` server entry with a board token set
// through the extension's own token store, and two principals' tasks listed from the team server
// into the Tasks view, grouped by agent, read from the rendered tree.
describe('The team board in the editor: a team server’s tasks in the Tasks view', function () {
  this.timeout(180_000);
  let tasklane: TasklaneApi;
  let db: TestDatabase | undefined;
  let server: ChildProcess | undefined;
  let pgParent: string | undefined;
  const sessions: Client[] = [];
  /** The team server and its principals' tokens, made by the first test. */
  const team = { url: '', tokens: { alice: '', bob: '' } };

  function cli(args: readonly string[]): Promise<string> {
    const root = vscode.extensions.getExtension('tasklane.tasklane')!.extensionPath;
    return new Promise((resolve, reject) =>
      execFile(process.execPath, [path.join(root, 'dist', 'server.js'), ...args], (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}: ${stderr}`)) : resolve(stdout.trim()),
      ),
    );
  }

  function startServer(store: string): Promise<string> {
    const root = vscode.extensions.getExtension('tasklane.tasklane')!.extensionPath;
    const child = spawn(
      process.execPath,
      [path.join(root, 'dist', 'server.js'), '--http', '--port', '0', '--store', store, '--machine', 'host-a', '--log', 'warn'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    server = child;
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`the server exited: ${stderr}`);
        return /Tasklane task server on (http:\/\/\S+)/.exec(stderr)?.[1];
      },
      { what: 'the team server to listen', timeoutMs: 30_000 },
    );
  }

  async function agent(url: string, token: string, name: string, client = new Client({ name, version: '1.0' }, { capabilities: {} })): Promise<Client> {
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    sessions.push(client);
    return client;
  }

  async function startWait(client: Client, message: string): Promise<string> {
    const created = await client.request(
      { method: 'tools/call', params: { name: 'wait', arguments: { durationMs: 600_000, message }, task: { ttl: 600_000 } } },
      CreateTaskResultSchema,
    );
    return created.task.taskId;
  }

  before(async function () {
    if (!canDriveUi() || (await postgres()).postgresUnavailable()) this.skip();
    tasklane = await tasklaneApi();
  });

  after(async () => {
    await vscode.workspace.getConfiguration('tasklane').update('servers', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('tasklane').update('tasks.groupBy', undefined, vscode.ConfigurationTarget.Global);
    if (tasklane) for (const record of tasklane.store.all().filter((each) => each.serverId === SERVER_ID)) tasklane.store.remove(record.id);
    await Promise.all(sessions.map((session) => session.close().catch(() => undefined)));
    if (server && server.exitCode === null) {
      const gone = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await gone;
    }
    await db?.drop().catch(() => undefined);
    if (db) (await (await postgres()).cluster()).stop();
    if (pgParent) fs.rmSync(pgParent, { recursive: true, force: true });
  });

  it('lists two principals’ tasks from a team server, grouped by agent in the rendered tree, with their machine', async () => {
    // PostgreSQL runs as its own user when the host runs as root: its data goes where that user can
    // reach (the host's private temp dir is not), only while the cluster is made.
    const tmp = process.env.TMPDIR;
    pgParent = fs.mkdtempSync(path.join('/tmp', 'tasklane-board-pg-'));
    fs.chmodSync(pgParent, 0o755);
    process.env.TMPDIR = pgParent;
    try {
      db = await (await postgres()).testDatabase('editorboard');
    } finally {
      if (tmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmp;
    }
    const aliceToken = await cli(['token', 'create', '--name', 'alice', '--store', db.url]);
    const bobToken = await cli(['token', 'create', '--name', 'bob', '--store', db.url]);
    const leadToken = await cli(['token', 'create', '--name', 'lead', '--role', 'board', '--store', db.url]);
    const url = await startServer(db.url);
    Object.assign(team, { url, tokens: { alice: aliceToken, bob: bobToken } });
    const aliceTask = await startWait(await agent(url, aliceToken, 'alice-agent'), 'alice builds');
    const bobTask = await startWait(await agent(url, bobToken, 'bob-agent'), 'bob tests');

    await vscode.workspace
      .getConfiguration('tasklane')
      .update('servers', [{ id: SERVER_ID, name: 'Team board', type: 'http', url, team: true }], vscode.ConfigurationTarget.Global);
    // The token as "Tasklane: Set Server Token…" keeps it (the extension's secret storage, through the servers port), once the entry is read.
    await waitFor(
      async () => {
        await tasklane.directory.setToken(SERVER_ID, leadToken);
        return true;
      },
      { what: 'the board token to be set', timeoutMs: 30_000, intervalMs: 500 },
    );

    const listed = await waitFor(
      () => {
        const alice = tasklane.store.all().find((record) => record.taskId === aliceTask);
        const bob = tasklane.store.all().find((record) => record.taskId === bobTask);
        return alice && bob ? { alice, bob } : undefined;
      },
      { what: "both principals' tasks listed into the store", timeoutMs: 60_000 },
    );
    assert.strictEqual(listed.alice.teamListed, true);
    assert.deepStrictEqual(listed.alice.context.agent, { name: 'alice', client: { name: 'alice-agent', version: '1.0' }, machine: 'host-a' });
    assert.strictEqual(listed.bob.context.agent?.name, 'bob');

    await vscode.workspace.getConfiguration('tasklane').update('tasks.groupBy', 'agent', vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('tasklane.tasks.focus');
    const rows = await waitFor(
      async () => {
        const { before } = await ui({});
        const groups = before.tasksTree.filter((row) => row.level === 1).map((row) => row.text);
        // A group row reads as its label and its count run together ("alice1").
        return groups.some((text) => /^alice\d/.test(text)) && groups.some((text) => /^bob\d/.test(text)) ? before.tasksTree : undefined;
      },
      { what: 'alice and bob as groups of the Tasks view', timeoutMs: 30_000, intervalMs: 300 },
    );
    assert.ok(rows.some((row) => row.level === 1 && /^lead\d/.test(row.text)) === false, `the board has no task of its own here: ${JSON.stringify(rows)}`);
    await inThemes(async (theme, themeClass) => {
      await ui({ screenshot: { name: `team-board-tree-${theme}`, themeClass } });
    });

    // Cancelled from the editor, as the board: the team server's task ends too.
    await tasklane.service.cancel(listed.alice.id);
    const onServer = await sessions[0].request({ method: 'tasks/get', params: { taskId: aliceTask } }, GetTaskResultSchema);
    assert.strictEqual(onServer.status, 'cancelled');
    await tasklane.service.cancel(listed.bob.id);
  });

  it('answers a listed task’s question from the palette, as a person does, and shows the result of a task that had finished before it was listed', async () => {
    assert.ok(team.url, 'the first test made the team server');
    // Bob's session is asked and never answers (he is away): the board answers from the editor.
    const bobClient = new Client({ name: 'bob-agent', version: '1.0' }, { capabilities: { elicitation: {} } });
    bobClient.setRequestHandler(ElicitRequestSchema, () => new Promise(() => undefined));
    const bob = await agent(team.url, team.tokens.bob, 'bob-agent', bobClient);
    const question = 'Ship the release tonight?';
    const created = await bob.request(
      { method: 'tools/call', params: { name: 'ask', arguments: { question }, task: { ttl: 600_000 } } },
      CreateTaskResultSchema,
    );
    const asking = await waitFor(
      () => {
        const record = tasklane.store.all().find((each) => each.taskId === created.task.taskId);
        return record && record.pendingInput.length > 0 ? record : undefined;
      },
      { what: "bob's question on the listed record", timeoutMs: 30_000 },
    );
    assert.strictEqual(asking.teamListed, true);

    // The palette, as a person: F1, the command, then the question's own input.
    await vscode.commands.executeCommand('tasklane.tasks.focus');
    await ui({ actions: [{ press: 'F1' }, { fill: '>Tasklane: Answer Task Input' }] });
    await quickInputWhen((state) => state.items[0]?.label.includes('Answer Task Input') === true && state.items[0].active, {
      what: 'the command in the palette',
    });
    await ui({ actions: [{ press: 'Enter' }] });
    const shown = await quickInputWhen((state) => state.title.includes(question) || state.placeholder.includes('Answer which task?'), {
      what: 'the question (or the pick of the tasks that ask)',
    });
    if (!shown.title.includes(question)) await ui({ actions: [{ fill: question.slice(0, 12) }, { press: 'Enter' }] });
    await ui({ title: question, screenshot: { name: 'team-board-answer' }, actions: [{ fill: 'yes, tonight' }, { press: 'Enter' }] });

    const done = await waitFor(
      () => {
        const record = tasklane.store.get(asking.id);
        return record?.status === 'completed' ? record : undefined;
      },
      { what: 'the listed task followed to completed', timeoutMs: 30_000 },
    );
    assert.deepStrictEqual(done.pendingInput, []);
    const result = await bob.request({ method: 'tasks/result', params: { taskId: created.task.taskId } }, CallToolResultSchema);
    assert.deepStrictEqual(result.content, [{ type: 'text', text: 'yes, tonight' }]);

    // Alice's task ends before the board lists it: it comes in as it ended, and opening it fetches its result.
    const alice = await agent(team.url, team.tokens.alice, 'alice-agent');
    const early = await alice.request(
      { method: 'tools/call', params: { name: 'wait', arguments: { durationMs: 1, message: 'early report' }, task: { ttl: 600_000 } } },
      CreateTaskResultSchema,
    );
    await waitFor(
      async () =>
        (await alice.request({ method: 'tasks/get', params: { taskId: early.task.taskId } }, GetTaskResultSchema)).status === 'completed' || undefined,
      { what: "alice's short task to end" },
    );
    const listed = await waitFor(() => tasklane.store.all().find((each) => each.taskId === early.task.taskId), {
      what: "alice's finished task listed",
      timeoutMs: 30_000,
    });
    assert.strictEqual(listed.status, 'completed');
    assert.strictEqual(listed.result, undefined, 'listed as it ended, without its result');
    await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: listed.id });
    // The wait tool's result says how long it waited: only the fetched result puts "waitedMs" on the page.
    const page = await waitFor(
      async () => {
        const read = await readDetailPage('wait: early report', { scroll: '.section-result' });
        return /waitedMs/.test(read.text) ? read : undefined;
      },
      { what: 'the fetched result on the detail page', timeoutMs: 60_000, intervalMs: 500 },
    );
    assert.match(page.text, /early report/);
    await screenshot('team-board-fetched-result');
  });
});
