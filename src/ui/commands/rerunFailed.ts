import * as vscode from 'vscode';
import { HistorySearch, parseHistoryQuery } from '../../core/historySearch';
import { type ToolInfo, isUnsafeToRepeat } from '../../core/serverDirectory';
import type { TaskRecord } from '../../core/taskRecord';
import { setting } from '../../platform/config';
import { STATUS_LOOK, formatTime, taskLabel } from '../taskPresentation';
import {
  ARGUMENTS_PATCH_HELP,
  type ArgumentsPatch,
  RERUN_LIMIT,
  type RerunOutcome,
  type RerunPlan,
  type SkipReason,
  applyArgumentsPatch,
  parseArgumentsPatch,
  planRerun,
  rerunSummary,
  skipReason,
  skippedText,
} from './rerunPlan';
import { HISTORY_SEARCH_HELP, historyMatcher } from './searchHistory';
import type { UiContext } from './uiContext';

const TITLE = 'Re-run Failed Tasks';
/** The search the command opens with; the person narrows it (agent:ci since:1h). */
export const RERUN_DEFAULT_QUERY = 'status:failed ';
/** Tasks listed under the count, so the person sees what the search caught before confirming. */
const LISTED = 8;

interface BatchItem extends vscode.QuickPickItem {
  /** Only the first row starts the batch; the task rows are there to be read. */
  readonly run?: true;
}

export interface RerunResult extends RerunOutcome {
  /** The new attempts, in the order they were started. */
  readonly attempts: readonly TaskRecord[];
}

/**
 * "Re-run Failed Tasks…", after GitHub Actions' "Re-run failed jobs": a history search (prefilled
 * `status:failed`) picks the tasks, an optional argument edit applies to all of them, and each gets
 * a new attempt through the retry action, one progress for the batch. `{ value }` opens the search
 * with that text typed in.
 */
export async function rerunFailedTasks(ui: UiContext, arg?: unknown): Promise<RerunResult | undefined> {
  const prefill = (arg as { value?: unknown } | undefined)?.value;
  const plan = await pickBatch(ui, typeof prefill === 'string' ? prefill : RERUN_DEFAULT_QUERY);
  if (!plan) return undefined;
  const typed = await vscode.window.showInputBox({
    title: `${TITLE} (2/2): change their arguments? (optional)`,
    prompt: ARGUMENTS_PATCH_HELP,
    placeHolder: '{"timeoutMs": 60000}',
    ignoreFocusOut: true,
    validateInput: (text) => parseArgumentsPatch(text).error,
  });
  if (typed === undefined) return undefined;
  const { patch } = parseArgumentsPatch(typed);
  if (!(await confirmUnsafeBatch(ui, plan.runnable))) return undefined;
  const result = await runBatch(ui, plan, patch);
  const summary = rerunSummary(result);
  ui.log.info(`[ui] re-run failed tasks: ${summary}`);
  for (const { record, message } of result.failed) ui.log.warn(`[ui] could not re-run ${record.id}: ${message}`);
  if (result.failed.length > 0) void vscode.window.showWarningMessage(summary, 'Show Log').then((choice) => choice && ui.log.show());
  else void vscode.window.showInformationMessage(summary);
  return result;
}

