// The detail page's header: status badge, title and pills, intent and status message, and the
// facts list (ids, server, times, attempt and links). Its times move on once a second (`tick`).
import { describeKept, formatCountdown, formatDuration } from '../src/ui/detail/format';
import type { DetailState } from '../src/ui/detail/protocol';
import { button, h, setText, time } from './detailDom';
import { icon, type IconName } from './detailIcons';

type Key = keyof DetailState;

const HEADER_KEYS: readonly Key[] = [
  'status',
  'statusLabel',
  'statusMessage',
  'title',
  'tool',
  'intent',
  'id',
  'taskId',
  'wire',
  'serverId',
  'serverName',
  'createdAt',
  'lastUpdatedAt',
  'finishedAt',
  'durationMs',
  'ttl',
  'retention',
  'archivedAt',
  'pinned',
  'imported',
  'teamListed',
  'queue',
  'context',
];
const LINK_KEYS: readonly Key[] = ['attempt', 'retryOf', 'retriedAs', 'parentId', 'children', 'retryPolicy', 'retryReason'];

/** Working shows a CSS spinner instead. */
const STATUS_ICONS: Record<DetailState['status'], IconName | null> = {
  working: null,
  input_required: 'question',
  completed: 'check',
  failed: 'cross',
  cancelled: 'slash',
};

/** A `<dt>`/`<dd>` pair in a wrapper that can be hidden. */
function fact(list: HTMLElement, label: string): { row: HTMLElement; value: HTMLElement } {
  const value = h('dd');
  const row = h('div', { className: 'fact' }, h('dt', { text: label }), value);
  list.append(row);
  return { row, value };
}

export class DetailHeader {
  private readonly badge = h('span', { className: 'status-badge' });
  private readonly badgeGlyph = h('span', { className: 'status-glyph', attrs: { 'aria-hidden': 'true' } });
  private readonly badgeLabel = h('span');
  private readonly title = h('h1', { className: 'title' });
  private readonly preview = h('span', {
    className: 'pill pill-preview',
    text: 'Preview',
    hidden: true,
    attrs: { title: 'This panel shows the next task you click; Keep Open gives this task its own tab' },
  });
  private readonly wire = h('span', { className: 'pill', attrs: { title: 'Task wire' } });
  private readonly archived = h('span', { className: 'pill', text: 'Archived', hidden: true });
  private readonly pinned = h('span', { className: 'pill', text: 'Pinned', hidden: true, attrs: { title: 'Kept in history whatever its age' } });
  private readonly imported = h('span', {
    className: 'pill pill-imported',
    text: 'Imported',
    hidden: true,
    attrs: { title: 'A read-only copy read from an export file; it runs nowhere' },
  });
  private readonly teamListed = h('span', {
    className: 'pill',
    text: 'Team',
    hidden: true,
    attrs: { title: "Listed from the team server you see as its board; another principal's work, run where its machine says" },
  });
  private readonly intent = h('p', { className: 'intent prewrap' });
  private readonly statusMessage = h('p', { className: 'status-message prewrap' });
  private readonly facts = h('dl', { className: 'facts' });
  private readonly toolFact = fact(this.facts, 'Tool');
  private readonly idFact = fact(this.facts, 'Task ID');
  private readonly serverTaskFact = fact(this.facts, 'Server task ID');
  private readonly serverFact = fact(this.facts, 'Server');
  private readonly agentFact = fact(this.facts, 'Agent');
  private readonly queueFact = fact(this.facts, 'Queue');
  private readonly createdFact = fact(this.facts, 'Created');
  private readonly updatedFact = fact(this.facts, 'Updated');
  private readonly finishedFact = fact(this.facts, 'Finished');
  private readonly durationFact = fact(this.facts, 'Duration');
  private readonly ttlFact = fact(this.facts, 'Server TTL');
  private readonly keptFact = fact(this.facts, 'Kept in history');
  private readonly attemptFact = fact(this.facts, 'Attempt');
  private readonly parentFact = fact(this.facts, 'Parent task');
  private readonly childrenFact = fact(this.facts, 'Child tasks');
  readonly element: HTMLElement;

  constructor(private readonly showTask: (id: string) => void) {
    this.element = h(
      'header',
      { className: 'header' },
      h('div', { className: 'title-row' }, this.badge, this.title, this.preview, this.wire, this.archived, this.pinned, this.imported, this.teamListed),
      this.intent,
      this.statusMessage,
      this.facts,
    );
    this.badge.append(this.badgeGlyph, this.badgeLabel);
  }

  /** Redraws the parts `changed` feeds: the header's facts, and the attempt and links. */
  update(state: DetailState, changed: ReadonlySet<Key>): void {
    if (HEADER_KEYS.some((key) => changed.has(key))) this.renderHeader(state);
    if (LINK_KEYS.some((key) => changed.has(key))) this.renderLinks(state);
  }

  setPreview(preview: boolean): void {
    this.preview.hidden = !preview;
  }

  /** A deleted task's links lead nowhere to act on. */
  disableLinks(disabled: boolean): void {
    for (const fact of [this.attemptFact, this.parentFact, this.childrenFact])
      for (const link of fact.value.querySelectorAll('button')) link.disabled = disabled;
  }

