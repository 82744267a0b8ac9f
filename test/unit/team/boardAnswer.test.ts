/**
 * A board answers another principal's task's question, against a real PostgreSQL and two real
 * `dist/server.js` instances, through the instance that does not run the task: on 2026-07-28 with
 * `tasks/update` (the question in the task's `inputRequests`), on 2025-11-25 with
 * `dev.tasklane/tasks/update` (the question in `_meta["dev.tasklane/inputRequests"]`, which only
 * another principal's reads carry). An agent that is not the owner is refused; the first answer
 * wins, and the session the question was sent to is told to stop asking.
 */
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CallToolResultSchema,
  CancelledNotificationSchema,
  CreateTaskResultSchema,
  ElicitRequestSchema,
  GetTaskResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { type Pool } from 'pg';
import { META } from '../../../src/core/meta';
import { ListTasksWithMetaResultSchema } from '../../../src/mcp/wires/v1/codec';
import { TASK_UPDATE_METHOD_V1, TaskUpdateResultV1Schema } from '../../../src/mcp/wires/v1/taskUpdate';
import { waitFor } from '../helpers/waitFor';
import { type Json, V2Client } from '../mcp/v2/helpers';
import { BoardTeam } from './boardTeam';
import { type RunningServer, requirePostgres } from './teamHelpers';

