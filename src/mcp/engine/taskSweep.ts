import { TaskCancelledError } from './engineErrors';
import type { EngineTask } from './engineTask';
import type { IdempotencyKeys } from './idempotencyKeys';
import type { LiveTask } from './liveTask';
import type { Scheduler } from './scheduler';
import type { TaskOutputs } from './taskOutputs';
import type { TaskRetention } from './taskRetention';
import type { TaskTable } from './taskTable';
import type { TaskWaiters } from './taskWaiters';

/** What the sweep reads and changes: the engine's own parts, and its two ways to change a task. */
export interface SweptEngine {
  readonly table: TaskTable;
  readonly retention: TaskRetention;
  readonly outputs: TaskOutputs;
  readonly keys: IdempotencyKeys;
  readonly scheduler: Scheduler;
  readonly waiters: TaskWaiters;
  /** Ends unfinished work `failed`, with a tool error result that says why. */
  fail(task: LiveTask, message: string): void;
  /** Changes a task's snapshot and reports the change. */
  update(task: LiveTask, change: Partial<EngineTask>): void;
}

/**
 * The engine's once-a-second pass over its tasks (retention's rules are in taskRetention.ts):
 * unfinished work is kept alive, and a finished task whose retention ran out is removed with
 * everything kept for it (output, idempotency key, scheduler entry), waking whoever waits on it.
 */
export class TaskSweep {
  constructor(private readonly engine: SweptEngine) {}

  /** Keeps unfinished work alive and removes expired tasks (they then answer "not found"); returns how many were removed. */
  run(): number {
    const { table, retention, outputs, keys, scheduler, waiters } = this.engine;
    let removed = 0;
    for (const task of [...table.entries()]) {
      const id = task.snapshot.taskId;
      // A mirror's TTL is kept by the instance that runs its work.
      if (!task.isTerminal) {
        if (!task.runsElsewhere) this.keepAlive(task);
      } else if (retention.isExpired(task.snapshot)) {
        task.stop(new TaskCancelledError());
        table.delete(id);
        outputs.forget(id);
        keys.release(id);
        scheduler.ended(id, task.snapshot.status === 'completed');
        waiters.wake(id);
        removed++;
      }
    }
    return removed;
  }

  /** Unfinished work never expires: its TTL moves on. Only the engine's ceiling, if it has one, ends it: failed, saying why. */
  private keepAlive(task: LiveTask): void {
    const overrun = this.engine.retention.overrun(task.snapshot);
    if (overrun !== undefined) {
      this.engine.fail(task, overrun);
      task.stop(new TaskCancelledError());
      return;
    }
    const ttl = this.engine.retention.extendedTtl(task.snapshot, task.retention);
    if (ttl !== undefined) this.engine.update(task, { ttl });
  }
}
