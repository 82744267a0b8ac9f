/**
 * The shell commands a person ran recently, most recent first, for "Run Shell Command as Task":
 * each command once (the same text, ignoring surrounding spaces), at most RECENT_COMMANDS_MAX.
 */

export const RECENT_COMMANDS_MAX = 20;

/** The list after running `command`: it moves to the front; the oldest falls off past `max`. */
export function rememberCommand(recent: readonly string[], command: string, max = RECENT_COMMANDS_MAX): string[] {
  const text = command.trim();
  if (text === '') return [...recent];
  return [text, ...recent.filter((previous) => previous.trim() !== text)].slice(0, max);
}

/** A stored list, read defensively: whatever else is stored there becomes an empty list. */
export function readRecentCommands(stored: unknown): string[] {
  if (!Array.isArray(stored)) return [];
  const commands = stored.filter((item): item is string => typeof item === 'string' && item.trim() !== '');
  return commands.reduceRight<string[]>((list, command) => rememberCommand(list, command), []);
}
