import { hostname } from 'node:os';
import type { TaskChanges } from '../../core/lifecycleEvents';
import type { TaskRecord } from '../../core/taskRecord';
import type { TaskStatus } from '../../core/taskStatus';
import { descriptionTicks } from '../taskText';
import { hasRunningStep, stepRow, stepsOf } from './stepRows';
import { TaskRows } from './taskRows';
import { type GroupBy, TaskTreeGroups } from './taskTreeGroups';
import { type Row, type TaskNode, type TaskTreeNode, TaskTreeNodes, containerKeyOf } from './taskTreeNodes';
import { type MoreNode, PAGE_SIZE, TaskTreePages } from './taskTreePages';
import { type Move, TaskTreeLayout } from './taskTreeLayout';

export { EDITOR_GROUP, type GroupBy, groupStatus } from './taskTreeGroups';

export interface TaskFilter {
  readonly text?: string;
  readonly statuses?: readonly TaskStatus[];
}

export type { MoreNode } from './taskTreePages';
export type { Fold, GroupNode, Row, StepNode, TaskNode, TaskTreeNode } from './taskTreeNodes';

/** What the model reads: the store's tasks. */
export interface TaskSource {
  all(): readonly TaskRecord[];
  get(id: string): TaskRecord | undefined;
}

/** What a refresh must redraw: the whole tree, some nodes (each with what is under it), or nothing. */
export type Redraw = 'all' | readonly TaskTreeNode[] | undefined;

/**
 * The Tasks view as data, without `vscode`: which nodes exist, under which, what each row says,
 * and which nodes a batch of changes makes stale. VS Code matches refreshes by node identity, so
 * nodes are cached objects.
 *
 * The layout is brought up to date once per batch; nothing asked between batches changes it. A
 * task the current layout does not know yet (it was just created and its batch has not come) is
 * not shown, so the batch that adds it still sees it as new and redraws its container. Rows are
 * kept until their task, or what is under it, changes (or the clock moves a running task's
 * elapsed time), since VS Code asks again for every row of a container it redraws.
 *
 * A container shows its first page of tasks and a "more" row (`TaskTreePages`); a redraw names
 * only what the view shows: a task beyond its container's page is not in the view, and a group
 * whose page is as the view fetched it (the same tasks shown, as many hidden) is left as it is.
 */
export class TaskTreeModel {
  private readonly nodes = new TaskTreeNodes();
  private layout!: TaskTreeLayout;
  private filter: TaskFilter = {};
  private readonly rows: TaskRows;
  /** Shown tasks whose description changes with the clock. */
  private readonly tickingIds = new Set<string>();
  /** Tasks a layout made between batches knew before their batch came (a regrouping or a filter placed them). */
  private readonly unannounced = new Set<string>();
  private readonly pages: TaskTreePages;
  private readonly groups: TaskTreeGroups;

  constructor(
    private readonly source: TaskSource,
    groupBy: GroupBy,
    private showArchived: boolean,
    serverName: (serverId: string) => string,
    private readonly now: () => number = Date.now,
    pageSize = PAGE_SIZE,
    /** The editor's own host, for grouping by machine (tasks no team server placed elsewhere run here). */
    localMachine: string = hostname(),
  ) {
    this.pages = new TaskTreePages(pageSize);
    this.rows = new TaskRows((id) => source.get(id));
    this.groups = new TaskTreeGroups(
      groupBy,
      () => this.layout,
      (id) => source.get(id),
      serverName,
      localMachine,
    );
    this.relayout();
  }

  get currentGroupBy(): GroupBy {
    return this.groups.by;
  }

  get showsArchived(): boolean {
    return this.showArchived;
  }

  get currentFilter(): TaskFilter {
    return this.filter;
  }

  get isFiltered(): boolean {
    return Boolean(this.filter.text?.trim()) || Boolean(this.filter.statuses?.length);
  }

  /** Each setter answers what to redraw: everything when the setting changed, nothing otherwise. */
  setGroupBy(groupBy: GroupBy): Redraw {
    if (groupBy === this.groups.by) return undefined;
    this.groups.by = groupBy;
    return this.rebuild();
  }

  setShowArchived(show: boolean): Redraw {
    if (show === this.showArchived) return undefined;
    this.showArchived = show;
    return this.rebuild();
  }

