import { type TimeBound, type TimeWindow, inWindow, isOpenWindow, parseTimeBound, timeValueError, timeWindow, windowWithin } from './historyTime';
import type { IDisposable } from './lifecycle';
import { agentDescription, agentName, type TaskRecord } from './taskRecord';
import type { TaskStatus } from './taskStatus';
import type { TaskReader } from './taskStore';

/**
 * A parsed history search: `tool:`, `status:`, `agent:`, `server:` and `is:` tokens, the time
 * filters `since:` and `before:` (see `historyTime.ts`), plus free text. Values of one field are
 * alternatives (`status:failed status:cancelled`); different fields and free-text words must all
 * match. Quoted text ("npm test") is matched as one phrase. Of several `since:` (or `before:`),
 * the last one counts.
 */
export interface HistoryQuery {
  readonly tools: readonly string[];
  readonly statuses: readonly TaskStatus[];
  readonly agents: readonly string[];
  readonly servers: readonly string[];
  readonly flags: readonly HistoryFlag[];
  readonly words: readonly string[];
  /** Tasks created at or after this; a duration is resolved when the search runs. */
  readonly since?: TimeBound;
  /** Tasks created before this. */
  readonly before?: TimeBound;
  /** Values the query cannot use and must not quietly drop (a `since:` that is no time), as plain sentences. */
  readonly errors: readonly string[];
  /** Tokens that name no known field or value, kept as free text and reported to the user. */
  readonly unknown: readonly string[];
}

export const HISTORY_FLAGS = ['pinned', 'imported', 'archived', 'queued', 'expired'] as const;
export type HistoryFlag = (typeof HISTORY_FLAGS)[number];

