// The "Steps" section of the detail page: the steps of composite work (a VS Code task's
// dependencies), each with its status, label, how long it ran (counting while it runs) and how it
// ended. Indented by depth; hidden for work without steps.
import { formatDuration } from '../src/ui/detail/format';
import type { DetailState, StepItem } from '../src/ui/detail/protocol';
import { h, setText } from './detailDom';
import { type IconName, icon } from './detailIcons';

const LOOK: Record<StepItem['status'], { readonly label: string; readonly icon: IconName | null }> = {
  waiting: { label: 'Waiting', icon: null },
  working: { label: 'Running', icon: 'runAgain' },
  completed: { label: 'Completed', icon: 'check' },
  failed: { label: 'Failed', icon: 'cross' },
  cancelled: { label: 'Cancelled', icon: 'slash' },
};

/** A step still running or waiting when its task ended was stopped or never ran (as the tree shows it). */
function shownStatus(step: StepItem, taskEnded: boolean): StepItem['status'] {
  return taskEnded && (step.status === 'working' || step.status === 'waiting') ? 'cancelled' : step.status;
}

export class StepsSection {
  readonly element: HTMLElement;
  private readonly heading = h('h2', { text: 'Steps', attrs: { id: 'h-steps' } });
  private readonly list = h('ol', { className: 'steps', attrs: { role: 'list' } });
  /** Time cells of running steps, with when each started, for `tick`. */
  private running: { readonly cell: HTMLElement; readonly startedAt: number }[] = [];

  constructor() {
    this.element = h('section', { className: 'section section-steps', hidden: true, attrs: { 'aria-labelledby': 'h-steps' } }, this.heading, this.list);
  }

  update(state: DetailState): void {
    const steps = state.steps;
    this.element.hidden = steps.length === 0;
    const failed = steps.filter((step) => step.status === 'failed').length;
    setText(this.heading, `Steps (${steps.length}${failed ? `, ${failed} failed` : ''})`);
    this.running = [];
    const ended = state.finishedAt !== null;
    this.list.replaceChildren(...steps.map((step) => this.item(step, ended)));
    this.tick(Date.now());
  }

  /** Once a second: the times of running steps move on. */
  tick(now: number): void {
    for (const { cell, startedAt } of this.running) setText(cell, formatDuration(now - startedAt));
  }

  private item(step: StepItem, taskEnded: boolean): HTMLElement {
    const status = shownStatus(step, taskEnded);
    const look = LOOK[status];
    const time = h('span', { className: 'step-time muted' });
    const started = step.startedAt === null ? NaN : Date.parse(step.startedAt);
    if (step.durationMs !== null) setText(time, formatDuration(step.durationMs));
    else if (status === 'working' && !Number.isNaN(started)) this.running.push({ cell: time, startedAt: started });
    const item = h(
      'li',
      { className: `step step-${status}`, attrs: { 'data-step': step.id, 'data-status': status } },
      look.icon ? icon(look.icon) : h('span', { className: 'icon step-no-icon', attrs: { 'aria-hidden': 'true' } }),
      h('span', { className: 'step-label', text: step.label }),
      h('span', { className: 'sr-only', text: `, ${look.label.toLowerCase()}` }),
      time,
      step.detail ? h('span', { className: 'step-detail muted', text: step.detail }) : null,
    );
    item.title = look.label;
    if (step.depth > 0) item.style.paddingInlineStart = `${step.depth * 16}px`;
    return item;
  }
}
