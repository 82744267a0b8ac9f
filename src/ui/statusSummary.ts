/**
 * What the status bar item says and does, worked out from the tasks alone. Pure (no `vscode`):
 * the item in `statusBar.ts` only paints it.
 */
import type { TaskRecord } from '../core/taskRecord';
import { isOpenFailure } from '../core/taskRules';

export interface TaskCounts {
  readonly running: number;
  readonly needsInput: number;
  readonly failed: number;
  /** Failures the person has not seen yet (see `attention.ts`). */
  readonly newFailures: number;
  readonly total: number;
}

/** What clicking the item does: answer the oldest question, show the oldest new failure, or show the Tasks view. */
export type StatusClick =
  | { readonly kind: 'answer'; readonly id: string; readonly key: string; readonly question: string }
  | { readonly kind: 'showFailure'; readonly id: string }
  | { readonly kind: 'showTasks' };

export interface StatusSummary {
  readonly counts: TaskCounts;
  readonly click: StatusClick;
  /** Red for a new failure, yellow for a question waiting, none otherwise. */
  readonly tone: 'error' | 'warning' | undefined;
  readonly text: string;
  /** One line for the tooltip and screen readers. */
  readonly summary: string;
  readonly clickHint: string;
}

export function summarizeTasks(records: Iterable<TaskRecord>, isNewFailure: (record: TaskRecord) => boolean): StatusSummary {
  let running = 0;
  let needsInput = 0;
  let failed = 0;
  let newFailures = 0;
  let total = 0;
  let question: { id: string; key: string; at: string; message: string } | undefined;
  let newestNewFailure: { id: string; at: string } | undefined;
  for (const record of records) {
    // An imported copy runs nowhere: it is history, not work in progress.
    if (record.archived || record.imported) continue;
    total++;
    if (record.status === 'working') running++;
    else if (record.status === 'input_required') needsInput++;
    else if (isOpenFailure(record)) {
      failed++;
      if (isNewFailure(record)) {
        newFailures++;
        if (!newestNewFailure || record.lastUpdatedAt > newestNewFailure.at) newestNewFailure = { id: record.id, at: record.lastUpdatedAt };
      }
    }
    for (const pending of record.pendingInput) {
      if (!question || pending.at < question.at) question = { id: record.id, key: pending.key, at: pending.at, message: questionText(pending.params) };
    }
  }
  const counts = { running, needsInput, failed, newFailures, total };
  const click: StatusClick = question
    ? { kind: 'answer', id: question.id, key: question.key, question: question.message }
    : newestNewFailure
      ? { kind: 'showFailure', id: newestNewFailure.id }
      : { kind: 'showTasks' };
  const parts: string[] = [];
  if (running) parts.push(`$(sync~spin) ${running}`);
  if (needsInput) parts.push(`$(question) ${needsInput}`);
  if (failed) parts.push(`$(error) ${failed}`);
  const failures = failed ? `${failed} failed${newFailures ? ` (${newFailures} not seen yet)` : ''}` : '0 failed';
  return {
    counts,
    click,
    tone: newFailures ? 'error' : needsInput ? 'warning' : undefined,
    text: parts.length ? parts.join('  ') : '$(checklist) Tasklane',
    summary: [`${running} running`, `${needsInput} waiting for input`, failures, `${total} in all`].join(' · '),
    clickHint:
      click.kind === 'answer'
        ? `Click to answer: ${oneLine(click.question, 80)}`
        : click.kind === 'showFailure'
          ? 'Click to see the failure.'
          : 'Click to show the Tasks view.',
  };
}

/** The question a pending input asks, in the words of the server that asked. */
export function questionText(params: Readonly<Record<string, unknown>>): string {
  return typeof params.message === 'string' && params.message.trim() ? params.message.trim() : 'The task asks for input.';
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
