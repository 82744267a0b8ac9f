import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { waitFor } from '../../helpers/waitFor';
import { ProcFileSystem, PsCommand, parseProcStat, parsePsLine } from '../../../../src/mcp/server/tools/processTable';

describe('process table', () => {
  it('parses /proc/<pid>/stat, whatever the command name holds', () => {
    const fields = ['S', '12', '34', '56', ...Array.from({ length: 15 }, (_, i) => String(i)), '98765', '0', '0'];
    const info = parseProcStat(`777 (a b) (c) ${fields.join(' ')}\n`);
    assert.deepEqual(info, { pid: 777, ppid: 12, pgid: 34, sid: 56, startTime: '98765', zombie: false });
    assert.equal(parseProcStat(`778 (x) Z ${fields.slice(1).join(' ')}`)?.zombie, true);
    assert.equal(parseProcStat('garbage'), undefined);
  });

  it('parses a line of ps output, with the start time as the rest of the line', () => {
    assert.deepEqual(parsePsLine('  501   1   501 Ss   Mon Dec  6 17:37:00 2025'), {
      pid: 501,
      ppid: 1,
      pgid: 501,
      sid: 0,
      startTime: 'Mon Dec  6 17:37:00 2025',
      zombie: false,
    });
    assert.equal(parsePsLine(' 9 1 9 Z+ Mon Dec  6 17:37:00 2025')?.zombie, true);
    assert.equal(parsePsLine(''), undefined);
  });

  (process.platform === 'win32' ? it.skip : it)('lists this process with its parent from ps', () => {
    const self = new PsCommand().read()?.get(process.pid);
    assert.equal(self?.ppid, process.ppid);
    assert.ok(self?.startTime);
  });

  (existsSync('/proc/self/stat') ? describe : describe.skip)('from /proc', () => {
    it('lists this process with its parent', () => {
      const table = new ProcFileSystem().read();
      const self = table?.get(process.pid);
      assert.equal(self?.ppid, process.ppid);
      assert.match(self?.startTime ?? '', /^\d+$/);
    });

    it('finds a process by a variable in its environment, and not others', async () => {
      const child = spawn('sleep', ['30'], { env: { ...process.env, TREE_TEST_MARK: 'yes' }, stdio: 'ignore' });
      try {
        await new Promise((resolve) => child.once('spawn', resolve));
        const source = new ProcFileSystem();
        const table = source.read()!;
        // Right after spawn the child may still be Node's fork, before exec gave it the new environment.
        const found = await waitFor(
          () => {
            const marked = source.withEnvironment(source.read()!, 'TREE_TEST_MARK', 'yes');
            return marked.includes(child.pid!) && marked;
          },
          { what: 'the marked child in the process table' },
        );
        assert.deepEqual(found, [child.pid]);
        assert.deepEqual(source.withEnvironment(table, 'TREE_TEST_MARK', 'no'), []);
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
});
