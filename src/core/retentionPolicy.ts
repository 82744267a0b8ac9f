import type { TaskRecord } from './taskRecord';
import { isTerminal } from './taskStatus';

export interface RetentionSettings {
  /** Finished tasks older than this many days go; 0 keeps them whatever their age. */
  readonly days: number;
  /** At most this many finished tasks stay; 0 means no limit. */
  readonly maxTasks: number;
  readonly now: number;
}

export interface RetentionDecision {
  /** Ids to delete, oldest first. */
  readonly remove: readonly string[];
  /** How many of them went for their age, and how many only to respect `maxTasks`. */
  readonly byAge: number;
  readonly byCount: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Which records history no longer keeps. Only finished, unpinned records are candidates: running
 * work is never touched, and a pinned task stays whatever its age. Archived and imported records
 * count like any other. Age is measured from the last update (when a task finished), so a long
 * task that just ended is not deleted for having started long ago.
 */
export function decideRetention(records: Iterable<TaskRecord>, settings: RetentionSettings): RetentionDecision {
  const candidates = [...records].filter((record) => isTerminal(record.status) && !record.pinned).sort(oldestFirst);
  const cutoff = settings.days > 0 ? settings.now - settings.days * DAY_MS : -Infinity;
  const remove: string[] = [];
  let kept = 0;
  for (const record of candidates) {
    if (Date.parse(record.lastUpdatedAt) < cutoff) remove.push(record.id);
    else kept++;
  }
  const byAge = remove.length;
  if (settings.maxTasks > 0 && kept > settings.maxTasks) {
    // Oldest first: the surviving candidates are the tail of `candidates`.
    const survivors = candidates.slice(byAge);
    for (const record of survivors.slice(0, kept - settings.maxTasks)) remove.push(record.id);
  }
  return { remove, byAge, byCount: remove.length - byAge };
}

/** One sentence for the log, e.g. "Retention removed 12 tasks older than 30 days". */
export function describeRetention(decision: RetentionDecision, settings: Pick<RetentionSettings, 'days' | 'maxTasks'>): string | undefined {
  if (decision.remove.length === 0) return undefined;
  const plural = (n: number) => `${n} task${n === 1 ? '' : 's'}`;
  const parts: string[] = [];
  if (decision.byAge > 0) parts.push(`${plural(decision.byAge)} older than ${settings.days} day${settings.days === 1 ? '' : 's'}`);
  if (decision.byCount > 0) parts.push(`${plural(decision.byCount)} beyond the limit of ${settings.maxTasks}`);
  return `Retention removed ${parts.join(' and ')}`;
}

function oldestFirst(a: TaskRecord, b: TaskRecord): number {
  if (a.lastUpdatedAt !== b.lastUpdatedAt) return a.lastUpdatedAt < b.lastUpdatedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
