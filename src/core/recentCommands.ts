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

export interface CommandChoice {
  readonly command: string;
  /** True for the text being typed, false for a remembered command. */
  readonly typed: boolean;
}

/**
 * What the command box offers while `typed` is in it: the typed text first (Enter runs it),
 * then the remembered commands, without repeating the typed one.
 */
export function commandChoices(recent: readonly string[], typed: string): CommandChoice[] {
  const text = typed.trim();
  const remembered = recent.filter((command) => command !== text).map((command) => ({ command, typed: false }));
  return text === '' ? remembered : [{ command: text, typed: true }, ...remembered];
}
