// The detail page's sections below the header. Each one either rebuilds itself when its part of
// the state changes (result, metadata: rare) or updates in place (output, timeline, input).
import { STATUS_LABELS, describeResultSize, formatBytes, formatDuration, tailOf } from '../src/ui/detail/format';
import { OUTPUT_TAIL_CHARS, type DetailState, type PendingInputItem, type ResultBlock, type TimelineItem } from '../src/ui/detail/protocol';
import { type Folds, button, h, jsonTree, time, type Child } from './detailDom';
import { icon } from './detailIcons';

const muted = (text: string) => h('span', { className: 'muted', text });

export function renderOutcome(state: DetailState, folds: Folds): Node {
  const { outcome } = state;
  switch (outcome.kind) {
    case 'none':
      return h('p', { className: 'muted', text: state.finishedAt ? 'No result was stored for this task.' : 'No result yet: the task is still running.' });
    case 'error':
      // Plain words first; the JSON-RPC code and the error's data are detail, folded away.
      return h(
        'div',
        { className: 'error-box', attrs: { role: 'group', 'aria-label': 'Error' } },
        h('p', {}, h('strong', { text: outcome.meaning })),
        outcome.message ? h('p', { className: 'prewrap', text: outcome.message }) : null,
        folds.details('error-detail', false, [h('span', { className: 'muted', text: 'Technical details' })], () =>
          h(
            'div',
            { className: 'error-detail' },
            h('p', { className: 'muted', text: `JSON-RPC error code ${outcome.code}` }),
            outcome.data !== null ? jsonTree(outcome.data, folds, 'error-data') : null,
          ),
        ),
      );
    case 'unavailable':
      return h('p', { className: 'error-box', attrs: { role: 'status' }, text: outcome.message });
    case 'result': {
      const parts: Child[] = [];
      if (state.resultSize) {
        const cut = state.resultSize.shownBytes !== null;
        const note = cut
          ? `${describeResultSize(state.resultSize)}. Export the task or use Show Task Result for all of it.`
          : describeResultSize(state.resultSize);
        parts.push(h('p', { className: cut ? 'result-size result-cut' : 'muted result-size', text: note }));
      }
      if (outcome.isError) parts.push(h('p', { className: 'error-box', text: 'The tool reported an error.' }));
      if (outcome.blocks.length === 0 && outcome.structuredContent === null && outcome.inOutput.length === 0)
        parts.push(h('p', { className: 'muted', text: 'The result has no content.' }));
      outcome.blocks.forEach((block, index) => parts.push(renderBlock(block, index, folds)));
      if (outcome.structuredContent !== null) {
        parts.push(h('h3', { text: 'Structured content' }), jsonTree(outcome.structuredContent, folds, 'structured'));
      }
      if (outcome.inOutput.length > 0) {
        parts.push(h('p', { className: 'muted in-output', text: `Not repeated here, shown in Output below: ${outcome.inOutput.join(', ')}.` }));
      }
      return h('div', { className: 'result' }, ...parts);
    }
  }
}

