import assert from 'node:assert/strict';
import type { Redraw, TaskTreeModel, TaskTreeNode } from '../../../src/ui/tree/taskTreeModel';

/**
 * What VS Code's tree view holds: rows it fetched, kept until the provider says they are stale.
 * As VS Code does, it knows nodes by identity (a redraw of a node object it never fetched is
 * ignored) and keeps one node per id. A redraw of some nodes first forgets everything under each
 * of them, then fetches each again with everything under it (every fold open); a child whose id
 * is still held under another node is refused, as VS Code refuses it ("already registered").
 * 'all' fetches everything again. `rowsAsked` counts the rows fetched.
 */
export class ViewMirror {
  private readonly fetched = new Map<TaskTreeNode, { readonly line: string; readonly children: readonly TaskTreeNode[] }>();
  /** Which node holds each id now. */
  private readonly byId = new Map<string, TaskTreeNode>();
  private readonly parents = new Map<TaskTreeNode, TaskTreeNode>();
  private roots: readonly TaskTreeNode[] = [];
  rowsAsked = 0;

  constructor(private readonly model: TaskTreeModel) {
    this.redraw('all');
  }

  redraw(redraw: Redraw): void {
    if (!redraw) return;
    if (redraw === 'all') {
      this.fetched.clear();
      this.byId.clear();
      this.parents.clear();
      this.roots = this.model.children();
      for (const node of this.roots) this.register(node);
      for (const node of this.roots) this.fetch(node);
      return;
    }
    // A node under another node of the same redraw is fetched with it, as VS Code does.
    const listed = new Set(redraw);
    const underListed = (node: TaskTreeNode) => {
      for (let up = this.parents.get(node); up; up = this.parents.get(up)) if (listed.has(up)) return true;
      return false;
    };
    const known = redraw.filter((node) => this.fetched.has(node) && !underListed(node));
    for (const node of known) this.forgetUnder(node);
    for (const node of known) this.fetch(node);
  }

  /** Every node the view holds. */
  nodes(): TaskTreeNode[] {
    return [...this.fetched.keys()];
  }

  /** Every row a person would see with every fold open, indented by depth. */
  lines(): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const walk = (nodes: readonly TaskTreeNode[], depth: number) => {
      for (const node of nodes) {
        const id = idOf(node);
        // VS Code refuses a second element with one id; so must the tree.
        assert.ok(!seen.has(id), `the row ${id} is shown twice`);
        seen.add(id);
        const entry = this.fetched.get(node);
        assert.ok(entry, `the row ${id} was never fetched`);
        out.push(`${'  '.repeat(depth)}${entry.line}`);
        walk(entry.children, depth + 1);
      }
    };
    walk(this.roots, 0);
    return out;
  }

  private forgetUnder(node: TaskTreeNode): void {
    for (const child of this.fetched.get(node)?.children ?? []) {
      this.forgetUnder(child);
      this.fetched.delete(child);
      this.parents.delete(child);
      if (this.byId.get(idOf(child)) === child) this.byId.delete(idOf(child));
    }
  }

  private register(node: TaskTreeNode): void {
    const id = idOf(node);
    assert.ok(!this.byId.has(id), `element with id ${id} is already registered`);
    this.byId.set(id, node);
  }

  private fetch(node: TaskTreeNode): void {
    const row = this.model.row(node);
    this.rowsAsked++;
    const children = this.model.children(node);
    for (const child of children) {
      this.register(child);
      this.parents.set(child, node);
    }
    this.fetched.set(node, { line: row ? `${row.label} | ${row.description} | ${row.fold}` : '(removed)', children });
    for (const child of children) this.fetch(child);
  }
}

function idOf(node: TaskTreeNode): string {
  if (node.kind === 'more') return `more:${node.container}`;
  if (node.kind === 'step') return `step:${node.container}:${node.stepId}`;
  return node.kind === 'group' ? `group:${node.key}` : node.id;
}
