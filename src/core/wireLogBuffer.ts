import type { WireEntry, WireLog } from './wireLog';

/** How much of one task's wire log is kept (settings `tasklane.wire.maxMessages` and `tasklane.wire.maxKB`). */
export interface WireLogLimits {
  readonly maxMessages: number;
  readonly maxBytes: number;
}

export const DEFAULT_WIRE_LIMITS: WireLogLimits = { maxMessages: 200, maxBytes: 512 * 1024 };

/** A captured entry before the log numbers it. */
export type WireEntryDraft = Omit<WireEntry, 'seq'>;

/** What an entry weighs against the byte bound: what is kept of it. */
export function keptBytesOf(entry: Pick<WireEntry, 'bytes' | 'cut'>): number {
  return entry.cut ? entry.cut.keptBytes : entry.bytes;
}

/**
 * One task's wire log as a ring: the last `maxMessages` entries within `maxBytes`, the oldest going
 * first; what went is counted in `dropped`, and sequence numbers are never reused.
 */
export class WireLogBuffer {
  private readonly entries: WireEntry[];
  private keptBytes: number;
  private nextSeq: number;
  private dropped: { messages: number; bytes: number };

  constructor(
    readonly recordId: string,
    private readonly serverId: string,
    private readonly wire: string,
    from?: WireLog,
  ) {
    this.entries = from ? [...from.entries] : [];
    this.keptBytes = this.entries.reduce((sum, entry) => sum + keptBytesOf(entry), 0);
    this.nextSeq = (this.entries.at(-1)?.seq ?? from?.dropped.messages ?? 0) + 1;
    this.dropped = from ? { ...from.dropped } : { messages: 0, bytes: 0 };
  }

  get size(): number {
    return this.entries.length;
  }

  add(draft: WireEntryDraft, limits: WireLogLimits): WireEntry {
    const entry: WireEntry = { seq: this.nextSeq++, ...draft };
    this.entries.push(entry);
    this.keptBytes += keptBytesOf(entry);
    this.bound(limits);
    return entry;
  }

  snapshot(): WireLog {
    return { recordId: this.recordId, serverId: this.serverId, wire: this.wire, entries: [...this.entries], dropped: { ...this.dropped } };
  }

  private bound(limits: WireLogLimits): void {
    // The newest entry stays even alone over the byte bound: an empty log would say nothing.
    while (this.entries.length > 1 && (this.entries.length > limits.maxMessages || this.keptBytes > limits.maxBytes)) {
      const first = this.entries.shift()!;
      const weight = keptBytesOf(first);
      this.keptBytes -= weight;
      this.dropped.messages++;
      this.dropped.bytes += first.bytes;
    }
  }
}
