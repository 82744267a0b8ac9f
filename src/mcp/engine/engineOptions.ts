import type { CreationRate } from './creationRate';
import type { StartOptions } from './engineTask';
import type { SchedulerLimits } from './scheduler';
import type { SharedAdmission } from './sharedAdmission';
import type { RetentionLimits } from './taskRetention';

/** How a task engine is set up (`new TaskEngine(options)`); every option has a default. */
export interface EngineOptions extends RetentionLimits {
  readonly now?: () => number;
  readonly pollIntervalMs?: number;
  readonly pageSize?: number;
  /** Concurrency limits; unlimited when not given. */
  readonly scheduler?: SchedulerLimits;
  /** How fast each owner may create tasks; unlimited when not given. Beyond it `start` throws -32029 with `data.retryAfterMs`. */
  readonly creationRate?: CreationRate;
  /**
   * Whether plain (non-task) calls also wait for a slot and take a creation token (`acquireSlot`).
   * The standalone server says yes: its limits are per requestor (T-SS-11). The editor's embedded
   * server says no, so a plain call never waits behind the editor's own running tasks, and a tool
   * that calls back into its engine cannot deadlock on its own slot.
   */
  readonly limitPlainCalls?: boolean;
  /**
   * Owners that see every owner's task through the wires (get, list, result, cancel, answers,
   * streams), not only their own: a team's `board` principals. Tasks they start stay their own.
   * Nobody when not given.
   */
  readonly seesEveryTask?: (owner: string) => boolean;
  /** The host this engine runs on, recorded on every task it starts (team servers: a board groups by it); none when not given. */
  readonly machine?: string;
  /**
   * Whether a new task goes to a queue shared with other instances (a team database) instead of
   * this engine's scheduler: it is created and answered here, and runs on whichever instance
   * claims it (`shared.run`). Absent: every task runs here.
   */
  readonly sharedQueue?: (options: StartOptions) => boolean;
  /**
   * A store shared with other engines (a team database) whose word on idempotency keys and
   * creation rates holds across all of them, asked by `begin` (sharedAdmission.ts). Absent:
   * this engine's own keys and rate.
   */
  readonly admission?: SharedAdmission;
}

export const DEFAULT_POLL_INTERVAL_MS = 1000;
