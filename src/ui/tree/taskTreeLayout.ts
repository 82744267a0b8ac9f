import type { TaskRecord } from '../../core/taskRecord';
import { indexOfSorted, insertSorted, removeSorted } from '../sortedList';

/** Where a task is shown: at the top of a group, or under another task (its parent, or its latest attempt). */
type Where = { readonly group: string } | { readonly under: string; readonly attempt: boolean };

/** What a task's list is sorted by, as it was when the task was put in it: queue position (0 when not queued), then age. */
interface SortKey {
  readonly rank: number;
  readonly createdAt: string;
}

/** The links a task's place follows, as they were when it was placed. */
interface Links {
  readonly parentId: string | undefined;
  readonly retriedAs: string | undefined;
}

/** A task a batch placed again: its container before and after, and its index in a list that holds queued work. */
export interface Move {
  readonly id: string;
  readonly before: string | undefined;
  readonly after: string | undefined;
  readonly indexBefore: number | undefined;
  readonly indexAfter: number | undefined;
}

/** What a batch changed in the layout; `groupsChanged` when a group appeared or went. */
export interface LayoutUpdate {
  readonly moves: readonly Move[];
  readonly groupsChanged: boolean;
}

/**
 * Where each task sits in the Tasks view. A place is a container key: `group:<group key>` for a
 * task at the top of a group, `task:<id>` for one shown under another task. Earlier attempts sit
 * under their latest attempt; a task with a parent sits under that parent, wherever the parent is,
 * and at the top of its own group only when the parent is gone or not shown. No `vscode` here, so
 * the rules are tested in plain Node.
 *
 * Made once from every task, then kept up to date batch by batch (`update`): a batch places again
 * only the tasks it names and those whose place follows from theirs (their child tasks and earlier
 * attempts, transitively), and moves each in its sorted list, so a batch costs what it touches,
 * not the size of the store. Between batches the layout is a snapshot: a task it did not know
 * stays unknown until its batch comes.
 */
export class TaskTreeLayout {
  private readonly places = new Map<string, Where | null>();
  private readonly keys = new Map<string, SortKey>();
  private readonly childTasks = new Map<string, string[]>();
  private readonly attempts = new Map<string, string[]>();
  private readonly tops = new Map<string, string[]>();
  /** Lists that hold queued work, with how many queued tasks each holds (the only lists whose order a batch can change in place). */
  private readonly queued = new Map<readonly string[], number>();
  private readonly links = new Map<string, Links>();
  /** Who follows whom: the tasks naming an id as parent, and those naming it as their retry. */
  private readonly byParent = new Map<string, Set<string>>();
  private readonly byRetriedAs = new Map<string, Set<string>>();
  private readonly visiting = new Set<string>();
  /**
   * A cycle of links was met. Where a cycle is entered depends on the order tasks are placed in,
   * so such a layout cannot be patched: it is made again from every task (see `update`).
   */
  private cycle = false;

  constructor(
    records: readonly TaskRecord[],
    private readonly get: (id: string) => TaskRecord | undefined,
    private readonly isVisible: (record: TaskRecord) => boolean,
    private readonly groupOf: (record: TaskRecord) => string,
  ) {
    for (const record of records) this.link(record);
    for (const record of records) this.where(record);
    // Placing a task can place its parent first, so lists are filled in a second pass, in the given order (newest first).
    for (const record of records) {
      const where = this.places.get(record.id);
      if (!where) continue;
      const rank = queuePosition(record);
      this.keys.set(record.id, { rank, createdAt: record.createdAt });
      const list = push(this.listsOf(where), containerOf(where), record.id);
      if (rank > 0) this.queued.set(list, (this.queued.get(list) ?? 0) + 1);
    }
    // Child tasks read better in the order they started.
    for (const list of this.childTasks.values()) list.reverse();
    // Work waiting in a server's queue follows the work that runs, in the order it will start.
    for (const list of this.queued.keys()) (list as string[]).sort((a, b) => this.keys.get(a)!.rank - this.keys.get(b)!.rank); // stable: running work keeps its order
  }

  /** Whether the layout holds this task (shown or not): a task created after it was made is unknown until its batch. */
  knows(id: string): boolean {
    return this.places.has(id);
  }

  /**
   * The container a task was placed in, or undefined when it is not shown. A task the layout does
   * not know stays unknown (placing it on demand would make the next batch take the new task for
   * an old one and never redraw its container).
   */
  placedAt(id: string): string | undefined {
    const where = this.places.get(id);
    return where ? containerKey(where) : undefined;
  }

