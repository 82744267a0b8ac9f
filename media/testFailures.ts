// The "Failing Tests" section of the detail page: each failing test of a run_tests result with
// the first lines of its message; its file and line open in an editor (the host looks the place
// up by index in the stored result, so the page never names a file).
import { formatLocation } from '../src/core/testFailureText';
import type { DetailState } from '../src/ui/detail/protocol';
import { button, h } from './detailDom';
import { icon } from './detailIcons';

type Report = NonNullable<DetailState['testFailures']>;

/** The section, hidden while there is no failure to list; `update` refills it. */
export class TestFailuresSection {
  readonly element: HTMLElement;
  private readonly heading = h('h2', { text: 'Failing Tests', attrs: { id: 'h-test-failures' } });
  private readonly list = h('ol', { className: 'test-failures', attrs: { role: 'list' } });
  private readonly more = h('p', { className: 'muted', hidden: true });

  constructor(private readonly open: (index: number) => void) {
    this.element = h(
      'section',
      { className: 'section section-test-failures', hidden: true, attrs: { 'aria-labelledby': 'h-test-failures' } },
      this.heading,
      this.list,
      this.more,
    );
  }

  update(report: Report | null): void {
    const failures = report?.failures ?? [];
    this.element.hidden = failures.length === 0;
    const total = failures.length + (report?.failuresNotListed ?? 0);
    this.heading.textContent = `Failing Tests (${total})`;
    this.list.replaceChildren(...failures.map((failure, index) => this.item(failure, index)));
    const notListed = report?.failuresNotListed ?? 0;
    this.more.hidden = notListed === 0;
    this.more.textContent = `… and ${notListed} more not listed here; the output has them all.`;
  }

  private item(failure: Report['failures'][number], index: number): HTMLElement {
    const place = failure.location
      ? button(shortPlace(failure.location.file, failure.location.line), () => this.open(index), {
          className: 'link test-failure-place',
          ariaLabel: `Open ${formatLocation(failure.location)}, where ${failure.name} failed`,
        })
      : null;
    if (place && failure.location) place.title = formatLocation(failure.location);
    return h(
      'li',
      { className: 'test-failure' },
      h('div', { className: 'test-failure-title' }, icon('cross'), h('strong', { className: 'test-failure-name', text: failure.name }), place),
      failure.message ? h('pre', { className: 'test-failure-message', text: failure.message }) : null,
    );
  }
}

/** "calc.spec.js:12": the file's name is enough to tell failures apart; the title has the whole path. */
function shortPlace(file: string, line: number): string {
  const name = file.split(/[\\/]/).pop() || file;
  return `${name}:${line}`;
}
