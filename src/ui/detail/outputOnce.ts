/**
 * The detail page shows a task's output once, in its Output section. Tools that stream output
 * usually return it again in their result (`run_command`: the summary text and `stdout`/`stderr`
 * in `structuredContent`) and send each line as a status message. These functions find those
 * repeats so the page can leave them out. Pure: unit-tested on plain node.
 */

/** Status messages are cut to this many characters (the tools' `MAX_STATUS_LENGTH`). */
const STATUS_LINE_CHARS = 200;

/** Stands in for a stretch of result text that repeats the Output section. */
export const IN_OUTPUT_NOTE = '(in the Output section)';

/** The lines of a task's live output, for asking whether some other text repeats them. */
export class OutputLines {
  private readonly lines = new Set<string>();

  constructor(private readonly output: string) {
    for (const line of output.split(/\r\n|\r|\n/)) {
      const trimmed = line.trim();
      if (trimmed) {
        this.lines.add(trimmed);
        this.lines.add(trimmed.slice(0, STATUS_LINE_CHARS));
      }
    }
  }

  get isEmpty(): boolean {
    return this.lines.size === 0;
  }

  /** A one-line message that is (the start of) an output line, as tools send them as status messages. */
  hasLine(message: string): boolean {
    const trimmed = message.trim();
    if (!trimmed || /[\r\n]/.test(trimmed)) return false;
    // A line still being written is sent before its end arrives: a substring of the output.
    return this.lines.has(trimmed) || this.output.includes(trimmed);
  }

  /** Text whose every non-blank line is an output line: a copy of (part of) the output. */
  repeatedBy(text: string): boolean {
    const own = text
      .split(/\r\n|\r|\n/)
      .map((line) => line.trim())
      .filter(Boolean);
    return own.length > 0 && own.every((line) => this.lines.has(line));
  }
}

export interface ResultParts<Block> {
  readonly blocks: readonly Block[];
  readonly structuredContent: unknown;
}

/**
 * The result without what repeats the output: string fields of `structuredContent` that copy it
 * (named in `omitted`), those same strings where a text block quotes them (replaced by
 * `IN_OUTPUT_NOTE`), and text blocks that are nothing but output. Unchanged without output.
 */
export function withoutRepeatedOutput<Block extends { kind: string }>(
  result: ResultParts<Block>,
  output: OutputLines,
): { blocks: Block[]; structuredContent: unknown; omitted: string[] } {
  const blocks = [...result.blocks];
  if (output.isEmpty) return { blocks, structuredContent: result.structuredContent, omitted: [] };
  const omitted: string[] = [];
  const copies: string[] = [];
  let structuredContent = result.structuredContent;
  if (isPlainObject(structuredContent)) {
    const kept: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(structuredContent)) {
      if (typeof value === 'string' && output.repeatedBy(value)) {
        omitted.push(key);
        // As a summary quotes it: without leading blank lines or trailing whitespace.
        copies.push(value.replace(/^(?:[ \t]*\r?\n)+/, '').trimEnd());
      } else kept[key] = value;
    }
    structuredContent = kept;
  }
  const shown: Block[] = [];
  for (const block of blocks) {
    const original = block.kind === 'text' && 'text' in block && typeof block.text === 'string' ? block.text : undefined;
    if (original === undefined) {
      shown.push(block);
      continue;
    }
    if (output.repeatedBy(original)) {
      omitted.push('text result');
      continue;
    }
    let text = original;
    for (const copy of copies) text = replaceLastLines(text, copy, IN_OUTPUT_NOTE);
    shown.push(text === original ? block : { ...block, text });
  }
  return { blocks: shown, structuredContent, omitted };
}

/**
 * Replaces the last place `lines` occurs in `text` as whole lines (so `hello` in `$ echo hello`
 * is not touched when the output `hello` follows on a line of its own).
 */
function replaceLastLines(text: string, lines: string, replacement: string): string {
  if (!lines) return text;
  let from = text.length;
  while (from >= 0) {
    const at = text.lastIndexOf(lines, from);
    if (at < 0) return text;
    const end = at + lines.length;
    const startsLine = at === 0 || text[at - 1] === '\n';
    const endsLine = end === text.length || text[end] === '\n' || text[end] === '\r';
    if (startsLine && endsLine) return text.slice(0, at) + replacement + text.slice(end);
    from = at - 1;
  }
  return text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
