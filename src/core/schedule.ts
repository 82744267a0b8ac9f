import { Cron } from 'croner';
import { z } from 'zod';

/*
 * A schedule: a tool run on a cron expression or at an interval, each run a task of its own that
 * names the schedule (`scheduleId`). Its two rules live here, one function each: when it is next
 * due (`nextDueAt`), and what to do about the due times that passed (`dueRunDecision`), which is
 * also the missed-run policy for the times the editor was closed.
 */

const isoDate = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date');

/** The shortest interval a schedule may have: a task a second is already more than anyone reads. */
export const MIN_INTERVAL_MS = 1000;
/** A missed run is caught up only if its due time is at most this old (and within one period). */
export const MAX_CATCH_UP_MS = 24 * 60 * 60 * 1000;
/** A due time this close to now is on time (a timer fires a little late), not missed. */
export const ON_TIME_GRACE_MS = 60 * 1000;
/** How many runs a schedule remembers for its view (newest first). */
export const RECENT_RUNS = 10;
/** Missed due times are counted up to this many; more is "more than 1000". */
const COUNT_LIMIT = 1000;

export const CronTriggerSchema = z.object({
  cron: z.string().min(1),
  /** An IANA time zone ("Europe/Paris"); without one, the editor's local time. */
  timezone: z.string().min(1).optional(),
});
export const IntervalTriggerSchema = z.object({ everyMs: z.number().int().min(MIN_INTERVAL_MS) });
export const ScheduleTriggerSchema = z.union([CronTriggerSchema, IntervalTriggerSchema]);
export type CronTrigger = z.infer<typeof CronTriggerSchema>;
export type IntervalTrigger = z.infer<typeof IntervalTriggerSchema>;
export type ScheduleTrigger = z.infer<typeof ScheduleTriggerSchema>;

/**
 * What happens to due times that passed while the editor was closed (or asleep): `runOnce` runs
 * one catch-up run for all of them, if the last of them is recent enough (`catchUpWindowMs`);
 * `skip` runs nothing and says how many were skipped.
 */
export const MissedRunsSchema = z.enum(['runOnce', 'skip']);
export type MissedRuns = z.infer<typeof MissedRunsSchema>;

/** The work each run starts: a tool of a server with its arguments, like a task's spec. */
export const ScheduledWorkSchema = z.object({
  serverId: z.string().min(1),
  tool: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()).default({}),
  intent: z.string().optional(),
});
export type ScheduledWork = z.infer<typeof ScheduledWorkSchema>;

export const ScheduleSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  work: ScheduledWorkSchema,
  trigger: ScheduleTriggerSchema,
  paused: z.boolean().default(false),
  missedRuns: MissedRunsSchema.default('runOnce'),
  createdAt: isoDate,
  /** Due times are counted after this instant: the creation, the last due time dealt with, or the resume. */
  dueFrom: isoDate,
  lastRunAt: isoDate.optional(),
  /** The task the last run started. */
  lastRecordId: z.string().optional(),
  /** The tasks of the last runs, newest first (at most RECENT_RUNS). */
  recentRecordIds: z.array(z.string()).default([]),
  /** What happened at the last due time when it was not simply a run: "server not connected", a skip, a catch-up. */
  lastOutcome: z.object({ at: isoDate, message: z.string() }).optional(),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

export function isCronTrigger(trigger: ScheduleTrigger): trigger is CronTrigger {
  return 'cron' in trigger;
}

/** The cron of a trigger, checked: an invalid pattern or time zone throws croner's own reason. */
export function cronOf(trigger: CronTrigger): Cron {
  // `paused`: the object only computes times, it never runs anything.
  const cron = new Cron(trigger.cron, { paused: true, timezone: trigger.timezone });
  // croner reads the time zone only when it computes a time: ask once so a bad zone fails here.
  cron.nextRun();
  return cron;
}

/** Why a trigger is invalid (croner's reason for a pattern), or undefined when it is fine. */
export function triggerProblem(trigger: ScheduleTrigger): string | undefined {
  if (!isCronTrigger(trigger)) return trigger.everyMs >= MIN_INTERVAL_MS ? undefined : `An interval is at least ${MIN_INTERVAL_MS / 1000} s.`;
  if (trigger.timezone !== undefined && !isTimeZone(trigger.timezone)) return `Unknown time zone "${trigger.timezone}": use an IANA name such as Europe/Paris.`;
  try {
    return cronOf(trigger).nextRun() ? undefined : 'This cron expression never runs again.';
  } catch (error) {
    return (error as Error).message;
  }
}

