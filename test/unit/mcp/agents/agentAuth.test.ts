import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AgentCredentials, agentIdOf } from '../../../../src/mcp/agents/agentCredentials';
import { BUILTIN_TOOLS } from '../../../../src/mcp/server/builtinTools';
import { type RunningHttpServer, generateToken, startHttpServer } from '../../../../src/mcp/server/httpServer';
import { TaskEngine } from '../../../../src/mcp/engine/taskEngine';
import { ToolCatalog } from '../../../../src/mcp/server/toolCatalog';
import { CreateTaskResultSchema, GetTaskResultSchema, ListTasksResultSchema } from '../../../../src/mcp/wires/v1/codec';
import { V2Client } from '../v2/helpers';

describe('agents: one token each, one authorization context each', function () {
  this.timeout(20_000);
  let engine: TaskEngine;
  let credentials: AgentCredentials;
  let server: RunningHttpServer;
  const tokens = { alpha: generateToken(), beta: generateToken() };
  const clients: Client[] = [];

  async function connect(token: string, name: string): Promise<Client> {
    const client = new Client({ name, version: '1.0.0' }, { capabilities: {} });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    clients.push(client);
    return client;
  }

  beforeEach(async () => {
    engine = new TaskEngine();
    credentials = new AgentCredentials();
    credentials.set({ id: 'alpha', name: 'Alpha' }, tokens.alpha);
    credentials.set({ id: 'beta', name: 'Beta' }, tokens.beta);
    server = await startHttpServer({ catalog: new ToolCatalog(BUILTIN_TOOLS), defaultCwd: process.cwd(), isTrusted: () => true }, engine, {
      port: 0,
      authenticate: credentials.authenticate,
    });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close().catch(() => undefined);
    await server.close();
    engine.dispose();
  });

  it('looks tokens up in constant time and names the agent they belong to', () => {
    assert.equal(credentials.authenticate(tokens.alpha), 'agent:alpha');
    assert.equal(credentials.authenticate(tokens.beta), 'agent:beta');
    assert.equal(credentials.authenticate(`${tokens.alpha}x`), undefined);
    assert.equal(credentials.authenticate(''), undefined);
    assert.equal(agentIdOf('agent:alpha'), 'alpha');
    assert.equal(agentIdOf('editor'), undefined);
  });

  it("gives each agent's tasks its own owner: the other agent cannot get, list or cancel them (2025-11-25 sessions)", async () => {
    const alpha = await connect(tokens.alpha, 'alpha-client');
    const beta = await connect(tokens.beta, 'beta-client');
    const created = await alpha.request(
      { method: 'tools/call', params: { name: 'wait', arguments: { durationMs: 5000 }, task: { ttl: 60_000 } } },
      CreateTaskResultSchema,
    );
    const taskId = created.task.taskId;
    assert.equal(engine.peek(taskId)?.owner, 'agent:alpha');
    const agent = engine.peek(taskId)?.agent;
    assert.equal(agent?.name, 'alpha-client');
    assert.equal(agent?.version, '1.0.0');
    assert.match(agent?.connection ?? '', /^http session [0-9a-f]{8}$/);

    const own = await alpha.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
    assert.equal(own.status, 'working');
    await assert.rejects(beta.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema), /-32602|not found/i);
    await assert.rejects(beta.request({ method: 'tasks/cancel', params: { taskId } }, GetTaskResultSchema), /-32602|not found/i);
    const listed = await beta.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
    assert.deepEqual(
      listed.tasks.map((t) => t.taskId),
      [],
    );
    assert.equal(engine.peek(taskId)?.status, 'working', "beta's cancel did not touch alpha's task");
    engine.cancelAny(taskId);
  });

  it('scopes stateless 2026-07-28 requests by the same token principal', async () => {
    const alpha = new V2Client(server.url, tokens.alpha);
    const beta = new V2Client(server.url, tokens.beta);
    const created = await alpha.callTool('wait', { durationMs: 5000 });
    assert.equal(created.resultType, 'task');
    assert.equal(engine.peek(created.taskId as string)?.owner, 'agent:alpha');
    const foreign = await beta.send('tasks/get', { taskId: created.taskId });
    assert.ok(foreign.body.error, 'another agent gets an error for the task');
    engine.cancelAny(created.taskId as string);
  });

  it('refuses a rotated or revoked token at once, and a wrong token with 401', async () => {
    const alpha = new V2Client(server.url, tokens.alpha);
    assert.equal((await alpha.send('server/discover')).status, 200);
    const rotated = generateToken();
    credentials.set({ id: 'alpha', name: 'Alpha' }, rotated);
    const refused = await alpha.send('server/discover');
    assert.equal(refused.status, 401);
    assert.equal((await new V2Client(server.url, rotated).send('server/discover')).status, 200);
    credentials.delete('beta');
    assert.equal((await new V2Client(server.url, tokens.beta).send('server/discover')).status, 401);
    assert.equal((await new V2Client(server.url).send('server/discover')).status, 401, 'no token at all');
  });

  it('still serves the single-token CLI setup', async () => {
    await server.close();
    server = await startHttpServer({ catalog: new ToolCatalog(BUILTIN_TOOLS), defaultCwd: process.cwd(), isTrusted: () => true }, engine, {
      port: 0,
      token: 'cli-token',
    });
    assert.equal((await new V2Client(server.url, 'cli-token').send('server/discover')).status, 200);
    assert.equal((await new V2Client(server.url, tokens.alpha).send('server/discover')).status, 401);
  });
});
