import * as assert from 'assert';
import { type ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/taskRecord';
import type { ServerNode } from '../../src/ui/tree/serversTreeProvider';
import { processAlive, waitFor, tasklaneApi } from './helpers';

const SERVER_ID = 'standalone';

/** The Servers view's rows, read through the real TreeDataProvider. */
function serverRows(
  tasklane: TasklaneApi,
): { id: string; label: string; description: string; icon: string; color?: string; contextValue: string; tooltip: string }[] {
  const tree = tasklane.ui.serversTree;
  return tree.getChildren().map((node: ServerNode) => {
    const item = tree.getTreeItem(node);
    const icon = item.iconPath as vscode.ThemeIcon;
    return {
      id: String(item.id),
      label: String(item.label),
      description: String(item.description ?? ''),
      icon: icon.id,
      color: icon.color?.id,
      contextValue: String(item.contextValue),
      tooltip: item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip ?? ''),
    };
  });
}

function row(tasklane: TasklaneApi, id: string) {
  return serverRows(tasklane).find((r) => r.id === `server:${id}`);
}

async function setServers(value: unknown[] | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('tasklane').update('servers', value, vscode.ConfigurationTarget.Global);
}

describe('External MCP servers in a real VS Code host', function () {
  this.timeout(90_000);
  let tasklane: TasklaneApi;
  let standalone: Record<string, unknown>;
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const mcpJson = path.join(folder, '.vscode', 'mcp.json');

  before(async () => {
    tasklane = await tasklaneApi();
    const root = vscode.extensions.getExtension('tasklane.tasklane')!.extensionPath;
    // Our own standalone server, started the way a person would configure any stdio server.
    standalone = {
      id: SERVER_ID,
      name: 'Standalone (test)',
      type: 'stdio',
      command: process.execPath,
      args: [path.join(root, 'dist', 'server.js'), '--stdio'],
    };
  });

  after(async () => {
    fs.rmSync(mcpJson, { force: true });
    await setServers(undefined);
    // Leave the host as the other suites expect it: the embedded server only.
    await waitFor(() => tasklane.service.listServers().length === 1 && tasklane.servers.list().length === 0, { what: 'the external servers to go away' });
  });

  it('declares the commands and the setting', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['tasklane.addServer', 'tasklane.reconnectServer', 'tasklane.disconnectServer', 'tasklane.setServerToken', 'tasklane.showServerLog'])
      assert.ok(commands.includes(id), `${id} is registered`);
    assert.deepStrictEqual(vscode.workspace.getConfiguration('tasklane').inspect('servers')?.defaultValue, []);
  });

  it('connects a stdio server from the tasklane.servers setting and shows it connected after the embedded server', async () => {
    await setServers([standalone]);
    const supervisor = await waitFor(() => tasklane.servers.supervisor(SERVER_ID), { what: 'the server to be configured' });
    await waitFor(() => supervisor.state === 'connected', { what: 'the server to connect' });
    assert.ok(tasklane.service.getServer(SERVER_ID), 'the task service has it');

    const rows = serverRows(tasklane);
    assert.deepStrictEqual(
      rows.map((r) => r.id),
      ['server:tasklane', `server:${SERVER_ID}`],
      'the embedded server stays first',
    );
    const shown = rows[1];
    assert.strictEqual(shown.label, 'Standalone (test)');
    assert.strictEqual(shown.description, 'stdio · connected · 2025-11-25 · tasks');
    assert.strictEqual(shown.icon, 'vm-running');
    assert.strictEqual(shown.color, 'testing.iconPassed');
    assert.strictEqual(shown.contextValue, 'server:external:stdio:connected');
    assert.match(shown.tooltip, new RegExp(`Process id: ${supervisor.pid}`));
    assert.match(shown.tooltip, /Settings \\\(tasklane\.servers\\\)/);
  });

  it('runs a task on it; killing the process fails the task with the reason (retryable) and the server reconnects', async () => {
    const supervisor = tasklane.servers.supervisor(SERVER_ID)!;
    const record: TaskRecord = await vscode.commands.executeCommand('tasklane.newTask', {
      serverId: SERVER_ID,
      tool: 'wait',
      arguments: { durationMs: 60_000 },
      intent: 'Outlive the server',
    });
    assert.ok(record?.taskId, 'it runs as a task on the external server');
    assert.strictEqual(record.serverId, SERVER_ID);
    await waitFor(() => tasklane.store.get(record.id)?.status === 'working', { what: 'the task to run' });

    const pid = supervisor.pid!;
    assert.ok(pid > 0, 'the test hook gives the process id');
    process.kill(pid, 'SIGKILL');

    const failed = await waitFor(
      () => {
        const current = tasklane.store.get(record.id);
        return current?.status === 'failed' ? current : undefined;
      },
      { what: 'the task to fail' },
    );
    assert.strictEqual(failed.statusMessage, 'The server process exited (signal SIGKILL). Retry to run it again.');
    assert.strictEqual(failed.error?.message, 'The server process exited (signal SIGKILL)');
    tasklane.ui.changes.flush();
    const item = tasklane.ui.tree.getTreeItem(tasklane.ui.tree.nodeFor(record.id)!);
    assert.match(String(item.contextValue), /:retryable/);

    await waitFor(() => supervisor.state === 'connected' && supervisor.pid !== pid, { what: 'the server to come back with a new process' });
    assert.match(row(tasklane, SERVER_ID)!.tooltip, /Last error.*The server process exited \\\(signal SIGKILL\\\)/s);

    const retry: TaskRecord = await vscode.commands.executeCommand('tasklane.retryTask', { id: record.id });
    assert.strictEqual(retry.retryOf, record.id);
    assert.strictEqual(retry.serverId, SERVER_ID);
    await waitFor(() => tasklane.store.get(retry.id)?.status === 'working', { what: 'the retry to run on the new process' });
    const cancelled: TaskRecord = await vscode.commands.executeCommand('tasklane.cancelTask', { id: retry.id });
    assert.strictEqual(cancelled.status, 'cancelled');
  });

  it('disconnects and reconnects from the commands', async () => {
    const supervisor = tasklane.servers.supervisor(SERVER_ID)!;
    const pid = supervisor.pid;
    assert.ok(pid, 'the server runs as a process');
    await vscode.commands.executeCommand('tasklane.disconnectServer', { id: SERVER_ID });
    assert.strictEqual(supervisor.state, 'disconnected');
    assert.strictEqual(tasklane.service.getServer(SERVER_ID), undefined);
    const shown = row(tasklane, SERVER_ID)!;
    assert.strictEqual(shown.icon, 'debug-disconnect');
    assert.strictEqual(shown.contextValue, 'server:external:stdio:disconnected');
    // That it stays disconnected is a claim no wait can prove. The supervisor reconnects on its own
    // only through a retry it schedules when it sees the process end: so wait for that end, then
    // check that no retry was scheduled (and none can be later: the process is gone).
    await waitFor(() => !processAlive(pid), { what: `the server process (pid ${pid}) to end` });
    assert.strictEqual(supervisor.snapshot().nextRetryAt, undefined, 'no automatic reconnect is scheduled');
    assert.strictEqual(supervisor.state, 'disconnected', 'a server the person disconnected stays disconnected');

    await vscode.commands.executeCommand('tasklane.reconnectServer', SERVER_ID);
    await waitFor(() => supervisor.state === 'connected', { what: 'the reconnect' });
    assert.ok(tasklane.service.getServer(SERVER_ID));
  });

  it('reports an invalid entry by field while the other servers keep running', async () => {
    const pid = tasklane.servers.supervisor(SERVER_ID)!.pid;
    await setServers([standalone, { name: 'Broken', type: 'stdio', args: ['x'] }]);
    const problem = await waitFor(() => tasklane.servers.configProblems().find((p) => p.field === 'tasklane.servers[1].command'), {
      what: 'the problem to be reported',
    });
    assert.match(problem.message, /is required for a stdio server/);
    const broken = await waitFor(() => row(tasklane, 'broken'), { what: 'the broken entry in the view' });
    assert.strictEqual(broken.icon, 'error');
    assert.strictEqual(broken.description, 'stdio · invalid configuration');
    assert.match(broken.tooltip, /tasklane\.servers\[1\]\.command|tasklane\.servers\\\[1\\\]\.command/);
    const supervisor = tasklane.servers.supervisor(SERVER_ID)!;
    assert.strictEqual(supervisor.state, 'connected');
    assert.strictEqual(supervisor.pid, pid, 'an unchanged server is not restarted');
    await setServers([standalone]);
    await waitFor(() => tasklane.servers.configProblems().length === 0 && !row(tasklane, 'broken'), { what: 'the problem to clear' });
  });

  it('connects an HTTP server once its token is set; the token lives in SecretStorage and goes out as a bearer header', async () => {
    const root = vscode.extensions.getExtension('tasklane.tasklane')!.extensionPath;
    const token = `test-token-${Date.now()}`;
    const child: ChildProcess = spawn(process.execPath, [path.join(root, 'dist', 'server.js'), '--http', '--port', '0', '--token', token], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      let stderr = '';
      child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
      const url = (await waitFor(() => /on (http:\/\/\S+)/.exec(stderr) ?? undefined, { what: 'the HTTP server to listen' }))[1];
      await setServers([standalone, { id: 'remote', name: 'Remote (test)', type: 'http', url }]);
      const supervisor = await waitFor(() => tasklane.servers.supervisor('remote'), { what: 'the HTTP server to be configured' });
      await waitFor(() => supervisor.state === 'failed', { what: 'it to be refused without a token' });
      assert.match(supervisor.lastError ?? '', /Set Server Token/);
      assert.strictEqual(row(tasklane, 'remote')!.contextValue, 'server:external:http:failed');
      assert.strictEqual(row(tasklane, 'remote')!.icon, 'error');

      assert.strictEqual(await vscode.commands.executeCommand('tasklane.setServerToken', { id: 'remote' }, token), true);
      await waitFor(() => supervisor.state === 'connected', { what: 'the connection with the token' });
      assert.match(row(tasklane, 'remote')!.tooltip, /Token: set \(in SecretStorage\)/);
      assert.strictEqual(
        row(tasklane, 'remote')!.description,
        'http · connected · io.modelcontextprotocol/tasks · tasks',
        'the wire is negotiated: our server offers the extension',
      );
      assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('tasklane').inspect('servers')).includes(token), 'the token is not in any settings scope');

      const record: TaskRecord = await vscode.commands.executeCommand('tasklane.newTask', {
        serverId: 'remote',
        tool: 'wait',
        arguments: { durationMs: 50, message: 'over http' },
      });
      const done = await waitFor(
        () => {
          const current = tasklane.store.get(record.id);
          return current?.status === 'completed' ? current : undefined;
        },
        { what: 'the HTTP task to complete' },
      );
      assert.deepStrictEqual((done.result as { content: unknown[] }).content, [{ type: 'text', text: 'over http' }]);
      assert.strictEqual(done.wire, 'io.modelcontextprotocol/tasks');

      // An empty token removes it.
      assert.strictEqual(await vscode.commands.executeCommand('tasklane.setServerToken', { id: 'remote' }, ''), true);
      await waitFor(() => supervisor.state === 'failed', { what: 'it to be refused again' });
    } finally {
      await setServers([standalone]);
      await waitFor(() => !tasklane.servers.supervisor('remote'), { what: 'the HTTP server to be removed' });
      child.kill();
    }
  });

  it('asks for an mcp.json ${input:…} once, keeps the answer in SecretStorage, and passes it to the server', async () => {
    const root = vscode.extensions.getExtension('tasklane.tasklane')!.extensionPath;
    const file = {
      inputs: [{ type: 'promptString', id: 'secret', description: 'A test secret', password: true }],
      servers: {
        withInput: { command: process.execPath, args: [path.join(root, 'dist', 'server.js'), '--stdio'], env: { TASKLANE_TEST_SECRET: '${input:secret}' } },
      },
    };
    const asked: string[] = [];
    const original = tasklane.servers.prompt;
    tasklane.servers.prompt = async (_config, input) => {
      asked.push(`${input.id}${input.password ? ' (password)' : ''}`);
      return 'open-sesame';
    };
    try {
      await vscode.workspace.fs.writeFile(vscode.Uri.file(mcpJson), new TextEncoder().encode(JSON.stringify(file, null, 2)));
      const supervisor = await waitFor(() => tasklane.servers.supervisor('withInput'), { what: 'the server to be configured' });
      await waitFor(() => supervisor.state === 'connected', { what: 'the server to connect' });
      assert.deepStrictEqual(asked, ['secret (password)']);
      const record: TaskRecord = await vscode.commands.executeCommand('tasklane.newTask', {
        serverId: 'withInput',
        tool: 'run_command',
        arguments: { command: 'printf %s "$TASKLANE_TEST_SECRET"' },
      });
      const done = await waitFor(
        () => {
          const current = tasklane.store.get(record.id);
          return current?.status === 'completed' ? current : undefined;
        },
        { what: 'the command to finish' },
      );
      assert.strictEqual(done.output, 'open-sesame');
      await vscode.commands.executeCommand('tasklane.reconnectServer', 'withInput');
      await waitFor(() => supervisor.state === 'connected', { what: 'the reconnect' });
      assert.deepStrictEqual(asked, ['secret (password)'], 'the remembered answer is used, not asked again');
    } finally {
      tasklane.servers.prompt = original;
      if (tasklane.servers.supervisor('withInput')) await tasklane.servers.forgetInput('withInput', 'secret');
      await vscode.workspace.fs.delete(vscode.Uri.file(mcpJson));
      await waitFor(() => !tasklane.servers.supervisor('withInput'), { what: 'the server to go away' });
    }
  });

  it('reads the workspace .vscode/mcp.json, follows its changes, and fills in ${workspaceFolder}', async () => {
    const root = vscode.extensions.getExtension('tasklane.tasklane')!.extensionPath;
    const file = {
      // Comments are allowed, as in VS Code's own mcp.json.
      servers: {
        fromWorkspace: { type: 'stdio', command: process.execPath, args: [path.join(root, 'dist', 'server.js'), '--stdio', '--cwd', '${workspaceFolder}'] },
      },
    };
    await vscode.workspace.fs.writeFile(vscode.Uri.file(mcpJson), new TextEncoder().encode(`// test\n${JSON.stringify(file, null, 2)}\n`));
    const supervisor = await waitFor(() => tasklane.servers.supervisor('fromWorkspace'), { what: 'the workspace server to be configured' });
    await waitFor(() => supervisor.state === 'connected', { what: 'the workspace server to connect' });
    assert.strictEqual(tasklane.servers.config('fromWorkspace')?.source, 'mcp.json');
    assert.deepStrictEqual(
      serverRows(tasklane).map((r) => r.id),
      ['server:tasklane', `server:${SERVER_ID}`, 'server:fromWorkspace'],
    );
    const record: TaskRecord = await vscode.commands.executeCommand('tasklane.newTask', {
      serverId: 'fromWorkspace',
      tool: 'run_command',
      arguments: { command: 'pwd' },
    });
    const done = await waitFor(
      () => {
        const current = tasklane.store.get(record.id);
        return current?.status === 'completed' ? current : undefined;
      },
      { what: 'the command to finish' },
    );
    assert.strictEqual((done.output ?? '').trim(), fs.realpathSync(folder), '${workspaceFolder} reached the server');

    await vscode.workspace.fs.delete(vscode.Uri.file(mcpJson));
    await waitFor(() => !tasklane.servers.supervisor('fromWorkspace') && !tasklane.service.getServer('fromWorkspace'), {
      what: 'the workspace server to go away',
    });
  });
});
