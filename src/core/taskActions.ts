import type { TaskRecord, TaskSpecInput } from './taskRecord';
import type { WireLog } from './wireLog';

/** An answer to a question a task asked (the shape of an elicitation result). */
export interface InputAnswer {
  readonly action: 'accept' | 'decline' | 'cancel';
  readonly content?: Record<string, string | number | boolean | string[]>;
}

export interface StartOptions {
  /** The schedule this start is a run of: the record keeps it as `scheduleId`. */
  readonly scheduleId?: string;
}

export interface RetryOptions {
  /** Replaces the arguments of the failed attempt. */
  readonly arguments?: Record<string, unknown>;
}

/**
 * What a person can do to tasks. Views and commands act only through this (reading goes through
 * the store); the host implements it over the MCP client and the embedded server. Every method
 * leaves the store consistent and reports failures as errors with plain messages.
 */
export interface TaskActions {
  start(spec: TaskSpecInput, options?: StartOptions): Promise<TaskRecord>;
  /** Cancels the task on its server; the editor may cancel any agent's task on its own embedded server. */
  cancel(id: string): Promise<TaskRecord>;
  /** Starts a new attempt linked to `id` (retryOf / retriedAs); the old record is kept. */
  retry(id: string, options?: RetryOptions): Promise<TaskRecord>;
  /** The same tool with the same arguments as a new task of its own (not an attempt of the old one). */
  runAgain(id: string): Promise<TaskRecord>;
  answerInput(id: string, key: string, answer: InputAnswer): void;
  /** Fetches the outcome of a listed team task that had finished before it was listed (`lacksListedOutcome`); otherwise nothing. */
  fetchOutcome(id: string): void;
  /** Reorders the embedded server's queue (see `canChangePriority`). */
  setPriority(id: string, priority: number): TaskRecord;
  archive(id: string): TaskRecord;
  unarchive(id: string): TaskRecord;
  setPinned(id: string, pinned: boolean): TaskRecord;
  /** Deletes finished tasks and their results; returns how many went. */
  delete(ids: Iterable<string>): number;
  /**
   * Adds validated copies from an export, all or nothing; they are read-only and never re-attached.
   * `wireLogs` (from `parseExportWireLogs`, by exported id) are kept with the copies.
   */
  importRecords(records: readonly unknown[], wireLogs?: Readonly<Record<string, WireLog>>): TaskRecord[];
  /** Marks tasks whose time to live has passed as expired; returns their ids. */
  sweepExpired(): string[];
}
