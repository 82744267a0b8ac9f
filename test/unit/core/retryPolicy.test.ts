import assert from 'node:assert/strict';
import { META } from '../../../src/core/meta';
import {
  type RetryPolicy,
  InvalidRetryPolicyError,
  chooseRetryPolicy,
  nextAutomaticRetry,
  parseRetryPolicy,
  retryDelayMs,
  retryPoliciesOf,
  retryReasonOf,
  retryWaitMessage,
  retryWaitStepMs,
} from '../../../src/core/retryPolicy';
import { InvalidTaskMetaError, taskFieldsOf, taskMetaOf } from '../../../src/core/taskMeta';
import { TaskSpecSchema } from '../../../src/core/taskRecord';
import { isOpenFailure, canCancelTask } from '../../../src/core/taskRules';
import { TaskRecordSchema } from '../../../src/core/taskRecord';

const policy = (fields: Partial<RetryPolicy>): RetryPolicy => parseRetryPolicy(fields, 'the test');
const AT = '2030-01-01T00:00:00.000Z';
const failedAttempt = (fields: Record<string, unknown> = {}) =>
  TaskRecordSchema.parse({
    id: 'a',
    serverId: 's',
    tool: 't',
    status: 'failed',
    statusMessage: 'Exited with code 1',
    createdAt: AT,
    lastUpdatedAt: AT,
    ...fields,
  });

