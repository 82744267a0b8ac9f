import * as vscode from 'vscode';
import { agentDescription, type TaskRecord } from '../core/taskRecord';
import type { TaskStatus } from '../core/taskStatus';
import { isQueued } from '../core/taskRules';
import { attemptText, STATUS_LOOK, formatTime, taskLabel, truncate } from './taskText';
import type { GroupBy } from './tree/taskTreeModel';

export { STATUS_LOOK, contextValueOf, formatDuration, formatElapsed, formatTime, taskDescription, taskLabel, truncate } from './taskText';

/** The Tasks view's description: how it is grouped now (the title menu checks the same choice). */
export const GROUP_BY_DESCRIPTION: Record<GroupBy, string> = {
  status: 'by Status',
  server: 'by Server',
  tool: 'by Tool',
  agent: 'by Agent',
  machine: 'by Machine',
};

export function statusIcon(status: TaskStatus): vscode.ThemeIcon {
  const look = STATUS_LOOK[status];
  return new vscode.ThemeIcon(look.icon, new vscode.ThemeColor(look.color));
}

export function taskTooltip(record: TaskRecord, serverName: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.supportThemeIcons = true;
  md.appendMarkdown(`$(${STATUS_LOOK[record.status].icon.replace('~spin', '')}) **${escape(record.intent?.trim() ? record.intent : taskLabel(record))}**\n\n`);
  const rows: [string, string | undefined][] = [
    ['Status', STATUS_LOOK[record.status].label + (record.statusMessage ? ` — ${record.statusMessage}` : '')],
    ['Tool', record.tool],
    ['Server', `${serverName}${record.wire ? ` (${record.wire})` : ''}`],
    ['Agent', agentDescription(record)],
    ['Queue', record.queue && isQueued(record) ? `${record.queue.position} of ${record.queue.size}` : undefined],
    ['Pinned', record.pinned ? 'kept in history whatever its age' : undefined],
    ['Imported', record.imported ? 'a read-only copy from an export file' : undefined],
    ['Started', formatTime(record.createdAt)],
    ['Updated', formatTime(record.lastUpdatedAt)],
    ['Priority', record.priority?.toString()],
    ['Tags', record.tags.length ? record.tags.join(', ') : undefined],
    ['Attempt', record.attempt > 1 || record.retry ? attemptText(record) : undefined],
    ['Why', record.retryReason],
    ['Task ID', record.taskId],
  ];
  for (const [name, value] of rows) if (value) md.appendMarkdown(`${name}: ${escape(value)}  \n`);
  const args = JSON.stringify(record.arguments, null, 2);
  if (args !== '{}') md.appendCodeblock(truncate(args, 600), 'json');
  return md;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
