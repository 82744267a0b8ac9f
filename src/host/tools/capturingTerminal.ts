import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import * as vscode from 'vscode';
import { KILL_GRACE_MS, TreeTerminator, startInGroup, startShell } from '../../mcp/server/tools/processGroup';
import type { CapturePlan } from './capturePlan';

export interface ProcessEnd {
  /** Undefined when the process was killed by a signal or never started. */
  readonly exitCode: number | undefined;
  readonly signal?: NodeJS.Signals;
  /** Why the process could not be started. */
  readonly startError?: string;
}

/**
 * The terminal of a task whose process Tasklane starts itself: the output goes to the Terminal
 * panel as usual and to `onOutput`. Closing the terminal (or terminating the task) ends the
 * whole process tree.
 */
export class CapturingTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;

  /** Settles once the process has ended and its output is read (or it could not start). */
  readonly ended: Promise<ProcessEnd>;
  private resolveEnded!: (end: ProcessEnd) => void;
  private child: ChildProcess | undefined;
  private tree: TreeTerminator | undefined;
  private closedBeforeOpen = false;
  private finished = false;

  constructor(
    private readonly plan: CapturePlan,
    private readonly onOutput: (text: string) => void,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  open(): void {
    if (this.closedBeforeOpen) return this.finish({ exitCode: undefined, startError: 'the task was stopped before it started' });
    const { plan } = this;
    const options = { cwd: plan.cwd, env: plan.env };
    const child =
      plan.kind === 'process'
        ? startInGroup(plan.file, plan.args, options)
        : plan.shell
          ? startInGroup(plan.shell.executable, [...plan.shell.args, plan.commandLine], options)
          : startShell(plan.commandLine, options);
    this.child = child;
    this.tree = new TreeTerminator(child);
    this.pipe(child.stdout);
    this.pipe(child.stderr);
    child.on('error', (error) => {
      // Only a failed spawn lands here: we never call child.kill(), the other source of 'error'.
      const startError = existsSync(plan.cwd) ? error.message : `working directory ${plan.cwd} does not exist`;
      this.write(`${startError}\n`);
      this.finish({ exitCode: undefined, startError });
    });
    child.on('exit', () => {
      // Background jobs the task left behind would outlive it unseen; stop them, as run_command does.
      if (this.tree?.isAlive()) this.tree.terminate();
      // A process that got away unseen (left the group and cleared its environment between two reads) can hold the pipes open forever; stop waiting for it.
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, KILL_GRACE_MS + 500).unref();
    });
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      this.tree?.forgetIfGone();
      this.finish({ exitCode: code ?? undefined, signal: signal ?? undefined });
    });
  }

  /** Called by VS Code when the terminal is closed or the task terminated; also by the tool on cancel. */
  close(): void {
    if (!this.child) this.closedBeforeOpen = true;
    this.tree?.terminate();
  }

  private pipe(stream: NodeJS.ReadableStream | null): void {
    if (!stream) return;
    // One decoder per stream: a multi-byte character split across two chunks is held back, not mangled.
    const decoder = new StringDecoder('utf8');
    stream.on('data', (chunk: Buffer) => this.write(decoder.write(chunk)));
    stream.on('end', () => this.write(decoder.end()));
  }

  private write(text: string): void {
    if (!text) return;
    this.onOutput(text);
    // A terminal needs carriage returns: a bare \n only moves down a line.
    this.writeEmitter.fire(text.replace(/\r?\n/g, '\r\n'));
  }

  private finish(end: ProcessEnd): void {
    // A failed spawn reports 'error' and then 'close': the first word is the one that counts.
    if (this.finished) return;
    this.finished = true;
    this.resolveEnded(end);
    this.closeEmitter.fire(end.exitCode ?? 1);
  }

  dispose(): void {
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}
