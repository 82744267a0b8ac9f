import { z } from 'zod';

/**
 * The steps of composite work: the dependencies of a VS Code task run in order, the tests of a
 * test run. A task reports them as one list (its server sends the whole list each time, under
 * `dev.tasklane/steps`), and the record keeps the latest list as it came.
 */

/** A step waits until it starts; it ends as a task does (a step never asks questions). */
export const STEP_STATUSES = ['waiting', 'working', 'completed', 'failed', 'cancelled'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** At most this many steps per task: a test run of thousands keeps the ones that matter (see `boundSteps`). */
export const MAX_STEPS = 200;
/** A label is one line of a tree row; a detail a few lines of the panel. */
export const MAX_STEP_LABEL = 200;
export const MAX_STEP_DETAIL = 1000;
/** Nesting shown at most (a dependency of a dependency of …). */
export const MAX_STEP_DEPTH = 8;

const isoDate = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date');

export const TaskStepSchema = z.object({
  /** Stable within the task, so views can keep a row per step. */
  id: z.string().min(1).max(MAX_STEP_LABEL),
  label: z.string().max(MAX_STEP_LABEL),
  status: z.enum(STEP_STATUSES),
  startedAt: isoDate.optional(),
  endedAt: isoDate.optional(),
  /** One short line on how it ended, e.g. "exit code 2". */
  detail: z.string().max(MAX_STEP_DETAIL).optional(),
  /** 0 for a step of the task itself, 1 for a step of that step, … */
  depth: z.number().int().min(0).max(MAX_STEP_DEPTH).optional(),
});
export type TaskStep = z.infer<typeof TaskStepSchema>;

export const TaskStepsSchema = z.array(TaskStepSchema).max(MAX_STEPS);

export function isStepFinished(status: StepStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/**
 * The list brought within `MAX_STEPS`, order kept: completed steps give way first, oldest first,
 * so what runs, waits or went wrong stays in view; if that is still too many, the last ones go.
 */
export function boundSteps(steps: readonly TaskStep[]): TaskStep[] {
  if (steps.length <= MAX_STEPS) return [...steps];
  let excess = steps.length - MAX_STEPS;
  const kept = steps.filter((step) => {
    if (excess > 0 && step.status === 'completed') {
      excess--;
      return false;
    }
    return true;
  });
  return kept.slice(0, MAX_STEPS);
}

/**
 * Steps another party sent (a server's `_meta`), or undefined when they are not a list of steps:
 * each step is checked, labels and details are cut to their bounds, a bad step is left out, and
 * the list is bounded. An empty list is a list (the work said it has no steps now).
 */
export function readSteps(value: unknown): TaskStep[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const steps: TaskStep[] = [];
  const ids = new Set<string>();
  for (const candidate of value) {
    const step = TaskStepSchema.safeParse(trimmed(candidate));
    // A repeated id would give two rows one identity: the first one stands.
    if (!step.success || ids.has(step.data.id)) continue;
    ids.add(step.data.id);
    steps.push(step.data);
  }
  return boundSteps(steps);
}

function trimmed(candidate: unknown): unknown {
  if (typeof candidate !== 'object' || candidate === null) return candidate;
  const step = candidate as Record<string, unknown>;
  return {
    ...step,
    ...(typeof step.label === 'string' ? { label: step.label.slice(0, MAX_STEP_LABEL) } : {}),
    ...(typeof step.detail === 'string' ? { detail: step.detail.slice(0, MAX_STEP_DETAIL) } : {}),
    ...(typeof step.depth === 'number' && Number.isInteger(step.depth) ? { depth: Math.max(0, Math.min(MAX_STEP_DEPTH, step.depth)) } : {}),
  };
}

/** How long a step ran (ms), up to `now` while it runs; undefined before it starts. */
export function stepDuration(step: TaskStep, now: number): number | undefined {
  if (step.startedAt === undefined) return undefined;
  const end = step.endedAt !== undefined ? Date.parse(step.endedAt) : isStepFinished(step.status) ? undefined : now;
  return end === undefined ? undefined : Math.max(0, end - Date.parse(step.startedAt));
}

/** Whether two step lists say the same (a server repeats the list in every update). */
export function sameSteps(a: readonly TaskStep[] | undefined, b: readonly TaskStep[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((step, i) => {
    const other = b[i];
    return (
      step.id === other.id &&
      step.label === other.label &&
      step.status === other.status &&
      step.startedAt === other.startedAt &&
      step.endedAt === other.endedAt &&
      step.detail === other.detail &&
      step.depth === other.depth
    );
  });
}

/**
 * A step as it is shown: once its task has ended, a step still running or waiting was stopped or
 * never ran (its server's last word came before the end), so it shows as cancelled.
 */
export function shownStepStatus(step: TaskStep, taskEnded: boolean): StepStatus {
  return taskEnded && !isStepFinished(step.status) ? 'cancelled' : step.status;
}
