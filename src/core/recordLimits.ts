/**
 * How much a task record keeps, so a chatty task cannot grow it without bound: the tail of its
 * live output and its message-only timeline entries. The store applies both on every change and
 * when it replays its journal; the detail page keeps the same output tail. No Node imports: the
 * webview bundle includes this file (through src/ui/detail/protocol.ts).
 */
import type { TimelineEntry } from './taskRecord';

/** How much live output a record keeps (the tail); full output belongs in the result. */
export const OUTPUT_TAIL_CHARS = 64 * 1024;
/** Message-only timeline entries kept per task; status changes are always kept. */
export const TIMELINE_MESSAGE_LIMIT = 500;

/** The output a record keeps once `chunk` has arrived after `output`. */
export function appendOutputTail(output: string | undefined, chunk: string): string {
  const text = (output ?? '') + chunk;
  return text.length <= OUTPUT_TAIL_CHARS ? text : text.slice(text.length - OUTPUT_TAIL_CHARS);
}

/** The timeline a record keeps: the oldest message-only entries are dropped; every status change stays. */
export function boundTimeline(timeline: TimelineEntry[]): TimelineEntry[] {
  let messages = 0;
  for (const entry of timeline) if (!entry.status) messages++;
  if (messages <= TIMELINE_MESSAGE_LIMIT) return timeline;
  let toDrop = messages - TIMELINE_MESSAGE_LIMIT;
  return timeline.filter((entry) => entry.status !== undefined || toDrop-- <= 0);
}
