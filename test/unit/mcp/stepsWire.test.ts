/**
 * The steps of a task's work on both task wires: a tool reports them through its context, the
 * server sends them as `dev.tasklane/steps` in the `_meta` of what carries the task (never a
 * `tasks/list` item), each codec reads them back, and Tasklane's client copies them into the record.
 */
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { z } from 'zod';
import { META } from '../../../src/core/meta';
import type { TaskStep } from '../../../src/core/taskSteps';
import { EMBEDDED_SERVER_ID } from '../../../src/mcp/embeddedServer';
import type { EngineTask } from '../../../src/mcp/engine/engineTask';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { StepReporter } from '../../../src/mcp/server/tools/stepReporter';
import { type ToolDefinition, defineTool } from '../../../src/mcp/server/tools/toolDefinition';
import { type TaskHost, ToolCatalog } from '../../../src/mcp/server/toolCatalog';
import { createTaskServerV1 } from '../../../src/mcp/server/v1/taskServerV1';
import { TaskServerV2, type V2Reply } from '../../../src/mcp/server/v2/taskServerV2';
import { fromStatusNotificationParams, fromWireTask, toStatusNotificationParams, toWireTask, toWireTaskResult } from '../../../src/mcp/wires/v1/codec';
import { parseTaskNotification, toDetailedTask } from '../../../src/mcp/wires/v2/codec';
import { withQueueMeta } from '../../../src/mcp/wires/queueMeta';
import { makeTaskHarness } from '../helpers/taskHarness';
import { waitFor } from '../helpers/waitFor';
import { RawClient, type Wire } from './helpers/rawClient';

const AT = '2026-06-01T12:00:00.000Z';
const STEPS: TaskStep[] = [
  { id: 'lint', label: 'lint', status: 'completed', startedAt: AT, endedAt: AT, detail: 'exit code 0', depth: 1 },
  { id: 'build', label: 'build', status: 'working', startedAt: AT },
];

/** A tool that plans two steps, starts the first, then waits until `release` is called, and ends both. */
function steppedTool(): { tool: ToolDefinition; release: () => void } {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const tool = defineTool({
    name: 'stepped',
    title: 'Stepped',
    description: 'Runs two steps.',
    inputSchema: z.object({}),
    annotations: { readOnlyHint: true },
    taskSupport: 'optional',
    async run(_args, context) {
      const steps = new StepReporter(context.steps);
      steps.plan([
        { id: 'one', label: 'first' },
        { id: 'two', label: 'second', depth: 1 },
      ]);
      steps.start('one');
      steps.flush();
      await released;
      steps.end('one', 'completed');
      steps.start('two');
      steps.end('two', 'failed', 'exit code 2');
      steps.flush();
      return { content: [{ type: 'text', text: 'done' }] };
    },
  }) as unknown as ToolDefinition;
  return { tool, release: () => release() };
}

function engineTask(steps?: readonly TaskStep[]): EngineTask {
  return {
    taskId: 't1',
    owner: 'o',
    tool: 'x',
    status: 'working',
    createdAt: AT,
    lastUpdatedAt: AT,
    ttl: 60_000,
    pollInterval: 500,
    inputRequests: new Map(),
    ...(steps ? { steps } : {}),
  };
}

describe('mcp/wires: steps in _meta, encoded and decoded by each codec', () => {
  it('2025-11-25: a status notification and a tasks/get result carry them; the codec reads them back', () => {
    const params = toStatusNotificationParams(engineTask(STEPS));
    assert.deepEqual((params._meta as Wire)[META.steps], STEPS);
    assert.deepEqual(fromStatusNotificationParams(params).steps, STEPS);
    const got = toWireTaskResult(engineTask(STEPS));
    assert.deepEqual(fromWireTask(toWireTask(engineTask()), got._meta).steps, STEPS);
  });

  it('2026-07-28: a notifications/tasks snapshot carries them; the codec reads them back', () => {
    const task = engineTask(STEPS);
    const parsed = parseTaskNotification({ ...toDetailedTask(task), ...withQueueMeta(task) });
    assert.ok('state' in parsed, JSON.stringify(parsed));
    assert.deepEqual(parsed.state.steps, STEPS);
  });

  it('a task without steps sends no key, and a malformed list decodes as the steps it has right', () => {
    assert.equal(toStatusNotificationParams(engineTask())._meta, undefined);
    assert.equal(fromWireTask(toWireTask(engineTask()), {}).steps, undefined);
    const state = fromWireTask(toWireTask(engineTask()), { [META.steps]: [{ id: 'a', label: 'a', status: 'paused' }, STEPS[0]] });
    assert.deepEqual(state.steps, [STEPS[0]]);
  });
});

