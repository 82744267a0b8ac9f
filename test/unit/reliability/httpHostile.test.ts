import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { BUILTIN_TOOLS } from '../../../src/mcp/server/builtinTools';
import { type RunningHttpServer, startHttpServer } from '../../../src/mcp/server/httpServer';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { ToolCatalog } from '../../../src/mcp/server/toolCatalog';
import { INIT_PARAMS, RawClient } from '../mcp/helpers/rawClient';
import { type Json, V2Client } from '../mcp/v2/helpers';
import { recordTrials } from './tally';

const TOKENS: Record<string, string> = { 'token-of-agent-a-0123456789abcdef': 'agent:a', 'token-of-agent-b-0123456789abcdef': 'agent:b' };
const [TOKEN_A, TOKEN_B] = Object.keys(TOKENS);

/** A raw request, so Host, Origin and Authorization are exactly what the test says. */
function rawPost(port: number, headers: Record<string, string>, body: Json): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
        setHost: !('host' in headers),
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

const V2_HEADERS = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'wait' };
const v2Call = {
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: {
    name: 'wait',
    arguments: { durationMs: 60_000 },
    _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
    },
  },
};
const v1Init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: INIT_PARAMS };

async function v1Session(url: string, token: string): Promise<{ client: RawClient; close: () => Promise<void> }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  const client = new RawClient(transport);
  await client.start();
  await client.initialize();
  return { client, close: () => transport.close() };
}

