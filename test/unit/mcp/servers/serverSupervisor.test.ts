import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Emitter } from '../../../../src/core/events';
import { type IDisposable, toDisposable } from '../../../../src/core/lifecycle';
import { TaskStore } from '../../../../src/core/taskStore';
import type { Clock } from '../../../../src/mcp/client/clock';
import { PermanentConnectError } from '../../../../src/mcp/client/connectionErrors';
import { type CloseReason, type ServerConnection, connectHttp, connectStdio, redactHeaders, redactUrl } from '../../../../src/mcp/client/serverConnections';
import { type ServerRegistry, ServerSupervisor, type SupervisorOptions, reconnectDelay } from '../../../../src/mcp/client/serverSupervisor';
import type { ServerEntry } from '../../../../src/mcp/client/taskService';
import { TaskService } from '../../../../src/mcp/client/taskService';
import type { TaskWireClient } from '../../../../src/mcp/client/taskWire';
import { BUILTIN_TOOLS } from '../../../../src/mcp/server/builtinTools';
import { type RunningHttpServer, startHttpServer } from '../../../../src/mcp/server/httpServer';
import { TaskEngine } from '../../../../src/mcp/engine/taskEngine';
import { ToolCatalog } from '../../../../src/mcp/server/toolCatalog';
import { waitFor } from '../../helpers/waitFor';

const CLI = path.resolve('out/src/mcp/server/cli.js');

/** Timers that run only when the test says so. */
class FakeClock implements Clock {
  private t = 1_000_000;
  private seq = 0;
  private timers: { id: number; at: number; fn: () => void }[] = [];
  readonly delays: number[] = [];

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.delays.push(ms);
    this.timers.push({ id, at: this.t + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves time on, firing what falls due, and lets the promises that follow settle. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = target;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

function fakeClient(): TaskWireClient & IDisposable {
  return {
    wire: '2025-11-25',
    toolErrorStatus: 'failed',
    supportsTasks: true,
    supportsList: false,
    ping: async () => undefined,
    onDidReceiveStatus: new Emitter<never>().event,
    inputHandler: undefined,
    listTools: async () => [],
    start: async () => {
      throw new Error('not used');
    },
    get: async () => {
      throw new Error('not used');
    },
    awaitOutcome: () => new Promise(() => undefined),
    cancel: async () => undefined,
    list: async () => ({ tasks: [] }),
    dispose: () => undefined,
  };
}

class FakeConnection implements ServerConnection {
  readonly client = fakeClient();
  private readonly closed = new Emitter<CloseReason>();
  readonly onDidClose = this.closed.event;
  closeCalls = 0;
  ping?: () => Promise<void>;
  constructor(readonly pid?: number) {}

  async close(): Promise<void> {
    this.closeCalls++;
  }

  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    this.closed.fire({ kind: 'exit', code, signal });
  }

  drop(error?: string): void {
    this.closed.fire({ kind: 'drop', ...(error ? { error } : {}) });
  }
}

/** Records what the supervisor tells the task service, in order. */
class FakeRegistry implements ServerRegistry {
  readonly events: string[] = [];
  readonly live = new Set<string>();

  addServer(entry: ServerEntry): IDisposable {
    this.events.push(`add ${entry.id} ${entry.kind} durable=${entry.durable}`);
    this.live.add(entry.id);
    return toDisposable(() => {
      this.events.push(`remove ${entry.id}`);
      this.live.delete(entry.id);
    });
  }

  serverGone(serverId: string, reason: string, tasksLost: boolean): void {
    this.events.push(`gone ${serverId}: ${reason} (tasksLost=${tasksLost})`);
  }
}

/** A connector whose every attempt the test decides: a connection, or an error. */
function scriptedConnector(outcomes: (FakeConnection | Error)[]) {
  const calls: number[] = [];
  const connect = async (): Promise<ServerConnection> => {
    calls.push(Date.now());
    const next = outcomes.shift();
    if (!next) throw new Error('no more scripted outcomes');
    if (next instanceof Error) throw next;
    return next;
  };
  return { connect, calls };
}

function supervisor(overrides: Partial<SupervisorOptions> & Pick<SupervisorOptions, 'connect' | 'registry'>): ServerSupervisor {
  return new ServerSupervisor({
    id: 'ext',
    name: 'External',
    kind: 'stdio',
    backoff: { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 },
    maxRetries: 5,
    stableMs: 500,
    random: () => 0.5,
    ...overrides,
  });
}

describe('reconnectDelay', () => {
  const options = { initialMs: 1_000, maxMs: 30_000, factor: 2, jitter: 0.2 };

  it('grows exponentially and stops at the bound', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 10].map((n) => reconnectDelay(n, options, () => 0.5)),
      [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000],
    );
  });