  setFilter(filter: TaskFilter): Redraw {
    this.filter = filter;
    return this.rebuild();
  }

  rebuild(): Redraw {
    this.relayout();
    this.pages.clearFetched();
    return 'all';
  }

  children(node?: TaskTreeNode): TaskTreeNode[] {
    if (!node) {
      return this.groups.fetch().map((key) => this.nodes.group(key));
    }
    if (node.kind === 'more' || node.kind === 'step') return [];
    const container = containerKeyOf(node);
    const { shown, more } = this.pages.page(container, this.tasksIn(container));
    // A task's own steps come first, then the tasks started under it.
    const nodes: TaskTreeNode[] = node.kind === 'task' ? this.stepNodes(node.id) : [];
    for (const id of shown) nodes.push(this.nodes.task(id));
    if (more) nodes.push(more);
    return nodes;
  }

  /** The containers that show more than one page, with how many tasks each shows. */
  pageLimits(): ReadonlyMap<string, number> {
    return this.pages.raised();
  }

  /** Shows as many tasks in each container as the limits say (those of another model, to compare a kept model with one made afresh). */
  setPageLimits(limits: ReadonlyMap<string, number>): Redraw {
    this.pages.setLimits(limits);
    return 'all';
  }

  /** Shows one page more of the container a "more" row ends; answers the container to redraw. */
  showMore(node: MoreNode): Redraw {
    const container = node.container;
    const exists = container.startsWith('task:')
      ? this.layout.shows(container.slice('task:'.length))
      : this.layout.groups.has(container.slice('group:'.length));
    if (!exists) return undefined;
    this.pages.raise(container);
    this.pages.redrawn(container);
    return [this.nodes.container(container)];
  }

  /**
   * Makes the pages above a shown task reach it, so the view can show and reveal it; answers the
   * containers that show more now (none when it was shown already, or is not shown at all).
   */
  reveal(id: string): TaskTreeNode[] {
    const raised: TaskTreeNode[] = [];
    for (let current: string | undefined = id; current !== undefined;) {
      const place = this.layout.placedAt(current);
      const index = this.layout.position(current);
      if (place === undefined || index === undefined) break;
      if (this.pages.reach(place, index)) {
        this.pages.redrawn(place);
        raised.push(this.nodes.container(place));
      }
      current = place.startsWith('task:') ? place.slice('task:'.length) : undefined;
    }
    return raised;
  }

  parent(node: TaskTreeNode): TaskTreeNode | undefined {
    if (node.kind === 'group') return undefined;
    if (node.kind === 'more' || node.kind === 'step') return this.nodes.container(node.container);
    const place = this.layout.placedAt(node.id);
    return place === undefined ? undefined : this.nodes.container(place);
  }

  /** The node of a task shown in the current layout; undefined when it is not shown (yet). */
  nodeFor(id: string): TaskNode | undefined {
    return this.layout.placedAt(id) === undefined ? undefined : this.nodes.task(id);
  }

  row(node: TaskTreeNode): Row | undefined {
    if (node.kind === 'group') return this.groups.row(node.key);
    if (node.kind === 'more') return this.pages.moreRow(node.container, this.tasksIn(node.container).length);
    if (node.kind === 'step') return this.stepRowOf(node.container.slice('task:'.length), node.stepId);
    const record = this.source.get(node.id);
    if (!record) return undefined;
    const now = this.now();
    // A kept row is forgotten whenever its task moves, so a row kept for this record is of a shown task.
    const kept = this.rows.current(record, now);
    if (kept) return kept;
    return this.layout.shows(node.id) ? this.rows.row(record, this.layout, now) : undefined;
  }

  /** Shown tasks whose description changes with the clock (elapsed time), to redraw them as it runs. */
  ticking(): TaskNode[] {
    const now = this.now();
    const nodes: TaskNode[] = [];
    for (const id of this.tickingIds) {
      // A row drawn with the text it would have now needs no redraw (past an hour, elapsed time moves by the minute);
      // its running steps' times move by the second, and are redrawn with it.
      if ((this.rows.isCurrent(id, now) && !this.hasRunningStep(id)) || !this.onPage(id)) continue;
      nodes.push(this.nodes.task(id));
    }
    return nodes;
  }

