/**
 * Decides when queued work may start: highest priority first, then first come; never more than
 * `maxConcurrent` at once, nor more than a tool's own limit for that tool, nor more than
 * `maxPerPrincipal` for one principal (so one caller cannot take every slot). Work with a scheduling
 * hint waits for its time (one timer serves them all) or for its prerequisite task to end.
 * It knows nothing of tasks beyond ids; the engine tells it what happens and is called back.
 */
import { MAX_TIMER_MS } from '../../core/longTimer';

export interface SchedulerLimits {
  /** How many may run at once; Infinity: no limit. */
  readonly maxConcurrent: number;
  /** Per-tool limits inside the global one, by tool name. */
  readonly toolLimits: Readonly<Record<string, number>>;
  /** How many of one principal's entries may run at once, inside the global limit; Infinity or absent: no limit. */
  readonly maxPerPrincipal?: number;
}

export const UNLIMITED: SchedulerLimits = { maxConcurrent: Infinity, toolLimits: {}, maxPerPrincipal: Infinity };

/** Where a waiting entry stands: its place among everything waiting, and what it waits for. */
export interface QueuePlace {
  readonly position: number;
  readonly size: number;
  /** `slot`: only for its turn; `time`: not before `until` (epoch ms); `task`: for `afterTaskId` to end. */
  readonly reason: 'slot' | 'time' | 'task';
  readonly until?: number;
  readonly afterTaskId?: string;
}

export interface SchedulerEntry {
  readonly id: string;
  readonly tool: string;
  /** Whose work it is (the task's owner); counts against `maxPerPrincipal`. */
  readonly principal?: string;
  readonly priority: number;
  /** Not before this time (epoch ms). */
  readonly runAfter?: number;
  /** Not before this entry has ended successfully. */
  readonly afterTaskId?: string;
}

export interface SchedulerHost {
  /** The entry may run now; it counts against the limits until `ended`. */
  start(id: string): void;
  /** Entries whose place changed (only those); an entry that started or ended is not included. */
  placesChanged(changes: ReadonlyMap<string, QueuePlace>): void;
  /** The entry's prerequisite ended without success; the entry is dropped from the queue. */
  prerequisiteFailed(id: string, afterTaskId: string): void;
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

interface Waiting {
  readonly id: string;
  readonly tool: string;
  readonly principal: string;
  priority: number;
  readonly arrival: number;
  runAfter?: number;
  afterTaskId?: string;
}

export class Scheduler {
  private limits: SchedulerLimits;
  private readonly waiting = new Map<string, Waiting>();
  /** Running entries, with the tool and principal they count against. */
  private readonly running = new Map<string, { readonly tool: string; readonly principal: string }>();
  private published = new Map<string, QueuePlace>();
  private arrivals = 0;
  private timer: { handle: unknown; at: number } | undefined;
  private pumping = false;
  private pumpAgain = false;

  constructor(
    private readonly host: SchedulerHost,
    limits: SchedulerLimits = UNLIMITED,
  ) {
    this.limits = normalize(limits);
  }

