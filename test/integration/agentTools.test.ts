import * as assert from 'assert';
import * as vscode from 'vscode';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { TasklaneApi } from '../../src/extension';
import type { AgentIdentity } from '../../src/mcp/agents/agentCredentials';
import type { TaskTreeNode } from '../../src/ui/tree/taskTreeProvider';
import { CreateTaskResultSchema } from '../../src/mcp/wires/v1/codec';
import { screenshot, tasklaneApi, waitFor } from './helpers';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** How many rows of the Tasks view, at any depth, stand for this record. */
function rowsOf(tasklane: TasklaneApi, recordId: string): number {
  const tree = tasklane.ui.tree;
  const count = (nodes: TaskTreeNode[]): number =>
    nodes.reduce((sum, node) => sum + (node.kind === 'task' && node.id === recordId ? 1 : 0) + count(node.kind === 'more' ? [] : tree.getChildren(node)), 0);
  return count(tree.getChildren());
}

describe('an outside agent waits for its tasks, tails them and retries a start with a key, in a real VS Code host', function () {
  this.timeout(90_000);
  let tasklane: TasklaneApi;
  let agent: AgentIdentity | undefined;
  let client: Client | undefined;
  const records: string[] = [];

  before(async () => {
    tasklane = await tasklaneApi();
    await tasklane.agents.ready;
  });

  after(async () => {
    await client?.close().catch(() => undefined);
    if (agent) await tasklane.agents.tokens.revoke(agent);
    for (const id of records) if (tasklane.store.get(id)) tasklane.store.remove(id);
    await vscode.workspace.getConfiguration('tasklane').update('tasks.groupBy', undefined, vscode.ConfigurationTarget.Global);
  });

  /** A plain tools/call's structured result; a tool error fails the test with its text. */
  async function call(name: string, args: Json): Promise<Json> {
    const result = await client!.request({ method: 'tools/call', params: { name, arguments: args } }, CallToolResultSchema);
    assert.ok(!result.isError, `${name} failed: ${JSON.stringify(result.content)}`);
    return result.structuredContent as Json;
  }

  async function start(name: string, args: Json, meta: Json = {}): Promise<string> {
    const created = await client!.request(
      { method: 'tools/call', params: { name, arguments: args, task: { ttl: 120_000 }, _meta: meta } },
      CreateTaskResultSchema,
    );
    return created.task.taskId;
  }

  it('starts two tasks, a keyed start again returns the first, tail_task follows its output and wait_for_tasks sees both end; the task shows once', async () => {
    const state = tasklane.agents.access.state;
    assert.strictEqual(state.kind, 'running');
    const made = await tasklane.agents.tokens.create('Integration Tools');
    agent = made.identity;
    client = new Client({ name: 'agent-tools-probe', version: '1.0.0' }, { capabilities: {} });
    await client.connect(new StreamableHTTPClientTransport(new URL(state.url), { requestInit: { headers: { Authorization: `Bearer ${made.token}` } } }));
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    assert.ok(tools.includes('wait_for_tasks') && tools.includes('tail_task'), tools.join(', '));

    const key = { 'dev.tasklane/idempotencyKey': 'agent-tools-build' };
    const build = await start('run_command', { command: "printf 'first-line\\n'; sleep 4; printf 'second-line\\n'" }, key);
    const nap = await start('wait', { durationMs: 300, message: 'nap done' });
    const again = await start('run_command', { command: "printf 'first-line\\n'; sleep 4; printf 'second-line\\n'" }, key);
    assert.strictEqual(again, build, 'the keyed start returned the live task');

    const early = await waitFor(
      async () => {
        const read = await call('tail_task', { taskId: build });
        return read.output.includes('first-line') ? read : undefined;
      },
      { what: "the build's first line through tail_task" },
    );
    assert.strictEqual(early.finished, false);

    const any = await call('wait_for_tasks', { taskIds: [build, nap], mode: 'any', timeoutMs: 30_000 });
    assert.strictEqual(any.satisfied, true);
    assert.deepStrictEqual(
      any.tasks.map((task: Json) => [task.taskId, task.status]),
      [
        [build, 'working'],
        [nap, 'completed'],
      ],
    );
    assert.strictEqual(any.tasks[1].result.content[0].text, 'nap done');

    const all = await call('wait_for_tasks', { taskIds: [build, nap], mode: 'all', timeoutMs: 30_000 });
    assert.strictEqual(all.satisfied, true);
    assert.strictEqual(all.tasks[0].status, 'completed');
    assert.ok(all.tasks[0].result, "the build's result is in the answer");

    const rest = await call('tail_task', { taskId: build, cursor: early.cursor });
    assert.strictEqual(rest.finished, true);
    assert.ok(rest.output.includes('second-line') && !rest.output.includes('first-line'), JSON.stringify(rest.output));

    const record = await waitFor(() => tasklane.agents.mirror.recordFor(build), { what: 'the build in the store' });
    records.push(record.id);
    const napRecord = tasklane.agents.mirror.recordFor(nap);
    if (napRecord) records.push(napRecord.id);
    assert.strictEqual(tasklane.store.all().filter((each) => each.taskId === build).length, 1, 'one record for the keyed task');
    await waitFor(() => rowsOf(tasklane, record.id) === 1, { what: 'the build as one row of the Tasks view' });
    await waitFor(() => tasklane.store.get(record.id)?.status === 'completed', { what: 'the record to complete' });
    assert.strictEqual(rowsOf(tasklane, record.id), 1);

    // For people to look at: the agent's two tasks under its name, the keyed one once.
    if (process.env.TASKLANE_SCREENSHOTS !== '0') {
      await vscode.workspace.getConfiguration('tasklane').update('tasks.groupBy', 'agent', vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('tasklane.tasks.focus');
      await waitFor(() => rowsOf(tasklane, record.id) === 1, { what: 'the build as one row, grouped by agent' });
      await screenshot('agent-tools-tree');
    }
  });
});
