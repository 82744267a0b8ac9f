import { Disposable, toDisposable } from './lifecycle';
import type { Logger } from './logger';
import { decideRetention, describeRetention } from './retentionPolicy';
import type { TaskStore } from './taskStore';
import { isTerminal } from './taskStatus';

export interface RetentionLimits {
  readonly days: number;
  readonly maxTasks: number;
}

/** After a task finishes, history is trimmed this long after the last of a burst of finishes. */
export const RETENTION_DEBOUNCE_MS = 2000;
/** Age limits also pass while nothing finishes: an idle window trims its history this often. */
export const RETENTION_SWEEP_MS = 60 * 60 * 1000;

/**
 * Keeps history within the retention settings: at start, shortly after tasks finish, every hour,
 * and when the settings change (`apply`). What it removes is logged in one line. A store still
 * reading its records is left alone: the runner applies the policy itself as soon as it opens.
 */
export class RetentionRunner extends Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: TaskStore,
    private readonly limits: () => RetentionLimits,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    debounceMs = RETENTION_DEBOUNCE_MS,
    sweepMs = RETENTION_SWEEP_MS,
  ) {
    super();
    const sweep = setInterval(() => this.apply(), sweepMs);
    sweep.unref?.();
    this._register(toDisposable(() => clearInterval(sweep)));
    this._register(
      store.onDidLifecycle((event) => {
        if (event.type !== 'statusChanged' || !isTerminal(event.to)) return;
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.apply(), debounceMs);
        this.timer.unref?.();
      }),
    );
    this._register(toDisposable(() => clearTimeout(this.timer)));
    if (!store.isOpen) this._register(store.afterOpen(() => this.apply()));
  }

  /** Removes what the policy no longer keeps; returns how many records went (none before the store is open). */
  apply(): number {
    clearTimeout(this.timer);
    this.timer = undefined;
    // An empty store that has not read its records yet has nothing to decide on.
    if (!this.store.isOpen) return 0;
    const limits = this.limits();
    const decision = decideRetention(this.store.all(), { ...limits, now: this.now() });
    if (decision.remove.length === 0) return 0;
    const removed = this.store.removeMany(decision.remove);
    const sentence = describeRetention(decision, limits);
    if (sentence) this.log.info(`[history] ${sentence}`);
    return removed;
  }
}
