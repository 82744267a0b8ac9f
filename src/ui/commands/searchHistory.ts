import * as vscode from 'vscode';
import { HistoryMatcher, HistorySearch, parseHistoryQuery } from '../../core/historySearch';
import { agentName, type TaskRecord } from '../../core/taskRecord';
import { isQueued } from '../../core/taskRules';
import { STATUS_LOOK, formatTime, taskLabel } from '../taskPresentation';
import { exportTasks } from './historyCommands';
import { historyEmptyState } from './historyEmptyState';
import type { UiContext } from './uiContext';

/** More rows than this make the list slow to draw and no easier to read; the title says how many matched. */
const SHOWN_LIMIT = 200;

/** The search syntax in one line, for the search box's placeholder (here and in Re-run Failed Tasks). */
export const HISTORY_SEARCH_HELP =
  'tool:name  status:failed  agent:claude  server:id  is:pinned|imported|archived|queued  since:1h|2026-12-01  before:30m  and any text in intent, arguments, results';

interface HistoryItem extends vscode.QuickPickItem {
  /** The task it opens; none on the empty state's rows. */
  readonly id?: string;
  /** A query that replaces the typed one when picked (the empty state's suggestions). */
  readonly query?: string;
}

/** One matcher per window: its cache of each record's text outlives a single search. */
export const historyMatcher = new HistoryMatcher();
const matcher = historyMatcher;

/** The records a query matches, newest first, over every record (active, archived and imported). */
export function searchHistory(ui: UiContext, query: string): TaskRecord[] {
  const search = new HistorySearch(ui.store, matcher);
  try {
    return search.search(parseHistoryQuery(query));
  } finally {
    search.dispose();
  }
}

/**
 * "Search Task History…": a live list over the whole history; picking a task opens its detail
 * panel, and the title button exports every match. With `{ query }` it answers without asking;
 * with `{ value }` it opens with that text typed in.
 */
export async function searchHistoryCommand(ui: UiContext, arg?: unknown): Promise<TaskRecord[] | undefined> {
  const given = (arg as { query?: unknown } | undefined)?.query;
  if (typeof given === 'string') return searchHistory(ui, given);
  // `{ value }` opens the search with that text typed in (another view's "find these").
  const prefill = (arg as { value?: unknown } | undefined)?.value;

  const quickPick = vscode.window.createQuickPick<HistoryItem>();
  const exportButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('export'), tooltip: 'Export every match…' };
  quickPick.placeholder = HISTORY_SEARCH_HELP;
  quickPick.buttons = [exportButton];
  quickPick.matchOnDescription = false;
  if (typeof prefill === 'string') quickPick.value = prefill;
  let matches: TaskRecord[] = [];
  // One per open list: each keystroke reuses the last one's work until the store changes.
  const search = new HistorySearch(ui.store, matcher);
  const update = () => {
    const query = parseHistoryQuery(quickPick.value);
    matches = search.search(query);
    // Our matcher decides what matches; alwaysShow keeps the quick pick from filtering by label again.
    quickPick.items = matches.length
      ? matches.slice(0, SHOWN_LIMIT).map((record) => toItem(record, ui.servers.nameOf(record.serverId)))
      : emptyItems(ui.store.all(), quickPick.value);
    const unknown = query.unknown.length ? ` · not understood: ${query.unknown.join(' ')}` : '';
    // A time filter that is no time is said in the box, not dropped: the list below ignores it until it is fixed.
    quickPick.prompt = query.errors.join(' · ') || undefined;
    quickPick.title = `Search Task History · ${matches.length === ui.store.size ? `${matches.length} tasks` : `${matches.length} of ${ui.store.size} match`}${matches.length > SHOWN_LIMIT ? `, newest ${SHOWN_LIMIT} shown` : ''}${unknown}`;
  };
  const disposables: vscode.Disposable[] = [quickPick, search];
  return new Promise<TaskRecord[] | undefined>((resolve) => {
    disposables.push(
      quickPick.onDidChangeValue(update),
      quickPick.onDidAccept(() => {
        const picked = quickPick.selectedItems[0];
        if (picked && picked.id === undefined) {
          // The empty state: a suggestion becomes the query; its message row does nothing.
          if (picked.query !== undefined) {
            quickPick.value = picked.query;
            update();
          }
          return;
        }
        if (picked?.id) ui.details.show(picked.id);
        resolve(picked ? matches.filter((record) => record.id === picked.id) : matches);
        quickPick.hide();
      }),
      quickPick.onDidTriggerButton((button) => {
        if (button !== exportButton) return;
        const ids = matches.map((record) => record.id);
        quickPick.hide();
        void exportTasks(ui, { ids }).catch((error: Error) => {
          ui.log.error('[history] export failed', error);
          void vscode.window.showErrorMessage(`Tasklane: ${error.message}`);
        });
      }),
      quickPick.onDidHide(() => {
        resolve(undefined);
        for (const disposable of disposables) disposable.dispose();
      }),
    );
    update();
    quickPick.show();
  });
}

/** Rows for a search that found nothing: what happened, then queries that would find something. */
function emptyItems(records: readonly TaskRecord[], typed: string): HistoryItem[] {
  const empty = historyEmptyState(records, typed);
  return [
    {
      label: `$(search-stop) ${empty.suggestions.length ? empty.headline : empty.message}`,
      description: empty.suggestions.length ? '— try one of these:' : undefined,
      alwaysShow: true,
    },
    ...empty.suggestions.map((query) => ({ label: `$(lightbulb) ${query}`, description: 'Search for this instead', query, alwaysShow: true })),
  ];
}

function toItem(record: TaskRecord, serverName: string): HistoryItem {
  const look = STATUS_LOOK[record.status];
  const icon = isQueued(record) ? 'clock' : look.icon.replace('~spin', '');
  const flags = [record.archived && 'archived', record.imported && 'imported', record.pinned && 'pinned'].filter(Boolean).join(', ');
  return {
    id: record.id,
    label: `$(${icon}) ${taskLabel(record)}`,
    description: `${record.tool} · ${look.label} · ${agentName(record)}${flags ? ` · ${flags}` : ''}`,
    detail: `${formatTime(record.createdAt)} · ${serverName}${record.statusMessage ? ` · ${record.statusMessage}` : ''}`,
    alwaysShow: true,
  };
}
