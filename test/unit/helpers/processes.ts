import * as fs from 'node:fs';

/**
 * Whether `pid` still runs. A killed grandchild is reparented to init, and reaping it is init's job,
 * not ours: some container inits reap only every second or two, so a zombie counts as gone.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** The pid a command wrote to `file`, once it is there. */
export function readPid(file: string): number | undefined {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