describe('mcp/server: a tool reports steps on both wires', () => {
  function hostWith(tool: ToolDefinition): TaskHost {
    return { catalog: new ToolCatalog([tool]), defaultCwd: os.tmpdir(), isTrusted: () => true };
  }

  it('2025-11-25: in status notifications and tasks/get, never in a tasks/list item', async () => {
    const engine = new TaskEngine();
    const { tool, release } = steppedTool();
    const connection = createTaskServerV1(hostWith(tool), engine, { connection: 'editor' });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await connection.server.connect(serverTransport);
    const raw = new RawClient(clientTransport);
    try {
      await raw.start();
      await raw.initialize({ protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'agent', version: '1' } });
      const created = await raw.request('tools/call', { name: 'stepped', arguments: {}, task: {} });
      const taskId = created.result?.task.taskId as string;
      const running = await raw.waitForNotification(
        'notifications/tasks/status',
        (params) => params.taskId === taskId && (params._meta?.[META.steps] as TaskStep[] | undefined)?.[0].status === 'working',
      );
      assert.deepEqual(
        (running.params._meta[META.steps] as TaskStep[]).map((step) => [step.id, step.status]),
        [
          ['one', 'working'],
          ['two', 'waiting'],
        ],
      );
      const got = await raw.request('tasks/get', { taskId });
      assert.equal((got.result?._meta[META.steps] as TaskStep[])[0].status, 'working');
      const listed = await raw.request('tasks/list', {});
      assert.ok((listed.result?.tasks as Wire[]).every((task) => task._meta === undefined));
      release();
      const ended = await raw.waitForNotification('notifications/tasks/status', (params) => params.taskId === taskId && params.status === 'completed');
      assert.deepEqual(
        (ended.params._meta[META.steps] as TaskStep[]).map((step) => [step.id, step.status, step.detail]),
        [
          ['one', 'completed', undefined],
          ['two', 'failed', 'exit code 2'],
        ],
      );
    } finally {
      release();
      connection.dispose();
      engine.dispose();
      await raw.close();
    }
  });

  it('2026-07-28: in tasks/get', async () => {
    const engine = new TaskEngine();
    const { tool, release } = steppedTool();
    const server = new TaskServerV2(hostWith(tool), engine, { connection: 'http stateless' });
    let nextId = 1;
    const send = async (method: string, params: Wire): Promise<Wire> => {
      const reply: V2Reply = await server.handle({
        principal: 'token:abc',
        message: {
          jsonrpc: '2.0',
          id: nextId++,
          method,
          params: {
            ...params,
            _meta: {
              'io.modelcontextprotocol/protocolVersion': '2026-07-28',
              'io.modelcontextprotocol/clientInfo': { name: 'agent', version: '1' },
              'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
            },
          },
        },
      });
      const body = (reply as Extract<V2Reply, { kind: 'response' }>).body as Wire;
      assert.ok(body.result, JSON.stringify(body.error));
      return body.result;
    };
    try {
      const created = await send('tools/call', { name: 'stepped', arguments: {} });
      assert.equal(created.resultType, 'task');
      const got = await waitFor(
        async () => {
          const result = await send('tasks/get', { taskId: created.taskId });
          return result._meta?.[META.steps] ? result : undefined;
        },
        { what: 'tasks/get to carry the steps' },
      );
      assert.deepEqual(
        (got._meta[META.steps] as TaskStep[]).map((step) => step.label),
        ['first', 'second'],
      );
    } finally {
      release();
      server.dispose();
      engine.dispose();
    }
  });
});

describe("TaskService copies the embedded server's steps into the record", () => {
  it('as they change, and as they were at the end', async () => {
    const { tool, release } = steppedTool();
    const harness = await makeTaskHarness({ tools: [tool] });
    try {
      const record = await harness.service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'stepped', arguments: {} });
      const running = await waitFor(() => harness.store.get(record.id)?.steps, { what: 'the record to have steps' });
      assert.deepEqual(
        running.map((step) => [step.id, step.label, step.status, step.depth]),
        [
          ['one', 'first', 'working', undefined],
          ['two', 'second', 'waiting', 1],
        ],
      );
      release();
      const done = await waitFor(() => (harness.store.get(record.id)?.status === 'completed' ? harness.store.get(record.id) : undefined), { what: 'the end' });
      assert.deepEqual(
        done.steps?.map((step) => [step.id, step.status]),
        [
          ['one', 'completed'],
          ['two', 'failed'],
        ],
      );
      assert.ok(done.steps?.[0].startedAt && done.steps[0].endedAt, 'a step that ran has its times');
    } finally {
      release();
      harness.dispose();
    }
  });
});

describe('mcp/server/tools/stepReporter', () => {
  it('sends the first change at once, a burst after it as one list, and the latest on flush', async () => {
    const sent: (readonly TaskStep[])[] = [];
    const reporter = new StepReporter((steps) => sent.push(steps));
    reporter.plan([{ id: 'a', label: 'a' }]);
    reporter.start('a');
    reporter.end('a', 'completed');
    assert.equal(sent.length, 1, 'the plan went at once; the rest waits for the interval');
    await waitFor(() => sent.length === 2, { what: 'the throttled list' });
    assert.equal(sent[1][0].status, 'completed');
    reporter.plan([{ id: 'b', label: 'b' }]);
    reporter.flush();
    assert.deepEqual(
      sent.at(-1)?.map((step) => step.id),
      ['a', 'b'],
    );
    assert.notEqual(sent[0], sent[1], 'a sent list is never changed afterwards');
    reporter.dispose();
  });

  it('leaves a finished step as it ended, ignores unknown ids, and settles what never ended', () => {
    const reporter = new StepReporter(undefined);
    reporter.plan([
      { id: 'a', label: 'a' },
      { id: 'b', label: 'b' },
    ]);
    reporter.start('a');
    reporter.end('a', 'failed', 'exit code 1');
    reporter.start('a');
    reporter.end('nope', 'completed');
    reporter.settle('cancelled', 'Did not run');
    assert.deepEqual(
      reporter.list().map((step) => [step.id, step.status, step.detail, step.startedAt !== undefined]),
      [
        ['a', 'failed', 'exit code 1', true],
        ['b', 'cancelled', 'Did not run', false],
      ],
    );
  });
});
