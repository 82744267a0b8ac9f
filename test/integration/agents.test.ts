import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { TasklaneApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/taskRecord';
import type { HostToWebview } from '../../src/ui/detail/protocol';
import type { AgentIdentity } from '../../src/mcp/agents/agentCredentials';
import { CreateTaskResultSchema, GetTaskResultSchema, ListTasksResultSchema } from '../../src/mcp/wires/v1/codec';
import type { TaskTreeNode } from '../../src/ui/tree/taskTreeProvider';
import { tasklaneApi, waitFor } from './helpers';

/** A real MCP client (SDK 1.x, 2025-11-25 session) connecting the way an outside agent does. */
async function connectAgent(url: string, token: string, name: string): Promise<Client> {
  const client = new Client({ name, version: '1.2.3' }, { capabilities: {} });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

/** The Tasks view's groups and the record ids under each, through the real TreeDataProvider. */
function treeGroups(tasklane: TasklaneApi): Map<string, string[]> {
  const tree = tasklane.ui.tree;
  const groups = new Map<string, string[]>();
  for (const group of tree.getChildren()) {
    groups.set(
      String(tree.getTreeItem(group).label),
      tree.getChildren(group).flatMap((node: TaskTreeNode) => (node.kind === 'task' ? [node.id] : [])),
    );
  }
  return groups;
}

/** Every field of task metadata an agent can send, each with a value no other field has. */
function everyField(afterTaskId: string): Record<string, unknown> {
  return {
    'dev.tasklane/intent': 'Probe the release build',
    'dev.tasklane/expectedOutputs': 'A probe report',
    'dev.tasklane/priority': 9,
    'dev.tasklane/resourceLimits': { timeBudgetMs: 600_000, maxOutputBytes: 8192 },
    'dev.tasklane/scheduling': { runAfter: '2020-02-03T04:05:06.000Z', afterTaskId },
    'dev.tasklane/context': { workspace: '/probe/ws', cwd: '/probe/ws/pkg' },
    'dev.tasklane/tags': ['probe', 'release'],
    'com.example/ticket': { id: 'PROBE-7' },
  };
}

/** The metadata fields of a record (or of an exported one), to compare in one go. */
function metadataOf(record: TaskRecord): unknown {
  const { intent, expectedOutputs, priority, resourceLimits, scheduling, tags, meta } = record;
  return { intent, expectedOutputs, priority, resourceLimits, scheduling, workspace: record.context.workspace, cwd: record.context.cwd, tags, meta };
}

function post(url: string, headers: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'probe', version: '0' } },
    }),
  });
}

