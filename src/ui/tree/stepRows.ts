import type { TaskRecord } from '../../core/taskRecord';
import { isTerminal } from '../../core/taskStatus';
import { type StepStatus, type TaskStep, shownStepStatus, stepDuration } from '../../core/taskSteps';
import { formatDuration } from '../detail/format';
import type { Row } from './taskTreeNodes';

/** How a step's row looks: words for screen readers, a codicon and its colour. */
export const STEP_LOOK: Record<StepStatus, { readonly label: string; readonly icon: string; readonly color?: string }> = {
  waiting: { label: 'Waiting', icon: 'circle-large-outline', color: 'disabledForeground' },
  working: { label: 'Running', icon: 'sync~spin', color: 'charts.blue' },
  completed: { label: 'Completed', icon: 'pass', color: 'testing.iconPassed' },
  failed: { label: 'Failed', icon: 'error', color: 'testing.iconFailed' },
  cancelled: { label: 'Cancelled', icon: 'circle-slash', color: 'disabledForeground' },
};

/** The steps a task's row shows under it, in the order its server listed them. */
export function stepsOf(record: TaskRecord | undefined): readonly TaskStep[] {
  return record?.steps ?? [];
}

/** Whether the task has a step whose time moves with the clock. */
export function hasRunningStep(record: TaskRecord): boolean {
  return !isTerminal(record.status) && stepsOf(record).some((step) => step.status === 'working');
}

/** The status a step of this task shows (`shownStepStatus`). */
export function stepStatusIn(record: TaskRecord, step: TaskStep): StepStatus {
  return shownStepStatus(step, isTerminal(record.status));
}

/** A step's row: its label, then how long it ran (counting while it runs) and how it ended. A leaf. */
export function stepRow(record: TaskRecord, step: TaskStep, now: number): Row {
  const status = stepStatusIn(record, step);
  // A step of a task that ended runs no longer: its time stops where the task's did.
  const until = isTerminal(record.status) ? Math.min(now, Date.parse(record.lastUpdatedAt)) : now;
  const duration = stepDuration(step, until);
  const parts = [duration !== undefined ? formatDuration(duration) : status === 'waiting' ? 'waiting' : '', step.detail ?? ''].filter(Boolean);
  const description = parts.join(' · ');
  return {
    id: stepRowId(record.id, step.id),
    label: step.label,
    description,
    fold: 'none',
    accessibleLabel: `${step.label}, step, ${STEP_LOOK[status].label.toLowerCase()}${description ? `, ${description}` : ''}`,
  };
}

/** The tree item id of a step's row: apart from every task id and group key. */
export function stepRowId(taskId: string, stepId: string): string {
  return `step:${taskId}:${stepId}`;
}
