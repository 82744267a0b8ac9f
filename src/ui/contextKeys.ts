import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { TaskChanges } from '../core/lifecycleEvents';
import type { TaskStore } from '../core/taskStore';
import { canRetry } from '../core/taskStatus';

/** The `when`-clause keys that decide which commands the palette offers. */
export const CONTEXT_KEYS = {
  hasTasks: 'tasklane.hasTasks',
  hasRunning: 'tasklane.hasRunning',
  hasRetryable: 'tasklane.hasRetryable',
  hasFailed: 'tasklane.hasFailed',
  hasFinished: 'tasklane.hasFinished',
  hasCompleted: 'tasklane.hasCompleted',
  hasInputRequired: 'tasklane.hasInputRequired',
  filtered: 'tasklane.filtered',
} as const;

export class ContextKeys extends Disposable {
  private readonly values = new Map<string, boolean>();

  constructor(
    private readonly store: TaskStore,
    onDidChangeTasks: (listener: (e: TaskChanges) => unknown) => vscode.Disposable,
  ) {
    super();
    this._register(onDidChangeTasks(() => this.update()));
    this.update();
  }

  set(key: string, value: boolean): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  update(): void {
    let running = false;
    let retryable = false;
    let failed = false;
    let finished = false;
    let completed = false;
    let input = false;
    let any = false;
    for (const record of this.store.all()) {
      if (record.archived) continue;
      any = true;
      if (record.status === 'working' || record.status === 'input_required') running = true;
      if (canRetry(record.status) && !record.retriedAs) retryable = true;
      if (record.status === 'failed' && !record.retriedAs) failed = true;
      if (record.status === 'completed') completed = true;
      if (record.status === 'completed' || record.status === 'failed' || record.status === 'cancelled') finished = true;
      if (record.pendingInput.length > 0) input = true;
    }
    this.set(CONTEXT_KEYS.hasTasks, any);
    this.set(CONTEXT_KEYS.hasRunning, running);
    this.set(CONTEXT_KEYS.hasRetryable, retryable);
    this.set(CONTEXT_KEYS.hasFailed, failed);
    this.set(CONTEXT_KEYS.hasFinished, finished);
    this.set(CONTEXT_KEYS.hasCompleted, completed);
    this.set(CONTEXT_KEYS.hasInputRequired, input);
  }
}
