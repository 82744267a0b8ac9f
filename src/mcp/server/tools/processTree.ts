import { type HelperHost, startHelper, taskkillTree } from '../../helperProcess';
import { TablePoll, type TableFeed } from './descendantTracker';
import { processTableFor, type ProcessTableSource } from './processTable';

/** What killing a process tree needs from the operating system; tests pass a fake one. */
export interface ProcessPlatform extends HelperHost {
  /** `process.kill`: a negative pid is a process group. */
  signal(pid: number, signal: NodeJS.Signals | 0): void;
  /** Undefined on Windows, where taskkill walks the tree itself. */
  readonly processTable: ProcessTableSource | undefined;
  /** Periodic reads of `processTable`, where they are cheap (Linux /proc). */
  readonly tableFeed: TableFeed | undefined;
}

function platformOfThisHost(): ProcessPlatform {
  const processTable = processTableFor(process.platform);
  return {
    os: process.platform,
    signal: (pid, signal) => process.kill(pid, signal),
    startHelper,
    processTable,
    tableFeed: processTable?.cheap ? new TablePoll(processTable) : undefined,
  };
}

export const hostPlatform: ProcessPlatform = platformOfThisHost();

/**
 * Signals a child and everything it started.
 *
 * On POSIX the child MUST have been spawned with `detached: true`, so that it leads its own
 * process group and `-pid` reaches its grandchildren too. `members` are the tree's other live
 * processes (see DescendantTracker): they include ones that left the group, which `-pid` misses.
 *
 * On Windows `taskkill /T /F` walks the tree by parent and always kills forcefully, since console
 * programs have no graceful signal to receive. A process whose parent already exited is out of its
 * reach; only a Job Object would hold it, and Node cannot create one without a native addon.
 */
export function killProcessTree(pid: number, signal: NodeJS.Signals = 'SIGTERM', members: readonly number[] = [], platform = hostPlatform): void {
  if (platform.os === 'win32') {
    taskkillTree(pid, platform);
    return;
  }
  try {
    platform.signal(-pid, signal);
  } catch (error) {
    if (!isNoSuchProcess(error)) throw error;
  }
  for (const member of members) {
    if (member === pid) continue;
    try {
      platform.signal(member, signal);
    } catch (error) {
      // Gone since the table was read, or (EPERM) turned into another user's process: nothing to do.
      if (!isNoSuchProcess(error) && !isNotPermitted(error)) throw error;
    }
  }
}

/**
 * Whether any process is left in the group led by `pid` (POSIX). A group can outlive its leader,
 * which is how background jobs of a finished shell become orphans.
 * Always false on Windows, where `killProcessTree` is already forceful and there is no group to probe.
 */
export function isProcessGroupAlive(pid: number, platform = hostPlatform): boolean {
  if (platform.os === 'win32') return false;
  try {
    platform.signal(-pid, 0);
    return true;
  } catch (error) {
    // EPERM means the group exists but is not ours to signal: still alive.
    return !isNoSuchProcess(error);
  }
}

function isNoSuchProcess(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ESRCH';
}

function isNotPermitted(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EPERM';
}
