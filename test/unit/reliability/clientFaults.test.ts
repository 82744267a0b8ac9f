import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { TaskStore } from '../../../src/core/taskStore';
import { connectHttpServer } from '../../../src/mcp/client/connectServer';
import { TaskClientV2 } from '../../../src/mcp/client/v2/taskClientV2';
import type { TaskService } from '../../../src/mcp/client/taskService';
import { EMBEDDED_SERVER_ID } from '../../../src/mcp/embeddedServer';
import { type TaskHarness, makeTaskHarness } from '../helpers/taskHarness';
import { waitFor } from '../helpers/waitFor';
import { type Json } from '../mcp/v2/helpers';
import { DISCOVER_WITH_TASKS, taskJson } from '../mcp/v2client/helpers';
import { recordTrials } from './tally';

type Misbehaviour = 'ok' | 'hang' | 'drop' | 'garbage' | 'slow' | 'huge';

const GARBAGE = [
  '<html><body>502 Bad Gateway</body></html>',
  '{"jsonrpc":"2.0","id":',
  '{"jsonrpc":"2.0","id":1,"result":5}',
  'null',
  '{"jsonrpc":"2.0","id":1,"result":{"taskId":7,"status":"exploded"}}',
];

/** A 2026-07-28 server whose `tasks/get` misbehaves on demand; `tools/call` always makes task t-1. */
async function misbehavingServer(): Promise<{ url: string; mode: Misbehaviour; done: boolean; gets: number; close(): Promise<void> }> {
  const state = { url: '', mode: 'ok' as Misbehaviour, done: false, gets: 0, close: async () => undefined as void };
  let garbage = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
      const answer = (result: Json) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: body.id, result }));
      };
      if (body.method === 'server/discover') return answer(DISCOVER_WITH_TASKS);
      if (body.method === 'tools/call') return answer({ resultType: 'task', ...taskJson('t-1', 'working') });
      if (body.method !== 'tasks/get') return answer({ resultType: 'complete' });
      state.gets++;
      const snapshot = (text = 'the result') => ({
        resultType: 'complete',
        ...taskJson('t-1', state.done ? 'completed' : 'working', state.done ? { result: { content: [{ type: 'text', text }] } } : {}),
      });
      switch (state.mode) {
        case 'hang':
          return; // never answers
        case 'drop':
          return req.socket.destroy();
        case 'garbage':
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(GARBAGE[garbage++ % GARBAGE.length]);
        case 'slow':
          return void setTimeout(() => answer(snapshot()), 1500);
        case 'huge':
          return answer(snapshot('x'.repeat(50 << 20)));
        default:
          return answer(snapshot());
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

describe('reliability: an external server that crashes, hangs, drops, lies or floods', function () {
  this.timeout(60_000);
  let dir: string;
  let store: TaskStore;
  let service: TaskService;
  let harness: TaskHarness;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-faults-'));
    harness = await makeTaskHarness({ storeDir: dir });
    ({ store, service } = harness);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    harness.dispose();
  });

  /** Tasks stored before the fault, with results: they must come through it untouched. */
  async function storedWork(): Promise<string> {
    const before = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 0, message: 'kept' } });
    await waitFor(() => store.get(before.id)?.status === 'completed', { what: 'the stored task to complete' });
    store.flush();
    return JSON.stringify(store.get(before.id));
  }

  /** While the remote server misbehaves, the host still runs embedded work to the end. */
  async function hostStillWorks(): Promise<void> {
    const probe = await service.start({ serverId: EMBEDDED_SERVER_ID, tool: 'wait', arguments: { durationMs: 10, message: 'alive' } });
    await waitFor(() => store.get(probe.id)?.status === 'completed', { what: 'embedded work to finish during the fault' });
  }

  function assertStoredIntact(before: string): void {
    const id = JSON.parse(before).id as string;
    assert.deepEqual(JSON.parse(JSON.stringify(store.get(id))), JSON.parse(before), 'the task stored before the fault is unchanged in memory');
    store.flush();
    const reopened = new TaskStore({ directory: dir });
    assert.deepEqual(JSON.parse(JSON.stringify(reopened.get(id))), JSON.parse(before), 'and on disk');
    reopened.dispose();
  }

  async function remoteTask(
    mode: Misbehaviour,
    serverId: string,
    requestTimeoutMs = 400,
  ): Promise<{ server: Awaited<ReturnType<typeof misbehavingServer>>; id: string }> {
    const server = await misbehavingServer();
    cleanups.push(() => server.close());
    const client = new TaskClientV2({ url: server.url, notifications: false, requestTimeoutMs });
    await client.discover();
    cleanups.push(() => client.dispose());
    const registration = service.addServer({ id: serverId, name: `Flaky server (${mode})`, kind: 'http', durable: true, client });
    cleanups.push(() => registration.dispose());
    const record = await service.start({ serverId, tool: 'anything', arguments: {} });
    assert.equal(record.status, 'working');
    server.mode = mode;
    return { server, id: record.id };
  }

  it('servers that hang, drop the connection or answer garbage (at once, side by side): each task says so, the host keeps working, each completes once its server recovers', async () => {
    const before = await storedWork();
    const cases = [
      ['hang', 'hangs (tasks/get never answered)'],
      ['drop', 'drops the connection on every tasks/get'],
      ['garbage', 'answers garbage (HTML, truncated JSON, wrong types)'],
    ] as const;
    const started = [];
    for (const [mode, label] of cases) started.push({ label, ...(await remoteTask(mode, `flaky-${mode}`)) });
    await Promise.all(
      started.map(async ({ server, id, label }) => {
        await waitFor(() => /No valid answer from the server/.test(store.get(id)?.statusMessage ?? ''), {
          what: `the task on the server that ${label} to say it is not answering`,
        });
        assert.equal(store.get(id)?.status, 'working', 'still followed, not given up');
        await hostStillWorks();
        const faults = server.gets;
        server.mode = 'ok';
        server.done = true;
        await waitFor(() => store.get(id)?.status === 'completed', { what: 'the task to complete after the recovery', timeoutMs: 40_000 });
        assert.equal((store.get(id)?.result as Json).content[0].text, 'the result');
        recordTrials(
          'fault',
          `External server ${label}`,
          faults,
          'the task says "No valid answer from the server"; host keeps working; the task completes after recovery; stored tasks intact',
        );
      }),
    );
    assertStoredIntact(before);
  });

  it('a slow server (1.5 s per answer): the task still ends with its result, and the host keeps working meanwhile', async () => {
    const before = await storedWork();
    const server = await misbehavingServer();
    cleanups.push(() => server.close());
    const client = new TaskClientV2({ url: server.url, notifications: false, requestTimeoutMs: 5000 });
    await client.discover();
    cleanups.push(() => client.dispose());
    const registration = service.addServer({ id: 'slow', name: 'Slow server', kind: 'http', durable: true, client });
    cleanups.push(() => registration.dispose());
    const record = await service.start({ serverId: 'slow', tool: 'anything', arguments: {} });
    server.mode = 'slow';
    await hostStillWorks();
    server.done = true;
    await waitFor(() => store.get(record.id)?.status === 'completed', { what: 'the slow task to complete' });
    assertStoredIntact(before);
    recordTrials('fault', 'External server answers slowly (1.5 s per tasks/get)', server.gets, 'task completed with its result; host kept working');
  });

  it('a server that answers with a 50 MB result: the task completes, the host keeps working, the store reopens', async () => {
    const before = await storedWork();
    const { server, id } = await remoteTask('ok', 'huge', 30_000);
    server.mode = 'huge';
    server.done = true;
    await waitFor(() => (store.get(id)?.status !== 'working' ? store.get(id) : undefined), { what: 'the task with the huge result to end', timeoutMs: 40_000 });
    const ended = store.get(id)!;
    await hostStillWorks();
    assertStoredIntact(before);
    const size = JSON.stringify(ended.result ?? ended.error ?? '').length;
    recordTrials(
      'fault',
      'External server returns a 50 MB result',
      1,
      `task ended ${ended.status}${ended.status === 'completed' ? ` with the ${(size / (1 << 20)).toFixed(0)} MB result kept` : `: ${ended.statusMessage}`}; host kept working; store reopens`,
    );
  });

  it('a real external server process SIGKILLed mid-task and started again: the task fails clearly as unknown to the new process, retryable; the host keeps working', async function () {
    const before = await storedWork();
    const token = 'crash-test-token';
    const first = await startServerProcess(token, 0);
    cleanups.push(() => void first.process.kill('SIGKILL'));
    const connection = await connectHttpServer(first.url, { token, notifications: false });
    cleanups.push(() => connection.close());
    const registration = service.addServer({ id: 'external', name: 'External Tasklane', kind: 'http', durable: true, client: connection.client });
    cleanups.push(() => registration.dispose());
    const record = await service.start({ serverId: 'external', tool: 'wait', arguments: { durationMs: 60_000 } });
    assert.equal(record.status, 'working');
    first.process.kill('SIGKILL');
    await new Promise((resolve) => first.process.once('exit', resolve));
    await waitFor(() => /No valid answer from the server/.test(store.get(record.id)?.statusMessage ?? ''), {
      what: 'the task to say the server is gone',
    });
    await hostStillWorks();
    const second = await startServerProcess(token, first.port);
    cleanups.push(() => void second.process.kill('SIGKILL'));
    await waitFor(() => store.get(record.id)?.status === 'failed', {
      what: 'the task to fail once the restarted server says it does not know it',
      timeoutMs: 40_000,
    });
    assert.match(store.get(record.id)?.statusMessage ?? '', /no longer knows this task.*Retry/);
    const retry = await service.retry(record.id);
    assert.equal(retry.status, 'working', 'the retry runs on the restarted server');
    assertStoredIntact(before);
    recordTrials(
      'fault',
      'External server process SIGKILLed mid-task, then restarted',
      1,
      'the task says the server is not answering, then fails "no longer knows this task … Retry"; retry runs; host kept working; stored tasks intact',
    );
  });
});

async function startServerProcess(token: string, port: number): Promise<{ process: ChildProcess; url: string; port: number }> {
  const child = spawn(process.execPath, [path.resolve('dist/server.js'), '--http', '--port', String(port), '--token', token, '--log', 'warn'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /on (http:\/\/\S+)/.exec(text);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}): ${text}`)));
  });
  return { process: child, url, port: Number(new URL(url).port) };
}
