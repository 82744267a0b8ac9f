import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { harness, outcomeOf, run, textOf } from './helpers/runCommandHarness';
import { isRunning, readPid } from './helpers/processes';
import { runCommandTool } from '../../src/mcp/server/tools/runCommand';
import { waitFor } from './helpers/waitFor';

const posixOnly = process.platform === 'win32' ? describe.skip : describe;

posixOnly('run_command tool', function () {
  this.timeout(30_000);
  let tmp: string;

  beforeEach(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-run-')));
  });
  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('declares honest annotations and validates its input', () => {
    assert.equal(runCommandTool.name, 'run_command');
    assert.equal(runCommandTool.taskSupport, 'optional');
    assert.equal(runCommandTool.runsCommands, true);
    const { readOnlyHint, destructiveHint, idempotentHint, openWorldHint } = runCommandTool.annotations;
    assert.deepEqual(
      { readOnlyHint, destructiveHint, idempotentHint, openWorldHint },
      { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    );
    assert.equal(runCommandTool.inputSchema.safeParse({ command: '' }).success, false);
    assert.equal(runCommandTool.inputSchema.safeParse({ command: 'true', timeoutMs: 0 }).success, false);
    assert.equal(runCommandTool.inputSchema.safeParse({ command: 'true', timeoutMs: 1.5 }).success, false);
  });

  it('returns stdout and exit code 0 as a success', async () => {
    const h = harness();
    const result = await run({ command: 'echo hello; echo "$GREETING"', env: { GREETING: 'hi there' } }, h);
    const outcome = outcomeOf(result);
    assert.equal(result.isError, false);
    assert.equal(outcome.exitCode, 0);
    assert.equal(outcome.signal, null);
    assert.equal(outcome.stdout, 'hello\nhi there\n');
    assert.equal(outcome.stderr, '');
    assert.equal(outcome.truncated, false);
    assert.equal(outcome.timedOut, false);
    assert.match(textOf(result), /^\$ echo hello.*\nexit code 0 .*\n\nstdout:\nhello\nhi there$/s);
    assert.equal(h.statuses.at(-1), 'hi there');
  });

  it('keeps a non-zero exit code and stderr, and reports an error', async () => {
    const result = await run({ command: 'echo partial; echo boom >&2; exit 3' }, harness());
    const outcome = outcomeOf(result);
    assert.equal(result.isError, true);
    assert.equal(outcome.exitCode, 3);
    assert.equal(outcome.stdout, 'partial\n');
    assert.equal(outcome.stderr, 'boom\n');
    assert.match(textOf(result), /exit code 3[\s\S]*stdout:\npartial[\s\S]*stderr:\nboom/);
  });

  it('streams output while the command is still running', async () => {
    const h = harness();
    const result = await run({ command: 'echo a; sleep 0.3; echo b' }, h);
    const finishedAt = Date.now();
    const first = h.outputs.find((entry) => entry.chunk.includes('a'));
    assert.ok(first, 'the first line was streamed');
    // Without streaming, "a" would arrive with "b", at the end; the 300 ms sleep leaves room for a slow machine.
    assert.ok(finishedAt - first.at >= 150, `"a" arrived only ${finishedAt - first.at} ms before the end`);
    assert.equal(h.outputs.map((entry) => entry.chunk).join(''), 'a\nb\n');
    assert.deepEqual(h.statuses, ['a', 'b']);
    assert.equal(outcomeOf(result).stdout, 'a\nb\n');
  });

  it('throttles status lines but always sends the last one', async () => {
    const h = harness();
    const started = performance.now();
    await run({ command: 'for i in $(seq 1 25); do echo "line $i"; sleep 0.01; done' }, h);
    const elapsed = performance.now() - started;
    assert.equal(
      h.outputs
        .map((entry) => entry.chunk)
        .join('')
        .split('\n').length - 1,
      25,
    );
    assert.equal(h.statuses.at(-1), 'line 25');
    // One at the start, one per full interval after it, and the final flush.
    const allowed = Math.floor(elapsed / 95) + 2;
    assert.ok(h.statuses.length <= allowed, `${h.statuses.length} statuses in ${Math.round(elapsed)} ms`);
    // Every status but the final flush waits out the 100 ms interval (timers may fire a ms early).
    const gaps = h.statusTimes.slice(1, -1).map((at, i) => at - h.statusTimes[i]);
    assert.ok(
      gaps.every((gap) => gap >= 95),
      `gaps ${gaps.map(Math.round).join(', ')} ms`,
    );
  });

  it('resolves a relative cwd against the default cwd', async () => {
    fs.mkdirSync(path.join(tmp, 'sub'));
    const result = await run({ command: 'pwd', cwd: 'sub' }, harness({ defaultCwd: tmp }));
    assert.equal(outcomeOf(result).stdout.trim(), path.join(tmp, 'sub'));
  });

  it('reports a missing cwd as a plain error naming it', async () => {
    const missing = path.join(tmp, 'does-not-exist');
    const result = await run({ command: 'echo never', cwd: missing }, harness());
    assert.equal(result.isError, true);
    assert.equal(result.structuredContent, undefined);
    assert.equal(textOf(result), `Cannot run the command: working directory ${missing} does not exist.`);
  });

  it('without an output limit, keeps only the last 1 MiB of each stream and lets the command finish', async () => {
    const h = harness();
    const result = await run({ command: "head -c 1100000 /dev/zero | tr '\\0' x; echo; echo END" }, h);
    const outcome = outcomeOf(result);
    assert.equal(result.isError, false);
    assert.equal(outcome.truncated, true);
    assert.equal(Buffer.byteLength(outcome.stdout), 1024 * 1024);
    assert.ok(outcome.stdout.endsWith('xx\nEND\n'), outcome.stdout.slice(-20));
    assert.match(textOf(result), /Output truncated: only the last 1048576 bytes/);
    // Streaming is not truncated: the live view still sees everything.
    assert.equal(h.outputs.map((entry) => entry.chunk).join('').length, 1100000 + 5);
  });

  it('stops a command that prints more than maxOutputBytes and fails with a clear error', async () => {
    const pidFile = path.join(tmp, 'chatty.pid');
    const h = harness({ limits: { maxOutputBytes: 1000 }, defaultCwd: tmp });
    const started = Date.now();
    const running = run({ command: 'echo $$ > chatty.pid; while true; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done' }, h);
    await assert.rejects(running, (error: Error & { code?: number; data?: unknown }) => {
      assert.equal(error.code, -32603);
      assert.match(error.message, /^Output limit exceeded: the command printed more than 1000 bytes/);
      assert.deepEqual(error.data, { maxOutputBytes: 1000 });
      return true;
    });
    assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
    assert.ok(h.outputs.map((entry) => entry.chunk).join('').length <= 1000, 'nothing past the limit is shown');
    const shell = await waitFor(() => readPid(pidFile), { what: 'the shell pid' });
    await waitFor(() => !isRunning(shell) || undefined, { what: 'the command to be stopped' });
  });

  it('ends a command quickly when the time budget runs out', async () => {
    const started = Date.now();
    const result = await run({ command: 'sleep 30', timeoutMs: 10_000 }, harness({ limits: { timeBudgetMs: 200 } }));
    const outcome = outcomeOf(result);
    assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
    assert.equal(result.isError, true);
    assert.equal(outcome.timedOut, true);
    assert.equal(outcome.exitCode, null);
    assert.equal(outcome.signal, 'SIGTERM');
    assert.match(textOf(result), /timed out after 200 ms/);
  });

  it('kills the whole process tree on cancel and rejects with the reason', async () => {
    const pidFile = path.join(tmp, 'grandchild.pid');
    const h = harness({ defaultCwd: tmp });
    const running = run({ command: 'sleep 300 & echo $! > grandchild.pid; wait' }, h);
    const grandchild = await waitFor(() => readPid(pidFile), { what: 'the grandchild pid' });
    assert.equal(isRunning(grandchild), true);

    const reason = new Error('cancelled by the user');
    h.controller.abort(reason);
    await assert.rejects(running, (error) => error === reason);
    await waitFor(() => (isRunning(grandchild) ? undefined : true), { what: `pid ${grandchild} to exit` });
  });

  it('escalates to SIGKILL when the tree ignores SIGTERM, and only then rejects', async () => {
    const pidFile = path.join(tmp, 'stubborn.pid');
    const h = harness({ defaultCwd: tmp });
    // An ignored signal stays ignored across fork and exec, so the grandchild ignores SIGTERM too.
    const running = run({ command: "trap '' TERM; sleep 300 & echo $! > stubborn.pid; wait" }, h);
    const grandchild = await waitFor(() => readPid(pidFile), { what: 'the grandchild pid' });

    const abortedAt = Date.now();
    h.controller.abort(new Error('cancelled'));
    await assert.rejects(running, /cancelled/);
    const waited = Date.now() - abortedAt;
    assert.ok(waited >= 1_900 && waited < 3_500, `rejected after ${waited} ms`);
    // "Only then": the SIGKILL went out before the rejection, so the short bound leaves time for reaping only.
    await waitFor(() => (isRunning(grandchild) ? undefined : true), { what: `pid ${grandchild} to exit`, timeoutMs: 500 });
  });

  it('does not start at all when already cancelled', async () => {
    const h = harness({ defaultCwd: tmp });
    const reason = new Error('cancelled before start');
    h.controller.abort(reason);
    await assert.rejects(run({ command: 'touch started' }, h), (error) => error === reason);
    assert.equal(fs.existsSync(path.join(tmp, 'started')), false);
  });

  it('stops background jobs left running when the command exits', async () => {
    const pidFile = path.join(tmp, 'leftover.pid');
    const started = Date.now();
    const result = await run({ command: 'sleep 300 & echo $! > leftover.pid; echo done' }, harness({ defaultCwd: tmp }));
    const leftover = readPid(pidFile);
    assert.ok(leftover, 'the background job recorded its pid');
    assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
    assert.equal(outcomeOf(result).exitCode, 0);
    assert.match(textOf(result), /Background processes still running .* were stopped/);
    await waitFor(() => (isRunning(leftover) ? undefined : true), { what: `pid ${leftover} to exit` });
  });

  it('decodes a multi-byte character split across chunks intact', async () => {
    const h = harness();
    // "€" is E2 82 AC; the sleep makes the halves arrive as separate chunks.
    const result = await run({ command: "printf '\\342\\202'; sleep 0.2; printf '\\254\\n'" }, h);
    const chunks = h.outputs.map((entry) => entry.chunk);
    assert.equal(chunks.join(''), '€\n');
    assert.ok(
      chunks.every((chunk) => !chunk.includes('\uFFFD')),
      JSON.stringify(chunks),
    );
    assert.equal(outcomeOf(result).stdout, '€\n');
  });
});
