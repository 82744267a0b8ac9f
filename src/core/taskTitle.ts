import type { TaskRecord } from './taskRecord';

/** How long a title may be before it is shortened: about what a default-width sidebar row shows. */
export const TITLE_MAX_CHARS = 50;

/**
 * A task's short title, the same in the tree, the panel's tab and pickers: its intent; else, for a
 * shell command, the command's first line; else the tool and its most telling argument. Long text
 * is shortened with an ellipsis (the full text is in tooltips and the panel).
 */
export function taskTitle(record: Pick<TaskRecord, 'intent' | 'tool' | 'arguments'>, max = TITLE_MAX_CHARS): string {
  if (record.intent?.trim()) return shorten(record.intent, max);
  const command = record.arguments.command;
  if (typeof command === 'string' && command.trim()) return shorten(command, max);
  const first = Object.values(record.arguments).find((value) => typeof value === 'string' || typeof value === 'number');
  return first === undefined ? record.tool : shorten(`${record.tool}: ${String(first)}`, max);
}

/** Text on one line, at most `max` characters, cut with "…". A multi-line text keeps its first non-empty line. */
export function shorten(text: string, max: number): string {
  const firstLine = text.split(/\r?\n/).find((line) => line.trim()) ?? '';
  const oneLine = firstLine.replace(/\s+/g, ' ').trim();
  const more = oneLine !== text.replace(/\s+/g, ' ').trim();
  if (oneLine.length <= max && !more) return oneLine;
  return oneLine.length < max ? `${oneLine} …` : `${oneLine.slice(0, max - 1).trimEnd()}…`;
}