  /**
   * Takes a batch of changes and answers what went stale. The layout places again only what the
   * batch touched; a batch that opened the store, or a layout holding a cycle of links, is laid
   * out afresh.
   */
  apply(changes: TaskChanges): Redraw {
    if (changes.reset) {
      // The store was read after the views were made: every task is new, and this batch says so.
      const redraw = this.rebuild();
      this.unannounced.clear();
      return redraw;
    }
    // A task that came and went within one batch is in no set, yet a layout made in between (a
    // regrouping, a filter) may show it: whatever that layout knew and the store lost counts too.
    const vanished = [...this.unannounced].filter((id) => !this.source.get(id));
    this.unannounced.clear();
    const touched = [...changes.added, ...changes.removed, ...changes.updated, ...vanished];
    const update = this.layout.update(touched);
    if (!update) return this.applyAfresh(new Set(touched));
    this.forgetRows(update.moves);
    const named = new Set(touched);
    const dirty = new Set<TaskTreeNode>();
    for (const move of update.moves) {
      const { id, before, after } = move;
      if (before === after) {
        // A task placed again only because a task it follows changed, and still in the same place, shows nothing new.
        if (after === undefined || (!named.has(id) && move.indexBefore === move.indexAfter)) continue;
        // Same container. A queued task that moved up or down redraws the list it is in; so does a
        // task under another task, whose fold arrow follows whether work under it still runs.
        const inPlace = move.indexBefore === move.indexAfter && after.startsWith('group:');
        dirty.add(inPlace ? this.nodes.task(id) : this.nodes.container(after));
        continue;
      }
      // It moved, appeared or went: its containers' children (and count, or a parent's fold arrow)
      // change. Both containers are redrawn in one refresh, so VS Code forgets the task under the
      // old one before it asks the new one for its children (it keeps one node per id).
      if (before !== undefined) dirty.add(this.nodes.container(before));
      if (after !== undefined) dirty.add(this.nodes.container(after));
    }
    for (const move of update.moves) {
      if (this.source.get(move.id)) continue;
      const node = this.nodes.forget(move.id);
      if (node) dirty.delete(node);
    }
    if (update.groupsChanged || this.reordersGroups(dirty)) return this.rebuilt();
    return this.shownOf(dirty);
  }

  /** The whole layout made again, and the batch compared with the one before (a layout with a cycle of links cannot be patched). */
  private applyAfresh(touched: ReadonlySet<string>): Redraw {
    const before = this.layout;
    this.relayout();
    const dirty = new Set<TaskTreeNode>();
    let all = [...before.groups.keys()].some((key) => !this.layout.groups.has(key)) || [...this.layout.groups.keys()].some((key) => !before.groups.has(key));
    // Where a cycle is entered depends on every task, so tasks the batch did not name can move too.
    const moved = this.source.all().filter((record) => before.placedAt(record.id) !== this.layout.placedAt(record.id));
    const vanished = before.placedIds().filter((placed) => !this.source.get(placed));
    for (const id of new Set([...touched, ...moved.map((record) => record.id), ...vanished])) {
      const previous = before.placedAt(id);
      const now = this.layout.placedAt(id);
      if (previous === now && now !== undefined) {
        const inPlace = before.indexOf(id) === this.layout.indexOf(id) && now.startsWith('group:');
        dirty.add(inPlace ? this.nodes.task(id) : this.nodes.container(now));
        continue;
      }
      // Tasks left behind under it are in no set: redraw from the root.
      if ((previous !== undefined && now !== undefined) || before.childrenOf(id).length > 0) all = true;
      if (previous !== undefined) dirty.add(this.nodes.container(previous));
      if (now !== undefined) dirty.add(this.nodes.container(now));
      if (!this.source.get(id)) this.nodes.forget(id);
    }
    if (all || this.reordersGroups(dirty)) return this.rebuilt();
    return this.shownOf(dirty);
  }

  /** Whether a batch that made groups stale changed the order the view fetched them in (see `TaskTreeGroups.reordered`). */
  private reordersGroups(dirty: ReadonlySet<TaskTreeNode>): boolean {
    return [...dirty].some((node) => node.kind === 'group') && this.groups.reordered();
  }

