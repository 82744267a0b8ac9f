/**
 * The order of waiting entries, and what a change to it does to their places. Entries free to run
 * come first, in turn order (priority, then arrival); then those held for a time or a task, in
 * turn order. Each group is a ranked tree, so an entry's index is O(log n). Each change notes the
 * first index it moved; `changedPlaces` then looks only from there, and only at the front.
 */
import { RankedTree } from './rankedTree';

/** Where a waiting entry stands: its place among everything waiting, and what it waits for. */
export interface QueuePlace {
  readonly position: number;
  readonly size: number;
  /** `slot`: only for its turn; `time`: not before `until` (epoch ms); `task`: for `afterTaskId` to end. */
  readonly reason: 'slot' | 'time' | 'task';
  readonly until?: number;
  readonly afterTaskId?: string;
}

/** How many entries at the front of the queue hear of every change of their position. */
export const REPORTED_FRONT = 100;

/** A waiting entry; the scheduler changes `priority`, `runAfter` and `afterTaskId` only while it is out of the order. */
export interface Waiting {
  readonly id: string;
  readonly tool: string;
  readonly principal: string;
  priority: number;
  readonly arrival: number;
  runAfter?: number;
  afterTaskId?: string;
  /** The place last reported for it; undefined when never reported, or since it fell behind the front unreported. */
  reported?: QueuePlace;
}

export class WaitingOrder {
  private readonly ready = new RankedTree<Waiting>(byTurn);
  private readonly held = new RankedTree<Waiting>(byTurn);
  /** The first index the changes since the last `changedPlaces` moved, and how many changes. */
  private changedFrom = Infinity;
  private mutations = 0;

  get visits(): number {
    return this.ready.visits + this.held.visits;
  }

  /** How many entries come before this one. */
  indexOf(entry: Waiting): number {
    return isReady(entry) ? this.ready.rankOf(entry) : this.ready.size + this.held.rankOf(entry);
  }

  /** Entries free to run, in turn order. */
  readyInTurn(): Iterable<Waiting> {
    return this.ready.from(0);
  }

  enter(entry: Waiting): void {
    this.noteChange(isReady(entry) ? this.ready.insert(entry) : this.ready.size + this.held.insert(entry));
  }

  leave(entry: Waiting): void {
    this.noteChange(this.indexOf(entry));
    if (isReady(entry)) this.ready.remove(entry);
    else this.held.remove(entry);
  }

  clear(): void {
    this.ready.clear();
    this.held.clear();
  }

  /**
   * The places to report since the last call: those of `concerned`, and those that changed among
   * the first `REPORTED_FRONT`, each only when it differs from what was last reported to it.
   * Places changed only from `changedFrom` on; each change pushed at most one entry out of the
   * front, so looking at `mutations` entries past it is enough to forget what was reported to those.
   */
  changedPlaces(size: number, concerned: Iterable<Waiting>): Map<string, QueuePlace> {
    const changes = new Map<string, QueuePlace>();
    const report = (entry: Waiting, place: QueuePlace) => {
      if (samePlace(entry.reported, place)) return;
      entry.reported = place;
      changes.set(entry.id, place);
    };
    const end = Math.min(size, REPORTED_FRONT + this.mutations);
    if (this.changedFrom < end) {
      let index = this.changedFrom;
      const walk = (entries: Iterable<Waiting>) => {
        for (const entry of entries) {
          if (index >= end) return;
          index++;
          if (index <= REPORTED_FRONT) report(entry, placeOf(entry, index, size));
          else entry.reported = undefined;
        }
      };
      if (index < this.ready.size) walk(this.ready.from(index));
      if (index < end) walk(this.held.from(index - this.ready.size));
    }
    for (const entry of concerned) report(entry, placeOf(entry, this.indexOf(entry) + 1, size));
    this.changedFrom = Infinity;
    this.mutations = 0;
    return changes;
  }

  private noteChange(index: number): void {
    this.changedFrom = Math.min(this.changedFrom, index);
    this.mutations++;
  }
}

export function isReady(entry: Waiting): boolean {
  return entry.runAfter === undefined && entry.afterTaskId === undefined;
}

export function byTurn(a: Waiting, b: Waiting): number {
  return b.priority - a.priority || a.arrival - b.arrival;
}

export /** Ready entries say `slot`; held ones what they wait for (a time first, then a task). */
function placeOf(entry: Waiting, position: number, size: number): QueuePlace {
  if (entry.runAfter !== undefined) return { position, size, reason: 'time', until: entry.runAfter };
  if (entry.afterTaskId !== undefined) return { position, size, reason: 'task', afterTaskId: entry.afterTaskId };
  return { position, size, reason: 'slot' };
}

/** The same place to a watcher: the size alone changing is not news. */
function samePlace(a: QueuePlace | undefined, b: QueuePlace): boolean {
  return a !== undefined && a.position === b.position && a.reason === b.reason && a.until === b.until && a.afterTaskId === b.afterTaskId;
}