/** Words people use for a status, besides its wire name. */
const STATUS_WORDS: Record<string, TaskStatus> = {
  working: 'working',
  running: 'working',
  input_required: 'input_required',
  input: 'input_required',
  waiting: 'input_required',
  completed: 'completed',
  done: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

/** How much of a result and of the output tail a search looks at: enough to find, cheap to hold for 10k tasks. */
const RESULT_CHARS = 8 * 1024;
const OUTPUT_CHARS = 4 * 1024;

export function parseHistoryQuery(input: string): HistoryQuery {
  const tools: string[] = [];
  const statuses: TaskStatus[] = [];
  const agents: string[] = [];
  const servers: string[] = [];
  const flags: HistoryFlag[] = [];
  const words: string[] = [];
  const unknown: string[] = [];
  const errors: string[] = [];
  let since: TimeBound | undefined;
  let before: TimeBound | undefined;
  for (const match of input.matchAll(/(\w+):"([^"]*)"|(\w+):(\S+)|"([^"]*)"|(\S+)/g)) {
    const field = (match[1] ?? match[3])?.toLowerCase();
    const value = (match[2] ?? match[4] ?? '').toLowerCase();
    const text = (match[5] ?? match[6] ?? '').toLowerCase();
    // A time filter without a time ("since:" alone, or "since:\"\"") filters nothing: say so rather than search for the text.
    const bare = field === undefined ? /^(since|before):$/.exec(text)?.[1] : value ? undefined : field;
    if (bare === 'since' || bare === 'before') {
      errors.push(timeValueError(bare));
      continue;
    }
    if (field === undefined) {
      if (text) words.push(text);
      continue;
    }
    if (!value) continue;
    switch (field) {
      case 'since':
      case 'before': {
        const bound = parseTimeBound(value);
        if (!bound) errors.push(timeValueError(field));
        else if (field === 'since') since = bound;
        else before = bound;
        break;
      }
      case 'tool':
        tools.push(value);
        break;
      case 'agent':
        agents.push(value);
        break;
      case 'server':
        servers.push(value);
        break;
      case 'status': {
        const status = STATUS_WORDS[value];
        if (status) statuses.push(status);
        else unknown.push(match[0]);
        break;
      }
      case 'is':
        if ((HISTORY_FLAGS as readonly string[]).includes(value)) flags.push(value as HistoryFlag);
        else unknown.push(match[0]);
        break;
      default:
        // Not a field (a URL, "key:value" inside arguments): search for it as text.
        words.push(match[0].toLowerCase());
    }
  }
  return { tools, statuses, agents, servers, flags, words, since, before, errors: [...new Set(errors)], unknown };
}

export function isEmptyQuery(query: HistoryQuery): boolean {
  return (
    !query.tools.length &&
    !query.statuses.length &&
    !query.agents.length &&
    !query.servers.length &&
    !query.flags.length &&
    !query.words.length &&
    !query.since &&
    !query.before
  );
}

/**
 * Matches records against queries. The lowercase text of each record is built once and cached by
 * record object: the store replaces a record on every change, so a changed task is re-read and an
 * unchanged one costs a map lookup.
 */
export class HistoryMatcher {
  private readonly haystacks = new WeakMap<TaskRecord, string>();

  /**
   * `text`: the record's search text when the caller has it at hand (see `textOf`); `window`: the
   * query's time filters resolved once for the whole search (by default, against the clock now).
   */
  matches(record: TaskRecord, query: HistoryQuery, text?: string, window = timeWindow(query.since, query.before, Date.now())): boolean {
    if (!isOpenWindow(window) && !inWindow(Date.parse(record.createdAt), window)) return false;
    if (query.statuses.length && !query.statuses.includes(record.status)) return false;
    if (query.tools.length && !query.tools.some((tool) => record.tool.toLowerCase().includes(tool))) return false;
    if (query.servers.length && !query.servers.some((server) => record.serverId.toLowerCase().includes(server))) return false;
    if (query.agents.length) {
      const agent = agentName(record).toLowerCase();
      if (!query.agents.some((wanted) => agent.includes(wanted))) return false;
    }
    for (const flag of query.flags) if (!hasFlag(record, flag)) return false;
    if (query.words.length) {
      const haystack = text ?? this.textOf(record);
      for (const word of query.words) if (!haystack.includes(word)) return false;
    }
    return true;
  }

  /** The matching records, in the order given; a duration in `since:`/`before:` counts back from `now`. */
  filter(records: readonly TaskRecord[], query: HistoryQuery, now = Date.now()): TaskRecord[] {
    if (isEmptyQuery(query)) return [...records];
    const window = timeWindow(query.since, query.before, now);
    return records.filter((record) => this.matches(record, query, undefined, window));
  }

  /** The record's search text, built once per record object. */
  textOf(record: TaskRecord): string {
    let haystack = this.haystacks.get(record);
    if (haystack === undefined) {
      haystack = searchText(record);
      this.haystacks.set(record, haystack);
    }
    return haystack;
  }
}

/**
 * Searches one store's history, keystroke after keystroke. Each record's text is cached by
 * `HistoryMatcher`; on top of that, the store's records are taken once until the store changes
 * (any lifecycle event: every change to the store fires one), the same query again answers from
 * its last result, and a query that only narrows the last one (more words, longer words, the same
 * fields) looks only at the last one's matches. A duration in `since:`/`before:` is resolved
 * against `clock` at each search and the resolved times are part of what is compared: `since:1h`
 * typed again an hour later is a new query, never the last one's answer.
 */
export class HistorySearch implements IDisposable {
  private records: readonly TaskRecord[] | undefined;
  /** Each record's search text, by its index in `records`: a scan reads them in order, not through the cache. */
  private texts: string[] | undefined;
  /** The last query and the indices (in `records`) it matched. */
  private last: { readonly key: string; readonly query: HistoryQuery; readonly window: TimeWindow; readonly matches: readonly number[] } | undefined;
  private readonly subscription: IDisposable;

  /** `matcher` may be shared, so its cache of each record's text outlives one search session; `clock` gives epoch milliseconds. */
  constructor(
    private readonly reader: Pick<TaskReader, 'all' | 'onDidLifecycle'>,
    private readonly matcher = new HistoryMatcher(),
    private readonly clock: () => number = Date.now,
  ) {
    this.subscription = reader.onDidLifecycle(() => {
      this.records = undefined;
      this.texts = undefined;
      this.last = undefined;
    });
  }

  /** The matching records, newest first (the store's order). */
  search(query: HistoryQuery): TaskRecord[] {
    const records = (this.records ??= this.reader.all());
    const window = timeWindow(query.since, query.before, this.clock());
    const key = queryKey(query, window);
    const last = this.last;
    let matches: readonly number[];
    if (last?.key === key) matches = last.matches;
    else {
      const texts = query.words.length ? (this.texts ??= records.map((record) => this.matcher.textOf(record))) : undefined;
      const candidates = last && narrows(query, window, last.query, last.window) ? last.matches : records.keys();
      const found: number[] = [];
      for (const index of candidates) if (this.matcher.matches(records[index], query, texts?.[index], window)) found.push(index);
      this.last = { key, query, window, matches: (matches = found) };
    }
    return matches.map((index) => records[index]);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/** What decides a query's matches at one instant (not the tokens it could not use, which match nothing). */
function queryKey(query: HistoryQuery, window: TimeWindow): string {
  return JSON.stringify([query.tools, query.statuses, query.agents, query.servers, query.flags, query.words, window.from ?? null, window.until ?? null]);
}

/**
 * Whether everything `next` matches is among what `previous` matched: the same fields, a time
 * window inside the previous one (a relative `since:` moves forward as time passes and narrows; a
 * relative `before:` moves forward and widens), and each of the previous words still contained in
 * one of the next ones (a word typed further, or added).
 */
function narrows(next: HistoryQuery, nextWindow: TimeWindow, previous: HistoryQuery, previousWindow: TimeWindow): boolean {
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value, i) => value === b[i]);
  return (
    same(next.tools, previous.tools) &&
    same(next.statuses, previous.statuses) &&
    same(next.agents, previous.agents) &&
    same(next.servers, previous.servers) &&
    same(next.flags, previous.flags) &&
    windowWithin(nextWindow, previousWindow) &&
    previous.words.every((word) => next.words.some((longer) => longer.includes(word)))
  );
}

/** Everything free text is matched against, lowercased: tool, intent, arguments, result, output and ids. */
export function searchText(record: TaskRecord): string {
  const parts = [
    record.tool,
    record.intent ?? '',
    record.statusMessage ?? '',
    record.expectedOutputs ?? '',
    record.tags.join(' '),
    agentDescription(record),
    JSON.stringify(record.arguments),
    record.result === undefined ? '' : JSON.stringify(record.result).slice(0, RESULT_CHARS),
    record.error ? record.error.message : '',
    (record.output ?? '').slice(-OUTPUT_CHARS),
    record.taskId ?? '',
    record.id,
  ];
  return parts.join('\n').toLowerCase();
}

function hasFlag(record: TaskRecord, flag: HistoryFlag): boolean {
  switch (flag) {
    case 'pinned':
      return record.pinned;
    case 'imported':
      return record.imported;
    case 'archived':
      return record.archived;
    case 'queued':
      return record.queue !== undefined && record.status === 'working';
    case 'expired':
      return record.expired;
  }
}
