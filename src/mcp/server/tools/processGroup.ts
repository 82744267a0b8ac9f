import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { DescendantTracker } from './descendantTracker';
import { hostPlatform, isProcessGroupAlive, killProcessTree, type ProcessPlatform } from './processTree';

/** Time a process tree gets to exit after SIGTERM before it is sent SIGKILL. */
export const KILL_GRACE_MS = 2_000;

/**
 * Set to a fresh id in the environment of each started program. Its descendants inherit it however
 * they detach, so the tree can be found by it even after a daemon's parent has exited.
 */
export const TREE_MARKER_VARIABLE = 'TASKLANE_PROCESS_TREE';

type GroupSpawnOptions = Pick<SpawnOptions, 'cwd' | 'env'>;

/** The marker each started program got, for its TreeTerminator. */
const treeMarkers = new WeakMap<ChildProcess, string>();

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
 * -pid reaches every grandchild that stays in it (see killProcessTree), and it carries the tree
 * marker for those that leave.
 */
export function startInGroup(file: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const isWindows = process.platform === 'win32';
  const marker = randomUUID();
  const env = isWindows ? options.env : { ...(options.env ?? process.env), [TREE_MARKER_VARIABLE]: marker };
  const child = spawn(file, args, { ...options, env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, detached: !isWindows });
  if (!isWindows) treeMarkers.set(child, marker);
  return child;
}

/**
 * SIGTERM to the whole tree, then SIGKILL if anything is still there after the grace period.
 * The tree is the process group plus every descendant tracked while it ran, including ones that
 * left the group (setsid) and were reparented away.
 */
export class TreeTerminator {
  terminating = false;
  private graceTimer: NodeJS.Timeout | undefined;
  private readonly tracker: DescendantTracker | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly platform: ProcessPlatform = hostPlatform,
  ) {
    const marker = treeMarkers.get(child);
    if (child.pid !== undefined && platform.processTable) {
      this.tracker = new DescendantTracker(child.pid, platform.processTable, {
        marker: marker === undefined ? undefined : { name: TREE_MARKER_VARIABLE, value: marker },
        feed: platform.tableFeed,
      });
    }
  }

  isAlive(): boolean {
    const pid = this.child.pid;
    if (pid === undefined) return false;
    return isProcessGroupAlive(pid, this.platform) || (this.tracker?.liveMembers().length ?? 0) > 0;
  }

  terminate(): void {
    const pid = this.child.pid;
    if (this.terminating || pid === undefined) return;
    this.terminating = true;
    this.signalTree(pid, 'SIGTERM');
    this.graceTimer = setTimeout(() => {
      if (this.isAlive()) this.signalTree(pid, 'SIGKILL');
      this.tracker?.stop();
    }, KILL_GRACE_MS);
  }

  /** Drops the pending SIGKILL once nothing is left, so a reused process group id is never hit. */
  forgetIfGone(): void {
    if (this.isAlive()) return;
    clearTimeout(this.graceTimer);
    this.tracker?.stop();
  }

  private signalTree(pid: number, signal: NodeJS.Signals): void {
    // Read right before signalling: a tracked pid is signalled only while it still has its start time.
    killProcessTree(pid, signal, this.tracker?.liveMembers() ?? [], this.platform);
  }
}