describe('core/retryPolicy: automatic retries', () => {
  it('fills in the defaults, and says in plain words what is wrong with a policy', () => {
    assert.deepEqual(policy({}), { attempts: 3, backoff: 'exponential', delayMs: 1000, maxDelayMs: 60_000 });
    assert.deepEqual(policy({ attempts: 5, backoff: 'fixed' }), { attempts: 5, backoff: 'fixed', delayMs: 1000, maxDelayMs: 60_000 });
    const bad: [unknown, RegExp][] = [
      [{ attempts: 0 }, /attempts must be at least 1/],
      [{ attempts: 2.5 }, /attempts must be a whole number/],
      [{ backoff: 'linear' }, /backoff must be "fixed" or "exponential"/],
      [{ delayMs: -5 }, /delayMs must not be negative/],
      [{ maxDelayMs: 10 ** 12 }, /maxDelayMs must be at most one day/],
      ['3 times', /must be an object/],
    ];
    for (const [value, message] of bad)
      assert.throws(
        () => parseRetryPolicy(value, 'the tool "flaky"'),
        (error: unknown) =>
          error instanceof InvalidRetryPolicyError && /^The retry policy of the tool "flaky" is not valid: /.test(error.message) && message.test(error.message),
        JSON.stringify(value),
      );
  });

  it('reads the setting entry by entry: a bad entry is named and left out, the others apply', () => {
    const { policies, problems } = retryPoliciesOf({ 'tasklane/run_tests': { attempts: 2 }, 'tasklane/wait': { backoff: 'sometimes' }, run_command: {} });
    assert.deepEqual(Object.keys(policies), ['tasklane/run_tests']);
    assert.equal(policies['tasklane/run_tests']?.attempts, 2);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /"tasklane\/wait" in the setting tasklane.retry.policies is not valid: backoff must be "fixed" or "exponential"/);
    assert.match(problems[1]!, /names "run_command": write it as "serverId\/tool"/);
    assert.deepEqual(retryPoliciesOf(undefined), { policies: {}, problems: [] });
  });

  it('waits delayMs, doubling after each attempt when exponential, never longer than maxDelayMs', () => {
    const exponential = policy({ attempts: 10, backoff: 'exponential', delayMs: 1000, maxDelayMs: 5000 });
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((attempt) => retryDelayMs(exponential, attempt)),
      [1000, 2000, 4000, 5000, 5000],
    );
    const fixed = policy({ backoff: 'fixed', delayMs: 3000, maxDelayMs: 60_000 });
    assert.deepEqual(
      [1, 2, 3].map((attempt) => retryDelayMs(fixed, attempt)),
      [3000, 3000, 3000],
    );
    assert.equal(retryDelayMs(policy({ backoff: 'fixed', delayMs: 9000, maxDelayMs: 2000 }), 1), 2000);
  });

  it("applies a tool's own policy only to an idempotent tool; the task's or the setting's is someone asking, and applies to any tool", () => {
    const mine = policy({ attempts: 4 });
    const theirs = { idempotent: false, policy: { attempts: 6 } };
    const record = { serverId: 's', tool: 't', retry: undefined };
    assert.equal(chooseRetryPolicy(record, {}, theirs), undefined, 'a tool that does not say it is idempotent');
    assert.deepEqual(chooseRetryPolicy(record, {}, { ...theirs, idempotent: true }), { policy: policy({ attempts: 6 }), source: 'tool' });
    assert.deepEqual(chooseRetryPolicy(record, { 's/t': mine }, theirs), { policy: mine, source: 'setting' });
    assert.deepEqual(chooseRetryPolicy({ ...record, retry: policy({ attempts: 2 }) }, { 's/t': mine }, theirs), {
      policy: policy({ attempts: 2 }),
      source: 'task',
    });
    assert.equal(chooseRetryPolicy(record, { 's/other': mine }, undefined), undefined);
    assert.throws(() => chooseRetryPolicy(record, {}, { idempotent: true, policy: { attempts: -1 } }), /the tool "t" is not valid/);
  });

  it('retries only a failure with attempts left, the latest attempt, and says why', () => {
    const three = policy({ attempts: 3, delayMs: 1000 });
    const due = nextAutomaticRetry(failedAttempt(), three, Date.parse(AT));
    assert.deepEqual(due, { at: '2030-01-01T00:00:01.000Z', attempt: 2, of: 3, failure: 'Exited with code 1' });
    assert.equal(retryReasonOf(due!), 'Automatic retry 2 of 3 after: Exited with code 1');
    assert.equal(nextAutomaticRetry(failedAttempt({ attempt: 2 }), three, 0)?.at, new Date(2000).toISOString(), 'the second wait doubles');
    assert.equal(nextAutomaticRetry(failedAttempt({ attempt: 3 }), three, 0), undefined, 'no attempts left');
    assert.equal(nextAutomaticRetry(failedAttempt({ status: 'cancelled' }), three, 0), undefined, 'a cancellation ends the chain');
    assert.equal(nextAutomaticRetry(failedAttempt({ status: 'completed' }), three, 0), undefined);
    assert.equal(nextAutomaticRetry(failedAttempt({ retriedAs: 'b' }), three, 0), undefined, 'already retried');
    assert.equal(nextAutomaticRetry(failedAttempt({ imported: true }), three, 0), undefined, 'an imported copy');
    assert.equal(nextAutomaticRetry(failedAttempt({ statusMessage: undefined, error: { code: -1, message: 'boom' } }), three, 0)?.failure, 'boom');
  });

  it('counts down in words, redrawn when the words change', () => {
    assert.equal(retryWaitMessage(4000, 2, 3), 'Retrying in 4 s (attempt 2 of 3)');
    assert.equal(retryWaitMessage(3500, 2, 3), 'Retrying in 4 s (attempt 2 of 3)');
    assert.equal(retryWaitMessage(90_000, 3, 5), 'Retrying in 2 min (attempt 3 of 5)');
    assert.equal(retryWaitStepMs(3500), 500);
    assert.equal(retryWaitStepMs(4000), 1000);
    assert.equal(retryWaitStepMs(90_000), 30_000);
  });

  it('a waiting retry can be cancelled, and is not a failure that needs the person yet', () => {
    const waiting = failedAttempt({ retryDue: { at: AT, attempt: 2, of: 3, failure: 'Exited with code 1' } });
    assert.equal(canCancelTask(waiting), true);
    assert.equal(isOpenFailure(waiting), false);
    assert.equal(canCancelTask(failedAttempt()), false);
    assert.equal(isOpenFailure(failedAttempt()), true);
  });

  it("travels in a start's _meta as dev.tasklane/retry, checked like every other field", () => {
    const spec = TaskSpecSchema.parse({ serverId: 's', tool: 't', retry: { attempts: 2, backoff: 'fixed' } });
    const meta = taskMetaOf(spec);
    assert.deepEqual(meta[META.retry], { attempts: 2, backoff: 'fixed', delayMs: 1000, maxDelayMs: 60_000 });
    assert.deepEqual(taskFieldsOf({ [META.retry]: { attempts: 2 } }).retry, { attempts: 2, backoff: 'exponential', delayMs: 1000, maxDelayMs: 60_000 });
    assert.throws(
      () => taskFieldsOf({ [META.retry]: { attempts: 'many' } }),
      (error: unknown) => error instanceof InvalidTaskMetaError && error.key === META.retry,
    );
  });
});