  /** Whether the task is shown (placedAt without making the container key). */
  shows(id: string): boolean {
    return Boolean(this.places.get(id));
  }

  /** Every task this layout shows. */
  placedIds(): string[] {
    return [...this.places].filter(([, where]) => where).map(([id]) => id);
  }

  /** A task's index within its list when that list holds queued work, to notice when the queue reorders it. */
  indexOf(id: string): number | undefined {
    const where = this.places.get(id);
    if (!where) return undefined;
    const list = this.listsOf(where).get(containerOf(where));
    if (!list || !this.queued.has(list)) return undefined;
    return indexOfSorted(list, id, this.orderOf(where));
  }

  /** A shown task's index among the tasks of its container (child tasks before earlier attempts), as `childrenOf` and `groups` list them. */
  position(id: string): number | undefined {
    const where = this.places.get(id);
    if (!where) return undefined;
    const list = this.listsOf(where).get(containerOf(where));
    const index = list ? indexOfSorted(list, id, this.orderOf(where)) : -1;
    if (index < 0) return undefined;
    return 'under' in where && where.attempt ? (this.childTasks.get(where.under)?.length ?? 0) + index : index;
  }

  /** The tasks under a task: its child tasks (oldest first), then its earlier attempts (newest first). */
  childrenOf(id: string): string[] {
    return [...(this.childTasks.get(id) ?? []), ...(this.attempts.get(id) ?? [])];
  }

  hasChildren(id: string): boolean {
    return this.childTasks.has(id) || this.attempts.has(id);
  }

  childTasksOf(id: string): readonly string[] {
    return this.childTasks.get(id) ?? [];
  }

  /** Top-level tasks of each group, newest first (queued work last, in queue order). */
  get groups(): ReadonlyMap<string, readonly string[]> {
    return this.tops;
  }

  /** Whether `a` was created after `b` (the store's order, newest first): the tie-break between groups of one name. */
  newer(a: string, b: string): boolean {
    return newestFirst(this.keys.get(a)!, a, this.keys.get(b)!, b) < 0;
  }

  /**
   * Takes the tasks a batch named (created, changed or removed; the store already holds their
   * new state) and places them again, with every task whose place follows from theirs. Answers
   * what moved, or undefined when a cycle of links is met: then the layout must be made afresh
   * (it still answers where tasks were before the batch, for the comparison).
   */
  update(changed: Iterable<string>): LayoutUpdate | undefined {
    if (this.cycle) return undefined;
    const seeds = [...new Set(changed)];
    for (const id of seeds) this.relink(id);
    const affected = this.followersOf(seeds);
    const before = new Map<string, { where: Where | null; index: number | undefined }>();
    for (const id of affected) before.set(id, { where: this.places.get(id) ?? null, index: this.indexOf(id) });
    for (const id of affected) this.places.delete(id);
    for (const id of affected) {
      const record = this.get(id);
      if (record) this.where(record);
    }
    if (this.cycle) {
      // Left as it was before the batch, so the layout made afresh can be compared with it.
      for (const [id, { where }] of before) this.places.set(id, where);
      return undefined;
    }
    const groupsBefore = new Map<string, boolean>();
    for (const id of affected) {
      const was = before.get(id)!.where;
      const record = this.get(id);
      const now = record ? (this.places.get(id) ?? null) : null;
      const rank = queuePosition(record);
      if (sameWhere(was, now) && (!now || this.keys.get(id)!.rank === rank)) continue;
      if (was) this.take(was, id, groupsBefore);
      this.keys.delete(id);
      if (now) {
        this.keys.set(id, { rank, createdAt: record!.createdAt });
        this.put(now, id, groupsBefore);
      }
    }
    for (const id of affected) if (!this.get(id)) this.places.delete(id);
    const moves = [...affected].map((id) => {
      const was = before.get(id)!;
      return { id, before: was.where ? containerKey(was.where) : undefined, after: this.placedAt(id), indexBefore: was.index, indexAfter: this.indexOf(id) };
    });
    const groupsChanged = [...groupsBefore].some(([key, existed]) => existed !== this.tops.has(key));
    return { moves, groupsChanged };
  }

