/**
 * The part of a task's result the detail page shows: the whole result up to
 * `DISPLAY_RESULT_BYTES`, else its first content up to that much, with the sizes the page needs
 * to say so. A result kept in a side file is read here, when a panel shows it, and only the cut
 * is kept. Pure apart from the reader: no `vscode`.
 */
import { type ResultReader, ResultUnavailableError, INLINE_RESULTS, jsonText, resultBytes } from '../../core/taskResult';
import type { TaskRecord } from '../../core/taskRecord';
import { type TestFailureReport, readFailureReport } from '../../core/testFailureReport';

/** The most of a result the page is sent. */
export const DISPLAY_RESULT_BYTES = 256 * 1024;

/** The JSON around a text block's text, `{"type":"text","text":""}` (escapes in the text are not counted: this sizes a display cut). */
const TEXT_BLOCK_OVERHEAD = 25;

export type DisplayedResult =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'shown';
      /** The result, or the part of it the page shows. */
      readonly value: unknown;
      /** The whole result's size (its JSON in UTF-8 bytes). */
      readonly bytes: number;
      /** How much of it `value` holds when it was cut; null when it is whole. */
      readonly shownBytes: number | null;
      /** Read from the whole result, before any cut. */
      readonly testFailures: TestFailureReport | undefined;
    }
  | { readonly kind: 'unavailable'; readonly message: string; readonly bytes: number };

/** What the page shows of `record`'s result, read through `results`; never throws for a result that cannot be read. */
export function displayResult(record: TaskRecord, results: ResultReader = INLINE_RESULTS, limit = DISPLAY_RESULT_BYTES): DisplayedResult {
  const bytes = resultBytes(record);
  if (bytes === undefined) return { kind: 'none' };
  let whole: unknown;
  try {
    whole = results.readResult(record);
  } catch (error) {
    // A view never fails for a result it cannot read: it says so instead.
    const message = error instanceof ResultUnavailableError ? error.message : `The result could not be read: ${(error as Error).message}`;
    return { kind: 'unavailable', message, bytes };
  }
  const testFailures = readFailureReport(record.tool, whole);
  if (bytes <= limit) return { kind: 'shown', value: whole, bytes, shownBytes: null, testFailures };
  const cut = cutResult(whole, limit);
  return { kind: 'shown', value: cut.value, bytes, shownBytes: cut.bytes, testFailures };
}

/**
 * The first `limit` bytes' worth of a result: a tool result's content blocks in order while they
 * fit, the text of the one that does not cut to fit, then its structured content if room is
 * left; any other value as the start of its JSON text.
 */
export function cutResult(result: unknown, limit: number): { value: unknown; bytes: number } {
  if (!isToolResult(result)) {
    const text = cutText(jsonText(result), limit);
    return { value: { content: [{ type: 'text', text }] }, bytes: Buffer.byteLength(text) };
  }
  let room = limit;
  const content: unknown[] = [];
  for (const block of Array.isArray(result.content) ? result.content : []) {
    if (room <= 0) break;
    // A text block is measured by its text: stringifying a 50 MB block only to measure it costs as much again.
    const size = isTextBlock(block) ? TEXT_BLOCK_OVERHEAD + Buffer.byteLength(block.text) : Buffer.byteLength(jsonText(block));
    if (size <= room) {
      content.push(block);
      room -= size;
    } else if (isTextBlock(block)) {
      const text = cutText(block.text, room);
      content.push({ ...block, text });
      room -= Buffer.byteLength(text);
    } else break; // An image or blob is shown whole or not at all.
  }
  const cut: Record<string, unknown> = { ...result, content };
  delete cut.structuredContent;
  if (result.structuredContent !== undefined && room > 0) {
    const size = Buffer.byteLength(jsonText(result.structuredContent));
    if (size <= room) {
      cut.structuredContent = result.structuredContent;
      room -= size;
    }
  }
  return { value: cut, bytes: limit - room };
}

/**
 * Display results by task, read once per result rather than at every page update: one entry, the
 * result of the task the panel shows (a record's `resultFile` and `result` are replaced, never
 * changed, so an unchanged reference is an unchanged result).
 */
export class DisplayedResults {
  private last: { result: unknown; file: TaskRecord['resultFile']; id: string; shown: DisplayedResult } | undefined;

  constructor(private readonly results: ResultReader) {}

  of(record: TaskRecord): DisplayedResult {
    const last = this.last;
    if (last && last.id === record.id && last.file === record.resultFile && last.result === record.result && last.shown.kind !== 'unavailable')
      return last.shown;
    const shown = displayResult(record, this.results);
    this.last = { result: record.result, file: record.resultFile, id: record.id, shown };
    return shown;
  }
}

/** At most `maxBytes` of `text` in UTF-8, cut at a character boundary. */
function cutText(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  // A character takes at least one byte: the first `maxBytes` characters hold the answer.
  let head = text.length > maxBytes ? text.slice(0, maxBytes) : text;
  if (Buffer.byteLength(head) <= maxBytes) return head === text ? head : withoutSplitPair(head);
  head = Buffer.from(head, 'utf8').subarray(0, maxBytes).toString('utf8');
  // A character split at the end decodes as U+FFFD: drop it.
  return head.endsWith('\uFFFD') ? head.slice(0, -1) : head;
}

/** A cut between the two halves of a surrogate pair leaves half a character: drop it. */
function withoutSplitPair(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? text.slice(0, -1) : text;
}

function isToolResult(value: unknown): value is { content?: unknown; structuredContent?: unknown } & Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const result = value as Record<string, unknown>;
  return Array.isArray(result.content) || result.structuredContent !== undefined;
}

function isTextBlock(block: unknown): block is { type: 'text'; text: string } {
  return typeof block === 'object' && block !== null && (block as { type?: unknown }).type === 'text' && typeof (block as { text?: unknown }).text === 'string';
}
