/**
 * One standalone server process, two task wires at once: a 2025-11-25 session (the official SDK
 * 1.x client, tasks utility) and a stateless 2026-07-28 client (tasks extension) drive tasks on
 * the same endpoint and the same engine, interleaved.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { CreateTaskResultSchema, GetTaskResultSchema, ListTasksResultSchema } from '../../../../src/mcp/wires/v1/codec';
import { V2Client } from './helpers';

const CLI = path.resolve('out/src/mcp/server/cli.js');
const CONFORMANCE_CLI = path.resolve('out/src/mcp/server/conformanceCli.js');
const TOKEN = 'dual-wire-token';
/** Fixture tools only the conformance suite calls. */
const FIXTURE_TOOLS = ['greet', 'slow_compute', 'failing_job', 'protocol_error_job', 'confirm_delete', 'multi_input', 'test_tool_with_task'];

function startCli(cli: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, '--port', '0', '--log', 'warn', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 10_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /Tasklane task server on (http:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
}

describe('one server process, both task wires at once', function () {
  this.timeout(30_000);
  let server: { child: ChildProcess; url: string };
  let legacy: Client;
  let modern: V2Client;

  before(async () => {
    server = await startCli(CLI, ['--http', '--token', TOKEN]);
    legacy = new Client({ name: 'sdk-1.x', version: '1' }, { capabilities: {} });
    await legacy.connect(new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
    modern = new V2Client(server.url, TOKEN);
  });

  after(async () => {
    await legacy?.close();
    server?.child.kill('SIGTERM');
  });

  it('a 2025-11-25 session and a 2026-07-28 client run tasks side by side on the same endpoint and engine', async () => {
    // Interleave: legacy creates, modern creates, both poll, both finish.
    const v1 = await legacy.request(
      { method: 'tools/call', params: { name: 'wait', arguments: { durationMs: 400, message: 'old wire' }, task: { ttl: 60_000 } } },
      CreateTaskResultSchema,
    );
    const v2 = await modern.callTool('wait', { durationMs: 300, message: 'new wire' });
    assert.equal(v2.resultType, 'task');
    assert.equal(v2.ttl, undefined, 'the new wire says ttlMs');
    assert.equal(typeof v2.ttlMs, 'number');
    assert.ok('ttl' in v1.task, 'the old wire says ttl');

    const v2Done = await modern.poll(v2.taskId);
    assert.equal(v2Done.status, 'completed');
    assert.equal(v2Done.result.content[0].text, 'new wire');

    const v1Result = await legacy.request({ method: 'tasks/result', params: { taskId: v1.task.taskId } }, CallToolResultSchema);
    assert.equal((v1Result.content[0] as { text: string }).text, 'old wire');
    const v1Status = await legacy.request({ method: 'tasks/get', params: { taskId: v1.task.taskId } }, GetTaskResultSchema);
    assert.equal(v1Status.status, 'completed');

    // One engine: the session sees the new wire's task too (same principal), in its own vocabulary.
    const listed = await legacy.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
    const ids = listed.tasks.map((task) => task.taskId);
    assert.ok(ids.includes(v1.task.taskId) && ids.includes(v2.taskId), JSON.stringify(ids));
    // And the new wire reads the session's task in its own.
    const seenFromNewWire = await modern.getTask(v1.task.taskId);
    assert.equal(seenFromNewWire.status, 'completed');
    assert.equal(seenFromNewWire.result.content[0].text, 'old wire');
  });

  it('each wire keeps its own vocabulary: no extension on the session, no legacy surface statelessly', async () => {
    assert.equal((legacy.getServerCapabilities() as Record<string, unknown>).extensions, undefined);
    assert.ok(legacy.getServerCapabilities()?.tasks);
    const discover = await modern.result('server/discover');
    assert.equal(discover.capabilities.tasks, undefined);
    assert.equal((await modern.send('tasks/list', {})).body.error.code, -32601);
  });

  it('the normal tool list has no conformance fixtures, and the conformance server has only them', async () => {
    const normal = (await modern.result('tools/list')).tools.map((tool: { name: string }) => tool.name);
    assert.deepEqual(normal.sort(), ['ask', 'run_command', 'tail_task', 'wait', 'wait_for_tasks']);
    assert.deepEqual(Object.keys((await modern.result('server/discover')).capabilities).sort(), ['extensions', 'tools'], 'no prompts or resources');
    assert.equal((await modern.send('prompts/list', {})).body.error.code, -32601);
    const fixtures = await startCli(CONFORMANCE_CLI, []);
    try {
      const client = new V2Client(fixtures.url);
      const names = (await client.result('tools/list')).tools.map((tool: { name: string }) => tool.name);
      for (const name of FIXTURE_TOOLS) assert.ok(names.includes(name), name);
      assert.ok(!names.includes('run_command'));
      assert.deepEqual(Object.keys((await client.result('server/discover')).capabilities).sort(), [
        'completions',
        'extensions',
        'prompts',
        'resources',
        'tools',
      ]);
    } finally {
      fixtures.child.kill('SIGTERM');
    }
  });

  it('the fixture tools are bundled into dist/conformance-server.js only, never into dist/server.js', () => {
    const server = fs.readFileSync('dist/server.js', 'utf8');
    const conformance = fs.readFileSync('dist/conformance-server.js', 'utf8');
    for (const name of FIXTURE_TOOLS.filter((name) => name.includes('_'))) {
      assert.ok(!server.includes(`'${name}'`) && !server.includes(`"${name}"`), `${name} is in dist/server.js`);
      assert.ok(conformance.includes(`"${name}"`) || conformance.includes(`'${name}'`), `${name} is missing from dist/conformance-server.js`);
    }
  });
});
