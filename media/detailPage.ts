// The detail page: built once, then patched in place. A message changes only the parts of the
// page its keys feed, so scroll positions, focus and open folds survive updates.
import { describeKept, formatCountdown, formatDuration, tailOf } from '../src/ui/detail/format';
import { OUTPUT_TAIL_CHARS, type DetailCommand, type DetailState, type DetailStatePatch, type WebviewToHost } from '../src/ui/detail/protocol';
import { type Folds, button, h, time } from './detailDom';
import { icon, type IconName } from './detailIcons';
import { InputList, OutputView, TimelineTable, renderMetadata, renderOutcome } from './detailSections';
import { TestFailuresSection } from './testFailures';

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
  'queue',
  'context',
];
const LINK_KEYS: readonly Key[] = ['attempt', 'retryOf', 'retriedAs', 'parentId', 'children'];
const METADATA_KEYS: readonly Key[] = [
  'arguments',
  'expectedOutputs',
  'context',
  'priority',
  'resourceLimits',
  'scheduling',
  'tags',
  'meta',
  'pollIntervalMs',
  'ttl',
];

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

function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

function section(id: string, title: string, ...content: Node[]): HTMLElement {
  return h(
    'section',
    { className: `section section-${id}`, attrs: { 'aria-labelledby': `h-${id}` } },
    h('h2', { text: title, attrs: { id: `h-${id}` } }),
    ...content,
  );
}

