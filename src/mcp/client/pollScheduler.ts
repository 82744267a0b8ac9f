import { MAX_TIMER_MS } from '../../core/longTimer';
import { Disposable, toDisposable } from '../../core/lifecycle';

interface Entry {
  readonly key: string;
  readonly dueAt: number;
  readonly run: () => Promise<void>;
  readonly generation: number;
}

export interface PollSchedulerOptions {
  readonly now?: () => number;
  /** How many polls may be in flight at once across all servers. */
  readonly maxConcurrent?: number;
}

/**
 * One timer for every followed task, whatever the number: entries sit in a min-heap by due time
 * and the single timer is set for the earliest. Re-scheduling a key replaces its entry.
 */
export class PollScheduler extends Disposable {
  private heap: Entry[] = [];
  private readonly current = new Map<string, number>();
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerDueAt = Infinity;
  private inFlight = 0;
  private readonly now: () => number;
  private readonly maxConcurrent: number;
  /** Polls run since creation; for diagnostics and benchmarks. */
  runs = 0;

  constructor(options: PollSchedulerOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
    this.maxConcurrent = options.maxConcurrent ?? 16;
    this._register(toDisposable(() => this.clearTimer()));
  }

  /** Number of keys waiting to run. */
  get size(): number {
    return this.current.size;
  }

  /** True while a timer is armed (there is ever at most one). */
  get timerArmed(): boolean {
    return this.timer !== undefined;
  }

  schedule(key: string, delayMs: number, run: () => Promise<void>): void {
    const entry: Entry = { key, dueAt: this.now() + Math.max(0, delayMs), run, generation: ++this.generation };
    this.current.set(key, entry.generation);
    this.push(entry);
    this.arm();
  }

  cancel(key: string): void {
    // Lazy deletion: the stale heap entry is skipped when it surfaces.
    this.current.delete(key);
  }

  has(key: string): boolean {
    return this.current.has(key);
  }

  private arm(): void {
    const next = this.peekLive();
    if (!next) {
      this.clearTimer();
      return;
    }
    if (this.timer && this.timerDueAt <= next.dueAt) return;
    this.clearTimer();
    this.timerDueAt = next.dueAt;
    // A server's pollInterval may exceed what one Node timer can wait (it would fire at once, and
    // then again every millisecond): wait at most that long, and re-arm for the rest.
    this.timer = setTimeout(() => this.fire(), Math.min(MAX_TIMER_MS, Math.max(0, next.dueAt - this.now())));
    this.timer.unref?.();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDueAt = Infinity;
    const now = this.now();
    for (;;) {
      if (this.inFlight >= this.maxConcurrent) break;
      const next = this.peekLive();
      if (!next || next.dueAt > now) break;
      this.pop();
      this.current.delete(next.key);
      this.inFlight++;
      this.runs++;
      next
        .run()
        .catch(() => undefined)
        .finally(() => {
          this.inFlight--;
          this.arm();
        });
    }
    this.arm();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueAt = Infinity;
  }

  private peekLive(): Entry | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0];
      if (this.current.get(top.key) === top.generation) return top;
      this.pop();
    }
    return undefined;
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].dueAt <= heap[i].dueAt) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && heap[left].dueAt < heap[smallest].dueAt) smallest = left;
        if (right < heap.length && heap[right].dueAt < heap[smallest].dueAt) smallest = right;
        if (smallest === i) break;
        [heap[smallest], heap[i]] = [heap[i], heap[smallest]];
        i = smallest;
      }
    }
    return top;
  }
}

/** Bounded exponential backoff for servers that suggest no poll interval (the spec sets no default). */
export function backoffDelay(attempt: number, baseMs = 500, maxMs = 30_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 16));
}
