// The Wire section of the detail page: the task's JSON-RPC messages in order, for people building
// MCP servers. Built whole from a `wire` message, then patched entry by entry (`wireEntries`), so
// open folds, focus and scroll survive a growing log. Every value from the log is set as text.
import { describeCut, describeDropped, formatBytes, formatClock, formatOffset } from '../src/ui/detail/format';
import type { WireEntriesPatch, WireEntryView, WireView } from '../src/ui/detail/protocol';
import { type Folds, type Json, button, h, jsonTree, setText } from './detailDom';
import { icon } from './detailIcons';

const CAPTURE_COMMAND = 'Capture Wire Messages';
const CAPTURE_SETTING = 'tasklane.wire.captureServers';

export class WireSection {
  readonly element: HTMLElement;
  private readonly body = h('div', { className: 'wire-body' });
  private readonly droppedNote = h('p', { className: 'wire-dropped muted', hidden: true });
  private readonly list = h('ol', { className: 'wire-list', attrs: { 'aria-label': 'Wire messages, oldest first' } });
  private readonly empty = h('p', { className: 'muted', text: 'No messages captured for this task yet.', hidden: true });
  private readonly copy: HTMLButtonElement;
  private readonly rows = new Map<number, { element: HTMLElement; entry: WireEntryView }>();
  private view: WireView | undefined;
  /** The highest sequence number shown (rows only ever leave from the front). */
  private lastSeq = 0;

  constructor(
    private readonly folds: Folds,
    onCopyScript: () => void,
  ) {
    this.copy = button('Copy as Script', onCopyScript, { icon: 'copy', ariaLabel: 'Copy the wire log as a script to run again' });
    this.copy.dataset.command = 'copyWireScript';
    this.copy.title = 'A curl sequence (HTTP) or JSON lines for a stdio server, of the messages Tasklane sent; the token stays in $TASKLANE_TOKEN.';
    this.copy.hidden = true;
    const heading = h('div', { className: 'wire-heading' }, h('h2', { text: 'Wire', attrs: { id: 'h-wire' } }), this.copy);
    this.element = h('section', { className: 'section section-wire', attrs: { 'aria-labelledby': 'h-wire' } }, heading, this.body);
  }

  /** The whole section: after every state, and when capture starts or stops. */
  show(view: WireView): void {
    this.view = view;
    this.rows.clear();
    this.lastSeq = 0;
    this.list.replaceChildren();
    if (view.capture === 'off') {
      this.copy.hidden = true;
      this.body.replaceChildren(captureOff(view.serverName, view.serverId));
      return;
    }
    for (const entry of view.entries) this.upsert(entry);
    this.setDropped(view.dropped);
    this.body.replaceChildren(this.droppedNote, this.empty, this.list);
    this.refreshEmpty();
  }

  /** New and changed entries; those before `keepFrom` were dropped by the log's bounds. */
  apply(patch: WireEntriesPatch): void {
    if (this.view?.capture !== 'on') return;
    for (const [seq, row] of this.rows) {
      if (seq >= patch.keepFrom) continue;
      row.element.remove();
      this.rows.delete(seq);
    }
    for (const entry of patch.entries) this.upsert(entry);
    this.setDropped(patch.dropped);
    this.refreshEmpty();
  }

  private get createdAt(): number {
    return this.view?.capture === 'on' ? Date.parse(this.view.taskCreatedAt) : Number.NaN;
  }

  private upsert(entry: WireEntryView): void {
    const element = this.renderEntry(entry);
    const existing = this.rows.get(entry.seq);
    if (existing) {
      existing.element.replaceWith(element);
    } else if (this.rows.size === 0 || entry.seq > this.lastSeq) {
      // Entries arrive in order: appending is the usual case, and costs nothing per row shown.
      this.list.append(element);
    } else {
      // One that does not goes before the first later one.
      const later = [...this.rows.entries()].find(([seq]) => seq > entry.seq);
      if (later) later[1].element.before(element);
      else this.list.append(element);
    }
    this.lastSeq = Math.max(this.lastSeq, entry.seq);
    this.rows.set(entry.seq, { element, entry });
  }

