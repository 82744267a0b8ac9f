import type { TaskRecord } from '../../core/taskRecord';
import { isQueued } from '../../core/taskRules';
import { isTerminal } from '../../core/taskStatus';
import { stepsOf } from './stepRows';
import { type DescriptionParts, STATUS_LOOK, describeAt, describedSpan, descriptionParts, taskLabel } from '../taskText';
import type { TaskTreeLayout } from './taskTreeLayout';
import type { Fold, Row } from './taskTreeNodes';

/** What a task's row says apart from the clock. */
interface RowParts {
  readonly label: string;
  readonly look: string;
  readonly family: string;
  readonly fold: Fold;
  readonly description: DescriptionParts;
}

/** A task's row as last made: its parts while its record is the same object, its row while the clock stays in [from, until). */
class KeptRow {
  row: Row | undefined = undefined;
  from = 0;
  until = 0;

  constructor(
    readonly record: TaskRecord,
    readonly parts: RowParts,
  ) {}
}

/**
 * The rows of the Tasks view, kept: VS Code asks again for every row of a container it redraws,
 * and most of them have not changed. A row is made again when its record is a new object (the
 * store replaces a record on every change), when it is forgotten (what is under its task changed),
 * or, for running work, when the clock moves the elapsed time it shows (only that part is made
 * again). A kept row is the same object, so the provider can keep its `TreeItem` too.
 */
export class TaskRows {
  private readonly rows = new Map<string, KeptRow>();

  constructor(private readonly get: (id: string) => TaskRecord | undefined) {}

  row(record: TaskRecord, layout: TaskTreeLayout, now: number): Row {
    let kept = this.rows.get(record.id);
    if (kept?.record !== record) this.rows.set(record.id, (kept = new KeptRow(record, this.partsOf(record, layout))));
    if (kept.row && now >= kept.from && now < kept.until) return kept.row;
    // New, changed, or only the clock moved a running task's elapsed time.
    const { label, look, family, fold, description: parts } = kept.parts;
    const description = describeAt(parts, now);
    kept.row = { id: record.id, label, description, fold, accessibleLabel: `${label}, ${look}${description ? `, ${description}` : ''}${family}` };
    const span = describedSpan(parts, now);
    kept.from = span.from;
    kept.until = span.until;
    return kept.row;
  }

  /** The row kept for this very record, if it still says what it would say now. */
  current(record: TaskRecord, now: number): Row | undefined {
    const kept = this.rows.get(record.id);
    return kept?.record === record && now >= kept.from && now < kept.until ? kept.row : undefined;
  }

  /** Whether the row last made for the task still says what it would say now. */
  isCurrent(id: string, now: number): boolean {
    const kept = this.rows.get(id);
    return kept?.row !== undefined && kept.record === this.get(id) && now >= kept.from && now < kept.until;
  }

  forget(id: string): void {
    this.rows.delete(id);
  }

  clear(): void {
    this.rows.clear();
  }

  private partsOf(record: TaskRecord, layout: TaskTreeLayout): RowParts {
    const children = layout.childTasksOf(record.id);
    // Work still running under a task stays in view; a finished family folds away.
    const runningChild = children.some((id) => {
      const child = this.get(id);
      return child !== undefined && !isTerminal(child.status);
    });
    // Its steps (leaves under its row) stay in view while it runs, as running child tasks do.
    const steps = stepsOf(record).length;
    const runningSteps = steps > 0 && !isTerminal(record.status);
    return {
      label: taskLabel(record),
      look: isQueued(record) && record.queue ? `queued, ${record.queue.position} of ${record.queue.size}` : STATUS_LOOK[record.status].label,
      family:
        (steps ? `, ${steps} step${steps === 1 ? '' : 's'}` : '') +
        (children.length ? `, ${children.length} child task${children.length === 1 ? '' : 's'}` : ''),
      fold: !layout.hasChildren(record.id) && !steps ? 'none' : runningChild || runningSteps ? 'expanded' : 'collapsed',
      description: descriptionParts(record),
    };
  }
}
