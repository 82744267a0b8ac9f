/**
 * What the detail page's Wire section shows of a task's wire log, and the smallest messages that
 * bring a page from what it shows to the log as it is now. Pure: no `vscode`, unit-tested on node.
 */
import { serverNameOf } from '../../core/embeddedServer';
import type { WireEntry, WireLog, WireLogReader } from '../../core/wireLog';
import { toJson } from './detailState';
import type { HostToWebview, WireEntryView, WireView } from './protocol';

/** The task as the Wire section needs it. */
export interface WireTask {
  readonly serverId: string;
  readonly createdAt: string;
}

/**
 * What a page shows of a log: the entries it was sent (the log's own objects, so an unchanged
 * entry costs a reference comparison), the dropped count, and the wire; `off` when capture is off.
 */
export type ShownWire =
  | { readonly capture: 'off' }
  | {
      readonly capture: 'on';
      readonly wire: string;
      readonly entries: ReadonlyMap<number, WireEntry>;
      readonly dropped: WireLog['dropped'];
    };

export function toWireView(log: WireLog | undefined, task: WireTask): WireView {
  if (!log) {
    return { capture: 'off', serverId: task.serverId, serverName: serverNameOf(task.serverId) };
  }
  return { capture: 'on', wire: log.wire, taskCreatedAt: task.createdAt, entries: log.entries.map(toWireEntryView), dropped: { ...log.dropped } };
}

export function toWireEntryView(entry: WireEntry): WireEntryView {
  const { http } = entry;
  return {
    seq: entry.seq,
    at: entry.at,
    direction: entry.direction,
    transport: entry.transport,
    kind: entry.kind,
    method: entry.method ?? null,
    rpcId: entry.rpcId ?? null,
    bytes: entry.bytes,
    message: toJson(entry.message),
    cut: entry.cut ? { keptBytes: entry.cut.keptBytes } : null,
    http: http ? { method: http.method ?? null, url: http.url ?? null, status: http.status ?? null, headers: { ...http.headers } } : null,
    flags: entry.flags.map((flag) => ({ rule: flag.rule, text: flag.text })),
  };
}

export function shownWire(log: WireLog | undefined): ShownWire {
  if (!log) return { capture: 'off' };
  return { capture: 'on', wire: log.wire, entries: new Map(log.entries.map((entry) => [entry.seq, entry])), dropped: log.dropped };
}

/**
 * The messages that turn a Wire section showing `shown` into one showing `log`: none when nothing
 * changed; the whole section when capture started, stopped or the wire changed; otherwise one
 * `wireEntries` patch with only the new and changed entries and where the kept log now begins.
 */
export function planWireUpdate(shown: ShownWire, log: WireLog | undefined, task: WireTask): HostToWebview[] {
  if (!log) return shown.capture === 'off' ? [] : [{ type: 'wire', wire: toWireView(undefined, task) }];
  if (shown.capture === 'off' || shown.wire !== log.wire) return [{ type: 'wire', wire: toWireView(log, task) }];
  const changed = log.entries.filter((entry) => {
    const before = shown.entries.get(entry.seq);
    return before === undefined || (before !== entry && !sameEntry(before, entry));
  });
  const seqs = [...shown.entries.keys()];
  const keepFrom = log.entries[0]?.seq ?? seqs.reduce((last, seq) => Math.max(last, seq), 0) + 1;
  const firstShown = seqs.reduce((first, seq) => Math.min(first, seq), Infinity);
  const droppedChanged = shown.dropped.messages !== log.dropped.messages || shown.dropped.bytes !== log.dropped.bytes;
  if (changed.length === 0 && !droppedChanged && (shown.entries.size === 0 || keepFrom <= firstShown)) return [];
  return [{ type: 'wireEntries', patch: { entries: changed.map(toWireEntryView), keepFrom, dropped: { ...log.dropped } } }];
}

/**
 * Entries of one `seq` are one message: what capture may add to one it already logged is its flags
 * (a rule checked once its answer arrived) or its cut. The message itself is not compared, so a
 * long log costs no JSON work per update.
 */
function sameEntry(a: WireEntry, b: WireEntry): boolean {
  return (
    a.bytes === b.bytes &&
    a.cut?.keptBytes === b.cut?.keptBytes &&
    a.flags.length === b.flags.length &&
    a.flags.every((flag, index) => flag.rule === b.flags[index].rule && flag.text === b.flags[index].text) &&
    a.http?.status === b.http?.status
  );
}

/**
 * One page's Wire section kept in step with a task's log: the whole section after the page loads,
 * then only what changed. Without a reader (capture is not built in) the section says capture is off.
 */
export class WireSync {
  private shown: ShownWire | undefined;

  constructor(private readonly reader: WireLogReader | undefined) {}

  /** The whole section, for a page that has just had the whole state. */
  whole(recordId: string, task: WireTask): HostToWebview {
    const log = this.reader?.readWireLog(recordId);
    this.shown = shownWire(log);
    return { type: 'wire', wire: toWireView(log, task) };
  }

  /** What changed since the last message; the whole section if the page has had none. */
  changes(recordId: string, task: WireTask): HostToWebview[] {
    if (!this.shown) return [this.whole(recordId, task)];
    const log = this.reader?.readWireLog(recordId);
    const messages = planWireUpdate(this.shown, log, task);
    this.shown = shownWire(log);
    return messages;
  }

  /** The page was reloaded or shows another task: the next message is the whole section. */
  reset(): void {
    this.shown = undefined;
  }
}
