// DOM helpers for the detail page. Task data only ever reaches the page as text nodes and
// attribute values set through DOM APIs, never as markup.
import { icon, type IconName } from './detailIcons';

export type Child = Node | string | null | undefined | false;
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Props {
  readonly className?: string;
  readonly text?: string;
  /** Plain attributes (aria-*, title, datetime...); never `style` or event handlers. */
  readonly attrs?: Readonly<Record<string, string>>;
  readonly hidden?: boolean;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  if (props.text !== undefined) element.textContent = props.text;
  if (props.hidden) element.hidden = true;
  for (const [name, value] of Object.entries(props.attrs ?? {})) element.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** A `<button type="button">` with an optional decorative icon. */
export function button(label: string, onClick: () => void, options: { className?: string; icon?: IconName; ariaLabel?: string } = {}): HTMLButtonElement {
  const element = h(
    'button',
    { className: options.className, attrs: { type: 'button', ...(options.ariaLabel ? { 'aria-label': options.ariaLabel } : {}) } },
    options.icon ? icon(options.icon) : null,
    h('span', { text: label }),
  );
  element.addEventListener('click', onClick);
  return element;
}

/** Sets an element's text only when it differs, so an unchanged value costs no layout (the page ticks once a second). */
export function setText(element: HTMLElement, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

export function time(iso: string | null): HTMLElement {
  if (!iso) return h('span', { className: 'muted', text: '—' });
  return h('time', { text: formatTime(iso), attrs: { datetime: iso, title: iso } });
}

export function formatTime(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleString();
}

/**
 * Remembers which foldable sections the user opened or closed, by a stable key, so a section that
 * is rebuilt (or a page reloaded from its saved state) keeps its folds.
 */
export class Folds {
  constructor(
    private readonly overrides: Map<string, boolean>,
    private readonly onDidChange: () => void,
  ) {}

  /** A `<details>` whose body is built when first opened, so large closed JSON costs nothing. */
  details(key: string, defaultOpen: boolean, summary: Child[], body: () => Node, className = 'fold'): HTMLDetailsElement {
    const element = h('details', { className }, h('summary', {}, ...summary));
    let built = false;
    const build = () => {
      if (!built && element.open) {
        built = true;
        element.append(body());
      }
    };
    element.open = this.overrides.get(key) ?? defaultOpen;
    build();
    element.addEventListener('toggle', () => {
      build();
      // Only departures from the default are remembered, which keeps the saved state small.
      const changed = element.open === defaultOpen ? this.overrides.delete(key) : this.overrides.get(key) !== element.open;
      if (element.open !== defaultOpen) this.overrides.set(key, element.open);
      if (changed) this.onDidChange();
    });
    return element;
  }
}

const MAX_NODES = 5000;

/** Pretty-printed JSON with every object and array foldable; the first levels start open. */
export function jsonTree(value: Json, folds: Folds, key: string, openDepth = 2): HTMLElement {
  const budget = { nodes: MAX_NODES };
  return h('div', { className: 'json' }, jsonNode(value, folds, key, 0, openDepth, budget));
}

function jsonNode(value: Json, folds: Folds, path: string, depth: number, openDepth: number, budget: { nodes: number }): Node {
  if (value === null || typeof value !== 'object') return primitive(value);
  const isArray = Array.isArray(value);
  const entries: [string, Json][] = isArray ? value.map((item, index) => [String(index), item]) : Object.entries(value);
  if (entries.length === 0) return h('span', { className: 'json-punct', text: isArray ? '[]' : '{}' });
  if (budget.nodes <= 0) return h('pre', { className: 'json-raw', text: JSON.stringify(value, null, 2) });
  const count = isArray ? `${entries.length} item${entries.length === 1 ? '' : 's'}` : `${entries.length} key${entries.length === 1 ? '' : 's'}`;
  const summary = [
    h('span', { className: 'json-punct', text: isArray ? '[' : '{' }),
    h('span', { className: 'json-count', text: ` ${count} ` }),
    h('span', { className: 'json-punct', text: isArray ? ']' : '}' }),
  ];
  return folds.details(
    path,
    depth < openDepth,
    summary,
    () => {
      const list = h('ul', { className: 'json-entries', attrs: { role: 'list' } });
      for (const [name, item] of entries) {
        budget.nodes--;
        list.append(
          h(
            'li',
            {},
            isArray ? null : h('span', { className: 'json-key', text: JSON.stringify(name) }),
            isArray ? null : h('span', { className: 'json-punct', text: ': ' }),
            jsonNode(item, folds, `${path}/${encodeURIComponent(name)}`, depth + 1, openDepth, budget),
          ),
        );
      }
      return list;
    },
    'fold json-fold',
  );
}

function primitive(value: string | number | boolean | null): HTMLElement {
  const kind = value === null ? 'null' : typeof value;
  return h('span', { className: `json-${kind}`, text: JSON.stringify(value) });
}
