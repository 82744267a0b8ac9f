/**
 * An outside agent's `_meta` reaches its task record in full, on both task wires, read by the same
 * mapping as the editor's own tasks; and the agent a record names is the token's, not the client's.
 * Every field gets a value no other field has, so a mapping that crosses two fields fails.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { META } from '../../../../src/core/meta';
import { parseExport, serializeExport } from '../../../../src/core/taskExport';
import { agentKey, agentName, type TaskRecord } from '../../../../src/core/taskRecord';
import type { TaskStore } from '../../../../src/core/taskStore';
import { AgentCredentials, agentIdOf } from '../../../../src/mcp/agents/agentCredentials';
import { AgentTaskMirror } from '../../../../src/mcp/agents/agentTaskMirror';
import type { TaskService } from '../../../../src/mcp/client/taskService';
import { metaFor } from '../../../../src/mcp/wires/startMeta';
import { EMBEDDED_SERVER_ID, type EmbeddedServer } from '../../../../src/mcp/embeddedServer';
import { type RunningHttpServer, generateToken, startHttpServer } from '../../../../src/mcp/server/httpServer';
import { CreateTaskResultSchema } from '../../../../src/mcp/wires/v1/codec';
import { toDetailState } from '../../../../src/ui/detail/detailState';
import { TaskSpecSchema } from '../../../../src/core/taskRecord';
import { type TaskHarness, makeTaskHarness } from '../../helpers/taskHarness';
import { waitFor } from '../../helpers/waitFor';
import { V2Client, meta as v2Meta } from '../v2/helpers';

/** Long enough to outlive the test; every task is cancelled in afterEach. */
const HOLD = { durationMs: 60_000 };
const CUSTOM = { 'com.example/ticket': { id: 'REL-42', links: ['a', 'b'] }, 'org.acme/trace': 'trace-9' };
const LIMITS = { timeBudgetMs: 90_000, maxOutputBytes: 4096 };
const RUN_AFTER = '2020-01-02T03:04:05.000Z';

/** Every field an agent can send, each with its own value; `afterTaskId` names the agent's earlier task. */
function everyField(afterTaskId: string): Record<string, unknown> {
  return {
    [META.intent]: 'Check the release build',
    [META.expectedOutputs]: 'A green build log',
    [META.priority]: 7,
    [META.resourceLimits]: LIMITS,
    [META.scheduling]: { runAfter: RUN_AFTER, afterTaskId },
    // The agent's claim about who it is does not count: the token says.
    [META.context]: { workspace: '/ws/agent', cwd: '/ws/agent/pkg', agent: { name: 'impostor' } },
    [META.tags]: ['release', 'nightly'],
    ...CUSTOM,
  };
}

interface Wire {
  readonly name: string;
  /** Starts `wait` as a task with `_meta`; returns the engine's task id. */
  start(token: string, clientName: string, meta: Record<string, unknown>): Promise<string>;
}