  get runningCount(): number {
    return this.running.size;
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  isWaiting(id: string): boolean {
    return this.waiting.has(id);
  }

  place(id: string): QueuePlace | undefined {
    return this.published.get(id);
  }

  /** Applies new limits at once: raising one starts waiting work straight away. */
  configure(limits: SchedulerLimits): void {
    this.limits = normalize(limits);
    this.pump();
  }

  submit(entry: SchedulerEntry): void {
    if (this.waiting.has(entry.id) || this.running.has(entry.id)) return;
    this.waiting.set(entry.id, {
      id: entry.id,
      tool: entry.tool,
      principal: entry.principal ?? '',
      priority: entry.priority,
      arrival: ++this.arrivals,
      runAfter: entry.runAfter !== undefined && entry.runAfter > this.host.now() ? entry.runAfter : undefined,
      afterTaskId: entry.afterTaskId,
    });
    this.pump();
  }

  /** Reorders at once; false when the entry is not waiting (running or unknown). */
  setPriority(id: string, priority: number): boolean {
    const entry = this.waiting.get(id);
    if (!entry) return false;
    entry.priority = priority;
    this.pump();
    return true;
  }

  /**
   * The entry ended (for whatever reason): it leaves the queue or frees its slot, and whatever
   * waited for it runs (on success) or is failed (otherwise).
   */
  ended(id: string, succeeded: boolean): void {
    const removed = this.waiting.delete(id);
    const freed = this.running.delete(id);
    const dependents = [...this.waiting.values()].filter((entry) => entry.afterTaskId === id);
    for (const entry of dependents) {
      if (succeeded) entry.afterTaskId = undefined;
      else this.waiting.delete(entry.id);
    }
    if (!succeeded) {
      for (const entry of dependents) {
        this.published.delete(entry.id);
        this.host.prerequisiteFailed(entry.id, id);
      }
    }
    if (removed || freed || dependents.length > 0) this.pump();
  }

  dispose(): void {
    if (this.timer) this.host.clearTimer(this.timer.handle);
    this.timer = undefined;
    this.waiting.clear();
    this.running.clear();
    this.published.clear();
  }

  private pump(): void {
    // Host callbacks may re-enter (a start that fails at once ends the entry); finish this round first.
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

    const ordered = [...this.waiting.values()].sort(byTurn);
    const starting: string[] = [];
    const perTool = new Counts();
    const perPrincipal = new Counts();
    for (const { tool, principal } of this.running.values()) {
      perTool.add(tool);
      perPrincipal.add(principal);
    }
    const principalLimit = this.limits.maxPerPrincipal ?? Infinity;
    for (const entry of ordered) {
      if (this.running.size >= this.limits.maxConcurrent) break;
      if (!isReady(entry)) continue;
      if (perTool.of(entry.tool) >= (this.limits.toolLimits[entry.tool] ?? Infinity)) continue;
      if (perPrincipal.of(entry.principal) >= principalLimit) continue;
      this.waiting.delete(entry.id);
      this.running.set(entry.id, { tool: entry.tool, principal: entry.principal });
      perTool.add(entry.tool);
      perPrincipal.add(entry.principal);
      starting.push(entry.id);
    }

    this.publishPlaces();
    this.armTimer();
    for (const id of starting) this.host.start(id);
  }

  /** Ready entries first (in turn order), then those waiting for a time or a task. */
  private publishPlaces(): void {
    const all = [...this.waiting.values()];
    const ordered = [...all.filter(isReady).sort(byTurn), ...all.filter((entry) => !isReady(entry)).sort(byTurn)];
    const next = new Map<string, QueuePlace>();
    const changes = new Map<string, QueuePlace>();
    ordered.forEach((entry, index) => {
      const place: QueuePlace = {
        position: index + 1,
        size: ordered.length,
        ...(entry.runAfter !== undefined
          ? { reason: 'time' as const, until: entry.runAfter }
          : entry.afterTaskId !== undefined
            ? { reason: 'task' as const, afterTaskId: entry.afterTaskId }
            : { reason: 'slot' as const }),
      };
      next.set(entry.id, place);
      if (!samePlace(this.published.get(entry.id), place)) changes.set(entry.id, place);
    });
    this.published = next;
    if (changes.size > 0) this.host.placesChanged(changes);
  }

  /** One timer, for the earliest time anything waits for. */
  private armTimer(): void {
    let earliest = Infinity;
    for (const entry of this.waiting.values()) if (entry.runAfter !== undefined) earliest = Math.min(earliest, entry.runAfter);
    if (this.timer && this.timer.at === earliest) return;
    if (this.timer) this.host.clearTimer(this.timer.handle);
    this.timer = undefined;
    if (earliest === Infinity) return;
    const handle = this.host.setTimer(
      () => {
        this.timer = undefined;
        this.pump();
      },
      // A far-off time is reached in steps: a longer delay overflows the host's timer.
      Math.min(MAX_TIMER_MS, Math.max(0, earliest - this.host.now())),
    );
    this.timer = { handle, at: earliest };
  }
}

/** How many running entries each tool or principal has. */
class Counts {
  private readonly counts = new Map<string, number>();
  of(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  add(key: string): void {
    this.counts.set(key, this.of(key) + 1);
  }
}

function isReady(entry: Waiting): boolean {
  return entry.runAfter === undefined && entry.afterTaskId === undefined;
}

function byTurn(a: Waiting, b: Waiting): number {
  return b.priority - a.priority || a.arrival - b.arrival;
}

function samePlace(a: QueuePlace | undefined, b: QueuePlace): boolean {
  return a !== undefined && a.position === b.position && a.size === b.size && a.reason === b.reason && a.until === b.until && a.afterTaskId === b.afterTaskId;
}

function normalize(limits: SchedulerLimits): SchedulerLimits {
  const positive = (value: number) => (Number.isFinite(value) ? Math.max(1, Math.floor(value)) : Infinity);
  const toolLimits: Record<string, number> = {};
  for (const [tool, limit] of Object.entries(limits.toolLimits ?? {}))
    if (typeof limit === 'number' && !Number.isNaN(limit)) toolLimits[tool] = positive(limit);
  return { maxConcurrent: positive(limits.maxConcurrent ?? Infinity), toolLimits, maxPerPrincipal: positive(limits.maxPerPrincipal ?? Infinity) };
}