describe('reliability: the HTTP endpoint refuses whoever is not let in', function () {
  this.timeout(20_000);
  let engine: TaskEngine;
  let server: RunningHttpServer;

  beforeEach(async () => {
    engine = new TaskEngine({ pollIntervalMs: 50 });
    server = await startHttpServer({ catalog: new ToolCatalog(BUILTIN_TOOLS), defaultCwd: os.tmpdir(), isTrusted: () => true }, engine, {
      authenticate: (token) => TOKENS[token],
    });
  });

  afterEach(async () => {
    await server.close();
    engine.dispose();
  });

  it('listens on loopback only: every other address of this machine refuses the connection', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const others = Object.values(os.networkInterfaces())
      .flat()
      .filter((a): a is os.NetworkInterfaceInfo => !!a && !a.internal)
      .map((a) => a.address);
    let refused = 0;
    for (const address of others) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = net.connect({ host: address, port: server.port, timeout: 2000 });
        socket.once('connect', () => (socket.destroy(), resolve('connected')));
        socket.once('timeout', () => (socket.destroy(), resolve('timeout')));
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      assert.notEqual(outcome, 'connected', `${address}:${server.port} must not accept connections`);
      refused++;
    }
    recordTrials('hostile', 'HTTP: connections to the port on non-loopback addresses', refused, `${refused} of ${others.length} addresses refused`);
  });

  it('refuses requests with no, a wrong, a truncated or a differently framed token (401) on both wires, and starts nothing', async () => {
    const bad: Array<Record<string, string>> = [
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: 'Bearer wrong' },
      { authorization: `Bearer ${TOKEN_A.slice(0, -1)}` },
      { authorization: `Bearer ${TOKEN_A}x` },
      { authorization: `Basic ${Buffer.from(`user:${TOKEN_A}`).toString('base64')}` },
      { authorization: `Token ${TOKEN_A}` },
      { authorization: `Bearer ${TOKEN_A.toUpperCase()}` },
      { authorization: `Bearer agent:a` },
    ];
    let refused = 0;
    for (const headers of bad) {
      for (const [body, extra] of [
        [v1Init, {}],
        [v2Call, V2_HEADERS],
      ] as const) {
        const reply = await rawPost(server.port, { ...headers, ...extra }, body);
        assert.equal(reply.status, 401, `${JSON.stringify(headers)} on ${body.method}: ${reply.text}`);
        assert.equal(JSON.parse(reply.text).error.code, -32600);
        refused++;
      }
    }
    assert.equal(engine.all().length, 0, 'no task was started');
    recordTrials(
      'hostile',
      'HTTP: missing, wrong, truncated or mis-framed bearer tokens (both wires)',
      refused,
      `${refused} refused with 401; no task started`,
    );
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin (403) even with a valid token, and starts nothing', async () => {
    const port = server.port;
    const hosts = [
      'evil.example',
      `evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `localhost.evil.example:${port}`,
      `127.0.0.1:${port + 1}`,
      '127.0.0.1',
      `0.0.0.0:${port}`,
      `[::ffff:127.0.0.1]:${port}`,
      `127.1:${port}`,
    ];
    const origins = [
      'http://evil.example',
      'null',
      `http://127.0.0.1:${port + 1}`,
      `https://127.0.0.1:${port}`,
      `http://localhost.evil.example:${port}`,
      `http://127.0.0.1:${port}.evil.example`,
      'file://',
      `vscode-webview://127.0.0.1:${port}`,
    ];
    let refused = 0;
    for (const [body, extra] of [
      [v1Init, {}],
      [v2Call, V2_HEADERS],
    ] as const) {
      for (const host of hosts) {
        const reply = await rawPost(port, { authorization: `Bearer ${TOKEN_A}`, host, ...extra }, body);
        assert.equal(reply.status, 403, `Host ${host}: ${reply.text}`);
        refused++;
      }
      for (const origin of origins) {
        const reply = await rawPost(port, { authorization: `Bearer ${TOKEN_A}`, origin, ...extra }, body);
        assert.equal(reply.status, 403, `Origin ${origin}: ${reply.text}`);
        refused++;
      }
    }
    assert.equal(engine.all().length, 0, 'no task was started');
    const own = await rawPost(port, { authorization: `Bearer ${TOKEN_A}`, origin: `http://127.0.0.1:${port}`, ...V2_HEADERS }, v2Call);
    assert.equal(own.status, 200, "the server's own origin is served");
    recordTrials(
      'hostile',
      'HTTP: foreign Host headers (DNS rebinding) and foreign Origins, with a valid token',
      refused,
      `${refused} refused with 403; no task started`,
    );
  });

  it('binds every task to the client that made it: another client can neither list, read, answer, follow nor cancel it, on either wire', async () => {
    const a2 = new V2Client(server.url, TOKEN_A);
    const b2 = new V2Client(server.url, TOKEN_B);
    const a1 = await v1Session(server.url, TOKEN_A);
    const b1 = await v1Session(server.url, TOKEN_B);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await a2.callTool('wait', { durationMs: 60_000 })).taskId);
      for (let i = 0; i < 3; i++) {
        const created = await a1.client.request('tools/call', { name: 'wait', arguments: { durationMs: 60_000 }, task: { ttl: 60_000 } });
        ids.push(created.result!.task.taskId);
      }
      let refused = 0;
      for (const taskId of ids) {
        for (const [method, params] of [
          ['tasks/get', { taskId }],
          ['tasks/cancel', { taskId }],
          ['tasks/update', { taskId, inputResponses: { k: { action: 'accept', content: {} } } }],
        ] as const) {
          const reply = await b2.send(method, params);
          assert.equal(reply.body.error?.code, -32602, `${method} by another client on ${taskId}: ${JSON.stringify(reply.body)}`);
          refused++;
        }
        const listen = await b2.listen({ taskIds: [taskId] }, { timeoutMs: 300 });
        assert.ok(!listen.messages.some((m) => JSON.stringify(m).includes(taskId) && !m.error), 'no snapshot of a foreign task is streamed');
        refused++;
        for (const method of ['tasks/get', 'tasks/result', 'tasks/cancel']) {
          const reply = await b1.client.request(method, { taskId });
          assert.equal(reply.error?.code, -32602, `${method} by another session's principal on ${taskId}: ${JSON.stringify(reply)}`);
          refused++;
        }
      }
      const listed = await b1.client.request('tasks/list', {});
      assert.deepEqual(listed.result?.tasks, [], 'another client lists none of them');
      refused++;
      for (const taskId of ids) assert.equal((await a2.getTask(taskId)).status, 'working', 'the owner still sees its task running, untouched');
      recordTrials(
        'hostile',
        'Auth-context binding: another client lists, reads, answers, follows or cancels a task (both wires, cross-wire)',
        refused,
        `${refused} attempts refused as "not found"; the owner's ${ids.length} tasks untouched`,
      );
    } finally {
      await a1.close();
      await b1.close();
    }
  });

  it('task ids are UUID v4 (122 random bits): 200 ids, all distinct, and 600 guesses near them find nothing', async () => {
    const a2 = new V2Client(server.url, TOKEN_A);
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push((await a2.callTool('wait', { durationMs: 0 })).taskId);
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(new Set(ids).size, ids.length);
    let guessed = 0;
    for (let i = 0; i < 600; i++) {
      const base = ids[i % ids.length];
      const hex = base.replace(/-/g, '');
      const position = 30 - (i % 12);
      const flipped = hex.slice(0, position) + ((parseInt(hex[position], 16) + 1 + (i % 15)) % 16).toString(16) + hex.slice(position + 1);
      const guess = `${flipped.slice(0, 8)}-${flipped.slice(8, 12)}-${flipped.slice(12, 16)}-${flipped.slice(16, 20)}-${flipped.slice(20)}`;
      if (engine.all().some((t) => t.taskId === guess)) continue;
      const reply = await a2.send('tasks/get', { taskId: guess });
      assert.equal(reply.body.error?.code, -32602);
      guessed++;
    }
    recordTrials(
      'hostile',
      'Task id guessing: neighbours of 200 real ids (one hex digit changed)',
      guessed,
      `${guessed} guesses, 0 hits; ids are UUID v4, 122 random bits`,
    );
  });
});
