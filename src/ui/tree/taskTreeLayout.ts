import type { TaskRecord } from '../../core/taskRecord';

/** Where a task is shown: at the top of a group, or under another task (its parent, or its latest attempt). */
type Where = { readonly group: string } | { readonly under: string; readonly attempt: boolean };

/**
 * Where each task sits in the Tasks view, computed once per batch of changes. A place is a
 * container key: `group:<group key>` for a task at the top of a group, `task:<id>` for one shown
 * under another task. Earlier attempts sit under their latest attempt; a task with a parent sits
 * under that parent, wherever the parent is, and at the top of its own group only when the parent
 * is gone or not shown. No `vscode` here, so the rules are tested in plain Node.
 */
export class TaskTreeLayout {
  private readonly places = new Map<string, Where | null>();
  private readonly childTasks = new Map<string, string[]>();
  private readonly attempts = new Map<string, string[]>();
  private readonly tops = new Map<string, string[]>();
  private readonly visiting = new Set<string>();
  /** Index within its list, kept only for lists that hold queued work (the only lists that reorder in place). */
  private readonly order = new Map<string, number>();

  constructor(
    records: readonly TaskRecord[],
    private readonly get: (id: string) => TaskRecord | undefined,
    private readonly isVisible: (record: TaskRecord) => boolean,
    private readonly groupOf: (record: TaskRecord) => string,
  ) {
    for (const record of records) this.where(record);
    // Placing a task can place its parent first, so lists are filled in a second pass, in the given order (newest first).
    const withQueued = new Set<string[]>();
    for (const record of records) {
      const where = this.places.get(record.id);
      if (!where) continue;
      const list = 'group' in where ? push(this.tops, where.group, record.id) : push(where.attempt ? this.attempts : this.childTasks, where.under, record.id);
      if (queuePosition(record) > 0) withQueued.add(list);
    }
    // Child tasks read better in the order they started.
    for (const list of this.childTasks.values()) list.reverse();
    // Work waiting in a server's queue follows the work that runs, in the order it will start.
    for (const list of withQueued) {
      const rank = (id: string) => queuePosition(get(id));
      list.sort((a, b) => rank(a) - rank(b)); // stable: running work keeps its order
      list.forEach((id, index) => this.order.set(id, index));
    }
  }

  /**
   * The container a task was placed in when this layout was made, or undefined when it is not
   * shown. A layout is a snapshot: a task it did not know stays unknown (placing it on demand
   * would make the next batch take the new task for an old one and never redraw its container).
   */
  placedAt(id: string): string | undefined {
    return keyOf(this.places.get(id));
  }

  /** Every task this layout shows. */
  placedIds(): string[] {
    return [...this.places].filter(([, where]) => where).map(([id]) => id);
  }

  /** A queued task's index within its list, to notice when the queue reorders it. */
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

  /** Top-level tasks of each group, newest first (queued work last, in queue order). */
  get groups(): ReadonlyMap<string, readonly string[]> {
    return this.tops;
  }

  private where(record: TaskRecord): Where | null {
    const known = this.places.get(record.id);
    if (known !== undefined) return known;
    if (this.visiting.has(record.id)) return null; // a cycle of links: shown nowhere by this path
    this.visiting.add(record.id);
    const where = this.compute(record);
    this.visiting.delete(record.id);
    this.places.set(record.id, where);
    return where;
  }

  private compute(record: TaskRecord): Where | null {
    if (record.retriedAs && this.get(record.retriedAs)) {
      const head = this.latestAttempt(record);
      if (head.id === record.id || !this.where(head)) return null;
      return { under: head.id, attempt: true };
    }
    if (!this.isVisible(record)) return null;
    const parent = record.parentId !== undefined && record.parentId !== record.id ? this.get(record.parentId) : undefined;
    if (parent && this.where(parent)) return { under: parent.id, attempt: false };
    return { group: this.groupOf(record) };
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

function keyOf(where: Where | null | undefined): string | undefined {
  if (!where) return undefined;
  return 'group' in where ? `group:${where.group}` : `task:${where.under}`;
}

function queuePosition(record: TaskRecord | undefined): number {
  return record?.queue && record.status === 'working' ? record.queue.position : 0;
}

function push(map: Map<string, string[]>, key: string, value: string): string[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  list.push(value);
  return list;
}
