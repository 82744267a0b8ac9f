import { spawn } from 'node:child_process';

const isWindows = process.platform === 'win32';

/**
 * Signals a child and everything it started.
 *
 * On POSIX the child MUST have been spawned with `detached: true`, so that it leads its own
 * process group and `-pid` reaches its grandchildren too. On Windows `taskkill /T /F` walks the
 * tree and always kills forcefully, since console programs have no graceful signal to receive.
 */
export function killProcessTree(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (isWindows) {
    const taskkill = spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
    // The tree may already be gone; taskkill failing to start or to find it changes nothing.
    taskkill.on('error', () => undefined);
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if (!isNoSuchProcess(error)) throw error;
  }
}

/**
 * Whether any process is left in the group led by `pid` (POSIX). A group can outlive its leader,
 * which is how background jobs of a finished shell become orphans.
 * Always false on Windows, where `killProcessTree` is already forceful and there is no group to probe.
 */
export function isProcessTreeAlive(pid: number): boolean {
  if (isWindows) return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    // EPERM means the group exists but is not ours to signal: still alive.
    return !isNoSuchProcess(error);
  }
}

function isNoSuchProcess(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ESRCH';
}