describe('agents reach Tasklane in a real VS Code host', function () {
  this.timeout(90_000);
  let tasklane: TasklaneApi;
  let url: string;
  const clients: Client[] = [];
  const agents: AgentIdentity[] = [];
  /** Records this suite made, removed afterwards so later suites and screenshots see the store as they expect. */
  const records: string[] = [];

  before(async () => {
    tasklane = await tasklaneApi();
    await tasklane.agents.ready;
    const state = tasklane.agents.access.state;
    assert.strictEqual(state.kind, 'running', `the agent server runs (${state.kind === 'running' ? '' : state.reason})`);
    url = state.url;
  });

  after(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    for (const agent of agents) await tasklane.agents.tokens.revoke(agent);
    for (const id of records) if (tasklane.store.get(id)) tasklane.store.remove(id);
    await vscode.workspace.getConfiguration('tasklane').update('tasks.groupBy', undefined, vscode.ConfigurationTarget.Global);
  });

  it("offers the task server to VS Code's chat, with chat's own token added only when it starts", async () => {
    assert.ok(tasklane.agents.offeredToChat, 'vscode.lm.registerMcpServerDefinitionProvider accepted the provider');
    const listed = tasklane.agents.chat.provideMcpServerDefinitions();
    assert.strictEqual(listed.length, 1);
    assert.strictEqual(listed[0].label, 'Tasklane (this editor)');
    assert.strictEqual(listed[0].uri.toString(true), url);
    assert.deepStrictEqual(listed[0].headers, {}, 'no token in the listed definition');

    const resolved = await tasklane.agents.chat.resolveMcpServerDefinition(listed[0]);
    const header = resolved?.headers.Authorization ?? '';
    assert.match(header, /^Bearer [A-Za-z0-9_-]{43}$/);
    assert.strictEqual(tasklane.agents.tokens.credentials.authenticate(header.slice('Bearer '.length)), 'agent:vscode-chat');
    const chat = await connectAgent(url, header.slice('Bearer '.length), 'chat-probe');
    clients.push(chat);
    assert.ok((await chat.listTools()).tools.some((tool) => tool.name === 'wait'));
  });

  it("shows an outside agent's task in the Tasks view under its token's name; another agent cannot see it; the editor can cancel it", async () => {
    const alpha = await tasklane.agents.tokens.create('Integration Alpha');
    const beta = await tasklane.agents.tokens.create('Integration Beta');
    agents.push(alpha.identity, beta.identity);
    const alphaClient = await connectAgent(url, alpha.token, 'integration-alpha-client');
    const betaClient = await connectAgent(url, beta.token, 'integration-beta-client');
    clients.push(alphaClient, betaClient);

    const created = await alphaClient.request(
      { method: 'tools/call', params: { name: 'wait', arguments: { durationMs: 60_000 }, task: { ttl: 120_000 } } },
      CreateTaskResultSchema,
    );
    const taskId = created.task.taskId;
    const record = await waitFor(() => tasklane.agents.mirror.recordFor(taskId), { what: 'the agent task in the store' });
    records.push(record.id);
    assert.strictEqual(record.tool, 'wait');
    assert.deepStrictEqual(record.arguments, { durationMs: 60_000 });

    await vscode.workspace.getConfiguration('tasklane').update('tasks.groupBy', 'agent', vscode.ConfigurationTarget.Global);
    const group = await waitFor(() => [...treeGroups(tasklane)].find(([, ids]) => ids.includes(record.id)), { what: 'the task under its agent in the tree' });
    assert.strictEqual(group[0], 'Integration Alpha', "the name the user gave the token, not the client's");

    await assert.rejects(betaClient.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema), /not found|-32602/i);
    const betaList = await betaClient.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
    assert.ok(!betaList.tasks.some((task) => task.taskId === taskId), "another agent's list leaves it out");

    await tasklane.service.cancel(record.id);
    assert.strictEqual(tasklane.store.get(record.id)?.status, 'cancelled');
    const seen = await alphaClient.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
    assert.strictEqual(seen.status, 'cancelled', 'the agent sees its task cancelled by the editor');
  });

  it("keeps every field of an agent's metadata in the record, the detail panel and an export, under the name given in Copy Agent Configuration", async () => {
    /** A new agent through the real command, and the token from the configuration it copied. */
    async function copyConfiguration(name: string): Promise<string> {
      const result = (await vscode.commands.executeCommand('tasklane.copyAgentConfiguration', { format: 'vscode', newAgentName: name })) as { agentId: string };
      agents.push(tasklane.agents.tokens.list().find((agent) => agent.id === result.agentId)!);
      const config = JSON.parse(await vscode.env.clipboard.readText()) as { servers: { tasklane: { headers: { Authorization: string } } } };
      return config.servers.tasklane.headers.Authorization.slice('Bearer '.length);
    }
    // Two copies of one client, each with its own token.
    const probe = await connectAgent(url, await copyConfiguration('probe-agent'), 'probe-agent-client');
    const copy = await connectAgent(url, await copyConfiguration('probe-agent second copy'), 'probe-agent-client');
    clients.push(probe, copy);
    const start = async (client: Client, meta: Record<string, unknown>) => {
      const created = await client.request(
        { method: 'tools/call', params: { name: 'wait', arguments: { durationMs: 60_000 }, task: { ttl: 120_000 }, _meta: meta } },
        CreateTaskResultSchema,
      );
      const record = await waitFor(() => tasklane.agents.mirror.recordFor(created.task.taskId), { what: 'the agent task in the store' });
      records.push(record.id);
      return record;
    };
    const earlier = await start(probe, {});
    const record = await start(probe, everyField(earlier.taskId!));
    const other = await start(copy, {});

    const expected = {
      intent: 'Probe the release build',
      expectedOutputs: 'A probe report',
      priority: 9,
      resourceLimits: { timeBudgetMs: 600_000, maxOutputBytes: 8192 },
      scheduling: { runAfter: '2020-02-03T04:05:06.000Z', afterTaskId: earlier.id },
      workspace: '/probe/ws',
      cwd: '/probe/ws/pkg',
      tags: ['probe', 'release'],
      meta: { 'com.example/ticket': { id: 'PROBE-7' } },
    };
    assert.deepStrictEqual(metadataOf(tasklane.store.get(record.id)!), expected, 'the record');
    assert.strictEqual(record.context.agent?.name, 'probe-agent');
    assert.deepStrictEqual(record.context.agent?.client, { name: 'probe-agent-client', version: '1.2.3' });

    // The detail panel, through its real message protocol.
    const states: HostToWebview[] = [];
    const subscription = tasklane.ui.details.onDidPostMessage((event) => event.taskId === record.id && states.push(event.message));
    try {
      await vscode.commands.executeCommand('tasklane.showTaskDetails', { id: record.id });
      const shown = await waitFor(() => states.find((message) => message.type === 'state'), { what: 'the detail state' });
      assert.ok(shown.type === 'state');
      const state = shown.state;
      assert.deepStrictEqual(
        {
          intent: state.intent,
          expectedOutputs: state.expectedOutputs,
          priority: state.priority,
          resourceLimits: state.resourceLimits,
          scheduling: state.scheduling,
          workspace: state.context.workspace,
          cwd: state.context.cwd,
          tags: state.tags,
          meta: state.meta,
        },
        expected,
        'the detail panel',
      );
      assert.match(state.context.agent ?? '', /^probe-agent \(probe-agent-client 1\.2\.3\)/, "the token's name, with the client's name and version as detail");
    } finally {
      subscription.dispose();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }

    // An export through the real command.
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-agents-'));
    try {
      const file: string = await vscode.commands.executeCommand('tasklane.exportTasks', { ids: [record.id], file: path.join(scratch, 'agent.json') });
      const exported = JSON.parse(fs.readFileSync(file, 'utf8')) as { tasks: TaskRecord[] };
      assert.deepStrictEqual(metadataOf(exported.tasks[0]!), expected, 'the export');
      assert.strictEqual(exported.tasks[0]!.context.agent?.name, 'probe-agent');
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }

    // The tree: one group per token, named by it; the row's tooltip names the client as detail.
    await vscode.workspace.getConfiguration('tasklane').update('tasks.groupBy', 'agent', vscode.ConfigurationTarget.Global);
    const groupOf = (id: string) => waitFor(() => [...treeGroups(tasklane)].find(([, ids]) => ids.includes(id))?.[0], { what: `the group of ${id}` });
    assert.strictEqual(await groupOf(record.id), 'probe-agent');
    assert.strictEqual(await groupOf(earlier.id), 'probe-agent');
    assert.strictEqual(await groupOf(other.id), 'probe-agent second copy', 'the same client with another token is another agent');
    const tooltip = tasklane.ui.tree.getTreeItem(tasklane.ui.tree.nodeFor(record.id)!).tooltip as vscode.MarkdownString;
    assert.match(tooltip.value.replace(/\\/g, ''), /Agent: probe-agent \(probe-agent-client 1\.2\.3\)/);

    // Search by agent goes by the token's name.
    const search = async (query: string) =>
      ((await vscode.commands.executeCommand('tasklane.searchHistory', { query })) as TaskRecord[])
        .map((found) => found.id)
        .filter((id) => records.includes(id));
    assert.deepStrictEqual(await search('agent:"second copy"'), [other.id]);
    assert.deepStrictEqual(await search('agent:probe-agent-client'), [], "the client's name is not the agent");

    for (const id of [record.id, earlier.id, other.id]) await tasklane.service.cancel(id).catch(() => undefined);
  });

  it('refuses a wrong token (401) and a foreign Origin (403)', async () => {
    const chatToken = (await tasklane.agents.chat.resolveMcpServerDefinition(tasklane.agents.chat.provideMcpServerDefinitions()[0]))!.headers.Authorization;
    assert.strictEqual((await post(url, { authorization: 'Bearer not-a-token' })).status, 401);
    assert.strictEqual((await post(url, {})).status, 401);
    assert.strictEqual((await post(url, { authorization: chatToken, origin: 'https://evil.example' })).status, 403);
  });

  it('copies a working client configuration; a rotated or revoked token is refused at once', async () => {
    const result = (await vscode.commands.executeCommand('tasklane.copyAgentConfiguration', { format: 'vscode', newAgentName: 'Integration Clipboard' })) as {
      agentId: string;
    };
    const identity = tasklane.agents.tokens.list().find((agent) => agent.id === result.agentId)!;
    agents.push(identity);
    const config = JSON.parse(await vscode.env.clipboard.readText()) as {
      servers: { tasklane: { type: string; url: string; headers: { Authorization: string } } };
    };
    assert.strictEqual(config.servers.tasklane.type, 'http');
    assert.strictEqual(config.servers.tasklane.url, url);
    const header = config.servers.tasklane.headers.Authorization;
    assert.strictEqual((await post(url, { authorization: header })).status, 200);

    await vscode.commands.executeCommand('tasklane.rotateAgentToken', { agentId: identity.id });
    assert.strictEqual((await post(url, { authorization: header })).status, 401, 'the old token is refused');
    const rotated = `Bearer ${await tasklane.agents.tokens.tokenFor(identity)}`;
    assert.strictEqual((await post(url, { authorization: rotated })).status, 200, 'the new token works');

    await vscode.commands.executeCommand('tasklane.revokeAgentAccess', { agentId: identity.id });
    assert.strictEqual((await post(url, { authorization: rotated })).status, 401, 'a revoked agent is refused');
    assert.ok(!tasklane.agents.tokens.list().some((agent) => agent.id === identity.id));
  });

  it('says so when the configured port is taken, and comes back on a free one', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const config = vscode.workspace.getConfiguration('tasklane');
    try {
      await config.update('agents.http.port', taken, vscode.ConfigurationTarget.Global);
      const failed = await waitFor(() => (tasklane.agents.access.state.kind === 'failed' ? tasklane.agents.access.state : undefined), {
        what: 'the port conflict to be reported',
      });
      assert.match(failed.reason, new RegExp(`port ${taken} is already in use`));
      assert.deepStrictEqual(tasklane.agents.chat.provideMcpServerDefinitions(), [], 'chat is offered nothing while the server is down');
    } finally {
      await config.update('agents.http.port', undefined, vscode.ConfigurationTarget.Global);
      blocker.close();
    }
    const running = await waitFor(() => (tasklane.agents.access.state.kind === 'running' ? tasklane.agents.access.state : undefined), {
      what: 'the server to run again',
    });
    assert.strictEqual(running.url, url, 'back on the port it had, so copied configurations keep working');
  });
});
