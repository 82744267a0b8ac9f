import assert from 'node:assert/strict';
import { describeToolError } from '../../../src/mcp/server/describeToolError';

describe('describeToolError: the status line of a tool result that is an error', () => {
  const text = (value: string) => [{ type: 'text', text: value }];

  it('gives failed test counts before the exit code', () => {
    assert.equal(describeToolError({ content: text('x'), structuredContent: { exitCode: 1, passed: 3, failed: 1 } }), '1 of 4 tests failed');
    assert.equal(describeToolError({ content: text('x'), structuredContent: { exitCode: 1, failed: 2 } }), '2 tests failed');
  });

  it('falls back to the exit code, the signal, then the first line of text', () => {
    assert.equal(describeToolError({ content: text('x'), structuredContent: { exitCode: 4, passed: 5, failed: 0 } }), 'Exited with code 4');
    assert.equal(describeToolError({ content: text('x'), structuredContent: { signal: 'SIGTERM' } }), 'Ended by signal SIGTERM');
    assert.equal(describeToolError({ content: text('no such file\nmore') }), 'no such file');
    assert.equal(describeToolError({ content: [] }), 'The tool reported an error');
  });

  it('says when the time budget ran out', () => {
    assert.equal(
      describeToolError({ content: text('x'), structuredContent: { timedOut: true, exitCode: null } }),
      'Timed out: the command ran out of its time budget',
    );
  });
});
