import { MAX_TIMER_MS } from '../../../../src/core/longTimer';
import type { QueuePlace, SchedulerEntry, SchedulerHost, SchedulerLimits } from '../../../../src/mcp/engine/scheduler';

interface Waiting {
  readonly id: string;
  readonly tool: string;
  readonly principal: string;
  priority: number;
  readonly arrival: number;
  runAfter?: number;
  afterTaskId?: string;
}

/**
 * The scheduler as it was before it kept ranked trees: every change sorts every waiting entry and
 * computes every place. Slow (O(n log n) per change) and plainly right, so the tests hold the real
 * scheduler to it: the same starts, the same failures, the same places.
 */
export class SortedArrayScheduler {
  private readonly waiting = new Map<string, Waiting>();
  private readonly running = new Map<string, { readonly tool: string; readonly principal: string }>();
  private places = new Map<string, QueuePlace>();
  private arrivals = 0;
  private timer: { handle: unknown; at: number } | undefined;
  private pumping = false;
  private pumpAgain = false;

  constructor(
    private readonly host: SchedulerHost,
    private limits: SchedulerLimits,
  ) {}

  isWaiting(id: string): boolean {
    return this.waiting.has(id);
  }
  isRunning(id: string): boolean {
    return this.running.has(id);
  }
  place(id: string): QueuePlace | undefined {
    return this.places.get(id);
  }
  waitingIds(): string[] {
    return [...this.waiting.keys()];
  }
  runningIds(): string[] {
    return [...this.running.keys()];
  }

  configure(limits: SchedulerLimits): void {
    this.limits = limits;
    this.pump();
  }

  submit(entry: SchedulerEntry): void {
    if (this.waiting.has(entry.id) || this.running.has(entry.id)) return;
    const runAfter = entry.runAfter !== undefined && entry.runAfter > this.host.now() ? entry.runAfter : undefined;
    this.waiting.set(entry.id, { ...entry, principal: entry.principal ?? '', arrival: ++this.arrivals, runAfter });
    this.pump();
  }

  setPriority(id: string, priority: number): boolean {
    const entry = this.waiting.get(id);
    if (!entry) return false;
    entry.priority = priority;
    this.pump();
    return true;
  }

  ended(id: string, succeeded: boolean): void {
    const removed = this.waiting.delete(id);
    const freed = this.running.delete(id);
    const dependents = [...this.waiting.values()].filter((entry) => entry.afterTaskId === id);
    for (const entry of dependents) {
      if (succeeded) entry.afterTaskId = undefined;
      else this.waiting.delete(entry.id);
    }
    if (!succeeded) for (const entry of dependents) this.host.prerequisiteFailed(entry.id, id);
    if (removed || freed || dependents.length > 0) this.pump();
  }

  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.pumpOnce();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private pumpOnce(): void {
    const now = this.host.now();
    for (const entry of this.waiting.values()) if (entry.runAfter !== undefined && entry.runAfter <= now) entry.runAfter = undefined;
    const count = (key: (slot: { tool: string; principal: string }) => string, value: string) =>
      [...this.running.values()].filter((slot) => key(slot) === value).length;
    const starting: string[] = [];
    for (const entry of [...this.waiting.values()].sort(byTurn)) {
      if (this.running.size >= this.limits.maxConcurrent) break;
      if (!isReady(entry)) continue;
      if (count((slot) => slot.tool, entry.tool) >= (this.limits.toolLimits[entry.tool] ?? Infinity)) continue;
      if (count((slot) => slot.principal, entry.principal) >= (this.limits.maxPerPrincipal ?? Infinity)) continue;
      this.waiting.delete(entry.id);
      this.running.set(entry.id, { tool: entry.tool, principal: entry.principal });
      starting.push(entry.id);
    }
    const all = [...this.waiting.values()];
    const ordered = [...all.filter(isReady).sort(byTurn), ...all.filter((entry) => !isReady(entry)).sort(byTurn)];
    this.places = new Map(
      ordered.map((entry, index): [string, QueuePlace] => {
        const base = { position: index + 1, size: ordered.length };
        if (entry.runAfter !== undefined) return [entry.id, { ...base, reason: 'time', until: entry.runAfter }];
        if (entry.afterTaskId !== undefined) return [entry.id, { ...base, reason: 'task', afterTaskId: entry.afterTaskId }];
        return [entry.id, { ...base, reason: 'slot' }];
      }),
    );
    let earliest = Infinity;
    for (const entry of this.waiting.values()) if (entry.runAfter !== undefined) earliest = Math.min(earliest, entry.runAfter);
    if (!this.timer || this.timer.at !== earliest) {
      if (this.timer) this.host.clearTimer(this.timer.handle);
      this.timer = undefined;
      if (earliest !== Infinity) {
        const handle = this.host.setTimer(
          () => {
            this.timer = undefined;
            this.pump();
          },
          Math.min(MAX_TIMER_MS, Math.max(0, earliest - this.host.now())),
        );
        this.timer = { handle, at: earliest };
      }
    }
    for (const id of starting) this.host.start(id);
  }
}

function isReady(entry: Waiting): boolean {
  return entry.runAfter === undefined && entry.afterTaskId === undefined;
}

function byTurn(a: Waiting, b: Waiting): number {
  return b.priority - a.priority || a.arrival - b.arrival;
}
