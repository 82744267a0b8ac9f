import assert from 'node:assert/strict';
import { TaskStore } from '../../../src/core/taskStore';
import { shorten, taskTitle } from '../../../src/core/taskTitle';
import { formatElapsed, taskDescription, taskLabel } from '../../../src/ui/taskText';

const T0 = Date.UTC(2026, 0, 1, 9);

function store(): TaskStore {
  let clock = T0;
  return new TaskStore({ now: () => (clock += 1000) });
}

describe('ui/taskText: what a row says', () => {
  it('titles a task by its intent, else its command, else tool and first argument, shortened', () => {
    assert.equal(taskTitle({ intent: 'Build all packages', tool: 'run_command', arguments: { command: 'npm run build' } }), 'Build all packages');
    assert.equal(taskTitle({ tool: 'run_command', arguments: { command: 'npm test\n# and more' } }), 'npm test…');
    assert.equal(taskTitle({ tool: 'wait', arguments: { seconds: 50 } }), 'wait: 50');
    assert.equal(taskTitle({ tool: 'ping', arguments: {} }), 'ping');
    const long = taskTitle({ tool: 'run_command', arguments: { command: 'x'.repeat(80) } }, 20);
    assert.equal(long.length, 20);
    assert.ok(long.endsWith('…'));
    assert.equal(shorten('  two   words  ', 40), 'two words');
  });

  it('labels rows with at most 32 characters, so the description still shows at the default width', () => {
    const s = store();
    const record = s.create({ serverId: 'tasklane', tool: 'run_command', arguments: { command: 'npm run build -- --filter=packages/very-long-package-name' } });
    assert.ok(taskLabel(record).length <= 32, taskLabel(record));
    assert.ok(taskLabel(record).startsWith('npm run build'));
  });

  it('describes running work by its elapsed time and last output line, and finished work by its outcome', () => {
    const s = store();
    const running = s.create({ serverId: 'tasklane', tool: 'run_command', arguments: { command: 'make' } });
    s.setStatus(running.id, 'working', '[3/9] compiling core');
    const started = Date.parse(running.createdAt);
    assert.equal(taskDescription(s.get(running.id)!, started + 65_000), '1m 05s · [3/9] compiling core');
    s.update(running.id, { queue: { position: 2, size: 5 } });
    assert.equal(taskDescription(s.get(running.id)!, started + 65_000), 'Queued 2 of 5');

    const failed = s.create({ serverId: 'tasklane', tool: 'run_tests', arguments: {} }, { attempt: 2 });
    s.complete(failed.id, 'failed', {}, '1 of 3 tests failed');
    assert.match(taskDescription(s.get(failed.id)!), /^attempt 2 · 1 of 3 tests failed · \d+ s$/);
  });

  it('formats elapsed time compactly to the second', () => {
    assert.deepEqual([formatElapsed(999), formatElapsed(42_000), formatElapsed(185_000), formatElapsed(3_725_000)], ['0s', '42s', '3m 05s', '1h 02m']);
  });
});
