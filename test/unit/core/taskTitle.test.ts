import assert from 'node:assert/strict';
import { TITLE_MAX_CHARS, taskTitle } from '../../../src/core/taskTitle';

describe('core/taskTitle', () => {
  const title = (tool: string, args: Record<string, unknown> = {}, intent?: string) => taskTitle({ tool, arguments: args, intent });

  it('is the intent when the task has one', () => {
    assert.equal(title('run_command', { command: 'npm test' }, 'Run the unit tests'), 'Run the unit tests');
    assert.equal(title('run_command', { command: 'npm test' }, '   '), 'npm test', 'a blank intent does not count');
  });

  it('is the first line of a run_command, cut with an ellipsis', () => {
    assert.equal(title('run_command', { command: 'npm   run build' }), 'npm run build');
    assert.equal(title('run_command', { command: 'set -e\nnpm ci\nnpm test' }), 'set -e…');
    const long = `echo ${'x'.repeat(80)}`;
    const cut = title('run_command', { command: long });
    assert.equal(cut.length, TITLE_MAX_CHARS);
    assert.ok(cut.endsWith('…') && long.startsWith(cut.slice(0, -1)));
  });

  it('is the tool and its most telling argument, else the tool', () => {
    assert.equal(title('run_vscode_task', { folder: 'app', label: 'build' }), 'run_vscode_task: build');
    assert.equal(title('ask', { choices: ['Yes'], question: 'Deploy?' }), 'ask: Deploy?');
    assert.equal(title('wait', { durationMs: 500 }), 'wait: 500');
    assert.equal(title('run_tests'), 'run_tests');
    assert.equal(title('run_tests', { options: { a: 1 } }), 'run_tests');
  });
});
