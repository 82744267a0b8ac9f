/**
 * CPU time of other processes, from /proc (Linux only; elsewhere every reading is undefined): what
 * a server child process or a whole PostgreSQL cluster (its postmaster and the backends it forked)
 * spent, so a bench can say where a task's CPU goes. A process that exits between two readings
 * takes its time with it: readings are for long-lived processes.
 */
import * as fs from 'node:fs';

const TICK_MS = 10;

/** user + system ms of `pid`, or undefined when /proc cannot say. */
export function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after "(comm) ": state is [0], utime [11], stime [12].
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/** The pid of the postmaster started with `-p PORT`, or undefined. */
export function postmasterOn(port: number): number | undefined {
  for (const pid of processIds()) {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv.some((arg) => arg.endsWith('/postgres') || arg === 'postgres') && argv.join(' ').includes(`-p ${port}`)) return pid;
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

/** CPU ms of the postmaster `pid` and every process it forked (backends, writers), or undefined. */
export function clusterCpuMs(postmaster: number | undefined): number | undefined {
  if (postmaster === undefined) return undefined;
  let total = cpuMsOf(postmaster);
  if (total === undefined) return undefined;
  for (const pid of processIds()) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (Number(fields[1]) === postmaster) total += (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

function processIds(): number[] {
  try {
    return fs
      .readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}
