import type { Event } from './events';
import type { MissedRuns, Schedule, ScheduledWork, ScheduleTrigger } from './schedule';
import type { TaskRecord } from './taskRecord';

/** What a new schedule takes; the rest (id, times, runs) is the schedules' own. */
export interface NewSchedule {
  readonly name: string;
  readonly work: ScheduledWork;
  readonly trigger: ScheduleTrigger;
  readonly missedRuns?: MissedRuns;
  readonly paused?: boolean;
}

/** What an edit may change. */
export type ScheduleEdit = Partial<Pick<Schedule, 'name' | 'trigger' | 'missedRuns'>> & { readonly arguments?: Record<string, unknown> };

/**
 * What a person can do to schedules: the Schedules view and its commands act only through this.
 * Every method checks its input (an invalid trigger throws croner's reason in a plain sentence)
 * and keeps the schedules on disk.
 */
export interface ScheduleActions {
  /** Every schedule, by name. */
  list(): readonly Schedule[];
  get(id: string): Schedule | undefined;
  /** When a schedule next runs (ms since the epoch); undefined when paused. */
  nextRunAt(id: string): number | undefined;
  /** Fires after any schedule changed: created, edited, run, paused, deleted. */
  readonly onDidChange: Event<void>;
  create(input: NewSchedule): Schedule;
  edit(id: string, edit: ScheduleEdit): Schedule;
  pause(id: string): Schedule;
  /** Resumes counting from now: runs missed while paused are not caught up. */
  resume(id: string): Schedule;
  /** Starts a run now, outside the trigger (the trigger's times stay as they were). */
  runNow(id: string): Promise<TaskRecord | undefined>;
  /** Deletes the schedule; its past runs stay in the task history. */
  delete(id: string): void;
}
