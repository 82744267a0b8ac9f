/**
 * Cursors on both wires: `tasks/list` accepts only a cursor this server issued, to this caller,
 * byte for byte (T-S-22); `tools/list` issues none, so it accepts none.
 */
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { BUILTIN_TOOLS } from '../../../src/mcp/server/builtinTools';
import { TaskEngine } from '../../../src/mcp/engine/taskEngine';
import { createTaskServerV1 } from '../../../src/mcp/server/v1/taskServerV1';
import { type TaskHost, ToolCatalog } from '../../../src/mcp/server/toolCatalog';
import { TaskServerV2, type V2Reply } from '../../../src/mcp/server/v2/taskServerV2';
import { RawClient, type RawResponse } from './helpers/rawClient';
import { DECLARING, meta } from './v2/helpers';

const host: TaskHost = { catalog: new ToolCatalog(BUILTIN_TOOLS), defaultCwd: os.tmpdir(), isTrusted: () => true };
/** Every character a cursor is spelt with, and a few it never is. */
const ALPHABET = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ~', 'ü', '\u0000'];

/** Every cursor one edit away: each character replaced by every other, removed, or with any character put before it (or at the end). */
function oneCharacterEdits(cursor: string): string[] {
  const edits = new Set<string>();
  for (let i = 0; i <= cursor.length; i++) {
    for (const c of ALPHABET) {
      if (i < cursor.length) edits.add(cursor.slice(0, i) + c + cursor.slice(i + 1));
      edits.add(cursor.slice(0, i) + c + cursor.slice(i));
    }
    if (i < cursor.length) edits.add(cursor.slice(0, i) + cursor.slice(i + 1));
  }
  edits.delete(cursor);
  return [...edits];
}

describe('list cursors', () => {
  const toDispose: (() => unknown)[] = [];
  afterEach(async () => {
    for (const dispose of toDispose.splice(0).reverse()) await dispose();
  });

  function newEngine(): TaskEngine {
    const engine = new TaskEngine({ pageSize: 2 });
    toDispose.push(() => engine.dispose());
    return engine;
  }

  async function connect(engine: TaskEngine, owner: string): Promise<RawClient> {
    const connection = createTaskServerV1(host, engine, { ownerOf: () => owner });
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await connection.server.connect(serverTransport);
    const raw = new RawClient(clientTransport);
    await raw.start();
    await raw.initialize();
    toDispose.push(() => raw.close(), connection.dispose);
    return raw;
  }

  /** A client with five running tasks, and the cursor of its second page. */
  async function withCursor(engine: TaskEngine, owner = 'alice'): Promise<{ raw: RawClient; cursor: string }> {
    const raw = await connect(engine, owner);
    for (let i = 0; i < 5; i++) {
      const created = await raw.request('tools/call', { name: 'wait', arguments: { durationMs: 60_000 }, task: {} });
      assert.ok(created.result?.task, JSON.stringify(created.error));
    }
    const first = await raw.request('tasks/list', {});
    const cursor = first.result?.nextCursor as string;
    assert.equal(typeof cursor, 'string', 'a first page of two has a next cursor');
    const second = await raw.request('tasks/list', { cursor });
    assert.equal(second.result?.tasks.length, 2, 'the real cursor gives the second page');
    return { raw, cursor };
  }

  function assertInvalidParams(response: RawResponse, what: string): void {
    assert.equal(response.result, undefined, `${what}: expected -32602, got a page`);
    assert.equal(response.error?.code, -32602, `${what}: ${JSON.stringify(response.error)}`);
  }

  it('T-S-22 every one-character edit of a real tasks/list cursor → -32602 with a plain message', async () => {
    const { raw, cursor } = await withCursor(newEngine());
    const edits = oneCharacterEdits(cursor);
    assert.ok(edits.length > cursor.length * ALPHABET.length, `${edits.length} edits of ${JSON.stringify(cursor)}`);
    const answers = await Promise.all(edits.map((edit) => raw.request('tasks/list', { cursor: edit }).then((response) => ({ edit, response }))));
    const accepted = answers.filter(({ response }) => response.error?.code !== -32602);
    assert.deepEqual(
      accepted.map(({ edit }) => edit),
      [],
      `${accepted.length} of ${edits.length} edits were not refused`,
    );
    assert.equal(answers[0].response.error?.message, 'Invalid cursor: pass back a nextCursor from tasks/list unchanged');
  });

  it('T-S-22 a cursor is good only for the caller it was issued to, and only on the engine that issued it', async () => {
    const engine = newEngine();
    const alice = await withCursor(engine, 'alice');
    const bob = await withCursor(engine, 'bob');
    assertInvalidParams(await bob.raw.request('tasks/list', { cursor: alice.cursor }), "alice's cursor sent by bob");

    const other = await withCursor(newEngine(), 'alice');
    assertInvalidParams(await other.raw.request('tasks/list', { cursor: alice.cursor }), 'a cursor of another engine (another key)');
    assert.notEqual(other.cursor, alice.cursor);
  });

  it('tools/list on the 2025-11-25 wire: no cursor gives the tools; any cursor → -32602', async () => {
    const raw = await connect(newEngine(), 'alice');
    const listed = await raw.request('tools/list', {});
    assert.deepEqual(
      (listed.result?.tools as { name: string }[]).map((tool) => tool.name),
      ['run_command', 'wait', 'ask', 'wait_for_tasks', 'tail_task'],
    );
    for (const cursor of ['garbage', '', 'MQ', '1.abc']) {
      const response = await raw.request('tools/list', { cursor });
      assertInvalidParams(response, `cursor ${JSON.stringify(cursor)}`);
      assert.equal(response.error?.message, 'Invalid cursor: tools/list has a single page, so there is no cursor to pass');
    }
  });

  it('tools/list on the 2026-07-28 wire: no cursor gives the tools; any cursor → -32602', async () => {
    const engine = newEngine();
    const server = new TaskServerV2(host, engine);
    toDispose.push(() => server.dispose());
    let id = 1;
    const list = async (params: Record<string, unknown>) => {
      const reply: V2Reply = await server.handle({
        principal: 'alice',
        message: { jsonrpc: '2.0', id: id++, method: 'tools/list', params: { ...params, _meta: meta(DECLARING) } },
      });
      assert.equal(reply.kind, 'response');
      return (reply as Extract<V2Reply, { kind: 'response' }>).body as unknown as RawResponse & { status?: number };
    };
    assert.equal(((await list({})).result?.tools as unknown[]).length, 5);
    for (const cursor of ['garbage', '', 'MQ']) assertInvalidParams(await list({ cursor }), `cursor ${JSON.stringify(cursor)}`);
  });
});
