import assert from 'node:assert/strict';
import { HistoryMatcher, parseHistoryQuery } from '../../../src/core/historySearch';
import { type TaskRecord, TaskRecordSchema } from '../../../src/core/taskRecord';
import { applyArgumentsPatch, parseArgumentsPatch, planRerun, rerunSummary, skippedText } from '../../../src/ui/commands/rerunPlan';

const NOW = Date.parse('2026-12-06T12:00:00.000Z');
const MINUTE = 60_000;

function task(id: string, minutesAgo: number, extra: Record<string, unknown> = {}): TaskRecord {
  const at = new Date(NOW - minutesAgo * MINUTE).toISOString();
  return TaskRecordSchema.parse({
    id,
    serverId: 'tasklane',
    tool: 'run_command',
    status: 'failed',
    arguments: { command: `make ${id}`, timeoutMs: 1000 },
    context: { agent: { name: 'ci' } },
    createdAt: at,
    lastUpdatedAt: at,
    ...extra,
  });
}

const ids = (records: readonly TaskRecord[]) => records.map((r) => r.id);

describe('ui/commands/rerunPlan: which tasks Re-run Failed Tasks starts again, with what arguments', () => {
  const history = [
    task('lint', 5),
    task('build', 10),
    task('e2e', 20, { serverId: 'gone-server' }),
    task('flaky', 30, { retriedAs: 'flaky-2' }),
    task('imported', 40, { imported: true }),
    task('by-hand', 15, { context: {} }),
    task('old', 180),
    task('green', 8, { status: 'completed' }),
    task('running', 3, { status: 'working' }),
  ];
  const connected = (serverId: string) => serverId === 'tasklane';
  const planFor = (text: string) => planRerun(new HistoryMatcher().filter(history, parseHistoryQuery(text), NOW), connected);

  it('re-runs the failed tasks the search finds, and skips (and says why) those a retry does not apply to', () => {
    const plan = planFor('status:failed agent:ci since:1h');
    assert.deepEqual(ids(plan.runnable), ['lint', 'build']);
    assert.deepEqual(
      plan.skipped.map(({ record, reason }) => [record.id, reason]),
      [
        ['e2e', 'server gone'],
        ['flaky', 'already re-run'],
        ['imported', 'imported copy'],
      ],
    );
    assert.equal(skippedText(plan.skipped), '3 skipped: 1 server gone, 1 already re-run, 1 imported copy');
  });

  it('skips completed and running tasks a broader search finds', () => {
    const plan = planFor('agent:ci since:9m');
    assert.deepEqual(ids(plan.runnable), ['lint']);
    assert.deepEqual(
      plan.skipped.map(({ record, reason }) => [record.id, reason]),
      [
        ['green', 'completed'],
        ['running', 'still running'],
      ],
    );
  });

  it('sums the batch up in one sentence', () => {
    const plan = planFor('status:failed since:25m');
    assert.equal(rerunSummary({ started: 3, notStarted: 0, skipped: plan.skipped, failed: [] }), '3 re-run, 1 skipped: server gone');
    assert.equal(rerunSummary({ started: 2, notStarted: 0, skipped: [], failed: [] }), '2 re-run');
    assert.equal(rerunSummary({ started: 3, notStarted: 9, skipped: [], failed: [] }), 'Stopped: 3 re-run, 9 not started');
    assert.equal(
      rerunSummary({ started: 1, notStarted: 0, skipped: [], failed: [{ record: history[0], message: 'The server refused it' }] }),
      '1 re-run, 1 could not start: The server refused it',
    );
  });

  it('reads the argument edit as a JSON object, and says plainly what else it got', () => {
    assert.deepEqual(parseArgumentsPatch(''), {}, 'empty: the same arguments');
    assert.deepEqual(parseArgumentsPatch('  {}  '), {});
    assert.deepEqual(parseArgumentsPatch('{"timeoutMs": 60000, "env": null}'), { patch: { timeoutMs: 60000, env: null } });
    assert.match(parseArgumentsPatch('timeoutMs=60000').error ?? '', /^Not JSON: .*Type an object such as \{"timeoutMs": 60000\}/);
    assert.match(parseArgumentsPatch('{"timeoutMs": }').error ?? '', /^Not JSON/);
    for (const notObject of ['[1]', '42', '"x"', 'null'])
      assert.equal(
        parseArgumentsPatch(notObject).error,
        'Type a JSON object such as {"timeoutMs": 60000}: its keys are merged into each task\'s arguments.',
        notObject,
      );
  });

  it("merges the edit into each task's own arguments: a key replaces, null removes, an object merges, and the task keeps its own", () => {
    const { patch } = parseArgumentsPatch('{"timeoutMs": 60000, "cwd": null, "env": {"CI": "1", "DEBUG": null}}');
    const original = { command: 'make lint', timeoutMs: 1000, cwd: '/src', env: { DEBUG: '1', PATH: '/bin' } };
    assert.deepEqual(applyArgumentsPatch(original, patch), { command: 'make lint', timeoutMs: 60000, env: { PATH: '/bin', CI: '1' } });
    assert.deepEqual(original, { command: 'make lint', timeoutMs: 1000, cwd: '/src', env: { DEBUG: '1', PATH: '/bin' } }, 'unchanged');
    assert.deepEqual(applyArgumentsPatch({ env: 'x' }, { env: { CI: '1' } }), { env: { CI: '1' } }, 'an object replaces what is not one');
    assert.deepEqual(applyArgumentsPatch(original, undefined), original);
    const plan = planFor('status:failed agent:ci since:1h');
    assert.deepEqual(
      plan.runnable.map((record) => applyArgumentsPatch(record.arguments, patch)),
      [
        { command: 'make lint', timeoutMs: 60000, env: { CI: '1' } },
        { command: 'make build', timeoutMs: 60000, env: { CI: '1' } },
      ],
    );
  });
});
