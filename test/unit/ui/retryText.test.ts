import assert from 'node:assert/strict';
import { TaskRecordSchema } from '../../../src/core/taskRecord';
import { taskDescription } from '../../../src/ui/taskText';

const AT = '2030-01-01T00:00:00.000Z';
const record = (fields: Record<string, unknown>) =>
  TaskRecordSchema.parse({ id: 'a', serverId: 's', tool: 't', status: 'failed', createdAt: AT, lastUpdatedAt: AT, ...fields });

describe('ui/taskText: attempts of a task with a retry policy', () => {
  it('says "attempt 2 of 3" when the task has a policy, and the waiting retry in its message', () => {
    const waiting = record({ attempt: 2, retry: { attempts: 3 }, statusMessage: 'Retrying in 4 s (attempt 3 of 3)' });
    assert.equal(taskDescription(waiting), 'attempt 2 of 3 · Retrying in 4 s (attempt 3 of 3) · 0 ms');
    assert.equal(taskDescription(record({ attempt: 2, statusMessage: 'exit 1' })), 'attempt 2 · exit 1 · 0 ms');
  });
});
