import { type ScheduleTrigger, isCronTrigger } from '../../core/schedule';

/*
 * What the Schedules view and its prompts say about a schedule, in words (plain functions, no vscode).
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "every 15 min", "every 30 s", "every day", "cron 0 9 * * 1-5 (Europe/Paris)". */
export function triggerWords(trigger: ScheduleTrigger): string {
  if (isCronTrigger(trigger)) return `cron ${trigger.cron}${trigger.timezone ? ` (${trigger.timezone})` : ''}`;
  const every = trigger.everyMs;
  if (every === DAY) return 'every day';
  if (every === HOUR) return 'every hour';
  if (every === MINUTE) return 'every minute';
  return `every ${span(every)}`;
}

/** A length of time as people say it, in its largest whole unit: "15 min", "90 s", "2 h", "3 days". */
export function span(ms: number): string {
  if (ms % DAY === 0) return ms === DAY ? '1 day' : `${ms / DAY} days`;
  if (ms % HOUR === 0) return `${ms / HOUR} h`;
  if (ms % MINUTE === 0) return `${ms / MINUTE} min`;
  if (ms % SECOND === 0) return `${ms / SECOND} s`;
  return `${ms} ms`;
}

/** When it next runs, from now: "in 12 min", "in 40 s", "in 3 h", "in 2 days", "due now", or "paused". */
export function nextRunWords(nextAt: number | undefined, now: number, paused: boolean): string {
  if (paused) return 'paused';
  if (nextAt === undefined) return 'no further runs';
  const left = nextAt - now;
  if (left <= SECOND) return 'due now';
  if (left < MINUTE) return `in ${Math.ceil(left / SECOND)} s`;
  if (left < HOUR) return `in ${Math.round(left / MINUTE)} min`;
  if (left < DAY) return `in ${roundTo(left / HOUR)} h`;
  return `in ${roundTo(left / DAY)} days`;
}

function roundTo(value: number): string {
  return value >= 10 ? String(Math.round(value)) : String(Math.round(value * 10) / 10);
}

/** Reads an interval typed by a person: "15m", "15 min", "30s", "2h", "1d", "90 seconds"; undefined when unreadable. */
export function parseInterval(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)\s*$/i.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = match[2].toLowerCase();
  const factor = unit === 'ms' ? 1 : unit.startsWith('s') ? SECOND : unit.startsWith('m') ? MINUTE : unit.startsWith('h') ? HOUR : DAY;
  const ms = Math.round(value * factor);
  return ms > 0 ? ms : undefined;
}

/** A due time for a person checking a trigger: "Mon 3 Mar, 09:00" in the editor's locale and time zone. */
export function runTimeWords(at: number, timeZone?: string): string {
  return new Date(at).toLocaleString(undefined, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    ...(timeZone ? { timeZone, timeZoneName: 'short' } : {}),
  });
}
