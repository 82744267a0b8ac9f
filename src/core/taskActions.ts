import type { TaskRecord, TaskSpecInput } from './taskRecord';

/** An answer to a question a task asked (the shape of an elicitation result). */
export interface InputAnswer {
  readonly action: 'accept' | 'decline' | 'cancel';
  readonly content?: Record<string, string | number | boolean | string[]>;
}

export interface RetryOptions {
  /** Replaces the arguments of the failed attempt. */
  readonly arguments?: Record<string, unknown>;
}

/**
 * What the user can do to tasks. The UI acts only through this; the MCP layer implements it.
 * Every method leaves the store consistent and reports failures as errors with plain messages.
 */
export interface TaskActions {
  start(spec: TaskSpecInput): Promise<TaskRecord>;
  cancel(id: string): Promise<TaskRecord>;
  /** Starts a new attempt linked to `id` (retryOf / retriedAs); the old record is kept. */
  retry(id: string, options?: RetryOptions): Promise<TaskRecord>;
  answerInput(id: string, key: string, answer: InputAnswer): void;
}
