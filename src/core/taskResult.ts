/**
 * Where a task's result lives, and the one way to read it. A result up to the side-file limit is
 * kept in the record (`result`), like every other field. A larger one is written to a file of its
 * own next to the store (resultFiles.ts) and the record keeps only a reference (`resultFile`: its
 * size and a short preview), so neither the journal nor memory holds it; readers load it when a
 * person asks for it: the detail panel, export, copy and open.
 */
import type { TaskRecord } from './taskRecord';
import { taskTitle } from './taskTitle';

/** `tasklane.results.sideFileThresholdKB`'s default: results above 1 MB go to a side file. */
export const DEFAULT_SIDE_FILE_KB = 1024;

/** How much of a side-filed result's JSON the record keeps, for search and a first look. */
export const RESULT_PREVIEW_CHARS = 256;

/** What a record keeps of a result stored in a side file. */
export interface ResultFileRef {
  /** The size of the result's JSON text, in UTF-8 bytes. */
  readonly bytes: number;
  /** The first `RESULT_PREVIEW_CHARS` characters of that text. */
  readonly preview: string;
}

/** The one way to read a task's whole result, wherever it is kept. */
export interface ResultReader {
  /**
   * The task's result (undefined if it has none). Throws `ResultUnavailableError` when it was
   * stored in a side file that is gone or damaged.
   */
  readResult(record: TaskRecord): unknown;
}

/** A result stored aside that cannot be read back. Its message is for people, as it is. */
export class ResultUnavailableError extends Error {
  override readonly name = 'ResultUnavailableError';
}

/** Whether the task has a result at all, in the record or aside. */
export function hasResult(record: Pick<TaskRecord, 'result' | 'resultFile'>): boolean {
  return record.result !== undefined || record.resultFile !== undefined;
}

/** The size of the result's JSON text in UTF-8 bytes; undefined when there is no result. */
export function resultBytes(record: Pick<TaskRecord, 'result' | 'resultFile'>): number | undefined {
  if (record.resultFile) return record.resultFile.bytes;
  if (record.result === undefined) return undefined;
  return Buffer.byteLength(jsonText(record.result));
}

/** The reader of a store without side files (and of records read from an export): the record holds its result. */
export const INLINE_RESULTS: ResultReader = {
  readResult(record) {
    if (record.resultFile) throw unavailable(record, 'was stored in a file this reader cannot reach');
    return record.result;
  },
};

/**
 * The record as a whole, with its result in it wherever it was kept: what export, Copy as JSON
 * and the panel's Export write, so a file holds the complete task.
 */
export function withResultInline(record: TaskRecord, results: ResultReader): TaskRecord {
  if (!record.resultFile) return record;
  const { resultFile: _ref, ...rest } = record;
  return { ...rest, result: results.readResult(record) };
}

/** `ResultUnavailableError` for a record, naming the task as every view does. */
export function unavailable(record: Pick<TaskRecord, 'intent' | 'tool' | 'arguments'>, why: string): ResultUnavailableError {
  return new ResultUnavailableError(`The result of "${taskTitle(record)}" ${why}.`);
}

export function jsonText(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}
