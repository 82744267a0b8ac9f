import type { Row } from './taskTreeNodes';

/**
 * How many tasks a container (a group, or a task with tasks under it) shows before a "Show more"
 * row. A list of thousands helps no one, and VS Code asks again for every row of a container it
 * redraws, so a busy group's redraw costs what it shows, not what it holds.
 */
export const PAGE_SIZE = 500;

/** The row after a container's shown tasks that shows the next page of them. */
export interface MoreNode {
  readonly kind: 'more';
  /** The container's key (`group:<key>` or `task:<id>`). */
  readonly container: string;
}

/** What the view last fetched of a group: the tasks it shows and how many it hides. */
interface Fetched {
  readonly shown: readonly string[];
  readonly hidden: number;
}

/**
 * The pages of the Tasks view: how many tasks each container shows (it grows by a page when the
 * person asks for more, or when a task beyond it is revealed), and what the view last fetched of
 * each group, so a batch that changes only tasks beyond a group's page redraws nothing.
 */
export class TaskTreePages {
  private readonly limits = new Map<string, number>();
  private readonly moreNodes = new Map<string, MoreNode>();
  /** By container key; forgotten whenever the group is redrawn, until the view fetches its tasks again. */
  private readonly fetched = new Map<string, Fetched>();

  constructor(readonly size: number) {}

  limitOf(container: string): number {
    return this.limits.get(container) ?? this.size;
  }

  /** The tasks a container shows, and its "more" row when some are hidden; a group's is remembered as what the view holds. */
  page(container: string, ids: readonly string[]): { readonly shown: readonly string[]; readonly more: MoreNode | undefined } {
    const limit = this.limitOf(container);
    const shown = ids.length > limit ? ids.slice(0, limit) : ids.slice();
    const hidden = ids.length - shown.length;
    if (container.startsWith('group:')) this.fetched.set(container, { shown, hidden });
    return { shown, more: hidden ? this.moreNode(container) : undefined };
  }

  /** Whether the view still holds what it would fetch of a group now: the same shown tasks, and as many hidden. */
  unchanged(container: string, ids: readonly string[]): boolean {
    const fetched = this.fetched.get(container);
    if (!fetched) return false;
    const limit = this.limitOf(container);
    // A group that is not paged keeps the usual redraw rules.
    if (!fetched.hidden && ids.length <= limit) return false;
    if (fetched.hidden !== Math.max(0, ids.length - limit) || fetched.shown.length !== Math.min(limit, ids.length)) return false;
    return fetched.shown.every((id, index) => ids[index] === id);
  }

  /** The view will redraw a container: what it held is no longer known until it fetches it again. */
  redrawn(container: string): void {
    this.fetched.delete(container);
  }

  clearFetched(): void {
    this.fetched.clear();
  }

  /** The containers that show more than a page, with how many tasks each shows. */
  raised(): ReadonlyMap<string, number> {
    return new Map(this.limits);
  }

  setLimits(limits: ReadonlyMap<string, number>): void {
    this.limits.clear();
    for (const [container, limit] of limits) this.limits.set(container, limit);
    this.fetched.clear();
  }

  /** Shows one page more of a container. */
  raise(container: string): void {
    this.limits.set(container, this.limitOf(container) + this.size);
  }

  /** Shows the container's task at `index` (and the rest of its page); answers whether the container shows more now. */
  reach(container: string, index: number): boolean {
    if (index < this.limitOf(container)) return false;
    this.limits.set(container, Math.ceil((index + 1) / this.size) * this.size);
    return true;
  }

  moreRow(container: string, total: number): Row | undefined {
    const hidden = total - this.limitOf(container);
    if (hidden <= 0) return undefined;
    const next = Math.min(this.size, hidden);
    return {
      id: `more:${container}`,
      label: `Show ${next} more… (${hidden} hidden)`,
      description: '',
      fold: 'none',
      accessibleLabel: `Show ${next} more task${next === 1 ? '' : 's'}, ${hidden} hidden`,
    };
  }

  moreNode(container: string): MoreNode {
    let node = this.moreNodes.get(container);
    if (!node) {
      node = { kind: 'more', container };
      this.moreNodes.set(container, node);
    }
    return node;
  }
}
