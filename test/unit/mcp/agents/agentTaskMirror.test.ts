import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TaskStore } from '../../../../src/core/taskStore';
import { AgentTaskMirror } from '../../../../src/mcp/agents/agentTaskMirror';
import type { TaskService } from '../../../../src/mcp/client/taskService';
import { EMBEDDED_SERVER_ID, type EmbeddedServer } from '../../../../src/mcp/embeddedServer';
import type { RunContext, StartOptions } from '../../../../src/mcp/engine/engineTask';
import { startHttpServer } from '../../../../src/mcp/server/httpServer';
import { type TaskHarness, makeTaskHarness } from '../../helpers/taskHarness';
import { waitFor } from '../../helpers/waitFor';
import { V2Client } from '../v2/helpers';

/** Work that runs until the test settles it, like a long tool. */
function controllable(): {
  run: StartOptions['run'];
  finish: (value: Record<string, unknown>) => void;
  fail: (error: Error) => void;
  context: () => RunContext | undefined;
} {
  let resolve!: (value: Record<string, unknown>) => void;
  let reject!: (error: Error) => void;
  let seen: RunContext | undefined;
  const done = new Promise<Record<string, unknown>>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return {
    run: (context) => {
      seen = context;
      context.signal.addEventListener('abort', () => reject(context.signal.reason as Error), { once: true });
      return done;
    },
    finish: (value) => resolve(value),
    fail: (error) => reject(error),
    context: () => seen,
  };
}

const settle = (value: Record<string, unknown>) => ({ status: value.isError ? ('failed' as const) : ('completed' as const) });

