import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { Event } from '../core/events';
import type { TaskTally } from './taskCounts';

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
    private readonly tally: TaskTally,
    onDidChangeCounts: Event<void>,
  ) {
    super();
    this._register(onDidChangeCounts(() => this.update()));
    this.update();
  }

  set(key: string, value: boolean): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  update(): void {
    const values = this.tally.contextKeys;
    this.set(CONTEXT_KEYS.hasTasks, values.hasTasks);
    this.set(CONTEXT_KEYS.hasRunning, values.hasRunning);
    this.set(CONTEXT_KEYS.hasRetryable, values.hasRetryable);
    this.set(CONTEXT_KEYS.hasFailed, values.hasFailed);
    this.set(CONTEXT_KEYS.hasFinished, values.hasFinished);
    this.set(CONTEXT_KEYS.hasCompleted, values.hasCompleted);
    this.set(CONTEXT_KEYS.hasInputRequired, values.hasInputRequired);
  }
}
