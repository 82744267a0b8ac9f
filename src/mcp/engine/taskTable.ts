import { TaskNotFoundError } from './engineErrors';
import type { EngineTask } from './engineTask';
import { ListCursors } from './listCursor';
import type { LiveTask } from './liveTask';
import type { TaskRetention } from './taskRetention';

/**
 * The engine's tasks and how they are found: by id for the editor (any owner), by owner for a
 * wire (another owner's task is "not found", the same answer as an unknown one, unless the owner
 * sees every task: `sees`), and page by
 * page with cursors good only for the owner they were issued to. An expired task is gone to
 * every lookup even before the sweep removes it.
 */
export class TaskTable {
  private readonly tasks = new Map<string, LiveTask>();
  private readonly cursors = new ListCursors();

  constructor(
    private readonly retention: TaskRetention,
    private readonly pageSize: number,
    /** Brings a task's snapshot up to date before it is read (a waiting task's place is computed on read). */
    private readonly current: (task: LiveTask) => void = () => undefined,
    /** Owners that see every owner's task (engineOptions.ts `seesEveryTask`). */
    private readonly seesEveryTask: (owner: string) => boolean = () => false,
  ) {}

  /**
   * Whether `owner` sees `task` through the wires: its own, or any task when the server says this
   * owner sees every task (a team's board). Every owner-scoped lookup, list and stream follows this.
   */
  sees(owner: string, task: Pick<EngineTask, 'owner'>): boolean {
    return task.owner === owner || this.seesEveryTask(owner);
  }

  add(task: LiveTask): void {
    this.tasks.set(task.snapshot.taskId, task);
  }

  delete(taskId: string): void {
    this.tasks.delete(taskId);
  }

  /** Every task, expired or not, oldest first: for the sweep and for shutdown. */
  entries(): IterableIterator<LiveTask> {
    return this.tasks.values();
  }

  /** The task under this id, even expired: for the engine's own bookkeeping. */
  raw(taskId: string): LiveTask | undefined {
    return this.tasks.get(taskId);
  }

  /** Any owner's task, or undefined when unknown or expired. */
  findAny(taskId: string): LiveTask | undefined {
    const task = this.tasks.get(taskId);
    if (!task || this.retention.isExpired(task.snapshot)) return undefined;
    this.current(task);
    return task;
  }

  /** A task `owner` sees (`sees`), or undefined: another's task is "not found", like an unknown one. */
  findOwned(owner: string, taskId: string): LiveTask | undefined {
    const task = this.findAny(taskId);
    return task && this.sees(owner, task.snapshot) ? task : undefined;
  }

  /** Strictly `owner`'s own task, whoever else may see it: what a new task may name as its parent or prerequisite. */
  findOwn(owner: string, taskId: string): LiveTask | undefined {
    const task = this.findAny(taskId);
    return task && task.snapshot.owner === owner ? task : undefined;
  }

  requireOwned(owner: string, taskId: string): LiveTask {
    const task = this.findOwned(owner, taskId);
    if (!task) throw new TaskNotFoundError(taskId);
    return task;
  }

  /** Every live task of every owner, oldest first. */
  live(): EngineTask[] {
    return [...this.tasks.values()]
      .filter((task) => !this.retention.isExpired(task.snapshot))
      .map((task) => {
        this.current(task);
        return task.snapshot;
      });
  }

  /** One page of the tasks `owner` sees (`sees`), oldest first; the cursor is opaque to callers and good only for this owner on this table. */
  page(owner: string, cursor?: string): { tasks: EngineTask[]; nextCursor?: string } {
    const after = cursor === undefined ? 0 : this.cursors.read(owner, cursor);
    const page: LiveTask[] = [];
    let more = false;
    for (const task of this.tasks.values()) {
      if (task.sequence <= after || !this.sees(owner, task.snapshot) || this.retention.isExpired(task.snapshot)) continue;
      if (page.length === this.pageSize) {
        more = true;
        break;
      }
      page.push(task);
    }
    const last = page[page.length - 1];
    for (const task of page) this.current(task);
    return { tasks: page.map((t) => t.snapshot), nextCursor: more && last ? this.cursors.issue(owner, last.sequence) : undefined };
  }
}