  private setDropped(dropped: { messages: number; bytes: number }): void {
    this.droppedNote.hidden = dropped.messages === 0;
    setText(this.droppedNote, dropped.messages === 0 ? '' : describeDropped(dropped));
  }

  private refreshEmpty(): void {
    this.empty.hidden = this.rows.size > 0;
    this.copy.hidden = ![...this.rows.values()].some((row) => row.entry.direction === 'sent');
  }

  private renderEntry(entry: WireEntryView): HTMLElement {
    const sent = entry.direction === 'sent';
    const offset = Date.parse(entry.at) - this.createdAt;
    const head = h(
      'div',
      { className: 'wire-head' },
      h('span', { className: `wire-direction wire-${entry.direction}` }, icon(sent ? 'sent' : 'received'), h('span', { text: sent ? 'Sent' : 'Received' })),
      h('time', { className: 'wire-time', text: formatClock(entry.at), attrs: { datetime: entry.at, title: entry.at } }),
      Number.isFinite(offset)
        ? h('span', { className: 'wire-offset muted', text: formatOffset(offset), attrs: { title: 'After the task was created' } })
        : null,
      h('span', { className: 'wire-kind', text: entry.kind }),
      entry.method !== null ? h('code', { className: 'wire-method', text: entry.method }) : null,
      entry.rpcId !== null ? h('span', { className: 'wire-id', text: `id ${JSON.stringify(entry.rpcId)}` }) : null,
      entry.http !== null && entry.http.status !== null
        ? h('span', { className: `wire-status${entry.http.status >= 400 ? ' wire-status-error' : ''}`, text: `HTTP ${entry.http.status}` })
        : null,
      h('span', { className: 'wire-size muted', text: formatBytes(entry.bytes) }),
    );
    const item = h(
      'li',
      { className: `wire-entry wire-entry-${entry.direction}${entry.flags.length ? ' wire-flagged' : ''}`, attrs: { 'data-seq': String(entry.seq) } },
      head,
    );
    if (entry.flags.length > 0) {
      item.append(
        h(
          'ul',
          { className: 'wire-flags', attrs: { 'aria-label': 'Rules this message breaks' } },
          ...entry.flags.map((flag) =>
            h('li', { className: 'wire-flag' }, icon('cross'), h('strong', { className: 'wire-rule', text: flag.rule }), h('span', { text: flag.text })),
          ),
        ),
      );
    }
    if (entry.cut) item.append(h('p', { className: 'wire-cut', text: describeCut(entry.bytes, entry.cut.keptBytes) }));
    if (entry.http) item.append(renderHttp(entry.http));
    const key = `wire/${entry.seq}`;
    item.append(
      this.folds.details(key, false, [h('span', { text: 'JSON' })], () => jsonTree(entry.message as Json, this.folds, `${key}/json`), 'fold wire-fold'),
    );
    return item;
  }
}

function renderHttp(http: NonNullable<WireEntryView['http']>): HTMLElement {
  const request = [http.method, http.url].filter((part) => part !== null).join(' ');
  const headers = Object.entries(http.headers);
  return h(
    'div',
    { className: 'wire-http' },
    request ? h('code', { className: 'wire-request-line', text: request }) : null,
    headers.length > 0
      ? h('dl', { className: 'wire-headers' }, ...headers.flatMap(([name, value]) => [h('dt', { text: name }), h('dd', {}, h('code', { text: value }))]))
      : null,
  );
}

function captureOff(serverName: string, serverId: string): HTMLElement {
  return h(
    'div',
    { className: 'wire-off' },
    h('p', { text: `Capture is off for ${serverName}, so no messages were kept for this task.` }),
    h(
      'p',
      { className: 'muted' },
      'To see what goes over the wire, turn it on with ',
      h('strong', { text: CAPTURE_COMMAND }),
      ' on the server in the Servers view, or add ',
      h('code', { text: JSON.stringify(serverId) }),
      ' to the setting ',
      h('code', { text: CAPTURE_SETTING }),
      '. Tasks started after that show their messages here.',
    ),
  );
}