  it('jitters within ± the fraction and never past the bound', () => {
    assert.equal(
      reconnectDelay(2, options, () => 0),
      3_200,
    );
    assert.equal(
      reconnectDelay(2, options, () => 1),
      4_800,
    );
    for (let i = 0; i < 200; i++) {
      const delay = reconnectDelay(i % 8, options);
      const base = Math.min(30_000, 1_000 * 2 ** (i % 8));
      assert.ok(delay >= base * 0.8 - 1 && delay <= Math.min(30_000, base * 1.2) + 1, `${delay} for attempt ${i % 8}`);
    }
  });
});

describe('ServerSupervisor (fake connector, fake clock)', () => {
  let clock: FakeClock;
  let registry: FakeRegistry;
  const supervisors: ServerSupervisor[] = [];
  const make = (overrides: Partial<SupervisorOptions> & Pick<SupervisorOptions, 'connect'>) => {
    const s = supervisor({ registry, clock, ...overrides });
    supervisors.push(s);
    return s;
  };

  beforeEach(() => {
    clock = new FakeClock();
    registry = new FakeRegistry();
  });

  afterEach(() => {
    for (const s of supervisors.splice(0)) s.dispose();
  });

  it('connects, registers the server and reports connecting → connected', async () => {
    const states: string[] = [];
    const s = make({ connect: scriptedConnector([new FakeConnection(4242)]).connect });
    s.onDidChange((snapshot) => states.push(snapshot.state));
    s.start();
    await settle();
    assert.deepEqual(states, ['connecting', 'connected']);
    assert.deepEqual(registry.events, ['add ext stdio durable=false']);
    const snapshot = s.snapshot();
    assert.equal(snapshot.wire, '2025-11-25');
    assert.equal(snapshot.supportsTasks, true);
    assert.equal(snapshot.pid, 4242);
    assert.equal(s.pid, 4242);
  });

  it('retries failed attempts with exponential, bounded delays, then gives up as failed', async () => {
    const script = scriptedConnector(Array.from({ length: 10 }, (_, i) => new Error(`refused ${i}`)));
    const s = make({ connect: script.connect });
    s.start();
    await settle();
    assert.equal(s.state, 'disconnected');
    assert.equal(s.lastError, 'refused 0');
    assert.ok(s.snapshot().nextRetryAt, 'the next attempt is scheduled');
    for (let i = 0; i < 6; i++) await clock.advance(1_000);
    assert.deepEqual(clock.delays, [100, 200, 400, 800, 1_000]);
    assert.equal(script.calls.length, 6, 'the first attempt and five retries');
    assert.equal(s.state, 'failed');
    assert.equal(s.lastError, 'refused 5');
    assert.equal(clock.pending, 0, 'no retry is left scheduled');
    assert.deepEqual(registry.events, []);
  });

  it('a manual reconnect after giving up starts over with a fresh backoff', async () => {
    const script = scriptedConnector([new Error('a'), new Error('b'), new FakeConnection()]);
    const s = make({ connect: script.connect, maxRetries: 1 });
    s.start();
    await settle();
    await clock.advance(100);
    assert.equal(s.state, 'failed');
    await s.reconnect();
    await settle();
    assert.equal(s.state, 'connected');
    assert.equal(s.snapshot().retries, 0);
  });

  it('a permanent error (token refused, command missing) fails at once, without retries', async () => {
    const s = make({ connect: scriptedConnector([new PermanentConnectError('401 Unauthorized')]).connect });
    s.start();
    await settle();
    assert.equal(s.state, 'failed');
    assert.equal(clock.pending, 0);
  });

  it('a stdio process that exits fails its tasks (serverGone tasksLost=true), then reconnects and re-adds', async () => {
    const first = new FakeConnection(1);
    const second = new FakeConnection(2);
    const s = make({ connect: scriptedConnector([first, second]).connect });
    s.start();
    await settle();
    await clock.advance(600); // stable
    first.exit(3);
    assert.equal(s.state, 'disconnected');
    assert.equal(s.lastError, 'The server process exited (code 3)');
    assert.deepEqual(registry.events, ['add ext stdio durable=false', 'remove ext', 'gone ext: The server process exited (code 3) (tasksLost=true)']);
    assert.equal(first.closeCalls, 1, 'what is left of the connection is closed');
    assert.deepEqual(clock.delays.slice(-1), [100], 'after a stable connection the backoff starts over');
    await clock.advance(100);
    assert.equal(s.state, 'connected');
    assert.equal(s.pid, 2);
    assert.deepEqual(registry.events.slice(3), ['add ext stdio durable=false']);
  });

  it('names the signal when a process was killed', async () => {
    const connection = new FakeConnection(1);
    const s = make({ connect: scriptedConnector([connection, new FakeConnection(2)]).connect });
    s.start();
    await settle();
    connection.exit(null, 'SIGKILL');
    assert.ok(registry.events.includes('gone ext: The server process exited (signal SIGKILL) (tasksLost=true)'), registry.events.join('\n'));
  });

  it('an HTTP drop keeps the tasks (serverGone tasksLost=false), then reconnects and re-adds so reattach follows them', async () => {
    const first = new FakeConnection();
    const s = make({ kind: 'http', connect: scriptedConnector([first, new Error('refused'), new FakeConnection()]).connect });
    s.start();
    await settle();
    await clock.advance(600);
    first.drop('socket hang up');
    assert.deepEqual(registry.events, ['add ext http durable=true', 'remove ext', 'gone ext: Connection lost (tasksLost=false)']);
    assert.equal(s.lastError, 'Connection lost: socket hang up');
    await clock.advance(100);
    assert.equal(s.state, 'disconnected', 'the first retry is refused');
    await clock.advance(200);
    assert.equal(s.state, 'connected');
    assert.deepEqual(registry.events.slice(3), ['add ext http durable=true']);
  });

  it('a process that keeps crashing right after connecting backs off instead of looping', async () => {
    const connections = Array.from({ length: 4 }, (_, i) => new FakeConnection(i));
    const s = make({ connect: scriptedConnector([...connections]).connect });
    s.start();
    await settle();
    for (let i = 0; i < 3; i++) {
      connections[i].exit(1);
      await clock.advance(clock.delays[clock.delays.length - 1]);
      assert.equal(s.state, 'connected');
    }
    assert.deepEqual(clock.delays, [100, 200, 400]);
  });

  it('probes an HTTP connection and treats an unanswered ping as a drop', async () => {
    const first = new FakeConnection();
    let alive = true;
    first.ping = () => (alive ? Promise.resolve() : Promise.reject(new Error('fetch failed')));
    const s = make({ kind: 'http', pingIntervalMs: 1_000, connect: scriptedConnector([first, new FakeConnection()]).connect });
    s.start();
    await settle();
    await clock.advance(2_500);
    assert.equal(s.state, 'connected');
    alive = false;
    await clock.advance(1_000);
    assert.ok(registry.events.includes('gone ext: Connection lost (tasksLost=false)'), registry.events.join('\n'));
    assert.equal(s.lastError, 'Connection lost: fetch failed');
    await clock.advance(1_000);
    assert.equal(s.state, 'connected');
  });

  it('disconnect stops without reconnecting; for stdio the tasks are lost with the process', async () => {
    const connection = new FakeConnection();
    const s = make({ connect: scriptedConnector([connection]).connect });
    s.start();
    await settle();
    await s.disconnect('Disconnected by you');
    assert.equal(s.state, 'disconnected');
    assert.equal(connection.closeCalls, 1);
    assert.deepEqual(registry.events, ['add ext stdio durable=false', 'remove ext', 'gone ext: Disconnected by you (tasksLost=true)']);
    connection.exit(0);
    await clock.advance(10_000);
    assert.equal(s.state, 'disconnected', 'a closed connection does not come back by itself');
    assert.equal(registry.events.length, 3);
  });

  it('disposing closes quietly: no serverGone, no retry (the next start decides the tasks)', async () => {
    const connection = new FakeConnection();
    const s = make({ connect: scriptedConnector([connection]).connect });
    s.start();
    await settle();
    s.dispose();
    assert.deepEqual(registry.events, ['add ext stdio durable=false', 'remove ext']);
    assert.equal(connection.closeCalls, 1);
    assert.equal(clock.pending, 0);
  });

  it('a connection that arrives after a disconnect is closed, not used', async () => {
    let release!: (c: ServerConnection) => void;
    const late = new FakeConnection();
    const s = make({ connect: () => new Promise<ServerConnection>((resolve) => (release = resolve)) });
    s.start();
    await settle();
    assert.equal(s.state, 'connecting');
    await s.disconnect();
    release(late);
    await settle();
    assert.equal(s.state, 'disconnected');
    assert.equal(late.closeCalls, 1);
    assert.deepEqual(registry.events, []);
  });
});

