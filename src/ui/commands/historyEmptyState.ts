/**
 * What Search Task History shows when nothing matches: a plain sentence, and a few queries that
 * would find something in *this* history (the most common status and tool, and pinned tasks), so
 * the next try is one pick away. Pure (no `vscode`), so it is unit-tested.
 */
import type { TaskRecord } from '../../core/taskRecord';

export interface HistoryEmptyState {
  /** "No tasks match “x”", for the row above the suggestions. */
  readonly headline: string;
  /** The whole sentence, suggestions included. */
  readonly message: string;
  readonly suggestions: readonly string[];
}

export function historyEmptyState(records: readonly TaskRecord[], query: string): HistoryEmptyState {
  const typed = query.trim();
  if (records.length === 0) return { headline: 'No tasks yet', message: 'No tasks yet: tasks you and agents run are kept here.', suggestions: [] };
  const suggestions = [
    mostCommon(records, (r) => `status:${r.status}`),
    mostCommon(records, (r) => `tool:${quoted(r.tool)}`),
    records.some((r) => r.pinned) ? 'is:pinned' : undefined,
    records.some((r) => r.archived) ? 'is:archived' : undefined,
  ]
    .filter((s): s is string => s !== undefined && s !== typed)
    .slice(0, 3);
  const tries = suggestions.length ? ` — try ${suggestions.join(', ')}` : '';
  const headline = `No tasks match “${typed}”`;
  return { headline, message: `${headline}${tries}`, suggestions };
}

function mostCommon(records: readonly TaskRecord[], key: (record: TaskRecord) => string): string | undefined {
  const counts = new Map<string, number>();
  let best: string | undefined;
  for (const record of records) {
    const value = key(record);
    const count = (counts.get(value) ?? 0) + 1;
    counts.set(value, count);
    if (best === undefined || count > (counts.get(best) ?? 0)) best = value;
  }
  return best;
}

function quoted(value: string): string {
  return /\s/.test(value) ? `"${value}"` : value;
}
