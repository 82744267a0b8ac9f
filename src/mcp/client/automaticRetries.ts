import { Disposable, toDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import {
  type RetryDue,
  type RetryPolicy,
  type RetryToolFacts,
  chooseRetryPolicy,
  nextAutomaticRetry,
  retryPoliciesOf,
  retryReasonOf,
  retryWaitMessage,
  retryWaitStepMs,
} from '../../core/retryPolicy';
import type { TaskRecord } from '../../core/taskRecord';
import type { TaskStore } from '../../core/taskStore';
import { type Clock, realClock } from './clock';

export interface AutomaticRetriesOptions {
  readonly clock?: Clock;
  /** The setting `tasklane.retry.policies` ("serverId/tool" → policy), read when a task fails. */
  readonly settingPolicies?: () => unknown;
  /** What a tool says of itself in `tools/list`; undefined when its server is not connected or lacks it. */
  toolFacts(serverId: string, tool: string): Promise<RetryToolFacts | undefined>;
  isConnected(serverId: string): boolean;
  /** Starts the next attempt of `id` (the task service's retry), recording `reason` on it. */
  startRetry(id: string, reason: string): Promise<unknown>;
  readonly log?: Logger;
}

/**
 * Starts the next attempt of a failed task on its own when its retry policy allows it
 * (`nextAutomaticRetry`, src/core/retryPolicy.ts). The wait is kept on the failed attempt
 * (`retryDue`), so a reload resumes it, once; meanwhile that attempt's status message counts down
 * ("Retrying in 4 s (attempt 2 of 3)"). Cancelling the waiting retry ends the chain.
 */
export class AutomaticRetries extends Disposable {
  /** The countdown step or start of each waiting retry, by the failed attempt's id. */
  private readonly timers = new Map<string, unknown>();
  /** Retries whose next attempt is being started: never armed again meanwhile. */
  private readonly starting = new Set<string>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private disposed = false;

  constructor(
    private readonly store: TaskStore,
    private readonly options: AutomaticRetriesOptions,
  ) {
    super();
    this.clock = options.clock ?? realClock;
    this.log = options.log ?? silentLogger;
    this._register(
      store.onDidLifecycle((event) => {
        // A cancellation too: the rule (`nextAutomaticRetry`) is what says it ends the chain.
        if (event.type === 'statusChanged' && (event.to === 'failed' || event.to === 'cancelled')) void this.consider(event.id, this.clock.now());
        else if (event.type === 'removed') this.stopTimer(event.id);
      }),
    );
    this._register(toDisposable(() => [...this.timers.keys()].forEach((id) => this.stopTimer(id))));
  }

  override dispose(): void {
    this.disposed = true;
    super.dispose();
  }

  /** Arms every waiting retry the store holds that is not armed yet (after the store opened, and as servers connect). */
  resume(): void {
    if (this.disposed) return;
    for (const record of this.store.all()) if (record.retryDue && !this.timers.has(record.id) && !this.starting.has(record.id)) this.arm(record.id);
  }

  /** Whether `id` is a failed attempt whose retry waits; if so, cancels that retry, which ends the chain. */
  cancelWaiting(id: string): boolean {
    const due = this.store.get(id)?.retryDue;
    if (!due) return false;
    this.stopTimer(id);
    this.store.update(id, { retryDue: undefined, statusMessage: `${due.failure} · automatic retry cancelled` });
    this.log.info(`[retry] ${id} automatic retry ${due.attempt} of ${due.of} cancelled`);
    return true;
  }

  /** Drops the waiting retry of `id` without a word (a person retried it by hand): its failure message comes back. */
  forget(id: string): void {
    const due = this.store.get(id)?.retryDue;
    if (!due) return;
    this.stopTimer(id);
    this.store.update(id, { retryDue: undefined, statusMessage: due.failure });
  }

  private async consider(id: string, endedAt: number): Promise<void> {
    try {
      // After the store has told every listener of the failure: the retry's own changes come after it.
      await Promise.resolve();
      const failed = this.store.get(id);
      if (!failed || failed.retryDue || this.disposed) return;
      const chosen = chooseRetryPolicy(failed, this.settingPolicies(), failed.retry ? undefined : await this.options.toolFacts(failed.serverId, failed.tool));
      if (!chosen) return;
      const record = this.store.get(id);
      if (!record || record.retryDue || this.disposed) return;
      const due = nextAutomaticRetry(record, chosen.policy, endedAt);
      if (!due) return;
      this.log.info(`[retry] ${id} failed; attempt ${due.attempt} of ${due.of} (policy from the ${chosen.source}) at ${due.at}`);
      this.store.update(id, { retryDue: due, statusMessage: retryWaitMessage(Date.parse(due.at) - this.clock.now(), due.attempt, due.of) });
      this.arm(id);
    } catch (error) {
      this.log.warn(`[retry] ${id}: ${(error as Error).message}`);
    }
  }

  private settingPolicies(): Record<string, RetryPolicy> {
    const { policies, problems } = retryPoliciesOf(this.options.settingPolicies?.());
    for (const problem of problems) this.log.warn(`[retry] ${problem}`);
    return policies;
  }

  /** Counts down to the retry's start, redrawing the message as it changes, then starts it. */
  private arm(id: string): void {
    this.stopTimer(id);
    const record = this.store.get(id);
    const due = record?.retryDue;
    if (!record || !due) return;
    const remaining = Date.parse(due.at) - this.clock.now();
    if (remaining <= 0) {
      void this.fire(record, due);
      return;
    }
    const message = retryWaitMessage(remaining, due.attempt, due.of);
    if (record.statusMessage !== message) this.store.update(id, { statusMessage: message });
    this.timers.set(
      id,
      this.clock.setTimeout(
        () => {
          this.timers.delete(id);
          this.arm(id);
        },
        Math.min(remaining, retryWaitStepMs(remaining)),
      ),
    );
  }

  private async fire(record: TaskRecord, due: RetryDue): Promise<void> {
    const { id } = record;
    if (!this.options.isConnected(record.serverId)) {
      // Resumed when the server connects (the task service calls `resume` then).
      this.store.update(id, { statusMessage: `Retry waits for the server to connect (attempt ${due.attempt} of ${due.of})` });
      return;
    }
    // Cleared before the start goes out, in the same write as the new attempt: a reload in between starts nothing twice.
    this.store.update(id, { retryDue: undefined, statusMessage: due.failure });
    if (record.retriedAs || record.status !== 'failed' || record.archived || this.store.all().some((other) => other.retryOf === id)) return;
    this.starting.add(id);
    try {
      await this.options.startRetry(id, retryReasonOf(due));
    } catch (error) {
      this.log.warn(`[retry] ${id} could not start attempt ${due.attempt}: ${(error as Error).message}`);
    } finally {
      this.starting.delete(id);
    }
  }

  private stopTimer(id: string): void {
    const timer = this.timers.get(id);
    if (timer === undefined) return;
    this.clock.clearTimeout(timer);
    this.timers.delete(id);
  }
}
