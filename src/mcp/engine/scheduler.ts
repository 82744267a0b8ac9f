/**
 * Decides when queued work may start: highest priority first, then first come; never more than
 * `maxConcurrent` at once, nor more than a tool's own limit for that tool, nor more than
 * `maxPerPrincipal` for one principal (so one caller cannot take every slot). Work with a scheduling
 * hint waits for its time (one timer serves them all) or for its prerequisite task to end.
 * It knows nothing of tasks beyond ids; the engine tells it what happens and is called back.
 *
 * Every operation costs O(log n) in the number waiting: the waiting entries are kept in order in
 * ranked trees (rankedTree.ts), so a place is computed when it is asked for, never pushed to every
 * entry. What is pushed (`placesChanged`) follows one rule: an entry hears of a new place when the
 * operation concerned it (it arrived, moved, or what it waits for changed), or when its position
 * changed while it is among the first `REPORTED_FRONT` (where a person watches the queue move).
 * Further back, a position is exact whenever it is read but changes silently. A queue that only
 * grows or shrinks behind an entry never reports it: its size is read, not pushed.
 * The cost that remains proportional to the queue: when a slot frees, entries skipped because
 * their own tool or principal is at its limit are looked at again.
 */
import { MAX_TIMER_MS } from '../../core/longTimer';
import { RankedTree } from './rankedTree';
import { type QueuePlace, type Waiting, WaitingOrder, byTurn, isReady, placeOf } from './waitingOrder';

export { type QueuePlace, REPORTED_FRONT } from './waitingOrder';

export interface SchedulerLimits {
  /** How many may run at once; Infinity: no limit. */
  readonly maxConcurrent: number;
  /** Per-tool limits inside the global one, by tool name. */
  readonly toolLimits: Readonly<Record<string, number>>;
  /** How many of one principal's entries may run at once, inside the global limit; Infinity or absent: no limit. */
  readonly maxPerPrincipal?: number;
}

