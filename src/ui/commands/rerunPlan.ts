/**
 * What "Re-run Failed Tasks…" does with the tasks a search found: which get a new attempt and
 * which are skipped (and why), the one argument edit applied to all of them, and the sentence
 * that sums the batch up. Pure (no `vscode`), so it is unit-tested; the command is rerunFailed.ts.
 */
import type { TaskRecord } from '../../core/taskRecord';
import { isTerminal } from '../../core/taskStatus';
import { canRetryTask, runsAgainOnlyWhenAsked } from '../../core/taskRules';

/** More than this in one batch is refused: a search that broad is more likely a mistake than a wish. */
export const RERUN_LIMIT = 100;

export type SkipReason = 'server gone' | 'already re-run' | 'imported copy' | 'completed' | 'still running' | 'deleted' | "another's team task";

export interface RerunPlan {
  /** The tasks that get a new attempt, in the order the search listed them. */
  readonly runnable: readonly TaskRecord[];
  readonly skipped: readonly { readonly record: TaskRecord; readonly reason: SkipReason }[];
}

/** Sorts the matches of a search into the ones a retry applies to (`canRetryTask`, on a connected server) and the rest. */
export function planRerun(matches: readonly TaskRecord[], isConnected: (serverId: string) => boolean): RerunPlan {
  const runnable: TaskRecord[] = [];
  const skipped: { record: TaskRecord; reason: SkipReason }[] = [];
  for (const record of matches) {
    const reason = skipReason(record, isConnected);
    if (reason) skipped.push({ record, reason });
    else runnable.push(record);
  }
  return { runnable, skipped };
}

/** Why a retry does not apply to this task now; undefined when it does. */
export function skipReason(record: TaskRecord, isConnected: (serverId: string) => boolean): SkipReason | undefined {
  if (!canRetryTask(record)) {
    if (record.imported) return 'imported copy';
    if (record.retriedAs) return 'already re-run';
    return isTerminal(record.status) ? 'completed' : 'still running';
  }
  // Each is asked for on its own (Retry on the task), never in a batch.
  if (runsAgainOnlyWhenAsked(record)) return "another's team task";
  return isConnected(record.serverId) ? undefined : 'server gone';
}

/** "1 skipped: server gone", "3 skipped: 2 already re-run, 1 server gone"; empty when none was. */
export function skippedText(skipped: RerunPlan['skipped']): string {
  if (skipped.length === 0) return '';
  const counts = new Map<SkipReason, number>();
  for (const { reason } of skipped) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  const reasons = [...counts].sort((a, b) => b[1] - a[1]);
  const why = reasons.length === 1 ? reasons[0][0] : reasons.map(([reason, count]) => `${count} ${reason}`).join(', ');
  return `${skipped.length} skipped: ${why}`;
}

/** The change made to every re-run task's arguments: a JSON merge patch (RFC 7396). */
export type ArgumentsPatch = Readonly<Record<string, unknown>>;

export const ARGUMENTS_PATCH_HELP =
  'A JSON object merged into each task\'s arguments, e.g. {"timeoutMs": 60000}; null removes a key. Empty: the same arguments.';

/** Reads the argument edit as typed: empty is no edit; anything else must be a JSON object. */
export function parseArgumentsPatch(text: string): { readonly patch?: ArgumentsPatch; readonly error?: string } {
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `Not JSON: ${(error as Error).message}. Type an object such as {"timeoutMs": 60000}, or leave it empty.` };
  }
  if (!isPlainObject(value)) return { error: 'Type a JSON object such as {"timeoutMs": 60000}: its keys are merged into each task\'s arguments.' };
  if (Object.keys(value).length === 0) return {};
  return { patch: value };
}

/**
 * The arguments after the edit (RFC 7396): a key of the patch replaces the task's; `null` removes
 * it; an object merges into an object key by key. The task's own arguments are not changed.
 */
export function applyArgumentsPatch(args: Readonly<Record<string, unknown>>, patch: ArgumentsPatch | undefined): Record<string, unknown> {
  if (!patch) return { ...args };
  const result: Record<string, unknown> = { ...args };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else if (isPlainObject(value)) result[key] = applyArgumentsPatch(isPlainObject(result[key]) ? result[key] : {}, value);
    else result[key] = value;
  }
  return result;
}

export interface RerunOutcome {
  readonly started: number;
  /** Tasks left unstarted because the person cancelled the batch. */
  readonly notStarted: number;
  readonly skipped: RerunPlan['skipped'];
  /** Retries that were refused, with the reason each gave. */
  readonly failed: readonly { readonly record: TaskRecord; readonly message: string }[];
}

/** "3 re-run, 1 skipped: server gone"; "Stopped: 2 re-run, 9 not started"; "… 1 could not start: <why>". */
export function rerunSummary(outcome: RerunOutcome): string {
  const parts = [`${outcome.started} re-run`];
  if (outcome.notStarted > 0) parts.push(`${outcome.notStarted} not started`);
  if (outcome.failed.length > 0) parts.push(`${outcome.failed.length} could not start: ${outcome.failed[0].message}`);
  const skipped = skippedText(outcome.skipped);
  if (skipped) parts.push(skipped);
  return `${outcome.notStarted > 0 ? 'Stopped: ' : ''}${parts.join(', ')}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