describe('ServerSupervisor with real transports and the task service', function () {
  this.timeout(30_000);
  let dir: string;
  let store: TaskStore;
  let service: TaskService;
  const cleanup: (() => unknown)[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-sup-'));
    store = new TaskStore({ directory: dir });
    service = new TaskService(store);
  });

  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
    service.dispose();
    store.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stdio: a killed server fails its running task with the reason (retryable), reconnects, and the retry runs', async () => {
    const logged: string[] = [];
    const log = {
      trace: () => undefined,
      debug: () => undefined,
      info: (m: string) => logged.push(m),
      warn: (m: string) => logged.push(m),
      error: (m: string | Error) => logged.push(String(m)),
    };
    const s = new ServerSupervisor({
      id: 'standalone',
      name: 'Standalone',
      kind: 'stdio',
      registry: service,
      backoff: { initialMs: 50, maxMs: 200, jitter: 0.1 },
      connect: () => connectStdio({ type: 'stdio', command: process.execPath, args: [CLI, '--stdio'], env: { TASKLANE_TEST_MARK: '1' } }, { log }),
    });
    cleanup.push(() => s.dispose());
    s.start();
    await s.whenState(['connected']);
    assert.deepEqual(
      service.listServers().map((e) => [e.id, e.kind, e.durable]),
      [['standalone', 'stdio', false]],
    );
    const firstPid = s.pid!;
    assert.ok(firstPid > 0);

    const record = await service.start({ serverId: 'standalone', tool: 'wait', arguments: { durationMs: 20_000 } });
    await waitFor(() => store.get(record.id)?.status === 'working', { what: 'the task to run' });
    process.kill(firstPid, 'SIGKILL');

    const failed = await waitFor(() => (store.get(record.id)?.status === 'failed' ? store.get(record.id) : undefined), { what: 'the task to fail' });
    assert.equal(failed.statusMessage, 'The server process exited (signal SIGKILL). Retry to run it again.');
    assert.equal(failed.error?.message, 'The server process exited (signal SIGKILL)');

    await waitFor(() => s.state === 'connected' && s.pid !== firstPid, { what: 'the reconnect' });
    assert.ok(
      logged.some((line) => line.includes('[stderr]') && line.includes('Tasklane task server ready')),
      'the server stderr reaches the log',
    );
    const retry = await service.retry(record.id, { arguments: { durationMs: 10 } });
    const done = await waitFor(() => (store.get(retry.id)?.status === 'completed' ? store.get(retry.id) : undefined), { what: 'the retry to complete' });
    assert.equal(done.retryOf, record.id);
  });

  it('stdio: a command that does not exist fails at once with a clear message', async () => {
    await assert.rejects(connectStdio({ type: 'stdio', command: 'tasklane-no-such-command', args: [], env: {} }), (error: Error & { permanent?: boolean }) => {
      assert.match(error.message, /Could not start "tasklane-no-such-command": not found/);
      assert.equal(error.permanent, true);
      return true;
    });
  });

  it('stdio: a process that exits before answering reports its exit code and stderr', async () => {
    await assert.rejects(
      connectStdio({ type: 'stdio', command: process.execPath, args: ['-e', 'console.error("missing config file"); process.exit(7)'], env: {} }),
      /code 7: missing config file/,
    );
  });

  describe('http', () => {
    let engine: TaskEngine;
    let http: RunningHttpServer | undefined;
    const host = () => ({ catalog: new ToolCatalog(BUILTIN_TOOLS), defaultCwd: dir, isTrusted: () => true });

    beforeEach(async () => {
      engine = new TaskEngine();
      http = await startHttpServer(host(), engine, { token: 'tok-123' });
      cleanup.push(async () => {
        await http?.close();
        engine.dispose();
      });
    });

    it('sends the token as a bearer header, and a refused token is a permanent failure that says what to do', async () => {
      const connection = await connectHttp({ type: 'http', url: http!.url, headers: { Authorization: 'Bearer wrong' } }, { token: 'tok-123' });
      cleanup.push(() => connection.close());
      assert.equal(connection.client.wire, 'io.modelcontextprotocol/tasks', 'our server offers the extension wire, and the negotiation takes it');
      assert.equal(connection.client.supportsTasks, true);
      await connection.ping!();
      await assert.rejects(connectHttp({ type: 'http', url: http!.url, headers: {} }), (error: Error & { permanent?: boolean }) => {
        assert.match(error.message, /Set Server Token/);
        assert.equal(error.permanent, true);
        return true;
      });
    });

    it('a dropped server keeps its task waiting, then reattach follows it to the end after the reconnect', async () => {
      const port = http!.port;
      const s = new ServerSupervisor({
        id: 'remote',
        name: 'Remote',
        kind: 'http',
        registry: service,
        backoff: { initialMs: 100, maxMs: 300, jitter: 0.1 },
        pingIntervalMs: 100,
        pingTimeoutMs: 1_000,
        maxRetries: 0,
        connect: () => connectHttp({ type: 'http', url: `http://127.0.0.1:${port}/mcp`, headers: {} }, { token: 'tok-123' }),
      });
      cleanup.push(() => s.dispose());
      s.start();
      await s.whenState(['connected']);
      assert.deepEqual(
        service.listServers().map((e) => [e.id, e.durable]),
        [['remote', true]],
      );
      const record = await service.start({ serverId: 'remote', tool: 'wait', arguments: { durationMs: 2_500, message: 'survived' } });
      assert.equal(record.wire, 'io.modelcontextprotocol/tasks');
      await waitFor(() => store.get(record.id)?.status === 'working', { what: 'the task to run' });

      await http!.close();
      http = undefined;
      const waiting = await waitFor(() => (store.get(record.id)?.statusMessage?.startsWith('Connection lost') ? store.get(record.id) : undefined), {
        what: 'the drop to show',
      });
      assert.equal(waiting.status, 'working');
      assert.equal(waiting.statusMessage, 'Connection lost; waiting for the server to come back');
      assert.notEqual(s.state, 'connected');

      // The same engine (its tasks intact) comes back on the same port.
      http = await startHttpServer(host(), engine, { token: 'tok-123', port });
      await waitFor(() => s.state === 'connected', { what: 'the reconnect' });
      const done = await waitFor(() => (store.get(record.id)?.status === 'completed' ? store.get(record.id) : undefined), {
        what: 'the task to complete',
      });
      assert.deepEqual((done.result as { content: unknown[] }).content, [{ type: 'text', text: 'survived' }]);
    });
  });
});

describe('redactHeaders', () => {
  it('hides credentials and keeps the rest', () => {
    assert.deepEqual(redactHeaders({ Authorization: 'Bearer abc', 'X-Api-Key': 'k', 'X-Team': 'core', Cookie: 'c', 'X-Auth-Token': 't' }), {
      Authorization: 'Bearer <redacted>',
      'X-Api-Key': '<redacted>',
      'X-Team': 'core',
      Cookie: '<redacted>',
      'X-Auth-Token': '<redacted>',
    });
  });
});

describe('redactUrl', () => {
  it('hides user info and secret-looking query values', () => {
    assert.equal(
      redactUrl('https://me:pw@example.com/mcp?api_key=abc&team=core&token=t'),
      'https://redacted@example.com/mcp?api_key=redacted&team=core&token=redacted',
    );
    assert.equal(redactUrl('http://127.0.0.1:3000/mcp'), 'http://127.0.0.1:3000/mcp');
  });
});
