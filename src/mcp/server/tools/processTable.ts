import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

/** One row of the process table: enough to follow the tree and to recognise a pid again. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** Session id; 0 where the source does not say. */
  readonly sid: number;
  /** Opaque, compared for equality only: a pid with another start time is another process. */
  readonly startTime: string;
  /** Exited but not yet reaped: nothing left to signal. */
  readonly zombie: boolean;
}

export type ProcessTable = ReadonlyMap<number, ProcessInfo>;

/** Where the process table comes from on this machine. */
export interface ProcessTableSource {
  /** Whether a read is cheap enough to repeat every few hundred ms while a task runs. */
  readonly cheap: boolean;
  read(): ProcessTable | undefined;
  /**
   * The pids among `table` whose environment holds `name=value`. Descendants inherit the
   * environment however they detach, so this finds a daemon that double-forked between two reads.
   * Empty where environments cannot be read.
   */
  withEnvironment(table: ProcessTable, name: string, value: string): number[];
}

/**
 * Parses `/proc/<pid>/stat`. The command name sits in parentheses and may itself hold spaces and
 * parentheses, so the fields are counted from the last `)`.
 */
export function parseProcStat(text: string): ProcessInfo | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // From field 3 (state) on; the start time is field 22, in clock ticks since boot.
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  if (!Number.isInteger(pid) || pid <= 0 || fields.length < 20) return undefined;
  const [state, ppid, pgid, sid] = fields;
  return { pid, ppid: Number(ppid), pgid: Number(pgid), sid: Number(sid), startTime: fields[19], zombie: state === 'Z' || state === 'X' };
}

/** Linux: every `/proc/<pid>/stat`, a few milliseconds for a few hundred processes. */
export class ProcFileSystem implements ProcessTableSource {
  readonly cheap = true;

  constructor(private readonly root = '/proc') {}

  read(): ProcessTable | undefined {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return undefined;
    }
    const table = new Map<number, ProcessInfo>();
    for (const name of names) {
      if (!/^\d+$/.test(name)) continue;
      // The process may have exited since the directory was listed.
      const info = parseProcStat(readOrEmpty(`${this.root}/${name}/stat`));
      if (info) table.set(info.pid, info);
    }
    return table;
  }

  withEnvironment(table: ProcessTable, name: string, value: string): number[] {
    // Entries are NUL-terminated `name=value` pairs: the wanted one is first or follows a NUL.
    const first = Buffer.from(`${name}=${value}\0`);
    const later = Buffer.from(`\0${name}=${value}\0`);
    const matches: number[] = [];
    for (const info of table.values()) {
      if (info.zombie) continue;
      // Another user's environment is not readable (EACCES), and nothing we start runs as another user.
      const environment = readBufferOrEmpty(`${this.root}/${info.pid}/environ`);
      if (environment.subarray(0, first.length).equals(first) || environment.includes(later)) matches.push(info.pid);
    }
    return matches;
  }
}

/**
 * Other POSIX systems (macOS, the BSDs) have no /proc: `ps` lists the tree, at the cost of a
 * process start, so it is read only when the tree is about to be signalled, never on a timer.
 */
export class PsCommand implements ProcessTableSource {
  readonly cheap = false;

  read(): ProcessTable | undefined {
    let output: string;
    try {
      output = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat=,lstart='], { encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return undefined;
    }
    const table = new Map<number, ProcessInfo>();
    for (const line of output.split('\n')) {
      const info = parsePsLine(line);
      if (info) table.set(info.pid, info);
    }
    return table;
  }

  withEnvironment(): number[] {
    return [];
  }
}

/** Parses a line of `ps -A -o pid=,ppid=,pgid=,stat=,lstart=`; the start time is the rest of the line. */
export function parsePsLine(line: string): ProcessInfo | undefined {
  const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.+?)\s*$/.exec(line);
  if (!match) return undefined;
  const [, pid, ppid, pgid, stat, startTime] = match;
  return { pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), sid: 0, startTime, zombie: stat.startsWith('Z') };
}

/** The process table of a POSIX platform: /proc where there is one, else `ps`. */
export function processTableFor(platform: NodeJS.Platform): ProcessTableSource | undefined {
  if (platform === 'win32') return undefined;
  return platform === 'linux' && existsSync('/proc/self/stat') ? new ProcFileSystem() : new PsCommand();
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function readBufferOrEmpty(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}