  /**
   * Once a second: a running task's duration and the server's TTL countdown; for a finished task,
   * how long history keeps it (the server's TTL no longer matters: the record is kept here).
   */
  tick(state: DetailState, now: number): void {
    const created = Date.parse(state.createdAt);
    setText(
      this.durationFact.value,
      state.durationMs !== null ? formatDuration(state.durationMs) : Number.isNaN(created) ? '—' : `${formatDuration(now - created)} so far`,
    );
    const { ttl, retention } = state;
    this.keptFact.row.hidden = retention === null;
    setText(this.keptFact.value, retention ? describeKept(retention, now) : '');
    this.keptFact.value.title =
      retention?.kind === 'until' && retention.maxTasks > 0 ? `Or sooner, if history passes ${retention.maxTasks} finished tasks` : '';
    const expiresAt = ttl.expiresAt ? Date.parse(ttl.expiresAt) : NaN;
    const running = state.finishedAt === null;
    let text: string;
    if (ttl.unlimited) text = 'Unlimited';
    // A server keeps unfinished work whatever its TTL and moves the TTL on while it runs: a countdown would jump.
    else if (running && !Number.isNaN(expiresAt)) text = 'Kept while it runs';
    else if (ttl.expired || expiresAt <= now) text = 'Expired: the server may have deleted it';
    else if (!Number.isNaN(expiresAt)) text = `Expires in ${formatCountdown(expiresAt - now)}`;
    else text = '';
    setText(this.ttlFact.value, text);
    // Only while it runs, and only when the server granted a TTL (or has answered at all).
    this.ttlFact.row.hidden = retention !== null || (!ttl.unlimited && !ttl.expired && ttl.expiresAt === null);
    this.ttlFact.value.title =
      running && ttl.grantedMs !== null
        ? 'The server keeps the task while it runs; once it ends, the server may delete it after its time to live'
        : ttl.expiresAt
          ? `The server may delete the task after ${ttl.expiresAt}`
          : '';
  }

  private renderHeader(state: DetailState): void {
    this.badge.className = `status-badge status-${state.status}`;
    this.badge.setAttribute('aria-label', `Status: ${state.statusLabel}`);
    const statusIcon = STATUS_ICONS[state.status];
    this.badgeGlyph.replaceChildren(...(statusIcon ? [icon(statusIcon)] : []));
    setText(this.badgeLabel, state.statusLabel);
    setText(this.title, state.title);
    document.title = state.title;
    setText(this.toolFact.value, state.tool);
    setText(this.wire, state.wire ?? 'local');
    this.wire.hidden = state.wire === null;
    this.archived.hidden = state.archivedAt === null;
    this.pinned.hidden = !state.pinned;
    this.imported.hidden = !state.imported;
    this.teamListed.hidden = !state.teamListed;
    // Tasks the editor starts itself carry no agent.
    setText(this.agentFact.value, state.context.agent ?? 'Editor');
    this.queueFact.row.hidden = state.queue === null || state.status !== 'working';
    setText(this.queueFact.value, state.queue ? `Waiting to start: ${state.queue.position} of ${state.queue.size}` : '');
    setText(this.intent, state.intent ?? '');
    // The heading already is the intent, unless it had to be shortened.
    this.intent.hidden = !state.intent || state.intent.trim() === state.title;
    setText(this.statusMessage, state.statusMessage ?? '');
    this.statusMessage.hidden = !state.statusMessage;
    this.idFact.value.replaceChildren(h('code', { text: state.id }));
    this.serverTaskFact.row.hidden = state.taskId === null;
    this.serverTaskFact.value.replaceChildren(h('code', { text: state.taskId ?? '' }));
    setText(this.serverFact.value, state.serverName);
    this.createdFact.value.replaceChildren(time(state.createdAt));
    this.updatedFact.value.replaceChildren(time(state.lastUpdatedAt));
    this.finishedFact.row.hidden = state.finishedAt === null;
    this.finishedFact.value.replaceChildren(time(state.finishedAt));
  }

  private renderLinks(state: DetailState): void {
    const link = (id: string, label: string) =>
      button(id.length > 12 ? `${id.slice(0, 8)}…` : id, () => this.showTask(id), { className: 'link', ariaLabel: `${label} ${id}` });
    this.attemptFact.value.replaceChildren(
      String(state.attempt),
      ...(state.retryOf ? [' · retry of ', link(state.retryOf, 'Show the task this retried:')] : []),
      ...(state.retriedAs ? [' · retried as ', link(state.retriedAs, 'Show the retry of this task:')] : []),
      // Automatic retries: why this attempt runs, and the policy that governs the chain.
      ...(state.retryReason ? [h('div', { className: 'retry-reason', text: state.retryReason })] : []),
      ...(state.retryPolicy ? [h('div', { className: 'muted retry-policy', text: `Retry policy: ${state.retryPolicy}` })] : []),
    );
    this.parentFact.row.hidden = state.parentId === null;
    this.parentFact.value.replaceChildren(...(state.parentId ? [link(state.parentId, 'Show the parent task:')] : []));
    this.childrenFact.row.hidden = state.children.length === 0;
    const children = h('ul', { className: 'children', attrs: { role: 'list' } });
    for (const child of state.children) {
      const open = button(child.label, () => this.showTask(child.id), {
        className: 'link child-link',
        ariaLabel: `Show the child task ${child.label}, ${child.status}`,
      });
      children.append(h('li', {}, open, h('span', { className: `muted child-status status-${child.status}`, text: ` ${child.status.replace('_', ' ')}` })));
    }
    this.childrenFact.value.replaceChildren(children);
  }
}
