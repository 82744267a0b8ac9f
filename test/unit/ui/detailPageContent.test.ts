import assert from 'node:assert/strict';
import { TaskRecordSchema, type TaskRecord } from '../../../src/core/taskRecord';
import { toDetailState } from '../../../src/ui/detail/detailState';
import { describeKept } from '../../../src/ui/detail/format';
import { IN_OUTPUT_NOTE } from '../../../src/ui/detail/outputOnce';

// What the detail page shows a new user: output once, a timeline without output lines, how long
// history keeps a finished task, and the task's title.

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const DAY = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

function record(patch: Partial<TaskRecord> = {}): TaskRecord {
  return TaskRecordSchema.parse({
    serverId: 'tasklane',
    tool: 'run_command',
    arguments: { command: 'echo hello; echo oops >&2' },
    id: 'h',
    status: 'completed',
    createdAt: iso(T0),
    lastUpdatedAt: iso(T0 + 1000),
    ...patch,
  });
}

/** What run_command returns for `echo hello; echo oops >&2` (see summarize in runCommand.ts). */
const COMMAND_RESULT = {
  content: [{ type: 'text', text: '$ echo hello; echo oops >&2\nexit code 0 (12 ms)\n\nstdout:\nhello\n\nstderr:\noops' }],
  structuredContent: { exitCode: 0, signal: null, stdout: 'hello\n', stderr: 'oops\n', durationMs: 12, truncated: false, timedOut: false },
  isError: false,
};

describe('ui/detail: output is shown once', () => {
  it('leaves the streams out of the result when the Output section shows them, and says so', () => {
    const outcome = toDetailState(record({ output: 'hello\noops\n', result: COMMAND_RESULT }), T0).outcome;
    assert.equal(outcome.kind, 'result');
    if (outcome.kind !== 'result') return;
    assert.deepEqual(outcome.structuredContent, { exitCode: 0, signal: null, durationMs: 12, truncated: false, timedOut: false });
    assert.deepEqual(outcome.inOutput, ['stdout', 'stderr']);
    // The command line keeps its "hello"; only the quoted stream is replaced.
    assert.deepEqual(outcome.blocks, [
      { kind: 'text', text: `$ echo hello; echo oops >&2\nexit code 0 (12 ms)\n\nstdout:\n${IN_OUTPUT_NOTE}\n\nstderr:\n${IN_OUTPUT_NOTE}` },
    ]);
  });

  it('keeps the result whole when there is no live output (an imported task, another server)', () => {
    const outcome = toDetailState(record({ result: COMMAND_RESULT }), T0).outcome;
    assert.equal(outcome.kind, 'result');
    if (outcome.kind !== 'result') return;
    assert.deepEqual(outcome.blocks, [{ kind: 'text', text: COMMAND_RESULT.content[0].text }]);
    assert.deepEqual(outcome.structuredContent, COMMAND_RESULT.structuredContent);
    assert.deepEqual(outcome.inOutput, []);
  });

  it('keeps structured strings the output does not hold, and drops a text block that is only output', () => {
    const result = {
      content: [
        { type: 'text', text: 'step 1\nstep 2' },
        { type: 'text', text: 'All done.' },
      ],
      structuredContent: { task: 'build', output: 'step 1\nstep 2\n' },
    };
    const outcome = toDetailState(record({ tool: 'run_vscode_task', output: 'step 1\nstep 2\n', result }), T0).outcome;
    assert.equal(outcome.kind, 'result');
    if (outcome.kind !== 'result') return;
    assert.deepEqual(outcome.blocks, [{ kind: 'text', text: 'All done.' }]);
    assert.deepEqual(outcome.structuredContent, { task: 'build' });
    assert.deepEqual(outcome.inOutput, ['output', 'text result']);
  });
});

describe('ui/detail: the timeline', () => {
  it('has a row per status change and per new message, none per output line and none empty', () => {
    const output = '[1/3] compiling a\n[2/3] compiling b\n[3/3] compiling c\nBuild finished\n';
    const state = toDetailState(
      record({
        output,
        timeline: [
          { at: iso(T0), status: 'working', message: 'Starting' },
          { at: iso(T0 + 10) },
          { at: iso(T0 + 20), message: '' },
          { at: iso(T0 + 30), message: '[1/3] compiling a' },
          { at: iso(T0 + 40), message: '[2/3] comp' },
          { at: iso(T0 + 50), message: 'Queued (2 of 3)' },
          { at: iso(T0 + 60), message: 'Queued (2 of 3)' },
          { at: iso(T0 + 70), message: '[3/3] compiling c' },
          { at: iso(T0 + 80), status: 'completed', message: 'Build finished' },
        ],
      }),
      T0,
    );
    assert.deepEqual(state.timeline, [
      { at: iso(T0), status: 'working', message: 'Starting' },
      { at: iso(T0 + 50), status: null, message: 'Queued (2 of 3)' },
      { at: iso(T0 + 80), status: 'completed', message: 'Build finished' },
    ]);
  });
});

describe('ui/detail: how long a task is kept', () => {
  const settings = { days: 30, maxTasks: 5000 };

  it('says nothing about history while the task runs (the server TTL is shown instead)', () => {
    assert.equal(toDetailState(record({ status: 'working' }), T0, [], settings).retention, null);
  });

  it('keeps a finished task for the retention days after it finished, a pinned one regardless', () => {
    assert.deepEqual(toDetailState(record(), T0, [], settings).retention, { kind: 'until', until: iso(T0 + 1000 + 30 * DAY), days: 30, maxTasks: 5000 });
    assert.deepEqual(toDetailState(record({ pinned: true }), T0, [], settings).retention, { kind: 'pinned' });
    assert.deepEqual(toDetailState(record(), T0, [], { days: 0, maxTasks: 200 }).retention, { kind: 'count', maxTasks: 200 });
    assert.deepEqual(toDetailState(record(), T0, [], { days: 0, maxTasks: 0 }).retention, { kind: 'always' });
  });

  it('puts it in words', () => {
    const day = (at: Date) => at.toISOString().slice(0, 10);
    assert.equal(describeKept({ kind: 'until', until: iso(T0 + 30 * DAY), days: 30, maxTasks: 5000 }, T0, day), 'Until 2026-02-04 (30 days)');
    assert.equal(describeKept({ kind: 'until', until: iso(T0 + DAY), days: 1, maxTasks: 0 }, T0, day), 'Until 2026-01-06 (1 day)');
    assert.equal(describeKept({ kind: 'until', until: iso(T0 - 1), days: 30, maxTasks: 0 }, T0, day), 'Due for removal: finished more than 30 days ago');
    assert.equal(describeKept({ kind: 'pinned' }, T0), 'Pinned: kept until you unpin it');
    assert.equal(describeKept({ kind: 'count', maxTasks: 200 }, T0), 'Until history passes 200 finished tasks');
    assert.equal(describeKept({ kind: 'always' }, T0), 'Always (history keeps every task)');
  });
});

describe('ui/detail: the title', () => {
  it('is the intent, else a short form of the command', () => {
    assert.equal(toDetailState(record({ intent: 'Build all packages' }), T0).title, 'Build all packages');
    assert.equal(toDetailState(record(), T0).title, 'echo hello; echo oops >&2');
  });
});
