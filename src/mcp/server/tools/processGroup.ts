import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { isProcessTreeAlive, killProcessTree } from './processTree';

/** Time a process tree gets to exit after SIGTERM before it is sent SIGKILL. */
export const KILL_GRACE_MS = 2_000;

type GroupSpawnOptions = Pick<SpawnOptions, 'cwd' | 'env'>;

/** Starts a shell command line with piped output, as the leader of its own process group. */
export function startShell(command: string, options: GroupSpawnOptions): ChildProcess {
  if (process.platform === 'win32') {
    // The same quoting Node uses for `shell: true`: /s strips the outer quotes and keeps the rest verbatim.
    return startInGroup('cmd.exe', ['/d', '/s', '/c', `"${command}"`], { ...options, windowsVerbatimArguments: true });
  }
  return startInGroup('/bin/sh', ['-c', command], options);
}

/**
 * Starts a program with piped output. On POSIX it leads its own process group, so one signal to
 * -pid reaches every grandchild (see killProcessTree).
 */
export function startInGroup(file: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  return spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, detached: process.platform !== 'win32' });
}

/** SIGTERM to the whole tree, then SIGKILL if anything is still there after the grace period. */
export class TreeTerminator {
  terminating = false;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(private readonly child: ChildProcess) {}

  isAlive(): boolean {
    return this.child.pid !== undefined && isProcessTreeAlive(this.child.pid);
  }

  terminate(): void {
    const pid = this.child.pid;
    if (this.terminating || pid === undefined) return;
    this.terminating = true;
    killProcessTree(pid, 'SIGTERM');
    this.graceTimer = setTimeout(() => {
      if (this.isAlive()) killProcessTree(pid, 'SIGKILL');
    }, KILL_GRACE_MS);
  }

  /** Drops the pending SIGKILL once nothing is left, so a reused process group id is never hit. */
  forgetIfGone(): void {
    if (!this.isAlive()) clearTimeout(this.graceTimer);
  }
}
