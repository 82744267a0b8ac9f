// The detail page: built once, then patched in place. A message changes only the parts of the
// page its keys feed, so scroll positions, focus and open folds survive updates.
import { tailOf } from '../src/ui/detail/format';
import {
  OUTPUT_TAIL_CHARS,
  type DetailCommand,
  type DetailState,
  type DetailStatePatch,
  type WebviewToHost,
  type WireEntriesPatch,
  type WireView,
} from '../src/ui/detail/protocol';
import { type Folds, button, h, setText } from './detailDom';
import { DetailHeader } from './detailHeader';
import type { IconName } from './detailIcons';
import { InputList, OutputView, TimelineTable, renderMetadata, renderOutcome } from './detailSections';
import { StepsSection } from './detailSteps';
import { TestFailuresSection } from './testFailures';
import { WireSection } from './wireSection';

type Key = keyof DetailState;

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

  private readonly header = new DetailHeader((id) => this.post({ type: 'showTask', id }));
  private readonly announcer = h('div', { className: 'sr-only', attrs: { role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' } });
  private readonly goneBanner = h('div', { className: 'banner', hidden: true, text: 'This task was deleted. The page shows its last known state.' });
  private readonly buttons = new Map<DetailCommand, HTMLButtonElement>();
  private readonly keepOpen: HTMLButtonElement;
  private readonly inputSection: HTMLElement;
  private readonly inputs: InputList;
  private readonly testFailures = new TestFailuresSection((index) => this.post({ type: 'openTestFailure', index }));
  private readonly steps = new StepsSection();
  private readonly resultHeading = h('h2', { text: 'Result', attrs: { id: 'h-result' } });
  private readonly resultBody = h('div');
  private readonly output: OutputView;
  private readonly timeline: TimelineTable;
  private readonly metadataBody = h('div');
  private readonly wire: WireSection;

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

    this.wire = new WireSection(this.folds, () => this.post({ type: 'command', command: 'copyWireScript' }));

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
      this.header.element,
      this.goneBanner,
      actions,
      this.announcer,
      this.inputSection,
      this.steps.element,
      this.testFailures.element,
      h('section', { className: 'section section-result', attrs: { 'aria-labelledby': 'h-result' } }, this.resultHeading, this.resultBody),
      section('output', 'Output', noOutput, pre),
      section('timeline', 'Timeline', h('div', { className: 'scroll', attrs: { tabindex: '0', role: 'region', 'aria-label': 'Timeline entries' } }, table)),
      this.wire.element,
      section('metadata', 'Details', this.metadataBody),
    );
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

  /** The whole Wire section (wireSection.ts). */
  showWire(view: WireView): void {
    this.wire.show(view);
  }

  /** New and changed wire log entries. */
  patchWire(patch: WireEntriesPatch): void {
    this.wire.apply(patch);
  }

  /** A preview panel offers Keep Open; a kept one is the task's own tab. */
  setPreview(preview: boolean): void {
    this.keepOpen.hidden = !preview;
    this.header.setPreview(preview);
    if (!preview && document.activeElement === this.keepOpen) [...this.buttons.values()].find((element) => !element.hidden && !element.disabled)?.focus();
  }

  markGone(): void {
    if (this.gone) return;
    this.gone = true;
    this.goneBanner.hidden = false;
    this.announce('This task was deleted.');
    if (this.state) this.renderActions(this.state);
  }

  /** Once a second: the header's running times (detailHeader.ts). */
  tick(now: number): void {
    if (this.state) this.header.tick(this.state, now);
    this.steps.tick(now);
  }

  private render(previous: DetailState | undefined, next: DetailState, changed: ReadonlySet<Key>): void {
    const touches = (keys: readonly Key[]) => keys.some((key) => changed.has(key));
    this.header.update(next, changed);
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
    if (changed.has('steps') || changed.has('finishedAt')) this.steps.update(next);
    if (changed.has('output')) this.output.set(next.output);
    if (changed.has('timeline')) this.timeline.update(next.timeline);
    if (touches(METADATA_KEYS)) this.metadataBody.replaceChildren(renderMetadata(next, this.folds));
    if (previous && previous.id === next.id && previous.status !== next.status) {
      this.announce(`Status: ${next.statusLabel}${next.statusMessage ? `. ${next.statusMessage}` : ''}`);
    }
    this.tick(Date.now());
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
    this.header.disableLinks(this.gone);
    if (focused instanceof HTMLButtonElement && (focused.hidden || focused.disabled)) {
      // Keep keyboard users in the toolbar when the button they used goes away (e.g. Cancel).
      [...this.buttons.values()].find((element) => !element.hidden && !element.disabled)?.focus();
    }
  }

  private announce(text: string): void {
    this.announcer.textContent = text;
  }
}