  private where(record: TaskRecord): Where | null {
    const known = this.places.get(record.id);
    if (known !== undefined) return known;
    if (this.visiting.has(record.id)) {
      this.cycle = true;
      return null; // a cycle of links: shown nowhere by this path
    }
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

  /** The tasks given and every task whose place depends on theirs: child tasks and earlier attempts, transitively. */
  private followersOf(seeds: readonly string[]): Set<string> {
    const out = new Set(seeds);
    const pending = [...seeds];
    while (pending.length) {
      const id = pending.pop()!;
      for (const followers of [this.byParent.get(id), this.byRetriedAs.get(id)]) {
        for (const follower of followers ?? []) {
          if (out.has(follower)) continue;
          out.add(follower);
          pending.push(follower);
        }
      }
    }
    return out;
  }

  private link(record: TaskRecord): void {
    // Most tasks follow no one: nothing to remember for them.
    if (record.parentId === undefined && record.retriedAs === undefined) return;
    const links = { parentId: record.parentId, retriedAs: record.retriedAs };
    this.links.set(record.id, links);
    if (links.parentId !== undefined) add(this.byParent, links.parentId, record.id);
    if (links.retriedAs !== undefined) add(this.byRetriedAs, links.retriedAs, record.id);
  }

  private relink(id: string): void {
    const old = this.links.get(id);
    if (old) {
      this.links.delete(id);
      if (old.parentId !== undefined) drop(this.byParent, old.parentId, id);
      if (old.retriedAs !== undefined) drop(this.byRetriedAs, old.retriedAs, id);
    }
    const record = this.get(id);
    if (record) this.link(record);
  }

  private take(where: Where, id: string, groupsBefore: Map<string, boolean>): void {
    const lists = this.listsOf(where);
    const key = containerOf(where);
    const list = lists.get(key);
    if (!list) return;
    if ('group' in where && !groupsBefore.has(key)) groupsBefore.set(key, true);
    removeSorted(list, id, this.orderOf(where));
    if (this.keys.get(id)!.rank > 0) this.count(list, -1);
    if (list.length) return;
    lists.delete(key);
    this.queued.delete(list);
  }

  private put(where: Where, id: string, groupsBefore: Map<string, boolean>): void {
    const lists = this.listsOf(where);
    const key = containerOf(where);
    let list = lists.get(key);
    if ('group' in where && !groupsBefore.has(key)) groupsBefore.set(key, list !== undefined);
    if (!list) lists.set(key, (list = []));
    insertSorted(list, id, this.orderOf(where));
    if (this.keys.get(id)!.rank > 0) this.count(list, 1);
  }

  private count(list: readonly string[], delta: number): void {
    const count = (this.queued.get(list) ?? 0) + delta;
    if (count > 0) this.queued.set(list, count);
    else this.queued.delete(list);
  }

  private listsOf(where: Where): Map<string, string[]> {
    return 'group' in where ? this.tops : where.attempt ? this.attempts : this.childTasks;
  }

  /** The order of a task's list: queued work last, in queue order; before it, child tasks oldest first, the rest newest first. */
  private orderOf(where: Where): (a: string, b: string) => number {
    return 'under' in where && !where.attempt ? this.oldestFirst : this.newestFirst;
  }

  private readonly newestFirst = (a: string, b: string): number => {
    const x = this.keys.get(a)!;
    const y = this.keys.get(b)!;
    return x.rank - y.rank || newestFirst(x, a, y, b);
  };

  private readonly oldestFirst = (a: string, b: string): number => {
    const x = this.keys.get(a)!;
    const y = this.keys.get(b)!;
    return x.rank - y.rank || newestFirst(y, b, x, a);
  };
}

/** The store's order: newest first, ids breaking ties. */
function newestFirst(x: SortKey, a: string, y: SortKey, b: string): number {
  if (x.createdAt !== y.createdAt) return x.createdAt < y.createdAt ? 1 : -1;
  return a < b ? 1 : a > b ? -1 : 0;
}

function containerKey(where: Where): string {
  return 'group' in where ? `group:${where.group}` : `task:${where.under}`;
}

/** The key of a task's list within its map (a group key, or the id of the task it sits under). */
function containerOf(where: Where): string {
  return 'group' in where ? where.group : where.under;
}

function sameWhere(a: Where | null, b: Where | null): boolean {
  if (!a || !b) return a === b;
  if ('group' in a) return 'group' in b && a.group === b.group;
  return 'under' in b && a.under === b.under && a.attempt === b.attempt;
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

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function drop(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (!set.size) map.delete(key);
}
