import type { MoreNode } from './taskTreePages';

export interface GroupNode {
  readonly kind: 'group';
  readonly key: string;
}

export interface TaskNode {
  readonly kind: 'task';
  readonly id: string;
}

export type TaskTreeNode = GroupNode | TaskNode | MoreNode;

export type Fold = 'none' | 'collapsed' | 'expanded';

/** One row as text: what the view shows of a node, without icons (those need `vscode`). */
export interface Row {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly fold: Fold;
  readonly accessibleLabel: string;
}

/** The container key (`group:<key>` or `task:<id>`) of what a node shows under it. */
export function containerKeyOf(node: GroupNode | TaskNode): string {
  return node.kind === 'task' ? `task:${node.id}` : `group:${node.key}`;
}

/**
 * The Tasks view's group and task nodes, one object per key: VS Code matches refreshes by node
 * identity, so a node is made once and handed out again until its task is gone.
 */
export class TaskTreeNodes {
  private readonly groups = new Map<string, GroupNode>();
  private readonly tasks = new Map<string, TaskNode>();

  /** The node of a container key (`group:<key>` or `task:<id>`). */
  container(place: string): TaskTreeNode {
    return place.startsWith('task:') ? this.task(place.slice('task:'.length)) : this.group(place.slice('group:'.length));
  }

  group(key: string): GroupNode {
    let node = this.groups.get(key);
    if (!node) {
      node = { kind: 'group', key };
      this.groups.set(key, node);
    }
    return node;
  }

  task(id: string): TaskNode {
    let node = this.tasks.get(id);
    if (!node) {
      node = { kind: 'task', id };
      this.tasks.set(id, node);
    }
    return node;
  }

  /** Drops the node of a task that is gone; answers it, if one was made. */
  forget(id: string): TaskNode | undefined {
    const node = this.tasks.get(id);
    this.tasks.delete(id);
    return node;
  }
}
