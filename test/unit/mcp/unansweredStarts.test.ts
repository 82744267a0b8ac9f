import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { Emitter } from '../../../src/core/events';
import { endedByReload } from '../../../src/core/reloadInterruption';
import type { TaskRecord } from '../../../src/core/taskRecord';
import { STORE_FILE } from '../../../src/core/storeJournal';
import { TaskStore } from '../../../src/core/taskStore';
import { TaskService } from '../../../src/mcp/client/taskService';
import type { StartOptions, StartResult, TaskWireClient } from '../../../src/mcp/client/taskWire';
import { START_MATCH_WINDOW_MS, matchUnansweredStarts } from '../../../src/mcp/client/unansweredStarts';
import { RpcCode, RpcError } from '../../../src/mcp/rpcError';
import type { RemoteOutcome, RemoteTaskState } from '../../../src/mcp/wires/remoteTask';
import { waitFor } from '../helpers/waitFor';

/** A server that outlives the editor: its tasks stay while clients come and go. */
class DurableServer {
  readonly tasks = new Map<string, { state: RemoteTaskState; outcome?: RemoteOutcome; done: Array<() => void> }>();
  /** Starts the server received (whether or not it answered them). */
  received = 0;
  /** Whether a start reaches the server at all (false: lost on the way). */
  reachable = true;
  /** Whether the server's answers to starts get back to the client (false: the editor dies waiting). */
  answers = true;
  private nextId = 1;

  create(): RemoteTaskState {
    const now = new Date().toISOString();
    const state: RemoteTaskState = { taskId: `remote-${this.nextId++}`, status: 'working', createdAt: now, lastUpdatedAt: now, ttl: null, pollInterval: 20 };
    this.tasks.set(state.taskId, { state, done: [] });
    return state;
  }

  finish(taskId: string, text: string): void {
    const task = this.tasks.get(taskId)!;
    task.state = { ...task.state, status: 'completed', lastUpdatedAt: new Date().toISOString() };
    task.outcome = { result: { content: [{ type: 'text', text }] } as CallToolResult };
    for (const wake of task.done.splice(0)) wake();
  }
}

/** One connection to a `DurableServer`, as a wire client; `listing` says whether the wire has `tasks/list`. */
class FakeClient implements TaskWireClient {
  readonly wire = 'fake';
  readonly supportsTasks = true;
  readonly toolErrorStatus = 'failed' as const;
  private readonly statuses = new Emitter<RemoteTaskState>();
  readonly onDidReceiveStatus = this.statuses.event;
  inputHandler = undefined;
  /** Starts waiting for an answer: answered late, or rejected when the connection closes. */
  private readonly waiting = new Set<{ task?: RemoteTaskState; answer: (result: StartResult) => void; fail: (error: Error) => void }>();
  /** Whether `tasks/cancel` was ever sent. */
  cancels = 0;
  /** Called as a start goes out. */
  beforeSend: (() => void) | undefined;

  constructor(
    private readonly server: DurableServer,
    readonly supportsList: boolean,
  ) {}

  async ping(): Promise<void> {}
  async listTools() {
    return [];
  }

  start(_tool: string, _args: Record<string, unknown>, _options: StartOptions): Promise<StartResult> {
    this.beforeSend?.();
    const task = this.server.reachable ? (this.server.received++, this.server.create()) : undefined;
    if (task && this.server.answers) return Promise.resolve({ kind: 'task', task });
    return new Promise((answer, fail) => this.waiting.add({ task, answer, fail }));
  }

  async get(taskId: string): Promise<RemoteTaskState> {
    const task = this.server.tasks.get(taskId);
    if (!task) throw new RpcError(RpcCode.InvalidParams, `No task ${taskId}`);
    return task.state;
  }

