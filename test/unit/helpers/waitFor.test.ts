import assert from 'node:assert/strict';
import { waitFor } from './waitFor';

describe('test helper waitFor', () => {
  it('resolves with the first truthy value, asking again until then', async () => {
    let asked = 0;
    const value = await waitFor(() => (++asked >= 3 ? { asked } : undefined), { what: 'the third ask', intervalMs: 1 });
    assert.deepEqual(value, { asked: 3 });
  });

  it('awaits a condition that answers with a promise', async () => {
    let asked = 0;
    assert.equal(await waitFor(async () => ++asked === 2 && 'yes', { what: 'the second answer', intervalMs: 1 }), 'yes');
  });

  it('takes a condition that throws as not yet', async () => {
    let asked = 0;
    const value = await waitFor(
      () => {
        if (++asked < 3) throw new Error('not ready');
        return asked;
      },
      { what: 'no more exceptions', intervalMs: 1 },
    );
    assert.equal(value, 3);
  });

  it('fails after its timeout, naming what it waited for and the last value seen', async () => {
    const task = { status: 'working' };
    let asked = 0;
    const finished = () => {
      asked++;
      return task.status === 'completed' ? task : undefined;
    };
    await assert.rejects(
      waitFor(finished, { what: 'the task to finish', timeoutMs: 30, intervalMs: 5 }),
      /^Error: Timed out after 30 ms waiting for the task to finish; last it gave undefined$/,
    );
    assert.ok(asked > 1, `asked ${asked} times`);
  });

  it('fails naming the last exception, which it keeps as the cause', async () => {
    const refusal = new Error('No task with id "x"');
    await assert.rejects(
      waitFor(() => Promise.reject(refusal), { what: 'the record', timeoutMs: 20 }),
      (error: Error) => {
        assert.equal(error.message, 'Timed out after 20 ms waiting for the record; last it threw Error: No task with id "x"');
        assert.equal(error.cause, refusal);
        return true;
      },
    );
  });

  it('gives up on time when the condition never answers', async () => {
    const started = Date.now();
    await assert.rejects(
      waitFor(() => new Promise<never>(() => undefined), { what: 'an answer', timeoutMs: 30 }),
      /waiting for an answer; the condition was still working/,
    );
    assert.ok(Date.now() - started < 1_000, `gave up after ${Date.now() - started} ms`);
  });
});
