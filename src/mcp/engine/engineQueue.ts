import type { EngineTask } from './engineTask';
import type { LiveTask } from './liveTask';
import { PlainCallSlots } from './plainCallSlots';
import { describePlace, prerequisiteFailedMessage } from './queueMessages';
import { type QueuePlace, Scheduler, type SchedulerLimits, UNLIMITED } from './scheduler';
import type { TaskTable } from './taskTable';

/** What the queue needs of the engine: its tasks, its clock, and how it starts, fails and changes a task. */
export interface QueuedEngine {
  readonly table: TaskTable;
  now(): number;
  iso(): string;
  /** The scheduler granted the task a slot: its work starts. */
  launch(task: LiveTask): void;
  /** The scheduler granted a plain call (`PlainCallSlots`) its slot. */
  startPlainCall(id: string): void;
  /** Ends unfinished work `failed`, with a tool error result that says why. */
  fail(task: LiveTask, message: string): void;
  /** Changes a task's snapshot and reports the change. */
  update(task: LiveTask, change: Partial<EngineTask>, at: string): void;
}

/**
 * The engine's scheduler (scheduler.ts) as its tasks see it: a granted slot launches the work, a
 * failed prerequisite fails the task waiting for it, and a waiting task's place ("Queued k of n")
 * is reported when the scheduler says a watcher sees it change, and computed when it is read.
 */
export class EngineQueue {
  readonly scheduler: Scheduler;

  constructor(
    private readonly engine: QueuedEngine,
    limits: SchedulerLimits = UNLIMITED,
  ) {
    this.scheduler = new Scheduler(
      {
        start: (id) => {
          if (PlainCallSlots.owns(id)) return engine.startPlainCall(id);
          const task = engine.table.raw(id);
          if (task) engine.launch(task);
        },
        placesChanged: (places) => this.showPlaces(places),
        prerequisiteFailed: (id, afterTaskId) => {
          const task = engine.table.raw(id);
          if (task) engine.fail(task, prerequisiteFailedMessage(afterTaskId, engine.table.raw(afterTaskId)?.snapshot.status ?? 'failed'));
        },
        now: () => engine.now(),
        setTimer: (callback, ms) => {
          const timer = setTimeout(callback, ms);
          timer.unref?.();
          return timer;
        },
        clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      },
      limits,
    );
  }

  /** Hands a new task to the scheduler, with its place, hints and the unfinished task it waits for. */
  submit(task: LiveTask, after: LiveTask | undefined): void {
    const { options } = task;
    this.scheduler.submit({
      id: task.snapshot.taskId,
      tool: options.tool,
      principal: options.owner,
      priority: task.snapshot.priority ?? 0,
      runAfter: options.runAfter,
      afterTaskId: after && !after.isTerminal ? after.snapshot.taskId : undefined,
    });
  }

  /**
   * Reports the places the scheduler says a watcher sees change (its rule is in scheduler.ts:
   * never a task the queue merely grows or shrinks behind, which would be n² changes for n
   * arrivals). Every other place is brought up to date when it is read (`placeNow`).
   */
  private showPlaces(places: ReadonlyMap<string, QueuePlace>): void {
    // One moment for the whole batch: they all moved at once (and formatting dates is the cost here).
    const at = this.engine.iso();
    for (const [taskId, place] of places) {
      const task = this.engine.table.raw(taskId);
      if (!task || task.isTerminal) continue;
      this.engine.update(task, { queue: { position: place.position, size: place.size }, statusMessage: describePlace(place) }, at);
    }
  }

  /** A waiting task's snapshot with its place as it is now (O(log n)); silent, like a read. */
  placeNow(task: LiveTask): void {
    const place = task.isTerminal ? undefined : this.scheduler.place(task.snapshot.taskId);
    const queue = task.snapshot.queue;
    if (!place || (queue && queue.position === place.position && queue.size === place.size)) return;
    task.snapshot = { ...task.snapshot, queue: { position: place.position, size: place.size }, statusMessage: describePlace(place) };
  }
}
