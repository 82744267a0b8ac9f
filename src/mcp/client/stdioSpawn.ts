/**
 * How a stdio server is started and stopped on this operating system.
 *
 * On Windows only `.exe` and `.com` files can be started directly. `npx`, `foo.cmd`, `foo.bat` are
 * batch files, or found on PATH through PATHEXT, which only cmd.exe does; and since CVE-2024-27980
 * Node refuses to spawn a batch file without a shell. Those commands run as
 * `cmd.exe /d /s /c "<line>"`, with each part of the line quoted so that cmd.exe and then the
 * program's own argument parser give back exactly the configured arguments (`quoteForCmd`).
 * A server started that way is cmd.exe's child, and may start children of its own: stopping it
 * kills the whole tree (`taskkill /T /F`), since killing cmd.exe alone would leave the server running.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { type HelperHost, startHelper, taskkillTree } from '../helperProcess';
import { PermanentConnectError } from './connectionErrors';

/** What starting and stopping a stdio server needs from the operating system; tests pass a fake one. */
export interface StdioPlatform extends HelperHost {
  /** cmd.exe (`%ComSpec%`), for commands only it can start (Windows). */
  readonly comspec: string;
  spawn(file: string, args: readonly string[], options: SpawnOptions): ChildProcess;
}

export const hostStdioPlatform: StdioPlatform = {
  os: process.platform,
  comspec: process.env.ComSpec ?? 'cmd.exe',
  spawn: (file, args, options) => spawn(file, [...args], options),
  startHelper,
};

/** What to spawn for a configured command and arguments. */
export interface SpawnPlan {
  readonly file: string;
  readonly args: readonly string[];
  /** The arguments are already quoted for the program (cmd.exe): Node must pass them as they are. */
  readonly windowsVerbatimArguments: boolean;
}

/** Windows runs these directly; anything else goes through cmd.exe. */
const DIRECTLY_RUNNABLE = /\.(exe|com)$/i;

export function spawnPlan(command: string, args: readonly string[], platform: Pick<StdioPlatform, 'os' | 'comspec'>): SpawnPlan {
  if (platform.os !== 'win32' || DIRECTLY_RUNNABLE.test(command)) return { file: command, args, windowsVerbatimArguments: false };
  for (const part of [command, ...args]) {
    if (/[\r\n]/.test(part))
      throw new PermanentConnectError(`Cannot start "${command}" through cmd.exe: an argument contains a line break, which cmd.exe cannot pass on`);
  }
  // /d: no AutoRun commands from the registry; /s /c: strip only the outer quotes, run the rest as written.
  const line = [quoteCommandForCmd(command), ...args.map(quoteForCmd)].join(' ');
  return { file: platform.comspec, args: ['/d', '/s', '/c', `"${line}"`], windowsVerbatimArguments: true };
}

/**
 * Stops a server's process tree at once: on Windows with `taskkill /T /F` (the server may be
 * cmd.exe's child, and console programs have no gentler signal to receive); elsewhere the process
 * gets SIGTERM (its children are its own to stop).
 */
export function stopProcessTree(child: Pick<ChildProcess, 'pid' | 'kill'>, platform: Pick<StdioPlatform, 'os' | 'startHelper'>): void {
  if (platform.os === 'win32' && child.pid !== undefined) {
    taskkillTree(child.pid, platform);
    return;
  }
  child.kill('SIGTERM');
}

/** Characters cmd.exe acts on outside quotes; a caret before one makes it plain text. */
const CMD_SPECIAL = /[()[\]%!^"`<>&|;, *?]/g;

/**
 * One argument on a cmd.exe line, so that the program receives it unchanged: first quoted by the
 * rules Windows programs parse their command line with (backslashes are literal except before a
 * quote), then every character cmd.exe would act on, the quotes included, escaped with a caret, so
 * cmd.exe passes the quoted argument on as written. An argument for a batch file that forwards it
 * (`%*`) is parsed by cmd.exe once more: one with both a quote and `&`, `|`, `<` or `>` in it can
 * still be split there.
 */
export function quoteForCmd(arg: string): string {
  return quoteForArgv(arg).replace(CMD_SPECIAL, '^$&');
}

/** The program's name, in plain quotes: a path cannot contain a quote, and inside quotes spaces and `&` are text. */
function quoteCommandForCmd(command: string): string {
  return `"${command}"`;
}

/** Quotes an argument as the Microsoft C runtime (and CommandLineToArgvW) parse it back. */
export function quoteForArgv(arg: string): string {
  let quoted = '"';
  let backslashes = 0;
  for (const char of arg) {
    if (char === '\\') {
      backslashes++;
      continue;
    }
    // Backslashes before a quote are escapes: double them, and escape the quote itself.
    quoted += char === '"' ? '\\'.repeat(backslashes * 2 + 1) + '"' : '\\'.repeat(backslashes) + char;
    backslashes = 0;
  }
  // Backslashes before the closing quote would escape it: double them.
  return `${quoted}${'\\'.repeat(backslashes * 2)}"`;
}