/** The search step: a live count and a few of the tasks it found; resolves with the plan when the person accepts it. */
function pickBatch(ui: UiContext, initial: string): Promise<RerunPlan | undefined> {
  const quickPick = vscode.window.createQuickPick<BatchItem>();
  quickPick.title = `${TITLE} (1/2): which tasks`;
  quickPick.placeholder = HISTORY_SEARCH_HELP;
  quickPick.matchOnDescription = false;
  quickPick.ignoreFocusOut = true;
  quickPick.value = initial;
  // One per open list: each keystroke reuses the last one's work until the store changes (or the clock moves a since:).
  const search = new HistorySearch(ui.store, historyMatcher);
  let plan: RerunPlan | undefined;
  const update = () => {
    const query = parseHistoryQuery(quickPick.value);
    const matches = search.search(query);
    const found = planRerun(matches, (serverId) => isConnected(ui, serverId));
    const problem = query.errors.join(' · ') || undefined;
    const tooMany = found.runnable.length > RERUN_LIMIT;
    plan = problem || tooMany || found.runnable.length === 0 ? undefined : found;
    quickPick.prompt = problem;
    quickPick.title = `${TITLE} (1/2): which tasks · ${matches.length} match`;
    const skipped = skippedText(found.skipped);
    const head: BatchItem = problem
      ? { label: `$(error) ${problem}`, alwaysShow: true }
      : tooMany
        ? {
            label: `$(warning) ${found.runnable.length} tasks would re-run; at most ${RERUN_LIMIT} at once`,
            description: 'narrow the search, e.g. since:1h or agent:ci',
            alwaysShow: true,
          }
        : found.runnable.length === 0
          ? { label: '$(search-stop) Nothing to re-run', description: skipped || 'no task matches', alwaysShow: true }
          : {
              label: `$(debug-rerun) Re-run ${found.runnable.length} task${found.runnable.length === 1 ? '' : 's'}`,
              description: skipped,
              run: true,
              alwaysShow: true,
            };
    const reasons = new Map(found.skipped.map(({ record, reason }) => [record.id, reason]));
    const listed = matches.slice(0, LISTED).map((record) => toItem(ui, record, reasons.get(record.id)));
    const more: BatchItem[] = matches.length > LISTED ? [{ label: `… and ${matches.length - LISTED} more`, alwaysShow: true }] : [];
    quickPick.items = [head, { label: 'Tasks found', kind: vscode.QuickPickItemKind.Separator }, ...listed, ...more];
    quickPick.activeItems = [head];
  };
  const disposables: vscode.Disposable[] = [quickPick, search];
  return new Promise<RerunPlan | undefined>((resolve) => {
    disposables.push(
      quickPick.onDidChangeValue(update),
      quickPick.onDidAccept(() => {
        // The list was drawn at the last keystroke: since then a since:1h may have moved on, or tasks failed
        // or were retried elsewhere. Search again, and go on only with what the person is looking at.
        const shown = plan && ids(plan);
        update();
        // Only a search with something to re-run (and no error in it) goes on; Enter on a task row does too.
        if (!plan || ids(plan) !== shown) return;
        resolve(plan);
        quickPick.hide();
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

const ids = (plan: RerunPlan) => plan.runnable.map((record) => record.id).join(' ');

function toItem(ui: UiContext, record: TaskRecord, skipped: SkipReason | undefined): BatchItem {
  return {
    label: `$(${skipped ? 'circle-slash' : STATUS_LOOK[record.status].icon.replace('~spin', '')}) ${taskLabel(record)}`,
    description: `${record.tool} · ${STATUS_LOOK[record.status].label}${skipped ? ` · skipped: ${skipped}` : ''}`,
    detail: `${formatTime(record.createdAt)} · ${ui.servers.nameOf(record.serverId)}${record.statusMessage ? ` · ${record.statusMessage}` : ''}`,
    alwaysShow: true,
  };
}

/**
 * Asks once for the whole batch before re-running tools that say they are destructive or not
 * idempotent (setting `tasklane.retry.confirmUnsafe`), naming them; true when it may go on.
 */
async function confirmUnsafeBatch(ui: UiContext, records: readonly TaskRecord[]): Promise<boolean> {
  if (!setting('tasklane.retry.confirmUnsafe')) return true;
  const toolsByServer = new Map<string, Promise<ToolInfo[]>>();
  const unsafeTools = new Set<string>();
  let unsafeTasks = 0;
  for (const record of records) {
    let tools = toolsByServer.get(record.serverId);
    if (!tools) toolsByServer.set(record.serverId, (tools = ui.servers.tools(record.serverId).catch(() => [])));
    const tool = (await tools).find((candidate) => candidate.name === record.tool);
    if (tool && isUnsafeToRepeat(tool)) {
      unsafeTasks++;
      unsafeTools.add(tool.name);
    }
  }
  if (unsafeTasks === 0) return true;
  const action = 'Re-run';
  const choice = await vscode.window.showWarningMessage(
    `Re-run ${records.length} task${records.length === 1 ? '' : 's'}?`,
    {
      modal: true,
      detail: `${unsafeTasks} of them use tools that may change or delete things or may not be safe to run twice (${[...unsafeTools].join(', ')}). Their failed attempts may have done part of their work.`,
    },
    action,
  );
  return choice === action;
}

function isConnected(ui: UiContext, serverId: string): boolean {
  return ui.servers.get(serverId) !== undefined;
}

/** Starts a new attempt of each task in turn, one cancellable progress for all; cancelling stops starting more. */
function runBatch(ui: UiContext, plan: RerunPlan, patch: ArgumentsPatch | undefined): Thenable<RerunResult> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: TITLE, cancellable: true }, async (progress, token) => {
    const attempts: TaskRecord[] = [];
    const failed: { record: TaskRecord; message: string }[] = [];
    const skipped = [...plan.skipped];
    const total = plan.runnable.length;
    let done = 0;
    for (const planned of plan.runnable) {
      if (token.isCancellationRequested) break;
      done++;
      progress.report({ message: `Re-running ${done} of ${total}…`, increment: 100 / total });
      // Read it again: while the batch runs, another window or an agent may have retried it, or its server gone.
      const record = ui.store.get(planned.id);
      const reason = record ? skipReason(record, (serverId) => isConnected(ui, serverId)) : 'deleted';
      if (!record || reason) {
        skipped.push({ record: planned, reason: reason ?? 'deleted' });
        continue;
      }
      try {
        const options = patch ? { arguments: applyArgumentsPatch(record.arguments, patch) } : undefined;
        attempts.push(await ui.actions.retry(record.id, options));
      } catch (error) {
        failed.push({ record, message: (error as Error).message });
      }
    }
    return { attempts, started: attempts.length, notStarted: total - done, skipped, failed };
  });
}
