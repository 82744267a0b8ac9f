import type { EngineTask, OwnTasks } from './engineTask';
import type { TaskOutputs } from './taskOutputs';
import type { TaskTable } from './taskTable';

/** The engine's owner-scoped reads that a tool's view of its caller's tasks is made of. */
export interface OwnedReads {
  peekOwned(owner: string, taskId: string): EngineTask | undefined;
  waitForTerminal(owner: string, taskId: string, signal?: AbortSignal): Promise<EngineTask>;
}

/**
 * The owner's tasks as a tool that reads them sees them (`wait_for_tasks`, `tail_task`): scoped to
 * `owner`, like every wire's lookup, so another owner's task is "not found"; output is read from
 * the engine's `TaskOutputs` through cursors signed for this owner and task.
 */
export function ownTasksOf(owner: string, reads: OwnedReads, table: TaskTable, outputs: TaskOutputs): OwnTasks {
  return {
    get: (taskId) => reads.peekOwned(owner, taskId),
    waitForTerminal: (taskId, signal) => reads.waitForTerminal(owner, taskId, signal),
    readOutput: (taskId, cursor) => {
      table.requireOwned(owner, taskId);
      return outputs.read(owner, taskId, cursor);
    },
  };
}
