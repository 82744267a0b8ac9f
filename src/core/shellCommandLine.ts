/**
 * Builds the command line a shell task runs from its command and arguments, quoting the way VS Code
 * does for tasks.json: a plain argument is quoted only when it holds whitespace (so `$HOME` still
 * expands), and an argument with an explicit quoting style is quoted exactly so.
 */

export type QuotingStyle = 'escape' | 'strong' | 'weak';

export interface ShellWord {
  readonly value: string;
  readonly quoting: QuotingStyle;
}

export type ShellArgument = string | ShellWord;

export type ShellFlavour = 'posix' | 'cmd';

export function buildCommandLine(command: ShellArgument, args: readonly ShellArgument[], flavour: ShellFlavour): string {
  return [command, ...args].map((word) => quote(word, flavour)).join(' ');
}

function quote(word: ShellArgument, flavour: ShellFlavour): string {
  if (typeof word === 'string') {
    if (word !== '' && !/\s/.test(word)) return word;
    return flavour === 'posix' ? strong(word) : `"${word}"`;
  }
  if (flavour === 'cmd') {
    // cmd.exe has one kind of quote and escapes with ^.
    return word.quoting === 'escape' ? word.value.replace(/([\s&|<>^"])/g, '^$1') : `"${word.value}"`;
  }
  switch (word.quoting) {
    case 'escape':
      return word.value.replace(/([\s\\'"`$&|;<>(){}*?#~!\[\]])/g, '\\$1');
    case 'strong':
      return strong(word.value);
    case 'weak':
      return `"${word.value.replace(/(["\\])/g, '\\$1')}"`;
  }
}

/** Single quotes keep everything literal; a single quote itself is closed, escaped and reopened. */
function strong(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