function renderBlock(block: ResultBlock, index: number, folds: Folds): HTMLElement {
  switch (block.kind) {
    case 'text':
      return h('pre', { className: 'block text-block', text: block.text, attrs: { tabindex: '0', 'aria-label': `Text result ${index + 1}` } });
    case 'json':
      return h('div', { className: 'block' }, jsonTree(block.value, folds, `result/${index}`));
    case 'image': {
      const image = h('img', { className: 'block image-block', attrs: { alt: `Image result ${index + 1} (${block.mimeType})` } });
      // mimeType and data were checked against IMAGE_MIME and BASE64 by the protocol schema.
      image.src = `data:${block.mimeType};base64,${block.data}`;
      return image;
    }
    case 'audio':
      return h('p', { className: 'block muted', text: `Audio (${block.mimeType}, ${formatBytes(block.bytes)}): not played here.` });
    case 'resourceLink':
      return h(
        'div',
        { className: 'block resource' },
        icon('link'),
        h('strong', { text: block.title ?? block.name ?? 'Resource' }),
        block.name && block.title ? h('span', { className: 'muted', text: ` (${block.name})` }) : null,
        h('div', {}, h('code', { className: 'uri', text: block.uri })),
        block.description ? h('p', { text: block.description }) : null,
        block.mimeType ? h('div', { className: 'muted', text: block.mimeType }) : null,
      );
    case 'resource':
      return h(
        'div',
        { className: 'block resource' },
        icon('file'),
        h('code', { className: 'uri', text: block.uri }),
        block.mimeType ? h('span', { className: 'muted', text: ` ${block.mimeType}` }) : null,
        block.text !== null
          ? h('pre', { className: 'text-block', text: block.text, attrs: { tabindex: '0' } })
          : h('p', { className: 'muted', text: block.bytes !== null ? `Binary content (${formatBytes(block.bytes)})` : 'No content.' }),
      );
    case 'unknown':
      return h(
        'div',
        { className: 'block' },
        h('p', { className: 'muted', text: 'Content of an unrecognized type:' }),
        jsonTree(block.value, folds, `result/${index}`, 1),
      );
  }
}

export function renderMetadata(state: DetailState, folds: Folds): Node {
  const list = h('dl', { className: 'meta-list' });
  const row = (label: string, ...value: Child[]) => list.append(h('div', { className: 'meta-row' }, h('dt', { text: label }), h('dd', {}, ...value)));
  const { context, resourceLimits, scheduling, ttl } = state;
  row('Arguments', Object.keys(state.arguments).length > 0 ? jsonTree(state.arguments, folds, 'arguments') : muted('None'));
  row('Expected outputs', state.expectedOutputs ? h('p', { className: 'prewrap', text: state.expectedOutputs }) : muted('—'));
  row(
    'Execution context',
    ...pairs([
      ['Workspace', context.workspace],
      ['Working directory', context.cwd],
      ['Agent', context.agent],
    ]),
  );
  row('Priority', state.priority !== null ? String(state.priority) : muted('—'));
  row(
    'Resource limits',
    ...pairs([
      ['Time budget', resourceLimits.timeBudgetMs !== null ? formatDuration(resourceLimits.timeBudgetMs) : null],
      ['Max output', resourceLimits.maxOutputBytes !== null ? formatBytes(resourceLimits.maxOutputBytes) : null],
    ]),
  );
  row(
    'Scheduling hints',
    ...pairs([
      ['Run after', scheduling.runAfter],
      ['After task', scheduling.afterTaskId],
    ]),
  );
  row(
    'Tags',
    state.tags.length > 0
      ? h('ul', { className: 'tags', attrs: { role: 'list' } }, ...state.tags.map((tag) => h('li', { className: 'tag', text: tag })))
      : muted('None'),
  );
  row(
    'Retention (TTL)',
    ...pairs([
      ['Requested', ttl.requestedMs !== null ? formatDuration(ttl.requestedMs) : null],
      ['Granted', ttl.unlimited ? 'Unlimited' : ttl.grantedMs !== null ? formatDuration(ttl.grantedMs) : null],
    ]),
  );
  row('Poll interval', state.pollIntervalMs !== null ? formatDuration(state.pollIntervalMs) : muted('—'));
  row('Custom _meta', Object.keys(state.meta).length > 0 ? jsonTree(state.meta, folds, 'meta') : muted('None'));
  return list;
}

/** `Label: value` lines for the values that are set, or a dash when none is. */
function pairs(entries: [string, string | null][]): Child[] {
  const present = entries.filter((entry): entry is [string, string] => entry[1] !== null);
  if (present.length === 0) return [muted('—')];
  return [
    h(
      'ul',
      { className: 'pairs', attrs: { role: 'list' } },
      ...present.map(([label, value]) => h('li', {}, h('span', { className: 'muted', text: `${label}: ` }), h('span', { text: value }))),
    ),
  ];
}