describe('agents: the metadata an agent sends reaches its task record', function () {
  this.timeout(20_000);
  let dir: string;
  let store: TaskStore;
  let embedded: EmbeddedServer;
  let service: TaskService;
  let mirror: AgentTaskMirror;
  let harness: TaskHarness;
  let server: RunningHttpServer;
  const credentials = new AgentCredentials();
  const tokens = { alpha: generateToken(), beta: generateToken(), secondAlpha: generateToken() };
  const clients: Client[] = [];

  const wires: Wire[] = [
    {
      name: '2025-11-25 tools/call with params.task',
      async start(token, clientName, meta) {
        const client = new Client({ name: clientName, version: '1.2.3' }, { capabilities: {} });
        await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
        clients.push(client);
        const created = await client.request(
          { method: 'tools/call', params: { name: 'wait', arguments: HOLD, task: { ttl: 60_000 }, _meta: { progressToken: 'progress-1', ...meta } } },
          CreateTaskResultSchema,
        );
        return created.task.taskId;
      },
    },
    {
      name: '2026-07-28 extension',
      async start(token, clientName, meta) {
        const created = await new V2Client(server.url, token).callTool('wait', HOLD, {
          extra: { _meta: { ...v2Meta(), 'io.modelcontextprotocol/clientInfo': { name: clientName, version: '1.2.3' }, ...meta } },
        });
        assert.equal(created.resultType, 'task', JSON.stringify(created));
        return created.taskId as string;
      },
    },
  ];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-agent-meta-'));
    credentials.set({ id: 'alpha-1a2b3c', name: 'Alpha' }, tokens.alpha);
    credentials.set({ id: 'beta-4d5e6f', name: 'Beta' }, tokens.beta);
    credentials.set({ id: 'alpha-7a8b9c', name: 'Alpha' }, tokens.secondAlpha);
    harness = await makeTaskHarness({
      storeDir: dir,
      foreignTasks: (store, embedded) =>
        (mirror = new AgentTaskMirror(embedded.engine, store, {
          serverId: EMBEDDED_SERVER_ID,
          agentOf: (owner) => credentials.identity(agentIdOf(owner) ?? ''),
        })),
    });
    ({ store, embedded, service } = harness);
    server = await startHttpServer(embedded.host, embedded.engine, { port: 0, authenticate: credentials.authenticate });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close().catch(() => undefined);
    // Cancelling a task fails the one that runs after it: look at each status afresh.
    for (const { taskId } of embedded.engine.all()) if (embedded.engine.peek(taskId)?.status === 'working') embedded.engine.cancelAny(taskId);
    await server.close();
    mirror.dispose();
    harness.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The record of an agent task that sent every field, and the record of the earlier task it runs after. */
  async function sendEveryField(wire: Wire): Promise<{ record: TaskRecord; earlier: TaskRecord }> {
    const earlierId = await wire.start(tokens.alpha, 'probe-agent-client', {});
    const taskId = await wire.start(tokens.alpha, 'probe-agent-client', everyField(earlierId));
    const record = await waitFor(() => mirror.recordFor(taskId), { what: 'the mirrored record' });
    return { record, earlier: mirror.recordFor(earlierId)! };
  }

  for (const wire of wires) {
    describe(`on the ${wire.name} wire`, () => {
      it('keeps the intent', async () => {
        const { record } = await sendEveryField(wire);
        assert.equal(record.intent, 'Check the release build');
      });

      it('keeps the expected outputs', async () => {
        const { record } = await sendEveryField(wire);
        assert.equal(record.expectedOutputs, 'A green build log');
      });

      it('keeps the tags', async () => {
        const { record } = await sendEveryField(wire);
        assert.deepEqual(record.tags, ['release', 'nightly']);
      });

      it("keeps the execution context, with the token's agent in place of the one the agent claims", async () => {
        const { record } = await sendEveryField(wire);
        assert.equal(record.context.workspace, '/ws/agent');
        assert.equal(record.context.cwd, '/ws/agent/pkg');
        assert.equal(record.context.agent?.name, 'Alpha');
      });

      it('keeps the priority', async () => {
        const { record } = await sendEveryField(wire);
        assert.equal(record.priority, 7);
      });

      it('keeps the resource limits', async () => {
        const { record } = await sendEveryField(wire);
        assert.deepEqual(record.resourceLimits, LIMITS);
      });

      it("keeps the scheduling hints, naming the task to run after by its record, as an editor task's are", async () => {
        const { record, earlier } = await sendEveryField(wire);
        assert.deepEqual(record.scheduling, { runAfter: RUN_AFTER, afterTaskId: earlier.id });
      });

      it("keeps the custom _meta keys, and no key of Tasklane's or MCP's own", async () => {
        const { record } = await sendEveryField(wire);
        assert.deepEqual(record.meta, CUSTOM);
      });

      it('shows every field in the detail panel and writes it to an export', async () => {
        const { record } = await sendEveryField(wire);
        const state = toDetailState(store.require(record.id), Date.now());
        assert.deepEqual(
          [state.intent, state.expectedOutputs, state.tags, state.priority, state.resourceLimits, state.scheduling.runAfter, state.context.cwd, state.meta],
          ['Check the release build', 'A green build log', ['release', 'nightly'], 7, LIMITS, RUN_AFTER, '/ws/agent/pkg', CUSTOM],
        );
        const [exported] = parseExport(serializeExport([store.require(record.id)]));
        assert.deepEqual(
          [
            exported!.intent,
            exported!.expectedOutputs,
            exported!.tags,
            exported!.priority,
            exported!.resourceLimits,
            exported!.scheduling,
            exported!.context,
            exported!.meta,
          ],
          [record.intent, record.expectedOutputs, record.tags, record.priority, record.resourceLimits, record.scheduling, record.context, record.meta],
        );
      });

      it('makes two agents of two tokens running the same client, each named by its token', async () => {
        const alphaTask = await wire.start(tokens.alpha, 'same-client', {});
        const betaTask = await wire.start(tokens.beta, 'same-client', {});
        const alpha = await waitFor(() => mirror.recordFor(alphaTask), { what: "alpha's record" });
        const beta = await waitFor(() => mirror.recordFor(betaTask), { what: "beta's record" });
        assert.deepEqual([agentName(alpha), agentName(beta)], ['Alpha', 'Beta']);
        assert.notEqual(agentKey(alpha), agentKey(beta), 'two groups in the tree');
        assert.deepEqual(
          [alpha.context.agent?.client, beta.context.agent?.client],
          [
            { name: 'same-client', version: '1.2.3' },
            { name: 'same-client', version: '1.2.3' },
          ],
          "the client's name and version are kept as detail",
        );
        assert.deepEqual(store.require(alpha.id).timeline[0]?.message, 'Started by Alpha', 'status text names the agent, not the client');
      });

      it('keeps two tokens given the same name apart', async () => {
        const firstTask = await wire.start(tokens.alpha, 'same-client', {});
        const secondTask = await wire.start(tokens.secondAlpha, 'same-client', {});
        const first = await waitFor(() => mirror.recordFor(firstTask), { what: 'the first record' });
        const second = await waitFor(() => mirror.recordFor(secondTask), { what: 'the second record' });
        assert.deepEqual([agentName(first), agentName(second)], ['Alpha', 'Alpha']);
        assert.notEqual(agentKey(first), agentKey(second), 'two groups in the tree, both called Alpha');
      });
    });
  }

  it("records an agent's task exactly as the editor's own task with the same metadata", async () => {
    const spec = TaskSpecSchema.parse({
      serverId: EMBEDDED_SERVER_ID,
      tool: 'wait',
      arguments: HOLD,
      intent: 'Same work, two ways',
      expectedOutputs: 'Nothing but time',
      priority: -3,
      resourceLimits: { timeBudgetMs: 120_000 },
      scheduling: { runAfter: RUN_AFTER },
      context: { workspace: '/ws/shared' },
      tags: ['twin'],
      meta: { 'com.example/twin': true },
    });
    const editor = await service.start(spec);
    const taskId = await wires[1]!.start(tokens.alpha, 'twin-client', metaFor(spec));
    const agent = await waitFor(() => mirror.recordFor(taskId), { what: 'the mirrored record' });
    const fields = (record: TaskRecord) => ({ ...record, context: { ...record.context, agent: undefined } });
    const pick = ({ intent, expectedOutputs, priority, resourceLimits, scheduling, context, tags, meta }: TaskRecord) => ({
      intent,
      expectedOutputs,
      priority,
      resourceLimits,
      scheduling,
      context,
      tags,
      meta,
    });
    assert.deepEqual(pick(fields(agent)), pick(fields(store.require(editor.id))));
  });

  it('refuses a malformed field with -32602 naming its key, and starts no task', async () => {
    const client = new V2Client(server.url, tokens.alpha);
    const reply = await client.send('tools/call', { name: 'wait', arguments: HOLD, _meta: { [META.tags]: 'not-a-list' } });
    assert.equal(reply.body.error?.code, -32602);
    assert.match(reply.body.error?.message ?? '', /dev\.tasklane\/tags/);
    assert.deepEqual(embedded.engine.all(), []);
  });
});
