import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { DescendantTracker, type TableFeed } from '../../../../src/mcp/server/tools/descendantTracker';
import { TreeTerminator } from '../../../../src/mcp/server/tools/processGroup';
import type { ProcessInfo, ProcessTable, ProcessTableSource } from '../../../../src/mcp/server/tools/processTable';
import { isProcessGroupAlive, killProcessTree, type ProcessPlatform } from '../../../../src/mcp/server/tools/processTree';

type Row = Partial<ProcessInfo> & Pick<ProcessInfo, 'pid' | 'ppid'>;

/** A process table from rows; by default each process is alone in its own group and session, started at "1". */
function tableOf(...rows: Row[]): ProcessTable {
  return new Map(rows.map((row) => [row.pid, { pgid: row.pid, sid: row.pid, startTime: '1', zombie: false, ...row }]));
}

/** A table source that shows whatever the test last set, and matches the marker on chosen pids. */
class FakeTable implements ProcessTableSource {
  readonly cheap = true;
  current: ProcessTable = new Map();
  marked: number[] = [];

  read(): ProcessTable {
    return this.current;
  }
  withEnvironment(table: ProcessTable): number[] {
    return this.marked.filter((pid) => table.has(pid));
  }
}

/** A feed the test drives by hand. */
class ManualFeed implements TableFeed {
  readonly listeners = new Set<(table: ProcessTable) => void>();
  subscribe(listener: (table: ProcessTable) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  tick(table: ProcessTable): void {
    for (const listener of [...this.listeners]) listener(table);
  }
}

/** A platform that records signals and helpers; `groups` are the live process groups. */
function fakePlatform(os: NodeJS.Platform, source?: ProcessTableSource, feed?: TableFeed) {
  const signals: [number, NodeJS.Signals | 0][] = [];
  const helpers: [string, readonly string[]][] = [];
  const groups = new Set<number>();
  const platform: ProcessPlatform = {
    os,
    signal: (pid, signal) => {
      if (pid < 0 && !groups.has(-pid)) throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
      if (signal !== 0) signals.push([pid, signal]);
    },
    startHelper: (file, args) => helpers.push([file, args]),
    processTable: source,
    tableFeed: feed,
  };
  return { platform, signals, helpers, groups };
}

const ROOT = 4242;

describe('process tree killing', () => {
  describe('through the platform switch', () => {
    it('on Windows, runs taskkill /T /F on the root and sends no signal', () => {
      const { platform, signals, helpers } = fakePlatform('win32');
      killProcessTree(ROOT, 'SIGTERM', [7, 8], platform);
      assert.deepEqual(helpers, [['taskkill', ['/pid', String(ROOT), '/T', '/F']]]);
      assert.deepEqual(signals, []);
      assert.equal(isProcessGroupAlive(ROOT, platform), false);
    });

    it('on POSIX, signals the group and then every other member', () => {
      const { platform, signals, helpers, groups } = fakePlatform('linux');
      groups.add(ROOT);
      killProcessTree(ROOT, 'SIGKILL', [ROOT, 7, 8], platform);
      assert.deepEqual(signals, [
        [-ROOT, 'SIGKILL'],
        [7, 'SIGKILL'],
        [8, 'SIGKILL'],
      ]);
      assert.deepEqual(helpers, []);
    });

    it('on POSIX, still reaches members when the group is already gone, and skips ones gone since', () => {
      const { platform, signals } = fakePlatform('linux');
      const gone = (pid: number, signal: NodeJS.Signals | 0) => {
        if (pid === 7) throw Object.assign(new Error('kill ESRCH'), { code: 'ESRCH' });
        if (pid === 8) throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
        platform.signal(pid, signal);
      };
      killProcessTree(ROOT, 'SIGTERM', [7, 8, 9], { ...platform, signal: gone });
      assert.deepEqual(signals, [[9, 'SIGTERM']]);
    });

    it('a Windows TreeTerminator kills with taskkill and has nothing to track', () => {
      const { platform, helpers, signals } = fakePlatform('win32');
      const tree = new TreeTerminator({ pid: ROOT } as ChildProcess, platform);
      assert.equal(tree.isAlive(), false);
      tree.terminate();
      tree.forgetIfGone();
      assert.deepEqual(helpers, [['taskkill', ['/pid', String(ROOT), '/T', '/F']]]);
      assert.deepEqual(signals, []);
    });

    it('a POSIX TreeTerminator signals the group and the descendants it tracked, including ones that left', () => {
      const source = new FakeTable();
      const feed = new ManualFeed();
      const { platform, signals, groups } = fakePlatform('linux', source, feed);
      groups.add(ROOT);
      source.current = tableOf({ pid: 1, ppid: 0 }, { pid: ROOT, ppid: 100 });
      const tree = new TreeTerminator({ pid: ROOT } as ChildProcess, platform);

      // The shell starts a middle process that starts a setsid'd daemon, and the middle one exits.
      feed.tick(tableOf({ pid: 1, ppid: 0 }, { pid: ROOT, ppid: 100 }, { pid: 50, ppid: ROOT, pgid: ROOT, sid: ROOT }, { pid: 51, ppid: 50 }));
      source.current = tableOf({ pid: 1, ppid: 0 }, { pid: ROOT, ppid: 100 }, { pid: 51, ppid: 1 });
      feed.tick(source.current);

      tree.terminate();
      assert.deepEqual(signals, [
        [-ROOT, 'SIGTERM'],
        [51, 'SIGTERM'],
      ]);

      // Once the group and the daemon are gone, nothing is alive and tracking stops.
      groups.clear();
      source.current = tableOf({ pid: 1, ppid: 0 });
      tree.forgetIfGone();
      assert.equal(tree.isAlive(), false);
      assert.equal(feed.listeners.size, 0);
    });
  });

  describe('DescendantTracker', () => {
    function track(initial: ProcessTable, marked: number[] = []) {
      const source = new FakeTable();
      const feed = new ManualFeed();
      source.current = initial;
      source.marked = marked;
      const tracker = new DescendantTracker(ROOT, source, { marker: { name: 'MARK', value: 'x' }, feed });
      return { source, feed, tracker };
    }

    it('finds the root, its group, its session and everything below them', () => {
      const { tracker } = track(
        tableOf(
          { pid: ROOT, ppid: 1 },
          { pid: 10, ppid: ROOT, pgid: ROOT, sid: ROOT },
          { pid: 11, ppid: 10, pgid: 11, sid: 11 },
          { pid: 12, ppid: 1, pgid: ROOT, sid: ROOT },
          { pid: 13, ppid: 1, pgid: 13, sid: ROOT },
          { pid: 99, ppid: 1 },
        ),
      );
      assert.deepEqual(tracker.liveMembers().sort(), [10, 11, 12, 13, ROOT].sort());
    });

    it('keeps a descendant it saw after it was reparented to init', () => {
      const { source, feed, tracker } = track(tableOf({ pid: ROOT, ppid: 1 }));
      feed.tick(tableOf({ pid: ROOT, ppid: 1 }, { pid: 20, ppid: ROOT }, { pid: 21, ppid: 20 }));
      source.current = tableOf({ pid: ROOT, ppid: 1 }, { pid: 21, ppid: 1 }, { pid: 22, ppid: 21 });
      assert.deepEqual(tracker.liveMembers().sort(), [21, 22, ROOT].sort());
    });

    it('never takes a recycled pid for a tracked one', () => {
      const { source, feed, tracker } = track(tableOf({ pid: ROOT, ppid: 1 }));
      feed.tick(tableOf({ pid: ROOT, ppid: 1 }, { pid: 20, ppid: ROOT, startTime: '5' }));
      source.current = tableOf({ pid: ROOT, ppid: 1 }, { pid: 20, ppid: 1, startTime: '9' });
      assert.deepEqual(tracker.liveMembers(), [ROOT]);
    });

    it('ignores the group and session of a recycled root', () => {
      const { source, tracker } = track(tableOf({ pid: ROOT, ppid: 1, startTime: '3' }));
      source.current = tableOf({ pid: ROOT, ppid: 1, startTime: '8' }, { pid: 30, ppid: ROOT, pgid: ROOT, sid: ROOT });
      assert.deepEqual(tracker.liveMembers(), []);
    });

    it('finds processes by the environment marker, with their children', () => {
      const { source, tracker } = track(tableOf({ pid: ROOT, ppid: 1 }), [40]);
      source.current = tableOf({ pid: ROOT, ppid: 1 }, { pid: 40, ppid: 1 }, { pid: 41, ppid: 40 }, { pid: 42, ppid: 1 });
      assert.deepEqual(tracker.liveMembers().sort(), [40, 41, ROOT].sort());
    });

    it('does not count zombies as alive', () => {
      const { source, tracker } = track(tableOf({ pid: ROOT, ppid: 1 }));
      source.current = tableOf({ pid: 50, ppid: 1, pgid: ROOT, zombie: true });
      assert.deepEqual(tracker.liveMembers(), []);
    });

    it('stops listening once the tree is empty', () => {
      const { feed } = track(tableOf({ pid: ROOT, ppid: 1 }));
      feed.tick(tableOf({ pid: ROOT, ppid: 1 }));
      assert.equal(feed.listeners.size, 1);
      feed.tick(tableOf({ pid: 1, ppid: 0 }));
      assert.equal(feed.listeners.size, 0);
    });
  });
});
