/**
 * Tasks that several server instances share through one store (the team database). The store's
 * word on a task wins over this engine's:
 * - a task another instance runs is kept here as a mirror: readable, listable and followable like
 *   any other (its changes are announced, waiters wake when it ends, and tasks here that run
 *   after it start or fail with it), with no work to run here;
 * - a finished one from an earlier run is put back the same way (`adopt`);
 * - when the store says that work this engine runs has ended (cancelled through another instance,
 *   or ended "worker lost" after this instance's lease ran out), the work stops and the task takes
 *   the store's final snapshot.
 * A mirror's unfinished snapshot is never kept alive or expired here: the instance that runs it does.
 *
 * Work claimed from the shared queue may be taken back: when this instance's hold on it lapsed,
 * the store may give it to another instance to run again, so `relinquish` stops it here first and
 * keeps the task as a mirror; whatever that work still reports is dropped (the engine checks
 * `runsElsewhere`).
 */
import { isTerminal } from '../../core/taskStatus';
import { TaskCancelledError } from './engineErrors';
import type { EngineTask, StartOptions } from './engineTask';
import { LiveTask, type LiveTaskHost, adoptedOptions } from './liveTask';
import type { TaskTable } from './taskTable';

/** What applying the store's word needs of the engine. */
export interface SharedTasksHost {
  readonly table: TaskTable;
  readonly liveTaskHost: LiveTaskHost;
  nextSequence(): number;
  /** Replaces the snapshot whole, announces it, and wakes waiters when it is terminal. */
  replace(task: LiveTask, snapshot: EngineTask): void;
  /**
   * A task ended elsewhere: free what it held here (slot, idempotency key, open questions), and let
   * the tasks here that run after it start (or fail with it).
   */
  release(task: LiveTask): void;
  /** Starts the work now (the claim was its slot). */
  launch(task: LiveTask): void;
  /** The host this engine runs on: claimed work runs here, so its task names this machine. */
  readonly machine?: string;
}

/** What `apply` did with the store's snapshot. */
export type SharedOutcome = 'mirrored' | 'updated' | 'stopped' | 'unchanged';

/** Why relinquished work was stopped (its `signal.reason`). */
export const RELINQUISHED_MESSAGE = "This server's hold on the task lapsed: it stopped the work, which another server may run again";

export class SharedTasks {
  /** Work claimed from the shared queue that this engine runs (pruned as it ends or is relinquished). */
  private readonly claimed = new Set<string>();

  constructor(private readonly host: SharedTasksHost) {}

  /** Puts back a finished task an earlier run kept. */
  adopt(snapshot: EngineTask, retention: number | null): void {
    if (!isTerminal(snapshot.status)) throw new Error(`Only a finished task can be adopted; ${snapshot.taskId} is ${snapshot.status}`);
    this.add(snapshot, retention);
  }

  apply(snapshot: EngineTask, retention: number | null): SharedOutcome {
    const task = this.host.table.raw(snapshot.taskId);
    if (!task) {
      // Announced like a creation, so listeners on this instance learn of it.
      this.host.replace(this.add(snapshot, retention), snapshot);
      return 'mirrored';
    }
    // Terminal states are absorbing here as everywhere (T-S-07): a task ended here stays as it ended.
    if (task.isTerminal) return 'unchanged';
    if (task.runsElsewhere) {
      if (snapshot.lastUpdatedAt < task.snapshot.lastUpdatedAt) return 'unchanged';
      this.host.replace(task, snapshot);
      // Ended there: what waits for it here runs (or fails with it) now, as after an end here.
      if (task.isTerminal) this.host.release(task);
      return 'updated';
    }
    // This engine's own work: it writes its own changes; only an end decided elsewhere counts.
    if (!isTerminal(snapshot.status)) return 'unchanged';
    this.host.replace(task, snapshot);
    task.stop(new TaskCancelledError());
    this.host.release(task);
    return 'stopped';
  }

  /**
   * Work this instance claimed from the queue it shares with others: it runs here from now on,
   * with `options` rebuilt from the task (this instance may not be the one that created it). A
   * task already ended here (cancelled before the claim reached it) is left as it ended.
   */
  run(claimed: EngineTask, retention: number | null, options: StartOptions): void {
    const known = this.host.table.raw(claimed.taskId);
    if (known?.isTerminal) return;
    const snapshot = this.host.machine === undefined ? claimed : { ...claimed, machine: this.host.machine };
    const task = new LiveTask(snapshot, known?.sequence ?? this.host.nextSequence(), options, retention, this.host.liveTaskHost);
    this.host.table.add(task);
    this.host.replace(task, snapshot);
    this.claimed.add(claimed.taskId);
    this.host.launch(task);
  }

  /** The claimed work running here now, oldest claim first. */
  claimedRunning(): EngineTask[] {
    const running: EngineTask[] = [];
    for (const taskId of this.claimed) {
      if (this.runsHere(taskId)) running.push(this.host.table.raw(taskId)!.snapshot);
      else this.claimed.delete(taskId);
    }
    return running;
  }

  /** Whether the task's work runs in this engine now (not ended, not elsewhere). */
  runsHere(taskId: string): boolean {
    const task = this.host.table.raw(taskId);
    return task !== undefined && !task.isTerminal && !task.runsElsewhere;
  }

  /**
   * Stops claimed work here without ending the task: the store decides how it ends (another
   * instance may run it again). Its idempotency key stays held (the task is still in flight).
   */
  relinquish(taskId: string): boolean {
    const task = this.host.table.raw(taskId);
    this.claimed.delete(taskId);
    if (!task || task.isTerminal || task.runsElsewhere) return false;
    task.runsElsewhere = true;
    task.stop(new Error(RELINQUISHED_MESSAGE));
    task.endBudget();
    task.rejectInputs();
    return true;
  }

  /** Whether the task's work runs on another instance (or ran before this one started). */
  runsElsewhere(taskId: string): boolean {
    return this.host.table.raw(taskId)?.runsElsewhere ?? false;
  }

  private add(snapshot: EngineTask, retention: number | null): LiveTask {
    const task = new LiveTask(snapshot, this.host.nextSequence(), adoptedOptions(snapshot), retention, this.host.liveTaskHost);
    task.runsElsewhere = true;
    this.host.table.add(task);
    return task;
  }
}
