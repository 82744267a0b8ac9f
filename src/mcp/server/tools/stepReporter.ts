import { MAX_STEPS, type StepStatus, type TaskStep, isStepFinished } from '../../../core/taskSteps';

/** As often as status lines (statusThrottle.ts): a burst of step changes is one update. */
const STEPS_INTERVAL_MS = 100;

/**
 * A tool's steps as it runs them: declared waiting, started, ended. Each change is offered to
 * `send` as the whole list, at most once per interval, and the latest list is always sent in the
 * end (`flush`). Without `send` (a plain call, which has no task) it keeps the list and sends nothing.
 */
export class StepReporter {
  private steps: TaskStep[] = [];
  private readonly positions = new Map<string, number>();
  private pending = false;
  private lastSentAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: ((steps: readonly TaskStep[]) => void) | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Adds steps that have not started yet; ids already known are left as they are. Beyond `MAX_STEPS`, more are not listed. */
  plan(steps: readonly { readonly id: string; readonly label: string; readonly depth?: number }[]): void {
    const next = [...this.steps];
    for (const step of steps) {
      if (this.positions.has(step.id) || next.length >= MAX_STEPS) continue;
      this.positions.set(step.id, next.length);
      next.push({ id: step.id, label: step.label, status: 'waiting', ...(step.depth !== undefined ? { depth: step.depth } : {}) });
    }
    if (next.length === this.steps.length) return;
    this.steps = next;
    this.offer();
  }

  /** The step runs from now. An unknown id is ignored. */
  start(id: string): void {
    this.change(id, (step) => (isStepFinished(step.status) ? step : { ...step, status: 'working', startedAt: this.iso() }));
  }

  /** The step ended so (a step that never started ends without a time). An unknown id is ignored. */
  end(id: string, status: Exclude<StepStatus, 'waiting' | 'working'>, detail?: string): void {
    this.change(id, (step) => {
      if (isStepFinished(step.status)) return step;
      return { ...step, status, ...(step.startedAt !== undefined ? { endedAt: this.iso() } : {}), ...(detail !== undefined ? { detail } : {}) };
    });
  }

  /** Ends every step that has not ended: work over, what still waits did not run and what runs was stopped. */
  settle(status: Exclude<StepStatus, 'waiting' | 'working'>, detail?: string): void {
    for (const step of this.steps) if (!isStepFinished(step.status)) this.end(step.id, status, detail);
  }

  /** The list as it is now. */
  list(): readonly TaskStep[] {
    return this.steps;
  }

  /** Sends the latest list now, if it has not been sent. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    this.pending = false;
    this.lastSentAt = this.now();
    this.send?.(this.steps);
  }

  /** Stops the timer without sending (the run is over and its task may have ended). */
  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = false;
  }

  private change(id: string, update: (step: TaskStep) => TaskStep): void {
    const position = this.positions.get(id);
    if (position === undefined) return;
    const before = this.steps[position];
    const after = update(before);
    if (after === before) return;
    // A new list each time: what was sent is never changed afterwards.
    this.steps = this.steps.map((step, index) => (index === position ? after : step));
    this.offer();
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private offer(): void {
    if (!this.send) return;
    this.pending = true;
    if (this.timer) return;
    const wait = this.lastSentAt + STEPS_INTERVAL_MS - this.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }
}
