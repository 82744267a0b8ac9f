import assert from 'node:assert/strict';
import { RECENT_COMMANDS_MAX, readRecentCommands, rememberCommand } from '../../../src/core/recentCommands';

describe('recent shell commands', () => {
  it('keeps the most recent first, each command once', () => {
    let recent: string[] = [];
    for (const command of ['npm test', 'npm run build', ' npm test ', 'ls']) recent = rememberCommand(recent, command);
    assert.deepEqual(recent, ['ls', 'npm test', 'npm run build']);
    assert.deepEqual(rememberCommand(recent, '   '), recent, 'blank commands are not remembered');
  });

  it(`keeps at most ${RECENT_COMMANDS_MAX}, dropping the oldest`, () => {
    let recent: string[] = [];
    for (let i = 1; i <= RECENT_COMMANDS_MAX + 5; i++) recent = rememberCommand(recent, `echo ${i}`);
    assert.equal(recent.length, RECENT_COMMANDS_MAX);
    assert.equal(recent[0], `echo ${RECENT_COMMANDS_MAX + 5}`);
    assert.equal(recent.at(-1), 'echo 6');
  });

  it('reads a stored list defensively', () => {
    assert.deepEqual(readRecentCommands(undefined), []);
    assert.deepEqual(readRecentCommands('npm test'), []);
    assert.deepEqual(readRecentCommands(['b', 3, '', 'a', 'b', null]), ['b', 'a']);
    assert.equal(readRecentCommands(Array.from({ length: 50 }, (_, i) => `c${i}`)).length, RECENT_COMMANDS_MAX);
    assert.equal(readRecentCommands(Array.from({ length: 50 }, (_, i) => `c${i}`))[0], 'c0');
  });
});
