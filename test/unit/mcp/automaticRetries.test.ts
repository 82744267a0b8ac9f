import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { META } from '../../../src/core/meta';
import type { TaskRecord } from '../../../src/core/taskRecord';
import type { TaskStore } from '../../../src/core/taskStore';
import type { Clock } from '../../../src/mcp/client/clock';
import { EMBEDDED_SERVER_ID } from '../../../src/mcp/embeddedServer';
import { defineTool, type ToolDefinition } from '../../../src/mcp/server/tools/toolDefinition';
import { type TaskHarness, type TaskHarnessOptions, makeTaskHarness } from '../helpers/taskHarness';
import { waitFor } from '../helpers/waitFor';

/** Timers that fire only when the test moves time on. */
class ManualClock implements Clock {
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private nextHandle = 1;
  constructor(private time = 1_000_000) {}
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.time + ms, fn });
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Moves time on by `ms`, firing each timer due on the way, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = [...this.timers].filter(([, timer]) => timer.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].fn();
    }
    this.time = end;
  }
  get pending(): number {
    return this.timers.size;
  }
}

/** A tool that fails its first `failures` runs, then succeeds. */
function flakyTool(failures: number, options: { idempotent?: boolean; meta?: Record<string, unknown> } = {}): ToolDefinition & { runs(): number } {
  let runs = 0;
  const tool = defineTool({
    name: 'flaky',
    title: 'Flaky',
    description: 'Fails, then succeeds.',
    inputSchema: z.object({}),
    annotations: { idempotentHint: options.idempotent ?? false },
    taskSupport: 'optional',
    ...(options.meta ? { meta: options.meta } : {}),
    async run() {
      runs++;
      await Promise.resolve();
      if (runs <= failures) return { content: [{ type: 'text', text: `run ${runs} broke` }], isError: true };
      return { content: [{ type: 'text', text: `run ${runs} worked` }] };
    },
  });
  return Object.assign(tool, { runs: () => runs });
}

const RETRY = { attempts: 3, backoff: 'exponential', delayMs: 1000, maxDelayMs: 60_000 } as const;

function chain(store: TaskStore): TaskRecord[] {
  return store
    .all()
    .filter((record) => record.tool === 'flaky')
    .sort((a, b) => a.attempt - b.attempt);
}

