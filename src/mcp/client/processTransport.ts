import type { ChildProcess } from 'node:child_process';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../core/logger';
import { PermanentConnectError, errorMessage } from './connectionErrors';
import type { StdioLaunch } from './serverConfig';
import { type StdioPlatform, hostStdioPlatform, spawnPlan, stopProcessTree } from './stdioSpawn';

export interface ProcessTransportOptions {
  /** The operating system to start and stop the server on (tests pass a fake one). */
  readonly platform?: StdioPlatform;
  /** How long the server may take to exit once its stdin is closed, and once it was told to stop (ms). */
  readonly graceMs?: number;
}

/**
 * A stdio client transport that keeps what the SDK's drops: the exit code and signal, the
 * server's stderr (to the log), and the whole environment (an extension host's `process.execPath`
 * needs `ELECTRON_RUN_AS_NODE` to act as Node). How the command is started and stopped on each
 * operating system (cmd.exe for `npx` and `.cmd` files on Windows) is stdioSpawn.ts's.
 */
export class ProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  onExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private child: ChildProcess | undefined;
  private readonly buffer = new ReadBuffer();
  private stderrLines: string[] = [];
  private stderrPartial = '';
  private exited: Promise<void> | undefined;
  private readonly platform: StdioPlatform;
  private readonly graceMs: number;

  constructor(
    private readonly launch: StdioLaunch,
    private readonly baseEnv: Readonly<Record<string, string | undefined>>,
    private readonly log: Logger,
    options: ProcessTransportOptions = {},
  ) {
    this.platform = options.platform ?? hostStdioPlatform;
    this.graceMs = options.graceMs ?? 2_000;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last lines the server wrote to stderr (why it would not start, usually). */
  get stderrTail(): string {
    return [...this.stderrLines, this.stderrPartial].filter(Boolean).slice(-5).join(' | ');
  }

  start(): Promise<void> {
    if (this.child) throw new Error('ProcessTransport already started');
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.baseEnv)) if (value !== undefined) env[key] = value;
    Object.assign(env, this.launch.env);
    let plan: ReturnType<typeof spawnPlan>;
    try {
      plan = spawnPlan(this.launch.command, this.launch.args, this.platform);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return new Promise((resolve, reject) => {
      const child = this.platform.spawn(plan.file, plan.args, {
        cwd: this.launch.cwd,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
        windowsVerbatimArguments: plan.windowsVerbatimArguments,
      });
      this.child = child;
      this.exited = new Promise((done) => child.once('close', () => done()));
      child.once('error', (error: NodeJS.ErrnoException) => {
        const message =
          error.code === 'ENOENT'
            ? `Could not start "${this.launch.command}": not found (check the command and PATH${this.launch.cwd ? ` and the folder ${this.launch.cwd}` : ''})`
            : `Could not start "${this.launch.command}": ${error.message}`;
        reject(error.code === 'ENOENT' || error.code === 'EACCES' ? new PermanentConnectError(message) : new Error(message));
        this.onerror?.(new Error(message));
      });
      child.once('spawn', () => resolve());
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
      });
      child.once('close', (code, signal) => {
        this.exitInfo ??= { code, signal };
        this.log.info(`process ${child.pid ?? '?'} exited (${code !== null ? `code ${code}` : `signal ${signal}`})`);
        this.onExit?.(this.exitInfo.code, this.exitInfo.signal);
        this.onclose?.();
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        this.buffer.append(chunk);
        for (;;) {
          let message: JSONRPCMessage | null;
          try {
            message = this.buffer.readMessage();
          } catch (error) {
            this.log.warn(`not a JSON-RPC message on stdout: ${errorMessage(error)}`);
            continue;
          }
          if (!message) break;
          this.onmessage?.(message);
        }
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (text: string) => {
        const lines = (this.stderrPartial + text).split(/\r?\n/);
        this.stderrPartial = lines.pop() ?? '';
        for (const line of lines) {
          if (!line) continue;
          this.log.info(`[stderr] ${line}`);
          this.stderrLines.push(line);
          if (this.stderrLines.length > 20) this.stderrLines.shift();
        }
      });
      child.stdin?.on('error', (error) => this.onerror?.(error));
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || this.exitInfo) return reject(new Error('The server process is not running'));
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** Closes stdin, then stops the process (SIGTERM; on Windows its whole tree), then insists (SIGKILL). */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || !this.exited) return;
    if (this.exitInfo) return this.exited;
    const wait = (ms: number) => Promise.race([this.exited!, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);
    try {
      child.stdin?.end();
    } catch {
      // already closed
    }
    await wait(this.graceMs);
    if (!this.exitInfo) stopProcessTree(child, this.platform);
    await wait(this.graceMs);
    if (!this.exitInfo) child.kill('SIGKILL');
    await wait(this.graceMs / 2);
    this.buffer.clear();
  }
}
