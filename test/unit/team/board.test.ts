/**
 * The board role against a real PostgreSQL and two real `dist/server.js` instances: a board
 * principal reads, lists, follows and cancels every principal's task through either instance, on
 * both wires, while an agent still sees only its own; and each task says whose it is and which
 * instance's machine runs it (`dev.tasklane/agent`), also when mirrored from the other instance.
 */
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateTaskResultSchema, GetTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { type Pool } from 'pg';
import { META } from '../../../src/core/meta';
import { ListTasksWithMetaResultSchema } from '../../../src/mcp/wires/v1/codec';
import { waitFor } from '../helpers/waitFor';
import { type Json, V2Client } from '../mcp/v2/helpers';
import { BoardTeam, MACHINES } from './boardTeam';
import { type RunningServer, requirePostgres } from './teamHelpers';

describe('team database: the board role', function () {
  let team: BoardTeam | undefined;
  let pool: Pool | undefined;
  const tokens: Record<'alice' | 'bob' | 'carol', string> = { alice: '', bob: '', carol: '' };
  const servers: RunningServer[] = [];
  // A version of its own, to see the client reported as it introduced itself.
  const sessionOn = (server: RunningServer, token: string, name: string) =>
    team!.sessionOn(server, token, name, new Client({ name, version: '2.1' }, { capabilities: {} }));

  before(async function () {
    requirePostgres(this);
    team = await BoardTeam.start('board', 'carol');
    pool = team.pool;
    Object.assign(tokens, { alice: team.tokens.alice, bob: team.tokens.bob, carol: team.tokens.board });
    servers.push(...team.servers);
  });

  after(async () => team?.close());

  it("lets a board read, list, follow and cancel every principal's task through either instance, on both wires; an agent still sees only its own", async () => {
    const [a, b] = servers;
    // Alice's task is created through A (2026-07-28), Bob's runs on B (2025-11-25).
    const alice = await new V2Client(a.url, tokens.alice).callTool('wait', { durationMs: 600_000, message: 'alice' });
    assert.equal(alice.resultType, 'task', JSON.stringify(alice));
    assert.deepEqual(alice._meta?.[META.agent], { name: 'alice', client: { name: 'v2-test', version: '1.0.0' }, machine: 'host-a' });
    // A 2026-07-28 task goes to the team's queue: whichever instance claims it runs it, and its machine is that one's.
    const aliceMachine = await waitFor(
      async () => (await pool!.query<{ machine: string }>('SELECT machine FROM tasks WHERE task_id = $1 AND NOT queued', [alice.taskId])).rows[0]?.machine,
      { what: "alice's task claimed" },
    );
    assert.ok((MACHINES as readonly string[]).includes(aliceMachine), aliceMachine);
    const bobSession = await sessionOn(b, tokens.bob, 'bob-agent');
    const bobCreated = await bobSession.request(
      { method: 'tools/call', params: { name: 'wait', arguments: { durationMs: 600_000, message: 'bob' }, task: { ttl: 600_000 } } },
      CreateTaskResultSchema,
    );
    assert.deepEqual(bobCreated._meta?.[META.agent], { name: 'bob', client: { name: 'bob-agent', version: '2.1' }, machine: 'host-b' });
    const bob = bobCreated.task.taskId;

    // The board, on the new wire through A: Bob's task (B's work, mirrored into A) says whose and where.
    const boardV2 = new V2Client(a.url, tokens.carol);
    const bobOnA = await boardV2.poll(bob, (task) => task.status === 'working');
    assert.deepEqual(bobOnA._meta?.[META.agent], { name: 'bob', client: { name: 'bob-agent', version: '2.1' }, machine: 'host-b' });
    assert.equal((await boardV2.poll(alice.taskId, (task) => task._meta?.[META.agent]?.machine === aliceMachine)).status, 'working');

    // The board, on the old wire through B: both tasks listed, each item with its owner and machine, and read.
    const boardV1 = await sessionOn(b, tokens.carol, 'board');
    const listed = await waitFor(
      async () => {
        const page = await boardV1.request({ method: 'tasks/list', params: {} }, ListTasksWithMetaResultSchema);
        const found = new Map(page.tasks.map((task) => [task.taskId, task._meta?.[META.agent]]));
        if (!found.has(alice.taskId) || !found.has(bob)) throw new Error(`listed ${[...found.keys()].join(', ')}`);
        return found;
      },
      { what: "the board's list through B to hold both tasks" },
    );
    assert.deepEqual(listed.get(alice.taskId), { name: 'alice', client: { name: 'v2-test', version: '1.0.0' }, machine: aliceMachine });
    assert.deepEqual(listed.get(bob), { name: 'bob', client: { name: 'bob-agent', version: '2.1' }, machine: 'host-b' });
    const aliceOnB = await boardV1.request({ method: 'tasks/get', params: { taskId: alice.taskId } }, GetTaskResultSchema);
    assert.equal(aliceOnB.status, 'working');
    assert.deepEqual((aliceOnB._meta as Json | undefined)?.[META.agent], {
      name: 'alice',
      client: { name: 'v2-test', version: '1.0.0' },
      machine: aliceMachine,
    });

    // An agent still sees only its own, on both wires and through either instance.
    const aliceV2OnB = new V2Client(b.url, tokens.alice);
    const refused = await aliceV2OnB.send('tasks/get', { taskId: bob });
    assert.equal(refused.body.result, undefined, JSON.stringify(refused.body));
    assert.match(JSON.stringify(refused.body.error), /not found/i);
    assert.equal((await aliceV2OnB.poll(alice.taskId, (task) => task.status === 'working')).taskId, alice.taskId);
    const aliceV1 = await sessionOn(a, tokens.alice, 'alice-agent');
    await assert.rejects(aliceV1.request({ method: 'tasks/get', params: { taskId: bob } }, GetTaskResultSchema), /not found/i);
    await assert.rejects(aliceV1.request({ method: 'tasks/cancel', params: { taskId: bob } }, GetTaskResultSchema), /not found/i);
    const aliceList = await aliceV1.request({ method: 'tasks/list', params: {} }, ListTasksWithMetaResultSchema);
    assert.deepEqual(
      aliceList.tasks.map((task) => task.taskId),
      [alice.taskId],
    );
    const agentListen = await aliceV2OnB.listen({ taskIds: [bob] }, { timeoutMs: 3000 });
    assert.deepEqual(agentListen.messages[0]?.params?.notifications, { taskIds: [] }, "an agent is not acknowledged for another's task");

    // The board follows Bob's task through A and cancels it through A on the old wire (B runs it): the stream sees the end.
    const boardOnA = await sessionOn(a, tokens.carol, 'board');
    const followed = await boardV2.listen(
      { taskIds: [bob] },
      { timeoutMs: 20_000, onFirst: () => boardOnA.request({ method: 'tasks/cancel', params: { taskId: bob } }, GetTaskResultSchema) },
    );
    const last = followed.messages.filter((message) => message.method === 'notifications/tasks').at(-1);
    assert.equal(last?.params.status, 'cancelled', JSON.stringify(followed.messages));
    assert.deepEqual(last?.params._meta?.[META.agent], { name: 'bob', client: { name: 'bob-agent', version: '2.1' }, machine: 'host-b' });
    // And Alice's through B on the new wire.
    await new V2Client(b.url, tokens.carol).result('tasks/cancel', { taskId: alice.taskId });
    for (const [client, taskId] of [
      [new V2Client(a.url, tokens.alice), alice.taskId],
      [new V2Client(b.url, tokens.carol), bob],
    ] as const) {
      assert.equal((await client.poll(taskId)).status, 'cancelled');
    }
    const bobSees = await bobSession.request({ method: 'tasks/get', params: { taskId: bob } }, GetTaskResultSchema);
    assert.equal(bobSees.status, 'cancelled');

    // The audit names the board for its cancels, and the rows keep each task's machine.
    const audit = await waitFor(
      async () => {
        const { rows } = await pool!.query<{ principal: string; task_id: string }>(
          `SELECT principal, task_id FROM audit WHERE action = 'cancel' ORDER BY audit_id`,
        );
        if (rows.length < 2) throw new Error(`${rows.length} cancel(s) audited`);
        return rows;
      },
      { what: 'both cancels audited' },
    );
    assert.deepEqual(audit.map((row) => `${row.principal} ${row.task_id}`).sort(), [`carol ${bob}`, `carol ${alice.taskId}`].sort());
    const { rows } = await pool!.query<{ task_id: string; owner: string; machine: string }>(
      'SELECT task_id, owner, machine FROM tasks WHERE task_id = ANY($1) ORDER BY owner',
      [[alice.taskId, bob]],
    );
    assert.deepEqual(rows, [
      { task_id: alice.taskId, owner: 'alice', machine: aliceMachine },
      { task_id: bob, owner: 'bob', machine: 'host-b' },
    ]);
  });

  it('keeps the tasks a board starts its own', async () => {
    const started = await new V2Client(servers[0].url, tokens.carol).callTool('wait', { durationMs: 10, message: 'board' });
    assert.equal(started._meta?.[META.agent]?.name, 'carol');
    // Once B has it (the board reads it there), Alice still cannot.
    await new V2Client(servers[1].url, tokens.carol).poll(started.taskId);
    const refused = await new V2Client(servers[1].url, tokens.alice).send('tasks/get', { taskId: started.taskId });
    assert.equal(refused.body.result, undefined, "an agent does not see the board's task");
  });
});
