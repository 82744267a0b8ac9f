/**
 * Helper programs both sides start and forget: today only `taskkill`, which the client uses to stop
 * a stdio server's tree and the built-in tools use to cancel a command's tree on Windows.
 */
import { spawn } from 'node:child_process';

/** What starting a helper needs from the operating system; tests pass a fake one. */
export interface HelperHost {
  readonly os: NodeJS.Platform;
  /** Starts a helper program and forgets it. */
  startHelper(file: string, args: readonly string[]): void;
}

export function startHelper(file: string, args: readonly string[]): void {
  const helper = spawn(file, [...args], { stdio: 'ignore', windowsHide: true });
  // The tree may already be gone; the helper failing to start or to find it changes nothing.
  helper.on('error', () => undefined);
}

/**
 * Windows: ends `pid` and everything it started, walking the tree by parent. Always forceful, since
 * console programs have no gentler signal to receive.
 */
export function taskkillTree(pid: number, host: Pick<HelperHost, 'startHelper'>): void {
  host.startHelper('taskkill', ['/pid', String(pid), '/T', '/F']);
}