/** The timeline table: new entries are appended; anything else rebuilds the rows. */
export class TimelineTable {
  private rendered: string[] = [];

  constructor(private readonly body: HTMLTableSectionElement) {}

  update(items: readonly TimelineItem[]): void {
    const keys = items.map((item) => JSON.stringify(item));
    const isAppend = keys.length >= this.rendered.length && this.rendered.every((key, index) => key === keys[index]);
    if (!isAppend) this.body.replaceChildren();
    for (const item of items.slice(isAppend ? this.rendered.length : 0)) this.body.append(this.row(item));
    this.rendered = keys;
  }

  private row(item: TimelineItem): HTMLTableRowElement {
    return h(
      'tr',
      {},
      h('td', { className: 'nowrap' }, time(item.at)),
      h('td', {}, item.status ? h('span', { className: `status-chip status-${item.status}`, text: STATUS_LABELS[item.status] }) : muted('—')),
      h('td', { className: 'prewrap', text: item.message ?? '' }),
    );
  }
}

/** Pending input requests, keyed, so a focused Answer button survives unrelated updates. */
export class InputList {
  private readonly items = new Map<string, { element: HTMLLIElement; signature: string; button: HTMLButtonElement }>();

  constructor(
    private readonly list: HTMLElement,
    private readonly onAnswer: (key: string) => void,
  ) {}

  update(inputs: readonly PendingInputItem[], enabled: boolean): void {
    const keep = new Set(inputs.map((input) => input.key));
    for (const [key, item] of this.items) {
      if (!keep.has(key)) {
        item.element.remove();
        this.items.delete(key);
      }
    }
    inputs.forEach((input, index) => {
      const signature = JSON.stringify(input);
      let item = this.items.get(input.key);
      if (!item || item.signature !== signature) {
        const fresh = this.render(input, signature);
        if (item) item.element.replaceWith(fresh.element);
        item = fresh;
        this.items.set(input.key, item);
      }
      if (this.list.children[index] !== item.element) this.list.insertBefore(item.element, this.list.children[index] ?? null);
      item.button.disabled = !enabled;
    });
  }

  private render(input: PendingInputItem, signature: string) {
    const answer = button('Answer…', () => this.onAnswer(input.key), {
      className: 'primary',
      icon: 'answer',
      ariaLabel: `Answer: ${input.message.slice(0, 120)}`,
    });
    const element = h(
      'li',
      { className: 'input-request' },
      h('p', { className: 'prewrap', text: input.message }),
      input.fields.length > 0 ? h('p', { className: 'muted', text: `Asks for: ${input.fields.join(', ')}` }) : null,
      h('p', { className: 'muted' }, 'Asked ', time(input.at)),
      answer,
    );
    return { element, signature, button: answer };
  }
}

/** Live output: appended as it arrives, and kept scrolled to the end only if it already was. */
export class OutputView {
  private text = '';

  constructor(
    private readonly pre: HTMLPreElement,
    private readonly empty: HTMLElement,
  ) {}

  set(text: string): void {
    if (text === this.text) return;
    const stick = this.atBottom();
    this.text = text;
    this.pre.textContent = text;
    this.settle(stick);
  }

  append(chunk: string): void {
    const stick = this.atBottom();
    const next = this.text + chunk;
    if (next.length > OUTPUT_TAIL_CHARS) {
      this.text = tailOf(next, OUTPUT_TAIL_CHARS);
      this.pre.textContent = this.text;
    } else {
      this.text = next;
      this.pre.append(chunk);
      if (this.pre.childNodes.length > 500) this.pre.normalize();
    }
    this.settle(stick);
  }

  private atBottom(): boolean {
    return this.pre.hidden || this.pre.scrollHeight - this.pre.scrollTop - this.pre.clientHeight < 8;
  }

  private settle(stick: boolean): void {
    this.pre.hidden = this.text === '';
    this.empty.hidden = this.text !== '';
    if (stick) this.pre.scrollTop = this.pre.scrollHeight;
  }
}
