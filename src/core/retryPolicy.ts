/**
 * Automatic retries: a policy (`dev.tasklane/retry`) says how many attempts a task gets and how long
 * to wait between them; `nextAutomaticRetry` is the one rule that says whether a failed attempt is
 * retried on its own, and when. The task service's `AutomaticRetries` applies it.
 */
import { z } from 'zod';
import type { TaskRecord } from './taskRecord';
import { runsAgainOnlyWhenAsked } from './taskRules';

/** The most attempts a policy may ask for, the first one included. */
export const MAX_RETRY_ATTEMPTS = 20;
/** The longest wait a policy may ask for between two attempts: one day. */
export const MAX_RETRY_DELAY_MS = 86_400_000;

export const RETRY_DEFAULTS = { attempts: 3, backoff: 'exponential', delayMs: 1000, maxDelayMs: 60_000 } as const;

const delay = z
  .number()
  .int('must be a whole number of milliseconds')
  .min(0, 'must not be negative')
  .max(MAX_RETRY_DELAY_MS, 'must be at most one day (86400000)');

/**
 * `attempts`: how many attempts in all, the first included (3 = the first and at most two
 * retries). `backoff`: `fixed` waits `delayMs` each time; `exponential` doubles it after every
 * attempt. No wait is longer than `maxDelayMs`.
 */
export const RetryPolicySchema = z.object({
  attempts: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1 (the first attempt)')
    .max(MAX_RETRY_ATTEMPTS, `must be at most ${MAX_RETRY_ATTEMPTS}`)
    .default(RETRY_DEFAULTS.attempts),
  backoff: z.enum(['fixed', 'exponential'], { message: 'must be "fixed" or "exponential"' }).default(RETRY_DEFAULTS.backoff),
  delayMs: delay.default(RETRY_DEFAULTS.delayMs),
  maxDelayMs: delay.default(RETRY_DEFAULTS.maxDelayMs),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

/** A policy in words: "up to 3 attempts, waiting 1 s doubling to at most 60 s". */
export function describeRetryPolicy(policy: RetryPolicy): string {
  const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);
  const wait =
    policy.backoff === 'fixed'
      ? `waiting ${seconds(Math.min(policy.delayMs, policy.maxDelayMs))}`
      : `waiting ${seconds(policy.delayMs)} doubling to at most ${seconds(policy.maxDelayMs)}`;
  return `up to ${policy.attempts} attempts, ${wait}`;
}

export class InvalidRetryPolicyError extends Error {
  override readonly name = 'InvalidRetryPolicyError';
}

/** A policy from outside (a setting, a tool's `_meta`), or a plain-words error naming `where` and what is wrong. */
export function parseRetryPolicy(value: unknown, where: string): RetryPolicy {
  const parsed = RetryPolicySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 3).map((issue) => (issue.path.length ? `${issue.path.join('.')} ${issue.message}` : 'must be an object'));
  throw new InvalidRetryPolicyError(`The retry policy of ${where} is not valid: ${problems.join('; ')}.`);
}

/**
 * The setting `tasklane.retry.policies`: "serverId/tool" → policy. An entry that is not valid is left
 * out and named in `problems`, in plain words; the others still apply.
 */
