/** Time for the client side's timers: real by default, scripted in tests. */

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** What `withTimeout` rejects with when the time ran out. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * `promise`, or a rejection once `ms` have passed on `clock` without an answer (`what`: the step that
 * timed out, for the message), or as soon as `signal` aborts (with its reason). The promise itself
 * is not stopped: its answer, if it comes, is dropped.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, clock: Clock, what?: string, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(abortReason(signal!, what));
    };
    const settle = () => {
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      reject(new TimeoutError(what ? `${what} timed out after ${ms} ms` : `no answer within ${ms} ms`));
    }, ms);
    promise.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error) => {
        settle();
        reject(error);
      },
    );
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal, what: string | undefined): Error {
  if (signal.reason instanceof Error) return signal.reason;
  return new Error(what ? `${what} was cancelled` : 'cancelled');
}