  /** Everything is redrawn: the view fetches every page again. */
  private rebuilt(): Redraw {
    this.pages.clearFetched();
    return 'all';
  }

  /**
   * Of the nodes a batch made stale, those the view shows and must redraw: a task beyond its
   * container's page is not in the view, and a paged group whose page and hidden count are as the
   * view fetched them shows nothing new (its count is the same too).
   */
  private shownOf(dirty: Set<TaskTreeNode>): Redraw {
    for (const node of dirty) {
      if (node.kind === 'task' ? !this.onPage(node.id) : node.kind === 'group' && this.pages.unchanged(`group:${node.key}`, this.tasksIn(`group:${node.key}`)))
        dirty.delete(node);
    }
    for (const node of dirty) if (node.kind === 'group') this.pages.redrawn(`group:${node.key}`);
    return dirty.size ? [...dirty] : undefined;
  }

  /** The step nodes of a shown task, in its list's order (nodes of steps it no longer lists are let go). */
  private stepNodes(id: string): TaskTreeNode[] {
    const steps = this.layout.shows(id) ? stepsOf(this.source.get(id)) : [];
    this.nodes.keepSteps(id, new Set(steps.map((step) => step.id)));
    return steps.map((step) => this.nodes.step(id, step.id));
  }

  private stepRowOf(taskId: string, stepId: string): Row | undefined {
    const record = this.source.get(taskId);
    const step = record && this.layout.shows(taskId) ? stepsOf(record).find((candidate) => candidate.id === stepId) : undefined;
    return record && step ? stepRow(record, step, this.now()) : undefined;
  }

  private hasRunningStep(id: string): boolean {
    const record = this.source.get(id);
    return record !== undefined && hasRunningStep(record);
  }

  /** Whether a shown task is within its container's page (a task not shown counts as on it: its node is left to the usual rules). */
  private onPage(id: string): boolean {
    const place = this.layout.placedAt(id);
    const index = this.layout.position(id);
    return place === undefined || index === undefined || index < this.pages.limitOf(place);
  }

  /** The tasks of a container, in the order it lists them. */
  private tasksIn(container: string): readonly string[] {
    return container.startsWith('task:')
      ? this.layout.childrenOf(container.slice('task:'.length))
      : (this.layout.groups.get(container.slice('group:'.length)) ?? []);
  }

  private relayout(): void {
    const before = this.layout as TaskTreeLayout | undefined;
    const records = this.source.all();
    this.layout = new TaskTreeLayout(
      records,
      (id) => this.source.get(id),
      (record) => this.isVisible(record),
      (record) => this.groups.keyOf(record),
    );
    this.rows.clear();
    this.tickingIds.clear();
    for (const record of records) {
      if (before && !before.knows(record.id)) this.unannounced.add(record.id);
      if (descriptionTicks(record) && this.layout.shows(record.id)) this.tickingIds.add(record.id);
    }
  }

  /** Rows of the tasks a batch placed again, and of the tasks they sit under, are made again when next asked. */
  private forgetRows(moves: readonly Move[]): void {
    for (const { id, before, after } of moves) {
      this.rows.forget(id);
      if (before?.startsWith('task:')) this.rows.forget(before.slice('task:'.length));
      if (after?.startsWith('task:')) this.rows.forget(after.slice('task:'.length));
      const record = this.source.get(id);
      if (record && after !== undefined && descriptionTicks(record)) this.tickingIds.add(id);
      else this.tickingIds.delete(id);
    }
  }

  private isVisible(record: TaskRecord): boolean {
    if (record.archived && !this.showArchived) return false;
    const statuses = this.filter.statuses;
    if (statuses?.length && !statuses.includes(record.status)) return false;
    const text = this.filter.text?.trim().toLowerCase();
    if (text) {
      const haystack =
        `${record.tool}\n${record.intent ?? ''}\n${record.statusMessage ?? ''}\n${record.tags.join(' ')}\n${JSON.stringify(record.arguments)}\n${record.taskId ?? ''}`.toLowerCase();
      if (!haystack.includes(text)) return false;
    }
    return true;
  }

  groupLabel(key: string): string {
    return this.groups.label(key);
  }
}
