import { EDITOR_AGENT_KEY, agentKey, agentName, machineName, type TaskRecord } from '../../core/taskRecord';
import { TASK_STATUSES, type TaskStatus } from '../../core/taskStatus';
import { STATUS_LOOK } from '../taskText';
import type { TaskTreeLayout } from './taskTreeLayout';
import type { Row } from './taskTreeNodes';

export type GroupBy = 'status' | 'server' | 'tool' | 'agent' | 'machine';

/** The group of the editor's own tasks when grouped by agent. */
export const EDITOR_GROUP = `agent:${EDITOR_AGENT_KEY}`;

/** The status a group stands for, when grouping by status. */
export function groupStatus(key: string): TaskStatus | undefined {
  return key.startsWith('status:') ? (key.slice('status:'.length) as TaskStatus) : undefined;
}

/**
 * The Tasks view's groups: the key each task is grouped under, the order the groups are listed in
 * (and whether a batch changed it since the view fetched them), and each group's row, its label
 * and count. Which tasks a group holds is the layout's (`TaskTreeLayout`); it is read through
 * `layout`, since the model makes a new layout whenever it lays out afresh.
 */
export class TaskTreeGroups {
  /** The groups in the order the view last fetched them. */
  private fetched: readonly string[] = [];

  constructor(
    public by: GroupBy,
    private readonly layout: () => TaskTreeLayout,
    private readonly get: (id: string) => TaskRecord | undefined,
    private readonly serverName: (serverId: string) => string,
    /** The editor's own host: the group of tasks no team server placed elsewhere, when grouping by machine. */
    private readonly localMachine: string,
  ) {}

  keyOf(record: TaskRecord): string {
    switch (this.by) {
      case 'server':
        return `server:${record.serverId}`;
      case 'tool':
        return `tool:${record.tool}`;
      case 'agent':
        // Keyed by the token's agent, so two agents running the same client (or sharing a name) are two groups.
        return `agent:${agentKey(record)}`;
      case 'machine':
        return `machine:${machineName(record, this.localMachine)}`;
      default:
        return `status:${record.status}`;
    }
  }

  /** The groups in the order the view lists them, remembered as the order the view fetched. */
  fetch(): readonly string[] {
    this.fetched = this.keys();
    return this.fetched;
  }

  /**
   * Whether the groups are no longer in the order the view fetched them: groups of one name follow
   * their newest tasks (and an agent's group its name), so a task new to one can reorder them.
   */
  reordered(): boolean {
    if (this.by === 'status') return false;
    const keys = this.keys();
    return keys.length !== this.fetched.length || keys.some((key, index) => key !== this.fetched[index]);
  }

  private keys(): string[] {
    const keys = [...this.layout().groups.keys()];
    if (this.by === 'status') {
      const order = (key: string) => STATUS_LOOK[key.slice('status:'.length) as TaskStatus]?.order ?? TASK_STATUSES.length;
      return keys.sort((a, b) => order(a) - order(b));
    }
    // The editor's own tasks (or its own machine's) first, then the others by name.
    const own = this.by === 'machine' ? `machine:${this.localMachine}` : EDITOR_GROUP;
    const rank = (key: string) => (key === own ? 0 : 1);
    // Groups of one name keep the order of their newest tasks.
    return keys.sort((a, b) => rank(a) - rank(b) || this.label(a).localeCompare(this.label(b)) || this.newer(a, b));
  }

  private newer(a: string, b: string): number {
    const layout = this.layout();
    const newest = (key: string) => layout.groups.get(key)!.reduce((x, y) => (layout.newer(y, x) ? y : x));
    return layout.newer(newest(a), newest(b)) ? -1 : 1;
  }

  label(key: string): string {
    const [kind, value] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (kind === 'status') return STATUS_LOOK[value as TaskStatus]?.group ?? value;
    if (kind === 'server') return this.serverName(value);
    if (kind === 'agent') {
      const first = this.layout().groups.get(key)?.[0];
      const record = first === undefined ? undefined : this.get(first);
      return record ? agentName(record) : value;
    }
    return value;
  }

  row(key: string): Row | undefined {
    const list = this.layout().groups.get(key);
    if (!list) return undefined;
    const label = this.label(key);
    const count = list.length;
    const status = groupStatus(key);
    // Finished groups start collapsed once they grow, so live work stays in view.
    const collapsed = status && (status === 'completed' || status === 'cancelled') && count > 10;
    return {
      id: `group:${key}`,
      label,
      description: String(count),
      fold: collapsed ? 'collapsed' : 'expanded',
      accessibleLabel: `${label}, ${count} task${count === 1 ? '' : 's'}`,
    };
  }
}
