import * as assert from 'assert';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import type { TaskRecord } from '../../src/core/taskRecord';
import { isTerminal } from '../../src/core/taskStatus';
import { tasklaneApi, waitFor } from './helpers';

/** Whether anything is left in the process group led by `pid` (the task's shell and its children). */
function processGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

interface ToolResult {
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

describe('run_vscode_task and run_tests in a real VS Code host', function () {
  this.timeout(90_000);
  let tasklane: TasklaneApi;
  /** Records that existed before this suite: the rest are removed afterwards, so later suites and screenshots see the store as they expect. */
  let existing: Set<string>;

  before(async () => {
    tasklane = await tasklaneApi();
    existing = new Set(tasklane.store.all().map((record) => record.id));
  });

  after(async () => {
    const mine = () => tasklane.store.all().filter((record) => !existing.has(record.id));
    await waitFor(() => mine().every((record) => isTerminal(record.status)), { what: "this suite's tasks to end" });
    tasklane.store.removeMany(mine().map((record) => record.id));
  });

  async function start(tool: string, args: Record<string, unknown>): Promise<TaskRecord> {
    return tasklane.service.start({ serverId: 'tasklane', tool, arguments: args });
  }

  function finished(id: string, timeoutMs = 60_000): Promise<TaskRecord> {
    return waitFor(
      () => {
        const record = tasklane.store.get(id);
        return record && isTerminal(record.status) ? record : undefined;
      },
      { what: `task ${id} to finish`, timeoutMs },
    );
  }

  function resultOf(record: TaskRecord): ToolResult {
    assert.ok(record.result, `a result (status ${record.status}, error ${JSON.stringify(record.error)})`);
    return record.result as ToolResult;
  }

  function textOf(result: ToolResult): string {
    return result.content.map((part) => part.text ?? '').join('\n');
  }

  it("lists both tools on the embedded server with run_command's annotations and trust rule", async () => {
    const tools = await tasklane.embedded.client.listTools();
    const runCommand = tools.find((tool) => tool.name === 'run_command');
    for (const name of ['run_vscode_task', 'run_tests']) {
      const tool = tools.find((candidate) => candidate.name === name);
      assert.ok(tool, `${name} is listed`);
      const { title: _title, ...hints } = tool.annotations ?? {};
      const { title: _runTitle, ...runHints } = runCommand?.annotations ?? {};
      assert.deepStrictEqual(hints, runHints);
      assert.deepStrictEqual(tool.execution, { taskSupport: 'optional' });
      assert.strictEqual(tasklane.embedded.host.catalog.get(name)?.runsCommands, true, `${name} is refused in an untrusted workspace`);
    }
  });

  it('runs a shell task, its output captured into the task and shown in a terminal', async () => {
    const record = await start('run_vscode_task', { label: 'echo lines' });
    const done = await finished(record.id);
    assert.strictEqual(done.status, 'completed', done.statusMessage);
    assert.match(done.output ?? '', /first line\nsecond line\nfolder=workspace\n/);
    const result = resultOf(done);
    assert.strictEqual(result.structuredContent?.exitCode, 0);
    assert.strictEqual(result.structuredContent?.outputCaptured, true);
    assert.match(textOf(result), /Task "echo lines": exit code 0/);
    assert.match(textOf(result), /\$ printf '%s\\n' 'first line' 'second line' folder=workspace/);
    assert.ok(
      vscode.window.terminals.some((terminal) => terminal.name.includes('echo lines')),
      `terminals: ${vscode.window.terminals.map((t) => t.name).join(', ')}`,
    );
  });

  it("reports a process task's non-zero exit code as a failure", async () => {
    const done = await finished((await start('run_vscode_task', { label: 'exit 3' })).id);
    assert.strictEqual(done.status, 'failed');
    assert.strictEqual(done.statusMessage, 'Exited with code 3');
    assert.match(done.output ?? '', /from a process/);
    assert.strictEqual(resultOf(done).structuredContent?.exitCode, 3);
  });

  it('runs the default test task and reports its counts', async () => {
    const done = await finished((await start('run_tests', {})).id);
    const result = resultOf(done);
    assert.strictEqual(done.status, 'failed');
    assert.strictEqual(done.statusMessage, '1 of 4 tests failed', 'the status line gives the counts');
    assert.strictEqual(result.isError, true);
    assert.deepStrictEqual(
      {
        exitCode: result.structuredContent?.exitCode,
        passed: result.structuredContent?.passed,
        failed: result.structuredContent?.failed,
        skipped: result.structuredContent?.skipped,
      },
      { exitCode: 1, passed: 3, failed: 1, skipped: undefined },
    );
    assert.match(textOf(result), /Task "unit tests": exit code 1 .*\nTests: 3 passed, 1 failed \(from summary output\)\./);
  });

  it('refuses to start a task that is running; cancel ends it and its terminal process', async () => {
    const record = await start('run_vscode_task', { label: 'long' });
    await waitFor(() => /tick 2\b/.test(tasklane.store.get(record.id)?.output ?? ''), { what: 'the first ticks' });
    const second = await finished((await start('run_vscode_task', { label: 'long' })).id);
    assert.strictEqual(second.status, 'failed');
    assert.match(textOf(resultOf(second)), /^Task "long" is already running\./);
    const cancelledAt = Date.now();
    await tasklane.service.cancel(record.id);
    const done = await finished(record.id, 10_000);
    assert.strictEqual(done.status, 'cancelled');
    assert.ok(Date.now() - cancelledAt < 5_000, 'the cancel ends the task promptly');
    await waitFor(() => !vscode.tasks.taskExecutions.some((execution) => execution.task.name === 'long'), {
      what: 'VS Code to see the task end',
      timeoutMs: 5_000,
    });
    const pid = Number(/^pid (\d+)$/m.exec(done.output ?? '')?.[1]);
    assert.ok(pid > 0, `the task printed its process id: ${done.output}`);
    await waitFor(() => !processGroupAlive(pid), { what: 'the shell and its sleep to be gone', timeoutMs: 5_000 });
  });

  it('stops a task and its processes when its time budget runs out', async () => {
    // Long enough for the shell to start and print its process id on a loaded machine.
    const done = await finished((await start('run_vscode_task', { label: 'long', timeoutMs: 4_000 })).id, 20_000);
    const result = resultOf(done);
    assert.strictEqual(done.status, 'failed');
    assert.strictEqual(result.structuredContent?.timedOut, true);
    assert.match(textOf(result), /timed out after 4000 ms and was stopped/);
    const pid = Number(/^pid (\d+)$/m.exec(done.output ?? '')?.[1]);
    assert.ok(pid > 0, `the task printed its process id: ${JSON.stringify(done.output)}`);
    await waitFor(() => !processGroupAlive(pid), { what: 'the timed-out shell and its sleep to be gone', timeoutMs: 5_000 });
  });

  it('lets VS Code run a task it cannot capture, and says so', async () => {
    const done = await finished((await start('run_vscode_task', { label: 'uses config' })).id);
    const result = resultOf(done);
    assert.strictEqual(result.structuredContent?.outputCaptured, false);
    assert.strictEqual(result.structuredContent?.exitCode, 2);
    assert.match(textOf(result), /Output not captured: it uses \$\{config:editor\.tabSize\}, which only VS Code can resolve/);
  });

  it('leaves a task with dependencies to VS Code, which runs them first', async () => {
    const done = await finished((await start('run_vscode_task', { label: 'after hello' })).id);
    const result = resultOf(done);
    assert.strictEqual(done.status, 'completed', done.statusMessage);
    assert.strictEqual(result.structuredContent?.outputCaptured, false);
    assert.strictEqual(result.structuredContent?.exitCode, 0);
    assert.match(textOf(result), /Output not captured: it depends on other tasks \(dependsOn\)/);
  });

  it('fails an unknown label with the list of labels', async () => {
    const done = await finished((await start('run_vscode_task', { label: 'deploy' })).id);
    assert.strictEqual(done.status, 'failed');
    const text = textOf(resultOf(done));
    assert.match(text, /^No task labelled "deploy"\. Available tasks: /);
    for (const label of ['echo lines', 'exit 3', 'hello', 'long', 'unit tests']) assert.ok(text.includes(`"${label}"`), `${label} is listed in: ${text}`);
  });
});
