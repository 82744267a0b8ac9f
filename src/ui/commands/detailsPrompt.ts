import * as vscode from 'vscode';
import { MAX_PRIORITY, MIN_PRIORITY } from '../../core/taskRecord';
import { type TaskDetails, formatDuration, parseDuration, parsePriority, type Parsed } from '../../core/taskDetails';

type Detail = 'start' | 'intent' | 'priority' | 'timeBudget';

/**
 * The optional last step of New Task: intent, priority and time budget. Enter on the first item
 * starts the task, so skipping it is one keystroke; picking a detail asks for it and comes back.
 * Undefined when the person escapes.
 */
export async function promptDetails(title: string): Promise<TaskDetails | undefined> {
  let details: TaskDetails = {};
  for (;;) {
    const items: (vscode.QuickPickItem & { which: Detail })[] = [
      { label: '$(play) Start the task', description: summary(details), which: 'start' },
      { label: '$(comment) Intent', description: details.intent ?? 'Why it runs; the task shows under this name', which: 'intent' },
      {
        label: '$(arrow-up) Priority',
        description: details.priority !== undefined ? String(details.priority) : `0: from ${MIN_PRIORITY} (last) to ${MAX_PRIORITY} (first) in the queue`,
        which: 'priority',
      },
      {
        label: '$(watch) Time budget',
        description: details.timeBudgetMs !== undefined ? formatDuration(details.timeBudgetMs) : 'None: stop it after e.g. 10m or 90s',
        which: 'timeBudget',
      },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title,
      placeHolder: 'Enter starts the task; pick a detail to add it first',
      ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    switch (picked.which) {
      case 'start':
        return details;
      case 'intent': {
        const intent = await ask(
          title,
          "Intent: what this task is for. It shows as the task's name.",
          'e.g. Run the unit tests before the release',
          details.intent ?? '',
          (text) => ({ ok: true, value: text.trim() || undefined }),
        );
        if (intent !== SAME) details = { ...details, intent };
        break;
      }
      case 'priority': {
        const priority = await ask(
          title,
          `Priority: queued tasks start highest first, from ${MIN_PRIORITY} to ${MAX_PRIORITY}.`,
          'e.g. 50 (empty: 0)',
          details.priority?.toString() ?? '',
          parsePriority,
        );
        if (priority !== SAME) details = { ...details, priority };
        break;
      }
      case 'timeBudget': {
        const budget = await ask(
          title,
          'Time budget: the task is stopped when it runs this long.',
          'e.g. 10m, 90s or 1h 30m (empty: none)',
          details.timeBudgetMs !== undefined ? formatDuration(details.timeBudgetMs) : '',
          parseDuration,
        );
        if (budget !== SAME) details = { ...details, timeBudgetMs: budget };
        break;
      }
    }
  }
}

const SAME = Symbol('same');

/** Asks for one detail; SAME when the person escapes back to the list. */
async function ask<T>(
  title: string,
  prompt: string,
  placeHolder: string,
  value: string,
  parse: (text: string) => Parsed<T>,
): Promise<T | undefined | typeof SAME> {
  const text = await vscode.window.showInputBox({
    title,
    prompt,
    placeHolder,
    value,
    ignoreFocusOut: true,
    validateInput: (typed) => {
      const parsed = parse(typed);
      return parsed.ok ? undefined : parsed.error;
    },
  });
  if (text === undefined) return SAME;
  const parsed = parse(text);
  return parsed.ok ? parsed.value : SAME;
}

function summary(details: TaskDetails): string {
  const parts = [
    details.intent !== undefined ? `"${details.intent}"` : undefined,
    details.priority !== undefined ? `priority ${details.priority}` : undefined,
    details.timeBudgetMs !== undefined ? `stops after ${formatDuration(details.timeBudgetMs)}` : undefined,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'with no details';
}
