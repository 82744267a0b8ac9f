import type { TaskRecord } from './taskRecord';

/** Longest title before it is cut with an ellipsis: a tab or tree row shows little more. */
export const TITLE_MAX_CHARS = 50;

/**
 * Arguments that say most about what a tool call does, in order of preference: the first one a
 * call carries names it (`run_vscode_task` + `label`, `ask` + `question`, …).
 */
const TELLING_ARGUMENTS = ['command', 'label', 'question', 'message', 'query', 'url', 'path', 'file', 'name', 'prompt'];

/**
 * A task's short title, for tab titles and tree labels: its intent if it has one; else for
 * `run_command` the command's first line; else the tool and its most telling argument
 * (`wait: Report ready`); else the tool alone. Long text is cut to `TITLE_MAX_CHARS` with `…`.
 */
export function taskTitle(record: Pick<TaskRecord, 'intent' | 'tool' | 'arguments'>, max = TITLE_MAX_CHARS): string {
  const intent = record.intent?.trim();
  if (intent) return shorten(intent, max);
  const command = record.arguments.command;
  if (record.tool === 'run_command' && typeof command === 'string' && command.trim()) return shorten(command, max);
  const argument = tellingArgument(record.arguments);
  return argument === undefined ? record.tool : shorten(`${record.tool}: ${argument}`, max);
}

function tellingArgument(args: Record<string, unknown>): string | undefined {
  const usable = (value: unknown) => (typeof value === 'string' && value.trim() ? value : typeof value === 'number' ? String(value) : undefined);
  for (const key of TELLING_ARGUMENTS) {
    const value = usable(args[key]);
    if (value !== undefined) return value;
  }
  for (const value of Object.values(args)) {
    const text = usable(value);
    if (text !== undefined) return text;
  }
  return undefined;
}

/** The first non-blank line, whitespace collapsed, cut to `max` characters with `…` (also when lines were left out). */
export function shorten(text: string, max = TITLE_MAX_CHARS): string {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const first = (lines[0] ?? '').replace(/\s+/g, ' ');
  const more = lines.length > 1;
  if (first.length <= max && !more) return first;
  return `${first.slice(0, max - 1).trimEnd()}…`;
}

/**
 * How long a row's label may be: a default-width sidebar (about 300 px) then still shows the start
 * of the description beside it. The tooltip and the panel have the whole text.
 */
export const ROW_TITLE_CHARS = 32;

/** A task's title as the views' rows, notifications and prompts show it. */
export function taskLabel(record: Parameters<typeof taskTitle>[0]): string {
  return taskTitle(record, ROW_TITLE_CHARS);
}
