// The one way tests wait: unit tests, the integration suite (through test/integration/helpers.ts)
// and the child processes tests start. No vscode and no test framework here, so every one of them
// can load it.

export interface WaitOptions {
  /** What is awaited, as the timeout error names it: "the task to complete". */
  readonly what: string;
  /** Fails after this long (ms). Default: DEFAULT_WAIT_MS. */
  readonly timeoutMs?: number;
  /** Asks the condition again after this long (ms). Default: 10. */
  readonly intervalMs?: number;
}

/**
 * Generous, so a loaded machine is slow rather than wrong: 20 s, doubled when CI is set. A wait
 * that may only take a bounded time (that is what the test checks) passes its own `timeoutMs`.
 */
export const DEFAULT_WAIT_MS = process.env.CI ? 40_000 : 20_000;

type Truthy<T> = Exclude<T, false | 0 | 0n | '' | null | undefined>;

/**
 * Asks `condition` until it returns (or resolves to) a truthy value, and resolves with that value.
 * A condition that throws counts as not yet. After `timeoutMs` it fails with an error naming
 * `what` and the last value or exception the condition gave.
 */
export async function waitFor<T>(condition: () => T | PromiseLike<T>, options: WaitOptions): Promise<Truthy<T>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  const intervalMs = options.intervalMs ?? 10;
  const deadline = Date.now() + timeoutMs;
  let last: Seen = { value: undefined };
  for (;;) {
    try {
      const value = await beforeDeadline(condition(), deadline);
      if (value) return value as Truthy<T>;
      last = { value };
    } catch (error) {
      last = error === STILL_ASKING ? { pending: true } : { error };
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${options.what}; ${describeSeen(last)}`,
        'error' in last ? { cause: last.error } : undefined,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
  }
}

/** What the condition gave the last time it was asked. */
type Seen = { value: unknown } | { error: unknown } | { pending: true };

const STILL_ASKING = Symbol('still asking');

/** The condition's answer, or STILL_ASKING thrown when a promise of one is not settled by `deadline`. */
async function beforeDeadline<T>(answer: T | PromiseLike<T>, deadline: number): Promise<T> {
  if (!isThenable(answer)) return answer;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(STILL_ASKING), Math.max(0, deadline - Date.now()))));
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

function describeSeen(last: Seen): string {
  if ('pending' in last) return 'the condition was still working on its last answer';
  return 'error' in last ? `last it threw ${describe(last.error)}` : `last it gave ${describe(last.value)}`;
}

/** A short, readable form of whatever a condition gave, for the timeout message. */
function describe(seen: unknown): string {
  if (seen instanceof Error) return `${seen.name}: ${seen.message}`;
  let text: string;
  try {
    text = JSON.stringify(seen) ?? String(seen);
  } catch {
    text = String(seen);
  }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
