import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { setLongTimeout } from '../../../core/longTimer';
import { RpcCode, RpcError } from '../../rpcError';
import { defineTool, type ToolContext } from './toolDefinition';
import { KILL_GRACE_MS, TreeTerminator, startShell } from './processGroup';
import { MAX_STATUS_LENGTH, StatusThrottle } from './statusThrottle';

const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

const inputSchema = z.object({
  command: z.string().min(1).describe('The shell command line to run (/bin/sh -c on POSIX, cmd.exe /c on Windows).'),
  cwd: z.string().optional().describe('Working directory; a relative path resolves against the workspace default.'),
  env: z.record(z.string(), z.string()).optional().describe('Extra environment variables, added over the host environment.'),
  timeoutMs: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Time budget in ms; when the task also has one, the smaller wins. The whole process tree is killed when it runs out.'),
});
type RunCommandArgs = z.infer<typeof inputSchema>;

export interface CommandOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  truncated: boolean;
  timedOut: boolean;
}

export const runCommandTool = defineTool({
  name: 'run_command',
  title: 'Run command',
  description:
    'Runs a shell command on this machine, streaming its output, and returns its exit code, stdout and stderr. ' +
    'Cancelling or running out of time kills the command and everything it started.',
  inputSchema,
  annotations: {
    title: 'Run command',
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: true,
  },
  taskSupport: 'optional',
  runsCommands: true,
  run: runCommand,
});

function runCommand(args: RunCommandArgs, context: ToolContext): Promise<CallToolResult> {
  if (context.signal.aborted) return Promise.reject(toError(context.signal.reason));
  const cwd = path.resolve(context.defaultCwd, args.cwd ?? '.');
  const budgetMs = smaller(args.timeoutMs, context.limits.timeBudgetMs);
  const maxBytes = context.limits.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;

  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = startShell(args.command, { cwd, env: { ...process.env, ...args.env } });
    const stdout = new OutputTail(maxBytes);
    const stderr = new OutputTail(maxBytes);
    const status = new StatusThrottle((line) => context.status(line));
    // An explicit limit is a resource limit of the task: passing it stops the command. Without
    // one, only the kept tail is bounded and the command runs on.
    const outputLimit = context.limits.maxOutputBytes;
    let outputBytes = 0;
    let overLimit = false;
    const admit = (chunk: Buffer): boolean => {
      if (overLimit) return false;
      outputBytes += chunk.length;
      if (outputLimit === undefined || outputBytes <= outputLimit) return true;
      overLimit = true;
      tree.terminate();
      return false;
    };
    watchStream(child.stdout, stdout, context, status, admit);
    watchStream(child.stderr, stderr, context, status, admit);

    let settled = false;
    let timedOut = false;
    let stoppedLeftovers = false;
    const tree = new TreeTerminator(child);
    const budgetTimer =
      budgetMs === undefined
        ? undefined
        : setLongTimeout(() => {
            timedOut = true;
            tree.terminate();
          }, budgetMs);
    let drainTimer: NodeJS.Timeout | undefined;
    const onAbort = () => tree.terminate();
    context.signal.addEventListener('abort', onAbort, { once: true });

    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      budgetTimer?.clear();
      clearTimeout(drainTimer);
      context.signal.removeEventListener('abort', onAbort);
      tree.forgetIfGone();
      status.flush();
      return true;
    };

    child.on('error', (error) => {
      // Only a failed spawn lands here: we never call child.kill(), the other source of 'error'.
      if (!settle()) return;
      if (context.signal.aborted) return reject(toError(context.signal.reason));
      resolve({ content: [{ type: 'text', text: describeSpawnFailure(error, cwd) }], isError: true });
    });

    child.on('exit', () => {
      // Background jobs the command left running would become orphans of the host: stop them.
      if (tree.isAlive()) {
        stoppedLeftovers = !tree.terminating;
        tree.terminate();
      }
      // A process that got away unseen (left the group and cleared its environment between two reads) can hold the pipes open forever; stop waiting for it.
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, KILL_GRACE_MS + 500);
    });

    child.on('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (!settle()) return;
      if (overLimit) return reject(new OutputLimitError(outputLimit!));
      if (context.signal.aborted) return reject(toError(context.signal.reason));
      const outcome: CommandOutcome = {
        exitCode,
        signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        durationMs: Math.round(performance.now() - startedAt),
        truncated: stdout.truncated || stderr.truncated,
        timedOut,
      };
      const text = summarize(args.command, outcome, { budgetMs, maxBytes, stoppedLeftovers });
      resolve({ content: [{ type: 'text', text }], structuredContent: { ...outcome }, isError: exitCode !== 0 });
    });
  });
}

