/**
 * The standalone server's limit flags: what they parse to, and `dist/server.js` applying them
 * (needs `npm run build`).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { LIMIT_DEFAULTS, describeLimits, limitsFromFlags } from '../../../src/mcp/server/cliLimits';
import { waitFor } from '../helpers/waitFor';
import { V2Client } from './v2/helpers';

const TOOLS = ['run_command', 'wait', 'ask', 'wait_for_tasks', 'tail_task'];
const SERVER = path.resolve('dist/server.js');

describe('mcp/server/cliLimits', () => {
  it('defaults: unlimited in all, 16 per principal, 600 new tasks per minute per principal', () => {
    const limits = limitsFromFlags({}, TOOLS);
    assert.deepEqual(limits, { scheduler: { maxConcurrent: Infinity, toolLimits: {}, maxPerPrincipal: 16 }, creationRate: { limit: 600, windowMs: 60_000 } });
    assert.deepEqual(LIMIT_DEFAULTS, { maxRunning: 'unlimited', maxRunningPerPrincipal: '16', rate: '600/1m', maxUnfinished: 'unlimited' });
    assert.equal(describeLimits(limits), 'running at once: unlimited in all; 16 per principal; new tasks: 600 per minute per principal');
  });

  it('reads every flag, per-tool limits repeated or comma-separated, and "unlimited"', () => {
    const limits = limitsFromFlags(
      { 'max-running': '8', 'max-running-per-tool': ['run_command=2', 'wait=5,ask=1'], 'max-running-per-principal': 'unlimited', rate: '30/10s' },
      TOOLS,
    );
    assert.deepEqual(limits, {
      scheduler: { maxConcurrent: 8, toolLimits: { run_command: 2, wait: 5, ask: 1 }, maxPerPrincipal: Infinity },
      creationRate: { limit: 30, windowMs: 10_000 },
    });
    assert.equal(limitsFromFlags({ rate: 'unlimited' }, TOOLS).creationRate, undefined);
    const ceiling = limitsFromFlags({ 'max-unfinished': '8h' }, TOOLS);
    assert.equal(ceiling.maxUnfinishedMs, 8 * 3_600_000);
    assert.match(describeLimits(ceiling), /; longest run: 8h$/);
    assert.equal(limitsFromFlags({ 'max-unfinished': '2d' }, TOOLS).maxUnfinishedMs, 2 * 86_400_000);
    assert.equal(limitsFromFlags({ 'max-unfinished': 'unlimited' }, TOOLS).maxUnfinishedMs, undefined);
    assert.equal(
      describeLimits(limits),
      'running at once: 8 in all; unlimited per principal; per tool: run_command 2, wait 5, ask 1; new tasks: 30 per 10 seconds per principal',
    );
  });

  it('refuses malformed values with a message naming the flag', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ 'max-running': '0' }, /^--max-running must be a whole number of at least 1, or "unlimited", not "0"$/],
      [{ 'max-running': 'lots' }, /^--max-running must be/],
      [{ 'max-unfinished': '10' }, /^--max-unfinished takes a duration like 30m, 8h or 2d, or "unlimited", not "10"$/],
      [{ 'max-unfinished': '500ms' }, /^--max-unfinished takes a duration/],
      [{ 'max-unfinished': '0s' }, /^--max-unfinished takes a duration/],
      [{ 'max-running-per-principal': '2.5' }, /^--max-running-per-principal must be/],
      [{ 'max-running-per-tool': ['run_command'] }, /^--max-running-per-tool takes TOOL=N/],
      [
        { 'max-running-per-tool': ['build=2'] },
        /^--max-running-per-tool: there is no tool "build" \(tools: run_command, wait, ask, wait_for_tasks, tail_task\)$/,
      ],
      [{ 'max-running-per-tool': ['wait=-1'] }, /^--max-running-per-tool wait must be/],
      [{ rate: '60' }, /^--rate: a rate is LIMIT\/WINDOW/],
    ];
    for (const [flags, message] of cases) assert.throws(() => limitsFromFlags(flags, TOOLS), { message }, JSON.stringify(flags));
  });
});

describe('dist/server.js limit flags', function () {
  this.timeout(20_000);
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  it('--help documents every limit flag with its default', () => {
    const help = spawnSync(process.execPath, [SERVER, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    for (const text of [
      '--max-running N|unlimited',
      '--max-running-per-tool TOOL=N',
      '--max-running-per-principal N|unlimited',
      '--rate LIMIT/WINDOW|unlimited',
      '(default: 16)',
      '(default: 600/1m)',
      '--max-unfinished DURATION|unlimited',
      '-32029',
    ]) {
      assert.ok(help.stderr.includes(text), `--help lacks ${text}`);
    }
  });

  it('a malformed limit stops the server with exit code 2 and says why', () => {
    const bad = spawnSync(process.execPath, [SERVER, '--http', '--rate', 'fast'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^tasklane-server: --rate: a rate is LIMIT\/WINDOW/);
  });

  it('serves with the limits given: a burst beyond --rate is -32029 for that token only', async () => {
    child = spawn(process.execPath, [SERVER, '--http', '--token', 'one', '--token', 'two', '--rate', '2/1h', '--max-running-per-principal', '1'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child!.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /task server on (http:\/\/\S+)\nToken: one\nToken: two\n/.exec(stderr);
        if (match) resolve(match[1]);
      });
      child!.once('exit', (code) => reject(new Error(`the server exited (${code}): ${stderr}`)));
    });
    assert.match(stderr, /\[limits\] running at once: unlimited in all; 1 per principal; new tasks: 2 per hour per principal/);
    const one = new V2Client(url, 'one');
    const two = new V2Client(url, 'two');
    const first = await one.callTool('wait', { durationMs: 60_000 });
    const second = await one.callTool('wait', { durationMs: 10 });
    assert.equal(second.statusMessage, 'Queued (1 of 1)', 'one running per principal');
    const third = await one.send('tools/call', { name: 'wait', arguments: { durationMs: 10 } });
    assert.equal(third.status, 429);
    assert.equal(third.body.error.code, -32029);
    assert.equal((await two.callTool('wait', { durationMs: 10 })).status, 'working');
    assert.equal((await two.getTask(first.taskId).catch((error: Error) => error.message)).includes('-32602'), true, 'tokens are separate principals');
  });

  it('--max-unfinished ends work still running past it, failed with the reason', async () => {
    child = spawn(process.execPath, [SERVER, '--http', '--token', 'one', '--max-unfinished', '1s'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child!.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /task server on (http:\/\/\S+)\nToken: one\n/.exec(stderr);
        if (match) resolve(match[1]);
      });
      child!.once('exit', (code) => reject(new Error(`the server exited (${code}): ${stderr}`)));
    });
    assert.match(stderr, /\[limits\] .*; longest run: 1s/);
    const one = new V2Client(url, 'one');
    const started = await one.callTool('wait', { durationMs: 600_000 });
    const ended = await waitFor(
      async () => {
        const task = await one.getTask(started.taskId);
        return task.status === 'working' ? undefined : task;
      },
      { what: 'the task to end at the ceiling', timeoutMs: 10_000 },
    );
    assert.equal(ended.status, 'failed');
    assert.equal(ended.error.message, 'Ended: the task ran longer than this server allows (1s)');
  });
});
