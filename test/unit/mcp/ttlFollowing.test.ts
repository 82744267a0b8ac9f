/**
 * The editor's side of "TTL is retention, not a timeout": while the embedded server keeps running
 * work alive past the TTL it first granted, the records that follow it (the task service's for the
 * editor's own tasks, the agent mirror's for agents' tasks) take each TTL it reports, are never
 * marked expired while the work runs, and expire the reported retention after the end.
 */
import assert from 'node:assert/strict';
import { z } from 'zod';
import { AgentTaskMirror } from '../../../src/mcp/agents/agentTaskMirror';
import { EMBEDDED_SERVER_ID } from '../../../src/mcp/embeddedServer';
import { defineTool, type ToolDefinition } from '../../../src/mcp/server/tools/toolDefinition';
import { type TaskHarness, makeTaskHarness } from '../helpers/taskHarness';
import { waitFor } from '../helpers/waitFor';

let openGate: () => void = () => undefined;
const gatedTool = defineTool({
  name: 'gated',
  title: 'Gated',
  description: 'Completes when the test opens the gate.',
  inputSchema: z.object({}),
  annotations: {},
  taskSupport: 'optional',
  async run(_args, context) {
    await new Promise<void>((resolve, reject) => {
      openGate = resolve;
      context.signal.addEventListener('abort', () => reject(context.signal.reason as Error), { once: true });
    });
    return { content: [{ type: 'text', text: 'opened' }] };
  },
});

describe('the editor follows a TTL its server moves on while the work runs', () => {
  let harness: TaskHarness;
  let mirror: AgentTaskMirror;
  let T0: number;
  let now: number;

  beforeEach(async () => {
    T0 = Date.now();
    now = T0;
    harness = await makeTaskHarness({
      tools: [gatedTool as unknown as ToolDefinition],
      engine: { now: () => now, defaultTtlMs: 1_000 },
      foreignTasks: (store, embedded) => (mirror = new AgentTaskMirror(embedded.engine, store, { serverId: EMBEDDED_SERVER_ID })),
    });
  });

  afterEach(() => {
    mirror.dispose();
    harness.dispose();
  });

  it("the editor's own task: its record takes every TTL the server reports and expires only after the end", async () => {
    const { store, service, embedded } = harness;
    const { id } = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'gated', arguments: {} });
    assert.equal(store.require(id).grantedTtl, 1_000);
    now = T0 + 1_500;
    embedded.engine.sweepExpired();
    await waitFor(() => store.require(id).grantedTtl === 6_500, { what: 'the TTL moved on, in the record' });
    assert.deepEqual(store.sweepExpired(Date.now() + 10 ** 9), [], 'a running record never expires');
    now = T0 + 3_000;
    openGate();
    const done = await waitFor(() => (store.require(id).status === 'completed' ? store.require(id) : undefined), { what: 'completion' });
    assert.equal(done.grantedTtl, 4_000, '3 s of work, then 1 s of retention');
    const expiresAt = Date.parse(done.createdAt) + 4_000;
    assert.deepEqual(store.sweepExpired(expiresAt - 1), []);
    assert.deepEqual(store.sweepExpired(expiresAt), [id]);
  });

  it("an agent's task: the mirrored record takes every TTL the engine reports", async () => {
    const { store, embedded } = harness;
    let finish!: (value: Record<string, unknown>) => void;
    const task = embedded.engine.start({
      owner: 'agent:alpha',
      tool: 'wait',
      settle: () => ({ status: 'completed' }),
      run: () => new Promise((resolve) => (finish = resolve)),
    });
    const id = mirror.recordFor(task.taskId)?.id;
    assert.ok(id);
    assert.equal(store.require(id).grantedTtl, 1_000);
    now = T0 + 1_500;
    embedded.engine.sweepExpired();
    assert.equal(store.require(id).grantedTtl, 6_500);
    assert.deepEqual(store.sweepExpired(Date.now() + 10 ** 9), [], 'a running record never expires');
    now = T0 + 3_000;
    await waitFor(() => finish !== undefined, { what: 'the work to start' });
    finish({ content: [] });
    const done = await waitFor(() => (store.require(id).status === 'completed' ? store.require(id) : undefined), { what: 'completion' });
    assert.equal(done.grantedTtl, 4_000);
  });
});
