// Text helpers for reading test failures: messages and stack-frame locations.
import type { TestLocation } from './testFailures';

/** How many lines of a message are kept: enough for "expected X, received Y", not a whole diff. */
export const MESSAGE_LINES = 6;
export const MESSAGE_CHARS = 600;

/**
 * The first lines of a message: the first line's indentation removed from the lines that have it
 * (mocha indents an error's first line, not the rest of its message), blank runs collapsed, blank lines at either end dropped, at most `MESSAGE_LINES`
 * lines and `MESSAGE_CHARS` characters.
 */
export function messageOf(lines: readonly string[]): string {
  const trimmed = lines.map((line) => line.trimEnd());
  const first = trimmed.find((line) => line !== '');
  const indent = first === undefined ? '' : /^\s*/.exec(first)![0];
  const kept: string[] = [];
  for (const line of trimmed) {
    if (line === '' && (kept.length === 0 || kept[kept.length - 1] === '')) continue;
    kept.push(line.startsWith(indent) ? line.slice(indent.length) : line);
    if (kept.length === MESSAGE_LINES) break;
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  const text = kept.join('\n');
  return text.length > MESSAGE_CHARS ? `${text.slice(0, MESSAGE_CHARS - 1)}…` : text;
}

/**
 * The place a stack frame or a "file:line:col" mention points at: `at fn (path:1:2)`, `at path:1:2`,
 * `❯ path:1:2`, `file:///path:1:2`. Frames in node internals and in node_modules are no test's own.
 */
export function frameLocation(text: string): TestLocation | undefined {
  const match = /(?:^|[\s(])((?:file:\/\/)?(?:[A-Za-z]:[\\/])?[^\s():]+):(\d+)(?::(\d+))?\)?\s*$/.exec(text);
  if (!match) return undefined;
  const file = fromFileUrl(match[1]);
  if (/(^|[\\/])node_modules[\\/]/.test(file)) return undefined;
  return { file, line: Number(match[2]), ...(match[3] !== undefined ? { column: Number(match[3]) } : {}) };
}

/** The first own frame among `lines` that look like stack frames. */
export function firstFrame(lines: readonly string[]): TestLocation | undefined {
  for (const line of lines) {
    if (!/^\s*(?:at |❯ )/.test(line)) continue;
    const location = frameLocation(line);
    if (location) return location;
  }
  return undefined;
}

function fromFileUrl(file: string): string {
  if (!file.startsWith('file://')) return file;
  const rest = decodeURIComponent(file.slice('file://'.length));
  // file:///C:/x → C:/x; file:///home/x → /home/x
  return /^\/[A-Za-z]:/.test(rest) ? rest.slice(1) : rest;
}

/** `file:line[:column]` as a person reads it. */
export function formatLocation(location: TestLocation): string {
  return `${location.file}:${location.line}${location.column !== undefined ? `:${location.column}` : ''}`;
}