describe("team database: the board answers another principal's questions", function () {
  let team: BoardTeam | undefined;
  let pool: Pool | undefined;
  const tokens: Record<'alice' | 'bob' | 'carol', string> = { alice: '', bob: '', carol: '' };
  const servers: RunningServer[] = [];
  const sessionOn = (server: RunningServer, token: string, name: string, client?: Client) => team!.sessionOn(server, token, name, client);

  async function answersAudited(taskId: string): Promise<string[]> {
    const { rows } = await pool!.query<{ principal: string }>(`SELECT principal FROM audit WHERE action = 'answer' AND task_id = $1 ORDER BY audit_id`, [
      taskId,
    ]);
    return rows.map((row) => row.principal);
  }

  before(async function () {
    requirePostgres(this);
    team = await BoardTeam.start('boardanswer', 'carol');
    pool = team.pool;
    Object.assign(tokens, { alice: team.tokens.alice, bob: team.tokens.bob, carol: team.tokens.board });
    servers.push(...team.servers);
  });

  after(async () => team?.close());

  it("2026-07-28: the board sees Alice's question and answers it through the other instance; Bob cannot; a later answer is ignored", async () => {
    const asked = await new V2Client(servers[0].url, tokens.alice).callTool('ask', { question: 'Deploy?' });
    assert.equal(asked.resultType, 'task', JSON.stringify(asked));
    // The team's queue decides where it runs: the board answers through the other instance.
    const machine = await waitFor(
      async () => (await pool!.query<{ machine: string }>('SELECT machine FROM tasks WHERE task_id = $1 AND NOT queued', [asked.taskId])).rows[0]?.machine,
      { what: "alice's question claimed" },
    );
    const elsewhere = servers[machine === 'host-a' ? 1 : 0];
    const board = new V2Client(elsewhere.url, tokens.carol);
    const open = await board.poll(asked.taskId, (task) => task.status === 'input_required');
    const [key] = Object.keys((open.inputRequests as Json | undefined) ?? {});
    assert.ok(key, JSON.stringify(open));
    assert.equal(open.inputRequests[key].params.message, 'Deploy?');

    // Bob, an agent, sees nothing of it and cannot answer it.
    const bob = new V2Client(elsewhere.url, tokens.bob);
    const refused = await bob.send('tasks/update', { taskId: asked.taskId, inputResponses: { [key]: { action: 'accept', content: { answer: 'bob' } } } });
    assert.equal(refused.body.result, undefined, JSON.stringify(refused.body));
    assert.match(JSON.stringify(refused.body.error), /not found/i);

    await board.result('tasks/update', { taskId: asked.taskId, inputResponses: { [key]: { action: 'accept', content: { answer: 'from the board' } } } });
    const owner = new V2Client(servers[0].url, tokens.alice);
    const done = await owner.poll(asked.taskId);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(done.result.content[0].text, 'from the board');

    // The owner's own answer, too late: ignored (T-SS-15), the outcome stays the board's, and one answer is audited, the board's.
    await owner.result('tasks/update', { taskId: asked.taskId, inputResponses: { [key]: { action: 'accept', content: { answer: 'too late' } } } });
    assert.equal((await owner.getTask(asked.taskId)).result.content[0].text, 'from the board');
    assert.deepEqual(
      await waitFor(async () => ((await answersAudited(asked.taskId)).length > 0 ? answersAudited(asked.taskId) : undefined), { what: 'the answer audited' }),
      ['carol'],
    );
  });

  it("2025-11-25: the board reads Bob's session's question in _meta and answers it through the other instance; the session stops asking; Alice cannot; a second answer is refused", async () => {
    const [a, b] = servers;
    // Bob's session on B is asked and never answers; it records the requests the server withdraws.
    // (Read from the notification itself: SDK 1.x drops a cancel of request id 0, this session's first.)
    const askedBob: (string | number)[] = [];
    const withdrawn = new Set<string | number>();
    const bobClient = new Client({ name: 'bob-agent', version: '1.0' }, { capabilities: { elicitation: {} } });
    bobClient.setRequestHandler(ElicitRequestSchema, (_request, extra) => {
      askedBob.push(extra.requestId);
      return new Promise(() => undefined);
    });
    bobClient.setNotificationHandler(CancelledNotificationSchema, (notification) => {
      if (notification.params.requestId !== undefined) withdrawn.add(notification.params.requestId);
    });
    const bobSession = await sessionOn(b, tokens.bob, 'bob-agent', bobClient);
    const created = await bobSession.request(
      { method: 'tools/call', params: { name: 'ask', arguments: { question: 'Merge it?' }, task: { ttl: 600_000 } } },
      CreateTaskResultSchema,
    );
    const taskId = created.task.taskId;
    await waitFor(() => askedBob.length === 1 || undefined, { what: "bob's session asked" });

    // The board, on the old wire through A (B runs the task): the question is in the result's _meta.
    const board = await sessionOn(a, tokens.carol, 'board');
    const open = await waitFor(
      async () => {
        const task = await board.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
        return task.status === 'input_required' && (task._meta as Json | undefined)?.[META.inputRequests] ? task : undefined;
      },
      { what: "the board's read through A to show the question" },
    );
    const questions = (open._meta as Json)[META.inputRequests] as Json;
    const [key] = Object.keys(questions);
    assert.equal(questions[key].method, 'elicitation/create');
    assert.equal(questions[key].params.message, 'Merge it?');
    // The same in the board's list, and on the new wire's task object.
    const listed = await board.request({ method: 'tasks/list', params: {} }, ListTasksWithMetaResultSchema);
    assert.deepEqual(listed.tasks.find((task) => task.taskId === taskId)?._meta?.[META.inputRequests], questions);
    assert.deepEqual(Object.keys((await new V2Client(a.url, tokens.carol).getTask(taskId)).inputRequests as Json), [key]);
    // Bob's own reads never carry it: his session is asked instead.
    const own = await bobSession.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
    assert.equal(own.status, 'input_required');
    assert.equal((own._meta as Json | undefined)?.[META.inputRequests], undefined);

    // Alice, an agent, cannot answer it (nor see it).
    const alice = await sessionOn(a, tokens.alice, 'alice-agent');
    const answer = (text: string) => ({
      method: TASK_UPDATE_METHOD_V1,
      params: { taskId, inputResponses: { [key]: { action: 'accept', content: { answer: text } } } },
    });
    await assert.rejects(alice.request(answer('alice'), TaskUpdateResultV1Schema), /not found/i);

    await board.request(answer('merge'), TaskUpdateResultV1Schema);
    const result = await bobSession.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema);
    assert.deepEqual(result.content, [{ type: 'text', text: 'merge' }]);
    await waitFor(() => withdrawn.has(askedBob[0]) || undefined, { what: "the question withdrawn from bob's session" });

    // A second answer, once A shows the question closed: refused, saying why.
    await waitFor(async () => (await board.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema)).status === 'completed' || undefined, {
      what: 'A to show the task completed',
    });
    await assert.rejects(board.request(answer('again'), TaskUpdateResultV1Schema), /not open/i);
    assert.deepEqual(await answersAudited(taskId), ['carol']);
  });
});
