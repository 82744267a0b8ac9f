/**
 * The side files of results too large to keep in a record: one JSON file per task in
 * `<store>/results/`. Written atomically (temp file, fsync, rename) before the journal entry that
 * refers to it, so a record never names a half-written file; read and parsed only when asked;
 * deleted with their record. Files no record refers to (a crash between the write and the
 * journal, or between a removal and the delete) are swept when the store opens.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskRecord } from './taskRecord';
import { RESULT_PREVIEW_CHARS, type ResultFileRef, type ResultReader, jsonText, unavailable } from './taskResult';

export const RESULTS_FOLDER = 'results';

/** Ids that are safe as file names everywhere are used as they are; any other is hashed. */
const PLAIN_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** A task's side file name (results, wire logs): its id when that is a safe file name, else the id's SHA-256. */
export function sideFileName(id: string): string {
  return `${PLAIN_ID.test(id) ? id : createHash('sha256').update(id).digest('hex')}.json`;
}

export class ResultFiles implements ResultReader {
  readonly folder: string;

  constructor(storeDirectory: string) {
    this.folder = path.join(storeDirectory, RESULTS_FOLDER);
  }

  /** The file that holds the result of the task `id`. */
  fileOf(id: string): string {
    return path.join(this.folder, sideFileName(id));
  }

  /** Writes `text` (the result's JSON) as the result of `id`; throws if the disk refuses it. */
  write(id: string, text: string): ResultFileRef {
    const file = this.fileOf(id);
    const temp = `${file}.tmp-${process.pid}`;
    const data = Buffer.from(text, 'utf8');
    fs.mkdirSync(this.folder, { recursive: true });
    const fd = fs.openSync(temp, 'w');
    try {
      fs.writeSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.renameSync(temp, file);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
    return { bytes: data.length, preview: detachedPrefix(text, RESULT_PREVIEW_CHARS) };
  }

  readResult(record: TaskRecord): unknown {
    if (!record.resultFile) return record.result;
    const file = this.fileOf(record.id);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw unavailable(
        record,
        code === 'ENOENT' ? `is no longer on disk (${file} is missing)` : `could not be read from ${file}: ${(error as Error).message}`,
      );
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw unavailable(record, `is no longer on disk intact: ${file} is damaged (${(error as Error).message})`);
    }
  }

  /** Deletes the result of `id`; a file already gone is no error. Returns false when the disk refused. */
  delete(id: string): boolean {
    try {
      fs.rmSync(this.fileOf(id), { force: true });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Deletes the files no record refers to, and temp files left by a write that never finished.
   * Returns how many went.
   */
  sweepOrphans(records: Iterable<TaskRecord>): number {
    let names: string[];
    try {
      names = fs.readdirSync(this.folder);
    } catch {
      return 0; // No folder yet: nothing was ever stored aside.
    }
    const kept = new Set<string>();
    for (const record of records) if (record.resultFile) kept.add(path.basename(this.fileOf(record.id)));
    let removed = 0;
    for (const name of names) {
      if (kept.has(name)) continue;
      try {
        fs.rmSync(path.join(this.folder, name), { force: true, recursive: true });
        removed++;
      } catch {
        // Left for the next open: a file that cannot be deleted now does no harm.
      }
    }
    return removed;
  }
}

/**
 * The first `chars` characters of `text` as a string of their own: V8 makes a short slice of a
 * long string a view that keeps the whole of it alive, which here would be the whole result.
 */
function detachedPrefix(text: string, chars: number): string {
  return Buffer.from(text.slice(0, chars), 'utf8').toString('utf8');
}

/** A result's JSON text, and whether it is over `limitBytes` (counted in UTF-8 bytes, measured only when it could be). */
export function overLimit(result: unknown, limitBytes: number): string | undefined {
  if (result === undefined) return undefined;
  const text = jsonText(result);
  // UTF-8 takes at most 3 bytes per UTF-16 unit: short text is under the limit without counting.
  if (text.length * 3 <= limitBytes) return undefined;
  return Buffer.byteLength(text) > limitBytes ? text : undefined;
}
