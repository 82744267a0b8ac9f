import type { MoreNode } from './taskTreePages';

export interface GroupNode {
  readonly kind: 'group';
  readonly key: string;
}

export interface TaskNode {
  readonly kind: 'task';
  readonly id: string;
}

/**
 * A step of a task's work (taskSteps.ts): a leaf under the task's row. It names its task through
 * `container`, as a "more" row does, and carries no `id`, so no task command takes it for a task.
 */
export interface StepNode {
  readonly kind: 'step';
  /** `task:<id>` of the task whose step it is. */
  readonly container: string;
  readonly stepId: string;
}

export type TaskTreeNode = GroupNode | TaskNode | MoreNode | StepNode;

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
  private readonly steps = new Map<string, Map<string, StepNode>>();

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

  /** The node of a task's step, one per step id while the task is there. */
  step(taskId: string, stepId: string): StepNode {
    let ofTask = this.steps.get(taskId);
    if (!ofTask) this.steps.set(taskId, (ofTask = new Map()));
    let node = ofTask.get(stepId);
    if (!node) {
      node = { kind: 'step', container: `task:${taskId}`, stepId };
      ofTask.set(stepId, node);
    }
    return node;
  }

  /** Drops the nodes of steps the task no longer lists (a server may replace its list). */
  keepSteps(taskId: string, stepIds: ReadonlySet<string>): void {
    const ofTask = this.steps.get(taskId);
    if (!ofTask) return;
    for (const stepId of ofTask.keys()) if (!stepIds.has(stepId)) ofTask.delete(stepId);
    if (!ofTask.size) this.steps.delete(taskId);
  }

  /** Drops the node of a task that is gone, with its steps'; answers it, if one was made. */
  forget(id: string): TaskNode | undefined {
    const node = this.tasks.get(id);
    this.tasks.delete(id);
    this.steps.delete(id);
    return node;
  }
}
