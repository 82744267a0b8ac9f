/**
 * A log the team tests' `run_command` tasks append to, so a test reads from outside the servers
 * which task ran, in what order and on which instance: each command logs its start with its
 * server's pid (the shell's parent) and its end. A blocker runs until the test releases it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitFor } from '../helpers/waitFor';
import type { RunningServer } from './teamHelpers';

export class CommandLog {
  readonly file: string;
  /** Created by `release()`: every blocker of this log ends. */
  private readonly releaseFile: string;

  /** A new log in `dir` (one per test, so tests never read each other's lines). */
  constructor(dir: string) {
    this.file = path.join(dir, `${Math.random().toString(36).slice(2)}.log`);
    this.releaseFile = `${this.file}.release`;
  }

  lines(): string[] {
    return fs.existsSync(this.file) ? fs.readFileSync(this.file, 'utf8').trim().split('\n') : [];
  }

  /** Whether `name` has started. */
  started(name: string): boolean {
    return this.lines().some((line) => line.startsWith(`start ${name} `));
  }

  /** A command that logs its start (with its server's pid), runs `body`, then logs its end. */
  logged(name: string, body: string): string {
    return `echo "start ${name} $PPID" >> '${this.file}'; ${body}; echo "end ${name}" >> '${this.file}'`;
  }

  /** A logged command that runs until `release()`. */
  blocker(name: string): string {
    return this.logged(name, `while [ ! -f '${this.releaseFile}' ]; do sleep 0.05; done`);
  }

  release(): void {
    fs.writeFileSync(this.releaseFile, '');
  }

  /** The index in `servers` of the one whose process started `name`; undefined before it started, -1 for another process. */
  startedOn(name: string, servers: readonly RunningServer[]): number | undefined {
    const line = this.lines().find((each) => each.startsWith(`start ${name} `));
    return line ? servers.findIndex((server) => server.child.pid === Number(line.split(' ')[2])) : undefined;
  }

  /** Waits until `name` has started, and returns the index in `servers` of the one running it (-1: another process). */
  async runnerOf(name: string, servers: readonly RunningServer[]): Promise<number> {
    // Wrapped: the index of the first server is 0, which waitFor would take for "not yet".
    const { index } = await waitFor(
      () => {
        const started = this.startedOn(name, servers);
        return started === undefined ? undefined : { index: started };
      },
      { what: `${name} running` },
    );
    return index;
  }
}