/** Whether the runtime knows an IANA time zone of this name. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Gives the first due time strictly after a moment (ms since the epoch), or undefined if there is none. */
export type DueTimes = (after: number) => number | undefined;

/** The due times of a trigger; an interval counts from `anchor`, so a late timer does not shift every run after it. */
export function dueTimes(trigger: ScheduleTrigger, anchor: number): DueTimes {
  if (!isCronTrigger(trigger)) {
    const every = trigger.everyMs;
    return (after) => anchor + Math.max(1, Math.floor((after - anchor) / every) + 1) * every;
  }
  const cron = cronOf(trigger);
  return (after) => cron.nextRun(new Date(after))?.getTime();
}

/** The first due time strictly after `after`, counting an interval from `anchor`. */
export function nextDueAfter(trigger: ScheduleTrigger, after: number, anchor: number): number | undefined {
  return dueTimes(trigger, anchor)(after);
}

/** When a schedule next runs: its first due time after `dueFrom`; undefined when paused (or never again). */
export function nextDueAt(schedule: Schedule): number | undefined {
  if (schedule.paused) return undefined;
  const from = Date.parse(schedule.dueFrom);
  return nextDueAfter(schedule.trigger, from, from);
}

/** The next `count` due times after `after`, for people to check a trigger before they save it. */
export function upcomingRuns(trigger: ScheduleTrigger, after: number, count: number): number[] {
  const times: number[] = [];
  const nextAt = dueTimes(trigger, after);
  let at = after;
  while (times.length < count) {
    const next = nextAt(at);
    if (next === undefined) break;
    times.push(next);
    at = next;
  }
  return times;
}

/** What to do at `now` about the due times that passed since `dueFrom`. */
export interface DueRunDecision {
  /** Start a run now. */
  readonly run: boolean;
  /** The new `dueFrom`: the last due time dealt with (so none is counted twice). */
  readonly dueFrom: number;
  /** How many due times passed (a count at COUNT_LIMIT means at least that many). */
  readonly due: number;
  /** Said on the schedule when it is more than a run on time: a catch-up or a skip. */
  readonly note?: string;
}

/**
 * The missed-run rule. No due time passed: nothing. One, on time (within ON_TIME_GRACE_MS): run.
 * Otherwise they were missed (the editor was closed or asleep): `skip` runs nothing and says how
 * many; `runOnce` runs once for all of them if the last is within `catchUpWindowMs` of now,
 * and otherwise skips them too.
 */
export function dueRunDecision(schedule: Schedule, now: number): DueRunDecision | undefined {
  if (schedule.paused) return undefined;
  const from = Date.parse(schedule.dueFrom);
  const nextAt = dueTimes(schedule.trigger, from);
  let due = 0;
  let last: number | undefined;
  for (let at = nextAt(from); at !== undefined && at <= now; at = nextAt(at)) {
    due++;
    last = at;
    if (due >= COUNT_LIMIT) {
      // Counting further is pointless: jump to the last due time before now.
      last = lastDueBefore(schedule.trigger, now, from) ?? at;
      break;
    }
  }
  if (last === undefined) return undefined;
  if (due === 1 && now - last <= ON_TIME_GRACE_MS) return { run: true, dueFrom: last, due };
  const runs = due >= COUNT_LIMIT ? `more than ${COUNT_LIMIT} runs` : due === 1 ? '1 run' : `${due} runs`;
  if (schedule.missedRuns === 'runOnce' && now - last <= catchUpWindowMs(schedule.trigger, last, from)) {
    return { run: true, dueFrom: last, due, note: due === 1 ? '1 missed run caught up' : `${runs} missed while VS Code was closed, caught up as one` };
  }
  return { run: false, dueFrom: last, due, note: `skipped ${runs} missed while VS Code was closed` };
}

/** How late a missed run may still be caught up: one period of the trigger, at most MAX_CATCH_UP_MS. */
export function catchUpWindowMs(trigger: ScheduleTrigger, dueAt: number, anchor: number): number {
  const period = isCronTrigger(trigger) ? (nextDueAfter(trigger, dueAt, anchor) ?? Infinity) - dueAt : trigger.everyMs;
  return Math.min(period, MAX_CATCH_UP_MS);
}

/** The last due time at or before `now`. */
function lastDueBefore(trigger: ScheduleTrigger, now: number, anchor: number): number | undefined {
  if (!isCronTrigger(trigger)) return anchor + Math.floor((now - anchor) / trigger.everyMs) * trigger.everyMs;
  return cronOf(trigger)
    .previousRuns(1, new Date(now + 1))[0]
    ?.getTime();
}