  awaitOutcome(taskId: string, signal: AbortSignal): Promise<RemoteOutcome> {
    const task = this.server.tasks.get(taskId);
    if (!task) return Promise.reject(new RpcError(RpcCode.InvalidParams, `No task ${taskId}`));
    return new Promise((resolve, reject) => {
      if (task.outcome) return resolve(task.outcome);
      task.done.push(() => resolve(task.outcome!));
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  }

  async cancel(): Promise<RemoteTaskState | undefined> {
    this.cancels++;
    throw new Error('not expected: the task id is unknown');
  }

  async list(): Promise<{ tasks: RemoteTaskState[] }> {
    if (!this.supportsList) throw new RpcError(RpcCode.MethodNotFound, 'no tasks/list');
    return { tasks: [...this.server.tasks.values()].map((task) => task.state) };
  }

  /** The answers the server held back arrive. */
  answerLate(): void {
    for (const call of this.waiting) if (call.task) call.answer({ kind: 'task', task: call.task });
    this.waiting.clear();
  }

  /** The connection closes: calls still waiting fail, as the SDK fails them. */
  close(): void {
    for (const call of this.waiting) call.fail(new Error('Connection closed'));
    this.waiting.clear();
  }
}

/** One editor session: a store on the folder, a task service, and a connection to the server. */
interface Session {
  readonly store: TaskStore;
  readonly service: TaskService;
  readonly client: FakeClient;
  /** Closes the session as a window reload does: service, connection, then store. */
  close(): void;
}

function openSession(dir: string, server: DurableServer, listing: boolean): Session {
  const store = new TaskStore({ directory: dir });
  const service = new TaskService(store);
  const client = new FakeClient(server, listing);
  service.addServer({ id: 'remote', name: 'Fake server', kind: 'http', durable: true, client });
  return {
    store,
    service,
    client,
    close: () => {
      service.dispose();
      client.close();
      store.dispose();
    },
  };
}

describe('Starts whose answer never came (the editor closed between sending a start and hearing the task id)', () => {
  let dir: string;
  let server: DurableServer;
  const sessions: Session[] = [];
  /** Sessions killed mid-test: nothing of theirs runs until the test is over. */
  const killed: Session[] = [];
  const session = (listing: boolean) => {
    const opened = openSession(dir, server, listing);
    sessions.push(opened);
    return opened;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-unanswered-'));
    server = new DurableServer();
  });

  afterEach(() => {
    for (const opened of [...sessions.splice(0), ...killed.splice(0)]) opened.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a task in a first session and kills it once the start went out: nothing of that session runs again. */
  async function killedWhileStarting(listing: boolean): Promise<string> {
    server.answers = false;
    const first = session(listing);
    let onDiskAtSend = false;
    const file = path.join(dir, STORE_FILE);
    first.client.beforeSend = () => (onDiskAtSend = fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('"startIntent"'));
    void first.service.start({ serverId: 'remote', tool: 'build', arguments: {} });
    const [record] = first.store.all();
    assert.ok(record?.startIntent, 'the start intent is recorded');
    assert.ok(onDiskAtSend, 'the intent is on disk before the call goes out');
    // Killed: the first session's objects are abandoned; only what reached the disk is left.
    killed.push(...sessions.splice(sessions.indexOf(first), 1));
    server.answers = true;
    return record.id;
  }

  it('adopts the task a listing server created for the start, and follows it to its end', async () => {
    const id = await killedWhileStarting(true);
    assert.equal(server.received, 1, 'the server took the start');
    const [taskId] = server.tasks.keys();
    const second = session(true);
    const adopted = await waitFor(() => second.store.get(id)?.taskId, { what: 'the unanswered start to be adopted' });
    assert.equal(adopted, taskId);
    assert.equal(second.store.require(id).startIntent, undefined, 'settled: nothing left to look for');
    server.finish(taskId!, 'built');
    const done = await waitFor(() => (second.store.get(id)?.status === 'completed' ? second.store.get(id) : undefined), {
      what: 'the adopted task to complete',
    });
    assert.deepEqual((done.result as CallToolResult).content, [{ type: 'text', text: 'built' }]);
  });

  it('fails a start a listing server never received, in plain words, as an ending caused by the closing editor', async () => {
    server.reachable = false;
    const id = await killedWhileStarting(true);
    const second = session(true);
    const failed = await waitFor(() => (second.store.get(id)?.status === 'failed' ? second.store.get(id) : undefined), {
      what: 'the unanswered start to fail',
    });
    assert.equal(failed.statusMessage, 'Did not start: the editor closed before the server answered. Retry to run it.');
    assert.equal(endedByReload(failed), true, 'not counted as a new failure of the task');
    assert.equal(failed.startIntent, undefined);
  });

  it('says a start may still be running on a server that cannot list, and cancelling it ends it here only', async () => {
    const id = await killedWhileStarting(false);
    const second = session(false);
    const waiting = await waitFor(() => (/May still be running/.test(second.store.get(id)?.statusMessage ?? '') ? second.store.get(id) : undefined), {
      what: 'the unanswered start to say it may still be running',
    });
    assert.equal(waiting.status, 'working');
    assert.match(waiting.statusMessage!, /^May still be running on Fake server: the editor closed before the server answered/);
    const cancelled = await second.service.cancel(id);
    assert.equal(cancelled.status, 'cancelled');
    assert.match(cancelled.statusMessage ?? '', /^Cancelled in Tasklane only: the editor closed before Fake server answered/);
    assert.equal(second.client.cancels, 0, 'no task id to send a cancel for');
    assert.equal([...server.tasks.values()][0]?.state.status, 'working', 'the server was not touched');
  });

  it('keeps a start unsettled when the window closes under the call, and settles it in the next session', async () => {
    server.answers = false;
    const first = session(true);
    const starting = first.service.start({ serverId: 'remote', tool: 'build', arguments: {} });
    const [record] = first.store.all();
    sessions.splice(sessions.indexOf(first), 1);
    first.close();
    const after = await starting;
    assert.equal(after.status, 'working', 'the closing connection is not the start failing');
    server.answers = true;
    const second = session(true);
    const reopened = second.store.require(record!.id);
    assert.ok(reopened.startIntent, 'the next session knows to look for the task');
    await waitFor(() => second.store.get(record!.id)?.taskId, { what: 'the start to be adopted in the next session' });
  });

  it('keeps the task id of an answer that arrives as the window closes, and the next session follows the task', async () => {
    server.answers = false;
    const first = session(true);
    const starting = first.service.start({ serverId: 'remote', tool: 'build', arguments: {} });
    sessions.splice(sessions.indexOf(first), 1);
    first.service.dispose();
    first.client.answerLate();
    const after = await starting;
    first.client.close();
    first.store.dispose();
    const [taskId] = server.tasks.keys();
    assert.equal(after.taskId, taskId);
    assert.equal(after.startIntent, undefined);
    server.answers = true;
    const second = session(true);
    server.finish(taskId!, 'built');
    await waitFor(() => second.store.get(after.id)?.status === 'completed', { what: 'the task to be followed to its end in the next session' });
  });

  it('clears the intent once the server answers', async () => {
    const live = session(true);
    const record = await live.service.start({ serverId: 'remote', tool: 'build', arguments: {} });
    assert.ok(record.taskId);
    assert.equal(record.startIntent, undefined);
  });
});

describe('matchUnansweredStarts', () => {
  const T0 = Date.parse('2026-03-01T10:00:00.000Z');
  const iso = (ms: number) => new Date(ms).toISOString();
  const start = (id: string, at: number) => ({ id, createdAt: iso(at), startIntent: { at: iso(at) } }) as TaskRecord;
  const task = (taskId: string, at: number): RemoteTaskState => ({ taskId, status: 'working', createdAt: iso(at), lastUpdatedAt: iso(at), ttl: null });

  it('pairs each start with the task created nearest its time, one task per start, none outside the window', () => {
    const matches = matchUnansweredStarts(
      [start('late', T0 + 5_000), start('early', T0), start('lost', T0 + 10 * START_MATCH_WINDOW_MS)],
      [task('a', T0 + 5_200), task('b', T0 + 150), task('old', T0 - 2 * START_MATCH_WINDOW_MS)],
    );
    assert.equal(matches.get('early')?.taskId, 'b');
    assert.equal(matches.get('late')?.taskId, 'a');
    assert.equal(matches.get('lost'), undefined);
    assert.equal(matches.size, 3);
  });

  it('gives a task to one start only', () => {
    const matches = matchUnansweredStarts([start('one', T0), start('two', T0 + 10)], [task('only', T0 + 5)]);
    assert.equal(matches.get('one')?.taskId, 'only');
    assert.equal(matches.get('two'), undefined);
  });
});
