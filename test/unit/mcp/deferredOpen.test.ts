import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '../../../src/core/logger';
import { silentLogger } from '../../../src/core/logger';
import { RetentionRunner } from '../../../src/core/retentionRunner';
import { endedByReload } from '../../../src/core/reloadInterruption';
import { TaskStore } from '../../../src/core/taskStore';
import { AgentTaskMirror } from '../../../src/mcp/agents/agentTaskMirror';
import { TaskService } from '../../../src/mcp/client/taskService';
import { EMBEDDED_SERVER_ID, EmbeddedServer } from '../../../src/mcp/embeddedServer';
import { waitFor } from '../helpers/waitFor';

const DAY = 24 * 60 * 60 * 1000;
const settle = () => ({ status: 'completed' as const });
const never = () => new Promise<Record<string, unknown>>(() => undefined);

/**
 * What reads history at start waits for a store opened later (as the extension's is, after
 * activation): re-attach and its "Stopped when the window reloaded" writes, retention, the agents'
 * mirror, and starting a task.
 */
describe('what reads history waits for the store to open', () => {
  let dir: string;
  const disposables: { dispose(): void }[] = [];
  const own = <T extends { dispose(): void }>(item: T): T => {
    disposables.push(item);
    return item;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-deferred-'));
  });

  afterEach(() => {
    for (const item of disposables.splice(0).reverse()) item.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The last session's store: one task still running on the embedded server, one finished long ago. */
  function lastSession(): { running: string; old: string } {
    const previous = new TaskStore({ directory: dir, now: () => Date.now() - 60 * DAY });
    const old = previous.create({ serverId: EMBEDDED_SERVER_ID, tool: 'wait' });
    previous.complete(old.id, 'completed', {});
    previous.dispose();
    const again = new TaskStore({ directory: dir });
    const running = again.create({ serverId: EMBEDDED_SERVER_ID, tool: 'wait' }, { taskId: 'gone-with-the-window' });
    again.dispose();
    return { running: running.id, old: old.id };
  }

  async function connected(): Promise<EmbeddedServer> {
    return own(await EmbeddedServer.start({ defaultCwd: dir }));
  }

  it('re-attaches a server registered before the open only when the store opens, before whenOpen() settles', async () => {
    const { running } = lastSession();
    const store = own(new TaskStore({ directory: dir, openLater: true }));
    const service = own(new TaskService(store));
    const embedded = await connected();
    own(service.addServer(embedded.entry));
    assert.equal(store.size, 0, 'nothing read at registration');
    store.open();
    // Synchronously within open(): nothing else could act on the record first.
    const record = store.require(running);
    assert.equal(record.status, 'failed');
    assert.ok(endedByReload(record), `ended by the reload: ${record.statusMessage}`);
  });

  it('leaves an agent task mirrored at the open running, while ending the last session’s', async () => {
    const { running } = lastSession();
    const store = own(new TaskStore({ directory: dir, openLater: true }));
    const embedded = await connected();
    // Built before the service, as the extension does; it mirrors once the store is open.
    const mirror = own(new AgentTaskMirror(() => embedded.engine, store, { serverId: EMBEDDED_SERVER_ID }));
    const service = own(new TaskService(store, { foreignTasks: mirror }));
    // An agent's task created while the store is still closed.
    const agentTask = embedded.engine.start({ owner: 'agent:alpha', tool: 'wait', settle, run: never });
    assert.equal(mirror.recordFor(agentTask.taskId), undefined, 'not mirrored into a closed store');
    own(service.addServer(embedded.entry));
    store.open();
    const mirrored = mirror.recordFor(agentTask.taskId);
    assert.ok(mirrored, 'mirrored at the open');
    assert.equal(store.require(mirrored.id).status, 'working', 'a live agent task is not taken for the last session’s');
    assert.equal(store.require(running).status, 'failed');
  });

  it('holds a start made before the open until the store has read its records, then runs it', async () => {
    lastSession();
    const store = own(new TaskStore({ directory: dir, openLater: true }));
    const service = own(new TaskService(store));
    const embedded = await connected();
    own(service.addServer(embedded.entry));
    const starting = service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 1 } });
    // Let the start run as far as it can: it must not create its record in the empty store.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(store.size, 0, 'nothing created before the open');
    store.open();
    const started = await starting;
    assert.equal(store.size, 3, 'the two records read and the new one');
    assert.equal(store.require(started.id).status, 'working', 'the new task is not ended by the re-attach');
    await waitFor(() => store.require(started.id).status === 'completed', { what: 'the started task to complete' });
  });

  it('applies retention when the store opens, not before', () => {
    const { old, running } = lastSession();
    const lines: string[] = [];
    const log: Logger = { ...silentLogger, info: (message: string) => lines.push(message) };
    const store = own(new TaskStore({ directory: dir, openLater: true }));
    const retention = own(new RetentionRunner(store, () => ({ days: 30, maxTasks: 0 }), log));
    assert.equal(retention.apply(), 0, 'nothing to decide on before the open');
    store.open();
    assert.equal(store.get(old), undefined, 'the 60-day-old task went as the store opened');
    assert.ok(store.get(running), 'the recent one stays');
    assert.equal(lines.length, 1);
  });
});