export function retryPoliciesOf(value: unknown): { policies: Record<string, RetryPolicy>; problems: string[] } {
  const policies: Record<string, RetryPolicy> = {};
  const problems: string[] = [];
  if (value === undefined || value === null) return { policies, problems };
  if (typeof value !== 'object' || Array.isArray(value))
    return { policies, problems: ['The setting tasklane.retry.policies must map "server/tool" to a policy.'] };
  for (const [key, entry] of Object.entries(value)) {
    if (!/^[^/]+\/.+$/.test(key)) {
      problems.push(`The setting tasklane.retry.policies names "${key}": write it as "serverId/tool", e.g. "tasklane/run_command".`);
      continue;
    }
    try {
      policies[key] = parseRetryPolicy(entry, `"${key}" in the setting tasklane.retry.policies`);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return { policies, problems };
}

/** How long to wait after attempt `failedAttempt` failed before the next one starts. */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number): number {
  const base = policy.backoff === 'fixed' ? policy.delayMs : policy.delayMs * 2 ** Math.max(0, failedAttempt - 1);
  return Math.min(base, policy.maxDelayMs);
}

/** What the tool says of itself, from `tools/list`. */
export interface RetryToolFacts {
  /** `annotations.idempotentHint === true`: running it again does no harm. */
  readonly idempotent: boolean;
  /** Its `_meta["dev.tasklane/retry"]`, unchecked. */
  readonly policy?: unknown;
}

/** Where a task's policy came from: the person or agent asked (the task, the setting), or the tool's author offered one. */
export type RetryPolicySource = 'task' | 'setting' | 'tool';

export interface ChosenRetryPolicy {
  readonly policy: RetryPolicy;
  readonly source: RetryPolicySource;
}

/**
 * The policy that governs a task: its own (`retry` in its spec), else the setting's for
 * "serverId/tool", else the tool's own. The task's and the setting's are someone asking for retries;
 * a tool's own offer counts only when the tool says it is idempotent.
 */
export function chooseRetryPolicy(
  record: Pick<TaskRecord, 'retry' | 'serverId' | 'tool'>,
  settingPolicies: Readonly<Record<string, RetryPolicy>>,
  tool: RetryToolFacts | undefined,
): ChosenRetryPolicy | undefined {
  if (record.retry) return { policy: record.retry, source: 'task' };
  const fromSetting = settingPolicies[`${record.serverId}/${record.tool}`];
  if (fromSetting) return { policy: fromSetting, source: 'setting' };
  if (tool?.idempotent && tool.policy !== undefined) return { policy: parseRetryPolicy(tool.policy, `the tool "${record.tool}"`), source: 'tool' };
  return undefined;
}

/** A failed attempt's retry while it waits: kept on that attempt's record (`retryDue`), so a reload resumes it once. */
export const RetryDueSchema = z.object({
  /** When the next attempt starts (ISO 8601). */
  at: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date'),
  /** The attempt that will start, and how many the policy allows. */
  attempt: z.number().int().min(2),
  of: z.number().int().min(2),
  /** What the failed attempt said when it failed (its status message shows the wait meanwhile). */
  failure: z.string(),
});
export type RetryDue = z.infer<typeof RetryDueSchema>;

/**
 * Whether a finished attempt is retried on its own, and when: only a failure (a cancellation ends the
 * chain), only the latest attempt, not an imported copy, and only while the policy has attempts left.
 * `endedAt` is when it failed (ms since the epoch).
 */
export function nextAutomaticRetry(
  record: Pick<TaskRecord, 'status' | 'attempt' | 'retriedAs' | 'imported' | 'statusMessage' | 'error' | 'teamListed'>,
  policy: RetryPolicy,
  endedAt: number,
): RetryDue | undefined {
  if (record.status !== 'failed' || record.retriedAs || record.imported || runsAgainOnlyWhenAsked(record)) return undefined;
  if (record.attempt >= policy.attempts) return undefined;
  const at = new Date(endedAt + retryDelayMs(policy, record.attempt)).toISOString();
  return { at, attempt: record.attempt + 1, of: policy.attempts, failure: failureText(record) };
}

/** The failure an automatic retry names: the task's last message, else its error. */
export function failureText(record: Pick<TaskRecord, 'statusMessage' | 'error'>): string {
  return record.statusMessage || record.error?.message || 'the attempt failed';
}

/** Why an automatic attempt runs, as its record keeps it (`retryReason`). */
export function retryReasonOf(due: RetryDue): string {
  return `Automatic retry ${due.attempt} of ${due.of} after: ${due.failure}`;
}

/** "Retrying in 4 s (attempt 2 of 3)": what a failed attempt says while its retry waits. */
export function retryWaitMessage(remainingMs: number, attempt: number, of: number): string {
  const seconds = Math.max(0, Math.ceil(remainingMs / 1000));
  const when = seconds < 60 ? `${seconds} s` : seconds < 3600 ? `${Math.ceil(seconds / 60)} min` : `${Math.ceil(seconds / 3600)} h`;
  return `Retrying in ${when} (attempt ${attempt} of ${of})`;
}

/** How long until the waiting message reads differently: each second under a minute, else each minute. */
export function retryWaitStepMs(remainingMs: number): number {
  const step = remainingMs <= 60_000 ? 1000 : 60_000;
  const next = remainingMs % step;
  return next === 0 ? step : next;
}
