import type { TaskRecord } from '../../core/taskRecord';

/**
 * Where each task sits in the Tasks view, computed once per batch of changes. A place is a
 * container key: `group:<group key>` for a task at the top of a group, `task:<id>` for one shown
 * under another task. Earlier attempts sit under their latest attempt; a task with a parent sits
 * under that parent, wherever the parent is, and at the top of its own group only when the parent
 * is gone or not shown. No `vscode` here, so the rules are tested in plain Node.
 */
export class TaskTreeLayout {
  private readonly places = new Map<string, string | undefined>();
  private readonly childTasks = new Map<string, string[]>();
  private readonly attempts = new Map<string, string[]>();
  private readonly tops = new Map<string, string[]>();
  private readonly visiting = new Set<string>();
  private readonly order = new Map<string, number>();

  constructor(
    records: readonly TaskRecord[],
    private readonly get: (id: string) => TaskRecord | undefined,
    private readonly isVisible: (record: TaskRecord) => boolean,
    private readonly groupOf: (record: TaskRecord) => string,
  ) {
    for (const record of records) this.placeOf(record);
    // Placing a task can place its parent first, so containers are filled in a second pass, in the given order (newest first).
    for (const record of records) {
      const place = this.places.get(record.id);
      if (place === undefined) continue;
      if (place.startsWith('group:')) push(this.tops, place.slice('group:'.length), record.id);
      else push(this.isEarlierAttempt(record) ? this.attempts : this.childTasks, place.slice('task:'.length), record.id);
    }
    // Child tasks read better in the order they started.
    for (const list of this.childTasks.values()) list.reverse();
    // Work waiting in a server's queue follows the work that runs, in the order it will start.
    for (const list of this.tops.values()) sortQueuedLast(list, get);
    for (const list of this.childTasks.values()) sortQueuedLast(list, get);
    for (const list of [...this.tops.values(), ...this.childTasks.values(), ...this.attempts.values()]) list.forEach((id, index) => this.order.set(id, index));
  }

  /** The container a task is shown in, or undefined when it is not shown. */
  placeOf(record: TaskRecord): string | undefined {
    if (this.places.has(record.id)) return this.places.get(record.id);
    if (this.visiting.has(record.id)) return undefined; // a cycle of links: shown nowhere by this path
    this.visiting.add(record.id);
    const place = this.computePlace(record);
    this.visiting.delete(record.id);
    this.places.set(record.id, place);
    return place;
  }

  /** Where a task was placed when this layout was made, without placing a task it did not know. */
  placedAt(id: string): string | undefined {
    return this.places.get(id);
  }

  /** A task's index within its container, to notice when a list is reordered. */
  indexOf(id: string): number | undefined {
    return this.order.get(id);
  }

  /** The tasks under a task: its child tasks (oldest first), then its earlier attempts (newest first). */
  childrenOf(id: string): string[] {
    return [...(this.childTasks.get(id) ?? []), ...(this.attempts.get(id) ?? [])];
  }

  childTasksOf(id: string): readonly string[] {
    return this.childTasks.get(id) ?? [];
  }

  /** Top-level tasks of each group, newest first. */
  get groups(): ReadonlyMap<string, readonly string[]> {
    return this.tops;
  }

  private computePlace(record: TaskRecord): string | undefined {
    if (record.retriedAs && this.get(record.retriedAs)) {
      const head = this.latestAttempt(record);
      if (head.id === record.id || this.placeOf(head) === undefined) return undefined;
      return `task:${head.id}`;
    }
    if (!this.isVisible(record)) return undefined;
    const parent = record.parentId !== undefined && record.parentId !== record.id ? this.get(record.parentId) : undefined;
    if (parent && this.placeOf(parent) !== undefined) {
      return `task:${parent.id}`;
    }
    return `group:${this.groupOf(record)}`;
  }

  private isEarlierAttempt(record: TaskRecord): boolean {
    return record.retriedAs !== undefined && this.get(record.retriedAs) !== undefined;
  }

  private latestAttempt(record: TaskRecord): TaskRecord {
    let latest = record;
    const seen = new Set<string>();
    while (latest.retriedAs && !seen.has(latest.id)) {
      seen.add(latest.id);
      const next = this.get(latest.retriedAs);
      if (!next) break;
      latest = next;
    }
    return latest;
  }
}

function sortQueuedLast(ids: string[], get: (id: string) => TaskRecord | undefined): void {
  const rank = (id: string) => {
    const record = get(id);
    return record?.queue && record.status === 'working' ? record.queue.position : 0;
  };
  if (!ids.some((id) => rank(id) > 0)) return;
  ids.sort((a, b) => rank(a) - rank(b)); // stable: running work keeps its newest-first order
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
