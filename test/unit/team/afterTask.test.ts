/**
 * A task that runs after another (`afterTaskId`) when that one runs on another instance: created
 * through the instance that does not run the prerequisite, it starts as soon as the prerequisite
 * completes there, and does not run (saying why) when it is cancelled there, rather than waiting
 * for the prerequisite's retention to run out. Against a real PostgreSQL and `dist/server.js`.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type TestDatabase, testDatabase } from '../helpers/postgres';
import { V2Client } from '../mcp/v2/helpers';
import { CommandLog } from './commandLog';
import { type RunningServer, createToken, requirePostgres, startServer, stopServer } from './teamHelpers';

describe('team database: a task that runs after a task on another instance', function () {
  let db: TestDatabase | undefined;
  let token = '';
  const servers: RunningServer[] = [];
  let scratch = '';
  let runs: CommandLog | undefined;

  const clientOf = (server: RunningServer) => new V2Client(server.url, token);

  /**
   * Starts a prerequisite that runs until the release file exists, and returns it with the client
   * of the instance that runs it and of the other one (which already knows the prerequisite).
   */
  async function prerequisiteElsewhere(): Promise<{ taskId: string; runner: V2Client; other: V2Client }> {
    const created = await clientOf(servers[0]).callTool('run_command', { command: runs!.blocker('prerequisite') });
    const runner = await runs!.runnerOf('prerequisite', servers);
    assert.notEqual(runner, -1, 'the prerequisite runs on a server of this test');
    const other = clientOf(servers[1 - runner]);
    const taskId = created.taskId as string;
    await other.poll(taskId, (task) => task.status === 'working');
    return { taskId, runner: clientOf(servers[runner]), other };
  }

  /** Creates, through `client`, a task to run after `afterTaskId`; it must wait for it. */
  async function dependentOf(client: V2Client, afterTaskId: string): Promise<string> {
    const created = await client.callTool(
      'run_command',
      { command: runs!.logged('dependent', 'true') },
      { extra: { _meta: { 'dev.tasklane/scheduling': { afterTaskId } } } },
    );
    assert.equal(created.resultType, 'task', JSON.stringify(created));
    const taskId = created.taskId as string;
    assert.equal((await client.getTask(taskId)).status, 'working');
    return taskId;
  }

  before(async function () {
    requirePostgres(this);
    db = await testDatabase('after_task');
    token = await createToken(db.url, 'alice');
    const start = () => startServer(['--store', db!.url, '--log', 'warn', '--lease-ms', '1000']);
    servers.push(...(await Promise.all([start(), start()])));
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-after-'));
  });

  beforeEach(() => {
    runs = new CommandLog(scratch);
  });

  afterEach(() => runs?.release());

  after(async () => {
    await Promise.all(servers.map((server) => stopServer(server, 'SIGTERM')));
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    await db?.drop();
  });

  it('starts once the prerequisite completes on the other instance', async () => {
    const { taskId, other } = await prerequisiteElsewhere();
    const dependent = await dependentOf(other, taskId);
    assert.ok(!runs!.started('dependent'), 'the dependent waits');

    runs!.release();
    assert.equal((await other.poll(taskId)).status, 'completed');
    const done = await other.poll(dependent);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.ok(runs!.started('dependent'));
  });

  it('does not run, and says why, once the prerequisite is cancelled on the other instance', async () => {
    const { taskId, runner, other } = await prerequisiteElsewhere();
    const dependent = await dependentOf(other, taskId);

    await runner.result('tasks/cancel', { taskId });
    const done = await other.poll(dependent);
    assert.equal(done.status, 'failed', JSON.stringify(done));
    assert.match(String(done.statusMessage), /^Did not run: task \S+, which it was to run after, was cancelled$/);
    assert.ok(!runs!.started('dependent'), 'the dependent never ran');
  });
});
