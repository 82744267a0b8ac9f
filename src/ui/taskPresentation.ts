import * as vscode from 'vscode';
import type { TaskRecord } from '../core/taskRecord';
import { TaskStatus, canCancel, canRetry, isTerminal } from '../core/taskStatus';
import type { GroupBy } from './tree/taskTreeProvider';

/** How each status looks, everywhere in the UI. */
export const STATUS_LOOK: Record<TaskStatus, { label: string; group: string; icon: string; color: string; order: number }> = {
  input_required: { label: 'Needs input', group: 'Needs input', icon: 'question', color: 'charts.yellow', order: 0 },
  working: { label: 'Running', group: 'Running', icon: 'sync~spin', color: 'charts.blue', order: 1 },
  failed: { label: 'Failed', group: 'Failed', icon: 'error', color: 'testing.iconFailed', order: 2 },
  completed: { label: 'Completed', group: 'Completed', icon: 'pass', color: 'testing.iconPassed', order: 3 },
  cancelled: { label: 'Cancelled', group: 'Cancelled', icon: 'circle-slash', color: 'disabledForeground', order: 4 },
};

/** The Tasks view's description: how it is grouped now (the title menu checks the same choice). */
export const GROUP_BY_DESCRIPTION: Record<GroupBy, string> = { status: 'by Status', server: 'by Server', tool: 'by Tool', agent: 'by Agent' };

export function statusIcon(status: TaskStatus): vscode.ThemeIcon {
  const look = STATUS_LOOK[status];
  return new vscode.ThemeIcon(look.icon, new vscode.ThemeColor(look.color));
}

/** The one-line name of a task: its intent, or the tool and its most telling argument. */
export function taskLabel(record: TaskRecord): string {
  if (record.intent) return record.intent;
  const first = Object.values(record.arguments).find((value) => typeof value === 'string' || typeof value === 'number');
  return first === undefined ? record.tool : `${record.tool}: ${truncate(String(first), 60)}`;
}

/** A failed task stops needing attention once it has been retried or archived; an imported copy never needs it. */
export { needsAttention } from './attention';

/** `contextValue` for menus: `task:<status>` plus the actions that apply, matched by `when` regexes. */
export function contextValueOf(record: TaskRecord): string {
  let value = `task:${record.status}`;
  // An imported task is a read-only copy: nothing to cancel, retry or answer.
  if (record.imported) value += ':imported';
  else {
    if (canCancel(record.status)) value += ':cancelable';
    if (canRetry(record.status) && !record.retriedAs) value += ':retryable';
    if (record.pendingInput.length > 0) value += ':input';
    if (isQueued(record)) value += ':queued';
    if (!isTerminal(record.status) && record.serverId === EMBEDDED_SERVER_ID) value += ':prioritizable';
  }
  if (isTerminal(record.status)) value += ':finished';
  if (record.pinned) value += ':pinned';
  if (record.archived) value += ':archived';
  return value;
}

/** The id and the one name of the embedded task server, defined with it. */
export { EMBEDDED_SERVER_ID, EMBEDDED_SERVER_NAME } from '../mcp/embeddedServerIdentity';
import { EMBEDDED_SERVER_ID } from '../mcp/embeddedServerIdentity';

/** Waiting in the server's scheduler: accepted, `working`, but not started yet. */
export function isQueued(record: TaskRecord): boolean {
  return record.queue !== undefined && record.status === 'working';
}

/** The agent that asked for the task; the editor itself when none is recorded. */
export function agentName(record: TaskRecord): string {
  return record.context.agent?.name ?? 'Editor';
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay ? date.toLocaleTimeString() : date.toLocaleString();
}

/** Status, timing and last message, for a tree item's description. */
export function taskDescription(record: TaskRecord): string {
  const parts: string[] = [record.queue && isQueued(record) ? `Queued ${record.queue.position} of ${record.queue.size}` : STATUS_LOOK[record.status].label];
  if (record.imported) parts.push('imported');
  if (record.pinned) parts.push('pinned');
  if (isTerminal(record.status)) parts.push(formatDuration(Date.parse(record.lastUpdatedAt) - Date.parse(record.createdAt)));
  else parts.push(`since ${new Date(record.createdAt).toLocaleTimeString()}`);
  if (record.attempt > 1) parts.push(`attempt ${record.attempt}`);
  if (record.expired) parts.push('expired');
  if (record.statusMessage) parts.push(truncate(record.statusMessage, 80));
  return parts.join(' · ');
}

export function taskTooltip(record: TaskRecord, serverName: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.supportThemeIcons = true;
  md.appendMarkdown(`$(${STATUS_LOOK[record.status].icon.replace('~spin', '')}) **${escape(taskLabel(record))}**\n\n`);
  const rows: [string, string | undefined][] = [
    ['Status', STATUS_LOOK[record.status].label + (record.statusMessage ? ` — ${record.statusMessage}` : '')],
    ['Tool', record.tool],
    ['Server', `${serverName}${record.wire ? ` (${record.wire})` : ''}`],
    ['Agent', record.context.agent ? [record.context.agent.name, record.context.agent.version, record.context.agent.connection && `via ${record.context.agent.connection}`].filter(Boolean).join(' ') : 'Editor'],
    ['Queue', record.queue && isQueued(record) ? `${record.queue.position} of ${record.queue.size}` : undefined],
    ['Pinned', record.pinned ? 'kept in history whatever its age' : undefined],
    ['Imported', record.imported ? 'a read-only copy from an export file' : undefined],
    ['Started', formatTime(record.createdAt)],
    ['Updated', formatTime(record.lastUpdatedAt)],
    ['Priority', record.priority?.toString()],
    ['Tags', record.tags.length ? record.tags.join(', ') : undefined],
    ['Attempt', record.attempt > 1 ? String(record.attempt) : undefined],
    ['Task ID', record.taskId],
  ];
  for (const [name, value] of rows) if (value) md.appendMarkdown(`${name}: ${escape(value)}  \n`);
  const args = JSON.stringify(record.arguments, null, 2);
  if (args !== '{}') md.appendCodeblock(truncate(args, 600), 'json');
  return md;
}

export function truncate(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
