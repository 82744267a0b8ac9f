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
  const remove: string[] = [];
  let kept = 0;
  for (const record of candidates) {
    if (keptUntil(record, settings.days) < settings.now) remove.push(record.id);
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

/** When a finished record grows too old to keep (epoch ms): `days` after its last update; never when `days` is 0. */
function keptUntil(record: Pick<TaskRecord, 'lastUpdatedAt'>, days: number): number {
  return days > 0 ? Date.parse(record.lastUpdatedAt) + days * DAY_MS : Infinity;
}

/** How long history keeps one task, for people to read (the detail panel). */
export type RetentionOutlook =
  /** Still running: history never removes it. */
  | { readonly kind: 'running' }
  | { readonly kind: 'pinned' }
  /** Kept until `until` (epoch ms), `days` after it finished; sooner if history passes `maxTasks` (0: no limit). */
  | { readonly kind: 'until'; readonly until: number; readonly days: number; readonly maxTasks: number }
  /** No age limit: kept until history passes `maxTasks`. */
  | { readonly kind: 'count'; readonly maxTasks: number }
  /** Neither limit is set. */
  | { readonly kind: 'always' };

/** The same rule `decideRetention` applies, told for one record. */
export function retentionOutlook(
  record: Pick<TaskRecord, 'status' | 'pinned' | 'lastUpdatedAt'>,
  settings: Pick<RetentionSettings, 'days' | 'maxTasks'>,
): RetentionOutlook {
  if (!isTerminal(record.status)) return { kind: 'running' };
  if (record.pinned) return { kind: 'pinned' };
  const until = keptUntil(record, settings.days);
  if (Number.isFinite(until)) return { kind: 'until', until, days: settings.days, maxTasks: settings.maxTasks };
  return settings.maxTasks > 0 ? { kind: 'count', maxTasks: settings.maxTasks } : { kind: 'always' };
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
