/**
 * What the status bar item says and does, worked out from the counts `TaskTally` keeps. Pure (no
 * `vscode`): the item in `statusBar.ts` only paints it.
 */
import type { TaskRecord } from '../core/taskRecord';
import { TaskTally } from './taskCounts';

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

/** What the status bar says, from the counts kept batch by batch. */
export function summarize(tally: TaskTally): StatusSummary {
  const { running, needsInput, failed, newFailures, total } = tally.live;
  const question = tally.oldestQuestion;
  const newestNewFailure = tally.latestNewFailure;
  const counts = { running, needsInput, failed, newFailures, total };
  const click: StatusClick = question
    ? { kind: 'answer', id: question.id, key: question.key, question: questionText(question.params) }
    : newestNewFailure
      ? { kind: 'showFailure', id: newestNewFailure }
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

/** What the status bar would say for these records, counted from scratch (for one-off summaries and tests). */
export function summarizeTasks(records: readonly TaskRecord[], isNewFailure: (record: TaskRecord) => boolean): StatusSummary {
  return summarize(TaskTally.of(records, isNewFailure));
}

/** The question a pending input asks, in the words of the server that asked. */
export function questionText(params: Readonly<Record<string, unknown>>): string {
  return typeof params.message === 'string' && params.message.trim() ? params.message.trim() : 'The task asks for input.';
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