describe('Automatic retries (TaskService with the embedded server)', () => {
  let harness: TaskHarness | undefined;
  let clock: ManualClock;
  const start = async (tool: ToolDefinition, options: TaskHarnessOptions = {}) => {
    harness = await makeTaskHarness({ tools: [tool], ...options, service: { clock, ...options.service } });
    return harness;
  };
  const waiting = (store: TaskStore, attempt: number) =>
    waitFor(() => chain(store).find((record) => record.attempt === attempt && record.retryDue), { what: `attempt ${attempt} to wait for its retry` });

  beforeEach(() => {
    clock = new ManualClock();
  });
  afterEach(() => {
    harness?.dispose();
    harness = undefined;
  });

  it('retries a failed task with a policy after the backoff, in its attempt chain, until it completes', async () => {
    const tool = flakyTool(2);
    const { store, service } = await start(tool);
    await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'flaky', retry: RETRY });

    const first = await waiting(store, 1);
    assert.equal(first.statusMessage, 'Retrying in 1 s (attempt 2 of 3)');
    clock.advance(999);
    assert.equal(chain(store).length, 1, 'nothing starts before the delay');
    clock.advance(1);
    assert.equal(chain(store).length, 2);

    const second = await waiting(store, 2);
    assert.equal(second.statusMessage, 'Retrying in 2 s (attempt 3 of 3)', 'the second wait doubles');
    clock.advance(1000);
    assert.equal(store.require(second.id).statusMessage, 'Retrying in 1 s (attempt 3 of 3)', 'the message counts down');
    clock.advance(1000);

    await waitFor(() => chain(store)[2]?.status === 'completed', { what: 'attempt 3 to complete' });
    const [one, two, three] = chain(store);
    assert.deepEqual(
      [one, two, three].map((record) => [record!.attempt, record!.status, record!.retryReason]),
      [
        [1, 'failed', undefined],
        [2, 'failed', `Automatic retry 2 of 3 after: ${one!.statusMessage}`],
        [3, 'completed', `Automatic retry 3 of 3 after: ${two!.statusMessage}`],
      ],
    );
    assert.equal(one!.retriedAs, two!.id);
    assert.equal(two!.retryOf, one!.id);
    assert.equal(three!.retryOf, two!.id);
    assert.ok(!one!.retryDue && !two!.retryDue, 'nothing waits any more');
    assert.equal(tool.runs(), 3);
  });

  it('stops when the policy runs out of attempts', async () => {
    const { store, service } = await start(flakyTool(5));
    await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'flaky', retry: { ...RETRY, attempts: 2 } });
    await waiting(store, 1);
    clock.advance(1000);
    await waitFor(() => chain(store)[1]?.status === 'failed', { what: 'attempt 2 to fail' });
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(chain(store)[1]!.retryDue, undefined);
    assert.equal(clock.pending, 0);
  });

  it("follows a tool's own policy only when the tool says it is idempotent", async () => {
    const offered = { [META.retry]: { attempts: 2, delayMs: 500 } };
    const unsafe = await start(flakyTool(1, { meta: offered }));
    // The service reads the tool's hints from tools/list after the failure: look once that answer is in and acted on.
    const client = unsafe.embedded.entry.client;
    const listTools = client.listTools.bind(client);
    let listed: Promise<unknown> | undefined;
    client.listTools = () => (listed = listTools()) as ReturnType<typeof listTools>;
    const failed = await unsafe.service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'flaky' });
    await waitFor(() => unsafe.store.require(failed.id).status === 'failed', { what: 'the task to fail' });
    await await waitFor(() => listed, { what: 'the service to ask for the tool' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(unsafe.store.require(failed.id).retryDue, undefined, 'not idempotent: no automatic retry');
    unsafe.dispose();

    const safe = await start(flakyTool(1, { idempotent: true, meta: offered }));
    await safe.service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'flaky' });
    const first = await waiting(safe.store, 1);
    assert.equal(first.retryDue?.of, 2);
    clock.advance(500);
    await waitFor(() => chain(safe.store)[1]?.status === 'completed', { what: 'the retry to complete' });
  });

  it('follows the setting for a tool that is not idempotent: the person asked', async () => {
    const { store, service } = await start(flakyTool(1), {
      service: { retryPolicies: () => ({ [`${EMBEDDED_SERVER_ID}/flaky`]: { attempts: 2, backoff: 'fixed', delayMs: 3000 } }) },
    });
    await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'flaky' });
    const first = await waiting(store, 1);
    assert.equal(first.statusMessage, 'Retrying in 3 s (attempt 2 of 2)');
    clock.advance(3000);
    await waitFor(() => chain(store)[1]?.status === 'completed', { what: 'the retry to complete' });
  });

  it('cancelling the waiting retry ends the chain', async () => {
    const { store, service } = await start(flakyTool(1));
    await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'flaky', retry: RETRY });
    const first = await waiting(store, 1);
    const cancelled = await service.cancel(first.id);
    assert.equal(cancelled.status, 'failed');
    assert.equal(cancelled.retryDue, undefined);
    assert.match(cancelled.statusMessage ?? '', /automatic retry cancelled$/);
    assert.equal(clock.pending, 0, 'no timer left');
    clock.advance(120_000);
    assert.equal(chain(store).length, 1, 'no further attempt');
  });

  it('cancelling a running attempt ends the chain', async () => {
    const wait = defineTool({
      name: 'flaky',
      title: 'Slow',
      description: 'Waits until cancelled.',
      inputSchema: z.object({}),
      annotations: {},
      taskSupport: 'optional',
      run: (_args, context) => new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason as Error))),
    });
    const { store, service } = await start(wait);
    const running = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'flaky', retry: RETRY });
    await service.cancel(running.id);
    await waitFor(() => store.require(running.id).status === 'cancelled', { what: 'the attempt to end cancelled' });
    // The service weighs a retry a turn after the change: look after it.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(store.require(running.id).retryDue, undefined, 'no retry waits');
    clock.advance(120_000);
    assert.equal(store.require(running.id).retryDue, undefined);
    assert.equal(chain(store).length, 1);
  });

  it('starts nothing after a reload when the next attempt was already started (the editor stopped in between)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-retry-'));
    try {
      const before = await start(flakyTool(1), { storeDir: dir });
      await before.service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'flaky', retry: RETRY });
      const first = await waiting(before.store, 1);
      // The next attempt's record is on disk, but the editor stopped before the wait was cleared.
      before.store.create({ serverId: EMBEDDED_SERVER_ID, tool: 'flaky', retry: RETRY }, { retryOf: first.id, attempt: 2 });
      before.dispose();
      harness = undefined;

      clock = new ManualClock(2_000_000);
      const after = await start(flakyTool(0), { storeDir: dir });
      await waitFor(() => after.store.require(first.id).retryDue === undefined, { what: 'the wait to be settled' });
      clock.advance(120_000);
      // (The attempt the reload stopped failed, and is retried in turn: attempt 3.)
      assert.equal(chain(after.store).filter((record) => record.retryOf === first.id).length, 1, 'no second attempt 2');
    } finally {
      harness?.dispose();
      harness = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resumes a waiting retry after a reload, once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-retry-'));
    try {
      const before = await start(flakyTool(1), { storeDir: dir });
      await before.service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'flaky', retry: RETRY });
      const first = await waiting(before.store, 1);
      before.dispose();
      harness = undefined;

      // The window comes back after the retry was due.
      clock = new ManualClock(2_000_000);
      const after = await start(flakyTool(0), { storeDir: dir, addServer: false });
      // Each server that connects resumes what waits: two at once must not start it twice.
      after.service.addServer(after.embedded.entry);
      after.service.addServer({ ...after.embedded.entry, id: 'other' });
      await waitFor(() => chain(after.store)[1]?.status === 'completed', { what: 'the resumed retry to complete' });
      after.service.addServer({ ...after.embedded.entry, id: 'third' });
      clock.advance(120_000);
      const attempts = chain(after.store);
      assert.equal(attempts.length, 2, 'started once');
      assert.equal(attempts[1]!.retryOf, first.id);
      assert.equal(attempts[1]!.retryReason, `Automatic retry 2 of 3 after: ${first.retryDue!.failure}`);
      assert.equal(after.store.require(first.id).retryDue, undefined);
    } finally {
      harness?.dispose();
      harness = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
