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
    if (!needsQuotes(word, flavour)) return word;
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

/**
 * VS Code's rule: a space outside quotes and not escaped. An argument already wrapped in quotes,
 * or one whose spaces are quoted or escaped, is passed as written.
 */
function needsQuotes(word: string, flavour: ShellFlavour): boolean {
  if (word === '') return true;
  const { escape, quotes } = flavour === 'posix' ? { escape: '\\', quotes: `'"` } : { escape: '^', quotes: '"' };
  if (word.length >= 2 && quotes.includes(word[0]) && word[word.length - 1] === word[0]) return false;
  let open: string | undefined;
  for (let index = 0; index < word.length; index++) {
    const char = word[index];
    if (open !== undefined) {
      if (char === open) open = undefined;
    } else if (char === escape) {
      index++;
    } else if (quotes.includes(char)) {
      open = char;
    } else if (/\s/.test(char)) {
      return true;
    }
  }
  return false;
}

/** Single quotes keep everything literal; a single quote itself is closed, escaped and reopened. */
function strong(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Splits a command line the way a POSIX shell would for simple cases: whitespace, quotes, backslashes. */
export function splitCommandLine(line: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length && (line[i + 1] === '"' || line[i + 1] === '\\')) current += line[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      current += line[++i];
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) parts.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} quote`);
  if (started) parts.push(current);
  return parts;
}