export const UNLIMITED: SchedulerLimits = { maxConcurrent: Infinity, toolLimits: {}, maxPerPrincipal: Infinity };

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
  /**
   * Entries whose place changed, by the rule above (never an entry that started or ended), once
   * per operation. Any other entry's place is `Scheduler.place`.
   */
  placesChanged(changes: ReadonlyMap<string, QueuePlace>): void;
  /** The entry's prerequisite ended without success; the entry is dropped from the queue. */
  prerequisiteFailed(id: string, afterTaskId: string): void;
  now(): number;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export class Scheduler {
  private limits: SchedulerLimits;
  private readonly waiting = new Map<string, Waiting>();
  private readonly order = new WaitingOrder();
  /** Entries held for a time, earliest first: the timer is for the first. */
  private readonly timed = new RankedTree<Waiting>(byTime);
  /** Entries held for a task, by that task's id. */
  private readonly dependents = new Map<string, Set<Waiting>>();
  /** Running entries, with the tool and principal they count against. */
  private readonly running = new Map<string, { readonly tool: string; readonly principal: string }>();
  private readonly runningPerTool = new Counts();
  private readonly runningPerPrincipal = new Counts();
  private arrivals = 0;
  private timer: { handle: unknown; at: number } | undefined;
  /** The entries the current operation concerned: they hear of their place whatever it is. */
  private readonly concerned = new Set<Waiting>();
  private pumping = false;
  private again: { all: boolean; candidates: Waiting[] } | undefined;

  constructor(
    private readonly host: SchedulerHost,
    limits: SchedulerLimits = UNLIMITED,
  ) {
    this.limits = normalize(limits);
  }

  get runningCount(): number {
    return this.running.size;
  }

  /** How many entries wait. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  isWaiting(id: string): boolean {
    return this.waiting.has(id);
  }

  /** The entry's place now (O(log n)), or undefined when it is not waiting. */
  place(id: string): QueuePlace | undefined {
    const entry = this.waiting.get(id);
    if (!entry) return undefined;
    return placeOf(entry, this.order.indexOf(entry) + 1, this.waiting.size);
  }

  /** The trees' node visits so far: a measure of work that does not depend on the machine (for tests). */
  get visits(): number {
    return this.order.visits + this.timed.visits;
  }

  /** Applies new limits at once: raising one starts waiting work straight away. */
  configure(limits: SchedulerLimits): void {
    this.limits = normalize(limits);
    this.pump(true, []);
  }

  submit(entry: SchedulerEntry): void {
    if (this.waiting.has(entry.id) || this.running.has(entry.id)) return;
    const waiting: Waiting = {
      id: entry.id,
      tool: entry.tool,
      principal: entry.principal ?? '',
      priority: entry.priority,
      arrival: ++this.arrivals,
      runAfter: entry.runAfter !== undefined && entry.runAfter > this.host.now() ? entry.runAfter : undefined,
      afterTaskId: entry.afterTaskId,
    };
    this.waiting.set(waiting.id, waiting);
    if (waiting.runAfter !== undefined) this.timed.insert(waiting);
    if (waiting.afterTaskId !== undefined) dependentsOf(this.dependents, waiting.afterTaskId).add(waiting);
    this.enter(waiting);
    this.concerned.add(waiting);
    // Everything else that is ready waits for a limit; only this one may find room.
    this.pump(false, isReady(waiting) ? [waiting] : []);
  }

  /** Reorders at once; false when the entry is not waiting (running or unknown). */
  setPriority(id: string, priority: number): boolean {
    const entry = this.waiting.get(id);
    if (!entry) return false;
    this.leave(entry);
    entry.priority = priority;
    this.enter(entry);
    this.concerned.add(entry);
    // The limits are as they were, so the order changes but nothing new may start.
    this.pump(false, []);
    return true;
  }

  /**
   * The entry ended (for whatever reason): it leaves the queue or frees its slot, and whatever
   * waited for it runs (on success) or is failed (otherwise).
   */
  ended(id: string, succeeded: boolean): void {
    const entry = this.waiting.get(id);
    if (entry) this.drop(entry);
    const slot = this.running.get(id);
    if (slot) {
      this.running.delete(id);
      this.runningPerTool.remove(slot.tool);
      this.runningPerPrincipal.remove(slot.principal);
    }
    const dependents = [...(this.dependents.get(id) ?? [])];
    this.dependents.delete(id);
    const nowReady: Waiting[] = [];
    for (const dependent of dependents) {
      if (!succeeded) {
        this.drop(dependent);
        continue;
      }
      this.leave(dependent);
      dependent.afterTaskId = undefined;
      this.enter(dependent);
      this.concerned.add(dependent);
      if (isReady(dependent)) nowReady.push(dependent);
    }
    if (!succeeded) for (const dependent of dependents) this.host.prerequisiteFailed(dependent.id, id);
    // A freed slot may let anything waiting run; otherwise only what became ready may.
    if (entry || slot || dependents.length > 0) this.pump(slot !== undefined, nowReady);
  }

  dispose(): void {
    if (this.timer) this.host.clearTimer(this.timer.handle);
    this.timer = undefined;
    this.waiting.clear();
    this.order.clear();
    this.timed.clear();
    this.dependents.clear();
    this.running.clear();
    this.concerned.clear();
  }

  private enter(entry: Waiting): void {
    this.order.enter(entry);
  }

  private leave(entry: Waiting): void {
    this.order.leave(entry);
  }

  /** The entry leaves the queue altogether. */
  private drop(entry: Waiting): void {
    this.leave(entry);
    this.waiting.delete(entry.id);
    if (entry.runAfter !== undefined) this.timed.remove(entry);
    if (entry.afterTaskId !== undefined) this.dependents.get(entry.afterTaskId)?.delete(entry);
    this.concerned.delete(entry);
  }

  /**
   * `all`: a slot or limit changed, so any ready entry may run; otherwise only `candidates` (and
   * entries whose time came) may, since every other ready entry already waits for a limit.
   */
  private pump(all: boolean, candidates: Waiting[]): void {
    // Host callbacks may re-enter (a start that fails at once ends the entry); finish this round first.
    if (this.pumping) {
      this.again = { all: all || (this.again?.all ?? false), candidates: [...(this.again?.candidates ?? []), ...candidates] };
      return;
    }
    this.pumping = true;
    try {
      let round: { all: boolean; candidates: Waiting[] } | undefined = { all, candidates };
      while (round) {
        this.again = undefined;
        this.pumpOnce(round.all, round.candidates);
        round = this.again;
      }
    } finally {
      this.pumping = false;
    }
  }

  private pumpOnce(all: boolean, candidates: Waiting[]): void {
    const due = this.releaseDue();
    const starting: Waiting[] = [];
    const take = (entry: Waiting) => {
      if (this.running.size >= this.limits.maxConcurrent) return false;
      if (!this.waiting.has(entry.id) || !isReady(entry) || this.running.has(entry.id)) return true;
      if (this.runningPerTool.of(entry.tool) >= (this.limits.toolLimits[entry.tool] ?? Infinity)) return true;
      if (this.runningPerPrincipal.of(entry.principal) >= (this.limits.maxPerPrincipal ?? Infinity)) return true;
      this.running.set(entry.id, { tool: entry.tool, principal: entry.principal });
      this.runningPerTool.add(entry.tool);
      this.runningPerPrincipal.add(entry.principal);
      starting.push(entry);
      return true;
    };
    if (all) {
      for (const entry of this.order.readyInTurn()) if (!take(entry)) break;
    } else {
      for (const entry of [...candidates, ...due].sort(byTurn)) if (!take(entry)) break;
    }
    for (const entry of starting) this.drop(entry);

    this.reportPlaces();
    this.armTimer();
    for (const entry of starting) this.host.start(entry.id);
  }

  /** Entries whose time has come stop waiting for it; those now ready are returned. */
  private releaseDue(): Waiting[] {
    const now = this.host.now();
    const ready: Waiting[] = [];
    for (let first = this.timed.first(); first && first.runAfter! <= now; first = this.timed.first()) {
      this.timed.remove(first);
      this.leave(first);
      first.runAfter = undefined;
      this.enter(first);
      this.concerned.add(first);
      if (isReady(first)) ready.push(first);
    }
    return ready;
  }

  /** Reports, by the rule in the header, what this operation changed (see `WaitingOrder.changedPlaces`). */
  private reportPlaces(): void {
    const changes = this.order.changedPlaces(this.waiting.size, this.concerned);
    this.concerned.clear();
    if (changes.size > 0) this.host.placesChanged(changes);
  }

  /** One timer, for the earliest time anything waits for. */
  private armTimer(): void {
    const earliest = this.timed.first()?.runAfter ?? Infinity;
    if (this.timer && this.timer.at === earliest) return;
    if (this.timer) this.host.clearTimer(this.timer.handle);
    this.timer = undefined;
    if (earliest === Infinity) return;
    const handle = this.host.setTimer(
      () => {
        this.timer = undefined;
        this.pump(false, []);
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
  remove(key: string): void {
    const count = this.of(key) - 1;
    if (count > 0) this.counts.set(key, count);
    else this.counts.delete(key);
  }
}

function dependentsOf(index: Map<string, Set<Waiting>>, afterTaskId: string): Set<Waiting> {
  let set = index.get(afterTaskId);
  if (!set) index.set(afterTaskId, (set = new Set()));
  return set;
}

function byTime(a: Waiting, b: Waiting): number {
  return a.runAfter! - b.runAfter! || a.arrival - b.arrival;
}

function normalize(limits: SchedulerLimits): SchedulerLimits {
  const positive = (value: number) => (Number.isFinite(value) ? Math.max(1, Math.floor(value)) : Infinity);
  const toolLimits: Record<string, number> = {};
  for (const [tool, limit] of Object.entries(limits.toolLimits ?? {}))
    if (typeof limit === 'number' && !Number.isNaN(limit)) toolLimits[tool] = positive(limit);
  return { maxConcurrent: positive(limits.maxConcurrent ?? Infinity), toolLimits, maxPerPrincipal: positive(limits.maxPerPrincipal ?? Infinity) };
}
