/**
 * Real file-system faults for the store: a small tmpfs that really fills up (ENOSPC) and that can
 * be remounted read-only (EROFS). Mounting needs root with CAP_SYS_ADMIN; where that is refused,
 * `mountTmpfs` says so and the caller falls back to a weaker but still real fault.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface ScratchMount {
  readonly dir: string;
  remount(mode: 'ro' | 'rw'): void;
  unmount(): void;
}

export function mountTmpfs(sizeKb: number): ScratchMount | { readonly refused: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-mnt-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { refused: String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim() };
  }
  return {
    dir,
    remount: (mode) => execFileSync('mount', ['-o', `remount,${mode}`, dir], { stdio: 'pipe' }),
    unmount: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes into `file` until the file system refuses with ENOSPC; returns the bytes written. */
export function fillDisk(file: string): number {
  const fd = fs.openSync(file, 'w');
  let total = 0;
  try {
    for (let size = 64 * 1024; size >= 1;) {
      try {
        total += fs.writeSync(fd, Buffer.alloc(size, 120));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        size = Math.floor(size / 2);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return total;
}