/** `admit` sees every chunk first; a chunk it refuses is neither kept nor shown. */
function watchStream(stream: Readable | null, tail: OutputTail, context: ToolContext, status: StatusThrottle, admit: (chunk: Buffer) => boolean): void {
  if (!stream) return;
  // One decoder per stream: a multi-byte character split across two chunks is held back, not mangled.
  const decoder = new StringDecoder('utf8');
  let partialLine = '';
  const emit = (text: string) => {
    if (!text) return;
    context.output(text);
    const lines = (partialLine + text).split(/\r\n|\r|\n/);
    partialLine = lines[lines.length - 1].slice(-MAX_STATUS_LENGTH);
    const line = lines.reverse().find((candidate) => candidate.trim() !== '');
    if (line !== undefined) status.offer(line.trim().slice(0, MAX_STATUS_LENGTH));
  };
  stream.on('data', (chunk: Buffer) => {
    if (!admit(chunk)) return;
    tail.add(chunk);
    emit(decoder.write(chunk));
  });
  stream.on('end', () => emit(decoder.end()));
}

/** Keeps the last `limit` bytes of a stream, so a chatty command cannot exhaust the host's memory. */
class OutputTail {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private dropped = false;

  constructor(private readonly limit: number) {}

  get truncated(): boolean {
    return this.dropped || this.bytes > this.limit;
  }

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.chunks.length > 1 && this.bytes - this.chunks[0].length >= this.limit) {
      this.bytes -= this.chunks.shift()!.length;
      this.dropped = true;
    }
  }

  text(): string {
    let buffer = Buffer.concat(this.chunks);
    if (buffer.length > this.limit) buffer = buffer.subarray(buffer.length - this.limit);
    if (this.truncated) {
      // The cut may land inside a character; drop its continuation bytes rather than show U+FFFD.
      let start = 0;
      while (start < 3 && start < buffer.length && (buffer[start] & 0xc0) === 0x80) start++;
      buffer = buffer.subarray(start);
    }
    return buffer.toString('utf8');
  }
}

interface SummaryFacts {
  budgetMs: number | undefined;
  maxBytes: number;
  stoppedLeftovers: boolean;
}

function summarize(command: string, outcome: CommandOutcome, facts: SummaryFacts): string {
  const lines = [`$ ${command}`, `${describeEnd(outcome, facts.budgetMs)} (${outcome.durationMs} ms)`];
  if (facts.stoppedLeftovers) lines.push('Background processes still running when the command exited were stopped.');
  if (outcome.truncated) lines.push(`Output truncated: only the last ${facts.maxBytes} bytes of each stream are kept.`);
  lines.push('', 'stdout:', outcome.stdout.trimEnd() || '(empty)');
  if (outcome.stderr.trim()) lines.push('', 'stderr:', outcome.stderr.trimEnd());
  return lines.join('\n');
}

function describeEnd(outcome: CommandOutcome, budgetMs: number | undefined): string {
  if (outcome.timedOut) return `timed out after ${budgetMs} ms`;
  if (outcome.signal) return `killed by ${outcome.signal}`;
  return `exit code ${outcome.exitCode}`;
}

function describeSpawnFailure(error: NodeJS.ErrnoException, cwd: string): string {
  // Node reports a missing cwd as ENOENT for the shell itself, which would point at the wrong culprit.
  if (!existsSync(cwd)) return `Cannot run the command: working directory ${cwd} does not exist.`;
  return `Cannot run the command in ${cwd}: ${error.message}`;
}

function smaller(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/**
 * The command printed more than the task's `maxOutputBytes`: it is stopped and the task fails
 * with this as its JSON-RPC error (on both wires; a tool result would be `completed` on the extension wire).
 */
export class OutputLimitError extends RpcError {
  constructor(readonly maxOutputBytes: number) {
    super(
      RpcCode.InternalError,
      `Output limit exceeded: the command printed more than ${maxOutputBytes} bytes (the task's maxOutputBytes), so it was stopped`,
      { maxOutputBytes },
    );
  }
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason ?? 'Cancelled'));
}