export class DetailPage {
  private state: DetailState | undefined;
  private gone = false;

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
  private readonly announcer = h('div', { className: 'sr-only', attrs: { role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' } });
  private readonly goneBanner = h('div', { className: 'banner', hidden: true, text: 'This task was deleted. The page shows its last known state.' });
  private readonly buttons = new Map<DetailCommand, HTMLButtonElement>();
  private readonly keepOpen: HTMLButtonElement;
  private readonly inputSection: HTMLElement;
  private readonly inputs: InputList;
  private readonly testFailures = new TestFailuresSection((index) => this.post({ type: 'openTestFailure', index }));
  private readonly resultHeading = h('h2', { text: 'Result', attrs: { id: 'h-result' } });
  private readonly resultBody = h('div');
  private readonly output: OutputView;
  private readonly timeline: TimelineTable;
  private readonly metadataBody = h('div');

  constructor(
    root: HTMLElement,
    private readonly post: (message: WebviewToHost) => void,
    private readonly folds: Folds,
  ) {
    const actions = h('div', { className: 'actions', attrs: { role: 'group', 'aria-label': 'Task actions' } });
    this.keepOpen = button('Keep Open', () => this.post({ type: 'keepOpen' }), { icon: 'pin', ariaLabel: 'Keep Open: give this task its own tab' });
    this.keepOpen.title = "This preview shows whichever task you click next. Keep it open as this task's own tab.";
    this.keepOpen.hidden = true;
    actions.append(this.keepOpen);
    const add = (command: DetailCommand, label: string, iconName: IconName, className?: string) => {
      const element = button(label, () => this.post({ type: 'command', command }), { icon: iconName, className });
      element.dataset.command = command;
      this.buttons.set(command, element);
      actions.append(element);
    };
    add('cancel', 'Cancel', 'stop', 'primary');
    add('retry', 'Retry', 'retry', 'primary');
    add('retryWithEdits', 'Retry with Edits…', 'edit');
    add('runAgain', 'Run Again', 'runAgain');
    add('copyId', 'Copy ID', 'copy');
    add('copyJson', 'Copy JSON', 'json');
    add('exportJson', 'Export JSON…', 'export');
    add('showLog', 'Show Log', 'log');

    const inputList = h('ul', { className: 'inputs', attrs: { role: 'list' } });
    this.inputs = new InputList(inputList, (key) => this.post({ type: 'command', command: 'answerInput', key }));
    this.inputSection = section('input', 'Waiting for Input', inputList);
    this.inputSection.hidden = true;

    const pre = h('pre', { className: 'output', hidden: true, attrs: { tabindex: '0', 'aria-label': 'Live output' } });
    const noOutput = h('p', { className: 'muted', text: 'No output.' });
    this.output = new OutputView(pre, noOutput);

    const rows = h('tbody');
    this.timeline = new TimelineTable(rows);
    const table = h(
      'table',
      { className: 'timeline' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { text: 'Time', attrs: { scope: 'col' } }),
          h('th', { text: 'Status', attrs: { scope: 'col' } }),
          h('th', { text: 'Message', attrs: { scope: 'col' } }),
        ),
      ),
      rows,
    );

    root.replaceChildren(
      h(
        'header',
        { className: 'header' },
        h('div', { className: 'title-row' }, this.badge, this.title, this.preview, this.wire, this.archived, this.pinned, this.imported),
        this.intent,
        this.statusMessage,
        this.facts,
      ),
      this.goneBanner,
      actions,
      this.announcer,
      this.inputSection,
      this.testFailures.element,
      h('section', { className: 'section section-result', attrs: { 'aria-labelledby': 'h-result' } }, this.resultHeading, this.resultBody),
      section('output', 'Output', noOutput, pre),
      section('timeline', 'Timeline', h('div', { className: 'scroll', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Timeline entries' } }, table)),
      section('metadata', 'Details', this.metadataBody),
    );
    this.badge.append(this.badgeGlyph, this.badgeLabel);
  }

  get taskId(): string | undefined {
    return this.state?.id;
  }

  /** The whole state: after every `ready`, including reloads. */
  show(state: DetailState): void {
    const previous = this.state;
    this.state = state;
    this.gone = false;
    this.goneBanner.hidden = true;
    this.render(previous, state, new Set(Object.keys(state) as Key[]));
  }

  patch(patch: DetailStatePatch): void {
    const previous = this.state;
    if (!previous) return;
    const next: DetailState = { ...previous, ...patch };
    this.state = next;
    this.render(previous, next, new Set(Object.keys(patch) as Key[]));
  }

  appendOutput(chunk: string): void {
    if (!this.state) return;
    this.state = { ...this.state, output: tailOf(this.state.output + chunk, OUTPUT_TAIL_CHARS) };
    this.output.append(chunk);
  }

  /** A preview panel offers Keep Open; a kept one is the task's own tab. */
  setPreview(preview: boolean): void {
    this.keepOpen.hidden = !preview;
    this.preview.hidden = !preview;
    if (!preview && document.activeElement === this.keepOpen) [...this.buttons.values()].find((element) => !element.hidden && !element.disabled)?.focus();
  }

  markGone(): void {
    if (this.gone) return;
    this.gone = true;
    this.goneBanner.hidden = false;
    this.announce('This task was deleted.');
    if (this.state) this.renderActions(this.state);
  }

  /**
   * Once a second: a running task's duration and the server's TTL countdown; for a finished task,
   * how long history keeps it (the server's TTL no longer matters: the record is kept here).
   */
  tick(now: number): void {
    const state = this.state;
    if (!state) return;
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

  private render(previous: DetailState | undefined, next: DetailState, changed: ReadonlySet<Key>): void {
    const touches = (keys: readonly Key[]) => keys.some((key) => changed.has(key));
    if (touches(HEADER_KEYS)) this.renderHeader(next);
    if (touches(LINK_KEYS)) this.renderLinks(next);
    if (changed.has('actions')) this.renderActions(next);
    if (changed.has('pendingInput') || changed.has('actions')) {
      this.inputSection.hidden = next.pendingInput.length === 0;
      this.inputs.update(next.pendingInput, next.actions.answer && !this.gone);
    }
    if (changed.has('outcome') || changed.has('finishedAt') || changed.has('resultSize')) {
      setText(this.resultHeading, next.outcome.kind === 'error' ? 'Error' : 'Result');
      this.resultBody.replaceChildren(renderOutcome(next, this.folds));
    }
    if (changed.has('testFailures')) this.testFailures.update(next.testFailures);
    if (changed.has('output')) this.output.set(next.output);
    if (changed.has('timeline')) this.timeline.update(next.timeline);
    if (touches(METADATA_KEYS)) this.metadataBody.replaceChildren(renderMetadata(next, this.folds));
    if (previous && previous.id === next.id && previous.status !== next.status) {
      this.announce(`Status: ${next.statusLabel}${next.statusMessage ? `. ${next.statusMessage}` : ''}`);
    }
    this.tick(Date.now());
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
      button(id.length > 12 ? `${id.slice(0, 8)}…` : id, () => this.post({ type: 'showTask', id }), { className: 'link', ariaLabel: `${label} ${id}` });
    this.attemptFact.value.replaceChildren(
      String(state.attempt),
      ...(state.retryOf ? [' · retry of ', link(state.retryOf, 'Show the task this retried:')] : []),
      ...(state.retriedAs ? [' · retried as ', link(state.retriedAs, 'Show the retry of this task:')] : []),
    );
    this.parentFact.row.hidden = state.parentId === null;
    this.parentFact.value.replaceChildren(...(state.parentId ? [link(state.parentId, 'Show the parent task:')] : []));
    this.childrenFact.row.hidden = state.children.length === 0;
    const children = h('ul', { className: 'children', attrs: { role: 'list' } });
    for (const child of state.children) {
      const open = button(child.label, () => this.post({ type: 'showTask', id: child.id }), {
        className: 'link child-link',
        ariaLabel: `Show the child task ${child.label}, ${child.status}`,
      });
      children.append(h('li', {}, open, h('span', { className: `muted child-status status-${child.status}`, text: ` ${child.status.replace('_', ' ')}` })));
    }
    this.childrenFact.value.replaceChildren(children);
  }

  private renderActions(state: DetailState): void {
    const focused = document.activeElement;
    const visible: Partial<Record<DetailCommand, boolean>> = {
      cancel: state.actions.cancel,
      retry: state.actions.retry,
      retryWithEdits: state.actions.retry,
      runAgain: state.actions.runAgain,
    };
    for (const [command, element] of this.buttons) {
      element.hidden = visible[command] === false;
      // A deleted task has nothing left to act on; the log is still there.
      element.disabled = this.gone && command !== 'showLog';
    }
    for (const fact of [this.attemptFact, this.parentFact, this.childrenFact])
      for (const link of fact.value.querySelectorAll('button')) link.disabled = this.gone;
    if (focused instanceof HTMLButtonElement && (focused.hidden || focused.disabled)) {
      // Keep keyboard users in the toolbar when the button they used goes away (e.g. Cancel).
      [...this.buttons.values()].find((element) => !element.hidden && !element.disabled)?.focus();
    }
  }

  private announce(text: string): void {
    this.announcer.textContent = text;
  }
}
