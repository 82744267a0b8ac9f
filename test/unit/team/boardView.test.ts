/**
 * The team board in the editor, against a real PostgreSQL and two real `dist/server.js` instances:
 * a board's server entry (`"team": true`) lists every principal's task into the editor's store as
 * read-only records (owner, client and machine in `context.agent`, the tool and arguments), follows
 * the unfinished ones, cancels and re-runs them as the board's own, never duplicates a task the
 * editor started itself, and keeps at most the configured number per server, oldest finished first out.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, CreateTaskResultSchema, ElicitRequestSchema, GetTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { RetryPolicySchema, nextAutomaticRetry } from '../../../src/core/retryPolicy';
import type { TaskRecord } from '../../../src/core/taskRecord';
import { canAnswer, lacksListedOutcome, runsAgainOnlyWhenAsked } from '../../../src/core/taskRules';
import { TaskStore } from '../../../src/core/taskStore';
import { type ServerConnection, connectHttp } from '../../../src/mcp/client/serverConnections';
import { TaskService } from '../../../src/mcp/client/taskService';
import { type HttpLaunch, parseSettingsServers } from '../../../src/mcp/client/serverConfig';
import { resolveLaunch } from '../../../src/mcp/client/serverLaunch';
import { WIRE_V1 } from '../../../src/mcp/wires/v1/codec';
import { waitFor } from '../helpers/waitFor';
import { BoardTeam } from './boardTeam';
import { type RunningServer, requirePostgres } from './teamHelpers';

const TEAM = 'team';
const LONG = 600_000;

describe('team database: the board in the editor', function () {
  let team: BoardTeam | undefined;
  const tokens: Record<'alice' | 'bob' | 'lead', string> = { alice: '', bob: '', lead: '' };
  const servers: RunningServer[] = [];
  const editors: Array<{ service: TaskService; store: TaskStore; connection: ServerConnection; dir: string }> = [];

  const agentOn = (server: RunningServer, token: string, name: string, client?: Client) => team!.sessionOn(server, token, name, client);

  async function startTask(agent: Client, durationMs: number, message: string): Promise<string> {
    const created = await agent.request(
      { method: 'tools/call', params: { name: 'wait', arguments: { durationMs, message }, task: { ttl: LONG } } },
      CreateTaskResultSchema,
    );
    return created.task.taskId;
  }

  /** The editor as the extension wires it, with the board's token on a `"team": true` entry. */
  async function editor(server: RunningServer, options: { limit?: number } = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-board-'));
    const store = new TaskStore({ directory: dir });
    const service = new TaskService(store, { teamListingIntervalMs: 150, ...(options.limit !== undefined ? { teamListedLimit: options.limit } : {}) });
    // The entry as the person writes it, parsed and resolved as the extension's connector does.
    const [config] = parseSettingsServers([{ id: TEAM, name: 'Team', url: server.url, team: true }]).servers;
    const launch = await resolveLaunch(config, { env: {}, input: async () => '' });
    assert.equal(launch.type, 'http');
    const connection = await connectHttp(launch as HttpLaunch, { token: tokens.lead });
    service.addServer({ id: TEAM, name: 'Team', kind: 'http', durable: true, team: true, client: connection.client });
    const made = { service, store, connection, dir };
    editors.push(made);
    return made;
  }

  const listedOf = (store: TaskStore, taskId: string): TaskRecord | undefined => store.all().find((record) => record.taskId === taskId);

  before(async function () {
    requirePostgres(this);
    team = await BoardTeam.start('boardview', 'lead');
    Object.assign(tokens, { alice: team.tokens.alice, bob: team.tokens.bob, lead: team.tokens.board });
    servers.push(...team.servers);
  });

  afterEach(async () => {
    for (const made of editors.splice(0)) {
      made.service.dispose();
      await made.connection.close();
      made.store.dispose();
      fs.rmSync(made.dir, { recursive: true, force: true });
    }
  });

  after(async () => team?.close());

  it("lists every principal's task into records with owner, machine, tool and arguments, follows, cancels and re-runs them as the board's own, and never duplicates its own", async () => {
    const [a, b] = servers;
    const alice = await agentOn(a, tokens.alice, 'alice-agent');
    const bob = await agentOn(b, tokens.bob, 'bob-agent');
    const aliceTask = await startTask(alice, LONG, 'alice waits');
    const bobTask = await startTask(bob, 1_500, 'bob waits briefly');

    const { service, store, connection } = await editor(a);
    assert.equal(connection.client.wire, WIRE_V1, 'a team entry connects on a wire that lists tasks');
    // The board's own task, started from the editor: kept once, as its own.
    const own = await service.start({ serverId: TEAM, tool: 'wait', arguments: { durationMs: LONG, message: 'lead waits' } });
    assert.ok(own.taskId);

    const aliceRecord = await waitFor(() => listedOf(store, aliceTask), { what: "alice's task listed into the store" });
    assert.equal(aliceRecord.teamListed, true);
    assert.equal(aliceRecord.serverId, TEAM);
    assert.equal(aliceRecord.tool, 'wait');
    assert.deepEqual(aliceRecord.arguments, { durationMs: LONG, message: 'alice waits' });
    assert.deepEqual(aliceRecord.context.agent, { name: 'alice', client: { name: 'alice-agent', version: '1.0' }, machine: 'host-a' });
    const onServer = await alice.request({ method: 'tasks/get', params: { taskId: aliceTask } }, GetTaskResultSchema);
    assert.equal(aliceRecord.createdAt, new Date(onServer.createdAt).toISOString());
    assert.equal(aliceRecord.status, 'working');

    // Bob's task runs on B and is listed through A; it is followed to its end, result and all.
    const bobRecord = await waitFor(() => listedOf(store, bobTask), { what: "bob's task listed" });
    assert.deepEqual(bobRecord.context.agent, { name: 'bob', client: { name: 'bob-agent', version: '1.0' }, machine: 'host-b' });
    const bobDone = await waitFor(() => (listedOf(store, bobTask)?.status === 'completed' ? listedOf(store, bobTask) : undefined), {
      what: "bob's listed task followed to completed",
      timeoutMs: 20_000,
    });
    assert.ok(bobDone.result !== undefined, 'the result of a followed team task is fetched');

    // Several passes later, the editor's own task is still one record, not a listed copy.
    const laterTask = await startTask(bob, LONG, 'a later pass');
    await waitFor(() => listedOf(store, laterTask), { what: 'a later listing pass' });
    const ownRecords = store.all().filter((record) => record.taskId === own.taskId);
    assert.equal(ownRecords.length, 1, JSON.stringify(ownRecords));
    assert.equal(ownRecords[0].teamListed, undefined);
    assert.equal(store.all().filter((record) => record.taskId === aliceTask).length, 1);

    // The board cancels alice's task: the server's task ends, and so does the record.
    const cancelled = await service.cancel(aliceRecord.id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal((await alice.request({ method: 'tasks/get', params: { taskId: aliceTask } }, GetTaskResultSchema)).status, 'cancelled');

    // Running it again is asked for, never automatic; when asked, it is the board's own new task with the same call.
    assert.equal(runsAgainOnlyWhenAsked(store.require(aliceRecord.id)), true);
    const policy = RetryPolicySchema.parse({ attempts: 3 });
    const failedCopy = { ...store.require(aliceRecord.id), status: 'failed' as const };
    assert.equal(nextAutomaticRetry(failedCopy, policy, Date.now()), undefined, 'a failed team task is never retried automatically');
    assert.ok(nextAutomaticRetry({ ...failedCopy, teamListed: undefined }, policy, Date.now()), 'the same failure of its own would be');
    const retried = await service.retry(aliceRecord.id);
    assert.equal(retried.teamListed, undefined);
    assert.deepEqual(retried.arguments, { durationMs: LONG, message: 'alice waits' });
    const retriedOwner = await waitFor(() => store.get(retried.id)?.context.agent?.name, { what: "the retry's owner as the server reports it" });
    assert.equal(retriedOwner, 'lead');
    assert.equal(store.require(aliceRecord.id).retriedAs, retried.id);
    await service.cancel(retried.id);
    await service.cancel(own.id);
    await bob.request({ method: 'tasks/cancel', params: { taskId: laterTask } }, GetTaskResultSchema);
  });

  it('keeps at most the limit of listed tasks per server, the oldest finished out first, and does not bring them back', async () => {
    const [a] = servers;
    const alice = await agentOn(a, tokens.alice, 'alice-agent');
    const finished: string[] = [];
    for (let i = 0; i < 5; i++) finished.push(await startTask(alice, 1, `short ${i}`));
    await waitFor(
      async () => {
        for (const taskId of finished) {
          const task = await alice.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
          if (task.status !== 'completed') return undefined;
        }
        return true;
      },
      { what: 'the short tasks to complete' },
    );
    const running = await startTask(alice, LONG, 'still running');

    // The earlier test's tasks are listed too, all older: the newest finished are this test's own.
    const limit = 3;
    const { store } = await editor(a, { limit });
    await waitFor(() => listedOf(store, running), { what: 'the running task listed' });
    const listed = () => store.all().filter((record) => record.serverId === TEAM && record.teamListed);
    const kept = (taskIds: readonly string[]) => taskIds.map((taskId) => listedOf(store, taskId) !== undefined);
    // The first pass: the running task and the newest finished into the room, then the oldest finished out.
    assert.equal(listed().length, limit, JSON.stringify(listed().map((record) => [record.taskId, record.status])));
    assert.deepEqual(kept(finished), [false, false, false, true, true], 'the two newest finished tasks are kept');

    // The person deletes the newest: a later pass has room again, and still does not bring it back.
    store.remove(listedOf(store, finished[4])!.id);
    const later = await startTask(alice, LONG, 'a later pass');
    await waitFor(() => listedOf(store, later), { what: 'a later listing pass' });
    assert.equal(listed().length, limit);
    assert.deepEqual(kept(finished), [false, false, false, true, false], 'a deleted or dropped task stays out');
    assert.ok(listedOf(store, running) && listedOf(store, later), 'unfinished work is never put away');
    for (const taskId of [running, later]) await alice.request({ method: 'tasks/cancel', params: { taskId } }, GetTaskResultSchema);
  });

  it("shows a listed task's question as the editor's own and sends the answer to the team server, which the task's instance gets", async () => {
    const [a, b] = servers;
    // Bob's session on B is asked and never answers: the board answers through A.
    const bobClient = new Client({ name: 'bob-agent', version: '1.0' }, { capabilities: { elicitation: {} } });
    bobClient.setRequestHandler(ElicitRequestSchema, () => new Promise(() => undefined));
    const bob = await agentOn(b, tokens.bob, 'bob-agent', bobClient);
    const created = await bob.request(
      { method: 'tools/call', params: { name: 'ask', arguments: { question: 'Release 2.0?' }, task: { ttl: LONG } } },
      CreateTaskResultSchema,
    );
    const taskId = created.task.taskId;

    const { service, store } = await editor(a);
    const asking = await waitFor(
      () => {
        const record = listedOf(store, taskId);
        return record && record.pendingInput.length > 0 ? record : undefined;
      },
      { what: "bob's question shown on the listed record" },
    );
    assert.equal(asking.teamListed, true);
    assert.equal(asking.status, 'input_required');
    assert.equal(canAnswer(asking), true, 'answered like a local record');
    const [question] = asking.pendingInput;
    assert.equal((question.params as { message?: string }).message, 'Release 2.0?');

    service.answerInput(asking.id, question.key, { action: 'accept', content: { answer: 'ship it' } });
    const done = await waitFor(() => (listedOf(store, taskId)?.status === 'completed' ? listedOf(store, taskId) : undefined), {
      what: 'the listed record followed to completed',
    });
    assert.deepEqual(done.pendingInput, []);
    const result = await bob.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema);
    assert.deepEqual(result.content, [{ type: 'text', text: 'ship it' }]);
  });

  it('fetches the result of a task that had finished before it was listed when it is opened', async () => {
    const [a] = servers;
    const alice = await agentOn(a, tokens.alice, 'alice-agent');
    const taskId = await startTask(alice, 1, 'finished early');
    await waitFor(async () => (await alice.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema)).status === 'completed' || undefined, {
      what: "alice's task completed",
    });

    const { service, store } = await editor(a);
    const listed = await waitFor(() => listedOf(store, taskId), { what: 'the finished task listed' });
    assert.equal(listed.status, 'completed');
    const onServer = await alice.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
    assert.equal(listed.lastUpdatedAt, onServer.lastUpdatedAt, 'it ended when the server says, not when it was listed');
    assert.equal(listed.result, undefined, 'listing does not fetch results');
    assert.equal(lacksListedOutcome(listed), true);

    service.fetchListedOutcome(listed.id);
    const fetched = await waitFor(() => store.get(listed.id)?.result, { what: 'the outcome fetched' });
    assert.deepEqual((fetched as { content?: unknown }).content, [{ type: 'text', text: 'finished early' }]);
    assert.equal(lacksListedOutcome(store.require(listed.id)), false);
  });
});
