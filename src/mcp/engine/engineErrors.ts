/**
 * What the engine throws. Each wire maps these to its own JSON-RPC errors (src/mcp/rpcError.ts
 * holds the shared ones), so the engine stays free of any wire's vocabulary.
 */
import type { TaskStatus } from '../../core/taskStatus';

export class TaskNotFoundError extends Error {
  override readonly name = 'TaskNotFoundError';
  constructor(readonly taskId: string) {
    super(`Task not found: ${taskId}`);
  }
}

export class TaskTerminalError extends Error {
  override readonly name = 'TaskTerminalError';
  constructor(
    readonly taskId: string,
    readonly status: TaskStatus,
  ) {
    super(`Task ${taskId} is already ${status} and cannot be cancelled`);
  }
}

export class TimeBudgetError extends Error {
  override readonly name = 'TimeBudgetError';
  constructor(readonly budgetMs: number) {
    super(`Ran out of its time budget of ${budgetMs} ms`);
  }
}

export class TaskCancelledError extends Error {
  override readonly name = 'TaskCancelledError';
  constructor() {
    super('Task was cancelled');
  }
}

export class InvalidTaskCursorError extends Error {
  override readonly name = 'InvalidTaskCursorError';
  constructor() {
    super('Invalid cursor');
  }
}
