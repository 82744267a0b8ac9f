/**
 * What the team tests share: skipping (with the reason) only where no PostgreSQL can be had, the
 * standalone server as a child process, and its `token` commands.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { postgresUnavailable } from '../helpers/postgres';

export const SERVER = path.resolve('dist/server.js');

/** Skips the suite when no PostgreSQL can be had here; on CI that is a failure, never a skip. */
export function requirePostgres(context: Mocha.Context): void {
  const why = postgresUnavailable();
  if (!why) return;
  if (process.env.CI) throw new Error(`team tests must run on CI: ${why}`);
  console.log(`      (skipped: ${why})`);
  context.skip();
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/server.js ARGS` to its end. */
export function runServerCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SERVER, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export async function createToken(store: string, name: string, role: 'agent' | 'board' = 'agent'): Promise<string> {
  const run = await runServerCli(['token', 'create', '--name', name, '--role', role, '--store', store]);
  if (run.code !== 0) throw new Error(`token create failed (${run.code}): ${run.stderr}`);
  return run.stdout.trim();
}

export interface RunningServer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stderr: () => string;
  /** Resolves with the exit code or signal once the process is gone. */
  readonly exited: Promise<number | string>;
}

/** Starts `node dist/server.js --http ARGS` and resolves once it prints where it listens. */
export function startServer(args: readonly string[], entry: string = SERVER): Promise<RunningServer> {
  const child = spawn(process.execPath, [entry, '--http', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /Tasklane task server on (http:\/\/\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], stderr: () => stderr, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
}

/** Kills the server (SIGKILL unless told) and waits until it is gone. */
export async function stopServer(server: RunningServer | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill(signal);
  await server.exited;
}