describe('agents: the editor sees every agent task (AgentTaskMirror)', () => {
  let dir: string;
  let store: TaskStore;
  let embedded: EmbeddedServer;
  let service: TaskService;
  let mirror: AgentTaskMirror;
  let harness: TaskHarness;

  async function open(): Promise<void> {
    harness = await makeTaskHarness({
      storeDir: dir,
      foreignTasks: (store, embedded) =>
        (mirror = new AgentTaskMirror(embedded.engine, store, {
          serverId: EMBEDDED_SERVER_ID,
          agentOf: (owner) => (owner === 'agent:alpha' ? { id: 'alpha', name: 'Alpha' } : undefined),
        })),
    });
    ({ store, embedded, service } = harness);
  }

  function close(): void {
    mirror.dispose();
    harness.dispose();
  }

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-mirror-'));
    await open();
  });

  afterEach(() => {
    close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records an agent task the moment it is created, with its tool, arguments, agent and wire, and follows it to its result', async () => {
    const work = controllable();
    const task = embedded.engine.start({
      owner: 'agent:alpha',
      tool: 'wait',
      arguments: { durationMs: 5 },
      wire: '2025-11-25',
      agent: { name: 'claude-code', version: '2.1.0' },
      settle,
      run: work.run,
    });
    const record = mirror.recordFor(task.taskId);
    assert.ok(record, 'mirrored synchronously on creation');
    assert.equal(record.serverId, EMBEDDED_SERVER_ID);
    assert.equal(record.taskId, task.taskId);
    assert.equal(record.tool, 'wait');
    assert.deepEqual(record.arguments, { durationMs: 5 });
    assert.equal(record.wire, '2025-11-25');
    assert.deepEqual(
      record.context.agent,
      { name: 'Alpha', id: 'alpha', client: { name: 'claude-code', version: '2.1.0' } },
      "the token's agent is the name; the client's own name and version are detail",
    );

    await waitFor(() => work.context(), { what: 'the work to start' });
    work.context()!.status('Halfway');
    assert.equal(store.require(record.id).statusMessage, 'Halfway');
    void work
      .context()!
      .requestInput({ method: 'elicitation/create', params: { message: 'Proceed?' } })
      .catch(() => undefined);
    assert.equal(store.require(record.id).status, 'input_required');
    assert.equal(store.require(record.id).statusMessage, 'Waiting for Alpha to answer its question');
    assert.deepEqual(store.require(record.id).pendingInput, [], 'the question is not put to the person at the editor');
    embedded.engine.answerInput('agent:alpha', task.taskId, 'input-1', { action: 'accept' });
    assert.equal(store.require(record.id).status, 'working');
    work.finish({ content: [{ type: 'text', text: 'done' }] });
    const done = await waitFor(() => (store.get(record.id)?.status === 'completed' ? store.get(record.id) : undefined), { what: 'completion' });
    assert.deepEqual(done.result, { content: [{ type: 'text', text: 'done' }] });
  });

  it("names the token's agent also when the client gave no name, and links a child to its parent's record", () => {
    const parent = embedded.engine.start({ owner: 'agent:alpha', tool: 'wait', settle, run: controllable().run });
    const child = embedded.engine.start({ owner: 'agent:alpha', tool: 'wait', parentTaskId: parent.taskId, settle, run: controllable().run });
    assert.equal(mirror.recordFor(parent.taskId)?.context.agent?.name, 'Alpha');
    const anonymous = embedded.engine.start({
      owner: 'agent:alpha',
      tool: 'wait',
      agent: { name: 'unknown client', connection: 'http stateless' },
      settle,
      run: controllable().run,
    });
    assert.deepEqual(
      mirror.recordFor(anonymous.taskId)?.context.agent,
      { name: 'Alpha', id: 'alpha', connection: 'http stateless' },
      'a client that gave no name has no client detail',
    );
    embedded.engine.cancelAny(anonymous.taskId);
    assert.equal(mirror.recordFor(child.taskId)?.parentId, mirror.recordFor(parent.taskId)?.id);
    embedded.engine.cancelAny(parent.taskId);
    embedded.engine.cancelAny(child.taskId);
  });

  it("streams an agent's live output into the record while the command runs", async () => {
    const server = await startHttpServer(embedded.host, embedded.engine, { port: 0, token: 'mirror-token' });
    try {
      const modern = new V2Client(server.url, 'mirror-token');
      const created = await modern.callTool('run_command', { command: 'echo first; sleep 0.3; echo second' });
      assert.equal(created.resultType, 'task');
      const record = await waitFor(() => mirror.recordFor(created.taskId as string), { what: 'the mirrored record' });
      const live = await waitFor(() => (/first/.test(store.get(record.id)?.output ?? '') ? store.get(record.id) : undefined), {
        what: 'live output before the end',
      });
      assert.notEqual(live.status, 'completed', 'output arrives while the command runs');
      const done = await waitFor(() => (store.get(record.id)?.status === 'completed' ? store.get(record.id) : undefined), {
        what: 'completion',
      });
      assert.match(done.output ?? '', /first\nsecond/);
    } finally {
      await server.close();
    }
  });

  it("shows an agent's place in the scheduler's queue, and clears it when the work starts", async () => {
    embedded.engine.configureScheduler({ maxConcurrent: 1, toolLimits: {} });
    const first = controllable();
    const running = embedded.engine.start({ owner: 'agent:alpha', tool: 'wait', settle, run: first.run });
    const queued = embedded.engine.start({ owner: 'agent:alpha', tool: 'wait', settle, run: controllable().run });
    const record = await waitFor(() => (mirror.recordFor(queued.taskId)?.queue ? mirror.recordFor(queued.taskId) : undefined), { what: 'the queue place' });
    assert.deepEqual(record.queue, { position: 1, size: 1 });
    await waitFor(() => first.context(), { what: 'the first task to start' });
    first.finish({ content: [] });
    await waitFor(() => mirror.recordFor(queued.taskId)?.queue === undefined, { what: 'the queue place to clear' });
    assert.equal(mirror.recordFor(running.taskId)?.status, 'completed');
    embedded.engine.cancelAny(queued.taskId);
  });

  it("does not mirror the editor's own tasks (the task service follows those)", async () => {
    const record = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 10 } });
    assert.equal(mirror.recordFor(record.taskId!), undefined);
    assert.equal(store.all().length, 1);
    await waitFor(() => store.get(record.id)?.status === 'completed', { what: 'the editor task to complete' });
  });

  it("keeps a failed agent task's error", async () => {
    const work = controllable();
    const task = embedded.engine.start({ owner: 'agent:alpha', tool: 'run_command', settle, run: work.run });
    await waitFor(() => work.context(), { what: 'the work to start' });
    work.fail(Object.assign(new Error('backend refused'), { code: -32050 }));
    const record = await waitFor(() => (mirror.recordFor(task.taskId)?.status === 'failed' ? mirror.recordFor(task.taskId) : undefined), { what: 'failure' });
    assert.deepEqual(record.error, { code: -32050, message: 'backend refused' });
  });

  it("cancels an agent's task from the editor with the editor's privilege, and retries it as the editor's own task", async () => {
    const task = embedded.engine.start({ owner: 'agent:alpha', tool: 'wait', arguments: { durationMs: 60_000 }, settle, run: controllable().run });
    const record = mirror.recordFor(task.taskId)!;
    const cancelled = await service.cancel(record.id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(embedded.engine.peek(task.taskId)?.status, 'cancelled', 'the engine task itself was cancelled');

    const retry = await service.retry(record.id, { arguments: { durationMs: 10 } });
    assert.equal(retry.retryOf, record.id);
    assert.equal(retry.context.agent, undefined, 'the retry is the editor’s, not the agent’s');
    assert.equal(embedded.engine.peek(retry.taskId!)?.owner, 'editor');
    await waitFor(() => store.get(retry.id)?.status === 'completed', { what: 'the retry to complete' });
  });

  it('marks an agent task that was running when the editor stopped as interrupted on the next start', async () => {
    const task = embedded.engine.start({ owner: 'agent:alpha', tool: 'wait', settle, run: controllable().run });
    const id = mirror.recordFor(task.taskId)!.id;
    store.flush();
    close();
    await open();
    const after = store.require(id);
    assert.equal(after.status, 'failed');
    assert.match(after.statusMessage ?? '', /Stopped when the window reloaded/);
  });
});
