import assert from 'node:assert/strict';
import { plannedSteps } from '../../../src/core/taskDependencies';
import { TaskRecordSchema } from '../../../src/core/taskRecord';
import { MAX_STEPS, MAX_STEP_LABEL, type TaskStep, boundSteps, readSteps, sameSteps, shownStepStatus, stepDuration } from '../../../src/core/taskSteps';

const AT = '2026-06-01T12:00:00.000Z';
const step = (id: string, status: TaskStep['status'] = 'completed'): TaskStep => ({ id, label: id, status });

describe('core/taskSteps: the step list', () => {
  it(`keeps at most ${MAX_STEPS} steps: completed ones give way first, oldest first, in order`, () => {
    const steps = [step('failed-0', 'failed'), ...Array.from({ length: MAX_STEPS + 10 }, (_, i) => step(`done-${i}`)), step('running', 'working')];
    const bounded = boundSteps(steps);
    assert.equal(bounded.length, MAX_STEPS);
    assert.equal(bounded[0].id, 'failed-0', 'a failed step stays');
    assert.equal(bounded.at(-1)?.id, 'running', 'the running step stays');
    assert.equal(bounded[1].id, 'done-12', 'the twelve oldest completed steps went (212 listed)');
  });

  it('cuts the last steps when none is completed', () => {
    const steps = Array.from({ length: MAX_STEPS + 5 }, (_, i) => step(`wait-${i}`, 'waiting'));
    const bounded = boundSteps(steps);
    assert.equal(bounded.length, MAX_STEPS);
    assert.equal(bounded.at(-1)?.id, `wait-${MAX_STEPS - 1}`);
  });

  it('reads a sent list: bad steps left out, repeated ids once, long labels cut, depth clamped; not a list is undefined', () => {
    const read = readSteps([
      { id: 'a', label: 'x'.repeat(MAX_STEP_LABEL + 50), status: 'working', startedAt: AT, extra: 1 },
      { id: 'a', label: 'again', status: 'failed' },
      { id: '', label: 'no id', status: 'completed' },
      { id: 'b', label: 'bad status', status: 'paused' },
      { id: 'c', label: 'bad date', status: 'completed', startedAt: 'yesterday' },
      { id: 'd', label: 'deep', status: 'waiting', depth: 99 },
      'not a step',
    ]);
    assert.deepEqual(read, [
      { id: 'a', label: 'x'.repeat(MAX_STEP_LABEL), status: 'working', startedAt: AT },
      { id: 'd', label: 'deep', status: 'waiting', depth: 8 },
    ]);
    assert.equal(readSteps({ steps: [] }), undefined);
    assert.deepEqual(readSteps([]), []);
  });

  it('measures a step from its start to its end, or to now while it runs', () => {
    const started = Date.parse(AT);
    assert.equal(stepDuration({ ...step('a', 'working'), startedAt: AT }, started + 1234), 1234);
    assert.equal(stepDuration({ ...step('a'), startedAt: AT, endedAt: '2026-06-01T12:00:02.500Z' }, started + 99_999), 2500);
    assert.equal(stepDuration(step('a', 'waiting'), started), undefined);
  });

  it('shows a step its ended task left running or waiting as cancelled', () => {
    assert.equal(shownStepStatus(step('a', 'working'), true), 'cancelled');
    assert.equal(shownStepStatus(step('a', 'waiting'), true), 'cancelled');
    assert.equal(shownStepStatus(step('a', 'failed'), true), 'failed');
    assert.equal(shownStepStatus(step('a', 'working'), false), 'working');
  });

  it('compares lists field by field', () => {
    assert.ok(sameSteps([step('a')], [step('a')]));
    assert.ok(!sameSteps([step('a')], [{ ...step('a'), detail: 'exit code 0' }]));
    assert.ok(!sameSteps([step('a')], undefined));
  });

  it("is the record schema's rule: more than the bound is refused", () => {
    const record = { serverId: 's', tool: 't', id: 'i', status: 'working', createdAt: AT, lastUpdatedAt: AT };
    assert.ok(TaskRecordSchema.safeParse({ ...record, steps: Array.from({ length: MAX_STEPS }, (_, i) => step(`s${i}`)) }).success);
    assert.ok(!TaskRecordSchema.safeParse({ ...record, steps: Array.from({ length: MAX_STEPS + 1 }, (_, i) => step(`s${i}`)) }).success);
  });
});

describe('core/taskDependencies: the steps of a task with dependsOn', () => {
  const entries = [
    { label: 'build', dependsOn: ['lint', 'compile'], command: 'echo built' },
    { label: 'lint', command: 'echo lint' },
    { label: 'compile', dependsOn: 'generate' },
    { label: 'generate' },
    { label: 'loop a', dependsOn: 'loop b' },
    { label: 'loop b', dependsOn: ['loop a', { type: 'npm', script: 'prepare' }] },
    { label: 'diamond', dependsOn: ['lint', 'lint too'] },
    { label: 'lint too', dependsOn: 'lint' },
  ];

  it('lists dependencies before what depends on them, the task itself last, with their depth', () => {
    assert.deepEqual(plannedSteps(entries, 'build'), [
      { label: 'lint', depth: 1 },
      { label: 'generate', depth: 2 },
      { label: 'compile', depth: 1 },
      { label: 'build', depth: 0 },
    ]);
  });

  it('lists a task once, cuts a cycle, names a provided task as VS Code labels it, and lists nothing for a task without dependencies', () => {
    assert.deepEqual(
      plannedSteps(entries, 'diamond').map((planned) => planned.label),
      ['lint', 'lint too', 'diamond'],
    );
    assert.deepEqual(
      plannedSteps(entries, 'loop a').map((planned) => planned.label),
      ['npm: prepare', 'loop b', 'loop a'],
    );
    assert.deepEqual(plannedSteps(entries, 'lint'), []);
    assert.deepEqual(plannedSteps(entries, 'unknown'), []);
  });
});
