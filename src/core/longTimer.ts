/**
 * A timeout of any length. Node fires a delay above 2^31−1 ms (~24.8 days) after 1 ms instead
 * (with a TimeoutOverflowWarning), yet a time budget or a run-after time a month away is a legal
 * wish; so a longer delay is reached in steps of at most that, each measured against the deadline.
 */

/** The longest delay a Node timer keeps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The timer functions the long timeout is built on; tests pass a manual clock. */
export interface TimerApi {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface LongTimeout {
  clear(): void;
}

export interface LongTimeoutOptions {
  /** Let the process exit while only this timer is pending (like `timer.unref()`). */
  readonly unref?: boolean;
  readonly timers?: TimerApi;
}

const nodeTimers: TimerApi = {
  // Monotonic: a wall clock set back would stretch the rest of the wait.
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Calls `callback` once, `ms` from now, however far that is; `clear()` stops it. */
export function setLongTimeout(callback: () => void, ms: number, options: LongTimeoutOptions = {}): LongTimeout {
  const timers = options.timers ?? nodeTimers;
  const deadline = timers.now() + ms;
  let handle: unknown;
  const arm = (left: number) => {
    handle = left > MAX_TIMER_MS ? timers.setTimeout(() => arm(deadline - timers.now()), MAX_TIMER_MS) : timers.setTimeout(callback, Math.max(0, left));
    if (options.unref) (handle as { unref?: () => void } | undefined)?.unref?.();
  };
  arm(ms);
  return { clear: () => timers.clearTimeout(handle) };
}
