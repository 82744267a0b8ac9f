import type { TaskRecord } from './taskRecord';
import { ResultFiles, overLimit } from './resultFiles';
import { DEFAULT_SIDE_FILE_KB, INLINE_RESULTS, type ResultReader } from './taskResult';

/**
 * Where the task store keeps results: in the record, or (over the side-file limit, in a store on
 * disk whose journal opened) in a side file of their own (resultFiles.ts), with the record keeping
 * a reference. TaskStore owns one, and asks it where a result goes, to delete it with its record
 * and to read it back.
 */
export class StoreResults implements ResultReader {
  /** Where large results go; only once a store's journal has opened. */
  private sideFiles: ResultFiles | undefined;

  constructor(
    /** The side-file limit in bytes, read at each result kept; the default without one. */
    private readonly sideFileBytes: (() => number) | undefined,
    private readonly problem: (message: string, error?: Error) => void,
  ) {}

  /**
   * The task's whole result, from the record or its side file (taskResult.ts). Throws
   * `ResultUnavailableError`, with a message for people, when a side file is gone or damaged.
   */
  readResult(record: TaskRecord): unknown {
    return (this.sideFiles ?? INLINE_RESULTS).readResult(record);
  }

  /**
   * Where a result is kept: in the record, or (over the limit, in a store on disk) in its side
   * file, with the record keeping a reference. A disk that refuses the file keeps it in the record.
   */
  keep(record: TaskRecord, result: unknown): Pick<TaskRecord, 'result' | 'resultFile'> {
    const limit = this.sideFileBytes?.() ?? DEFAULT_SIDE_FILE_KB * 1024;
    const text = this.sideFiles ? overLimit(result, limit) : undefined;
    if (text === undefined || !this.sideFiles) return { result };
    try {
      return { result: undefined, resultFile: this.sideFiles.write(record.id, text) };
    } catch (error) {
      this.problem(
        `Tasklane could not save the result of task ${record.id} to ${this.sideFiles.folder}: ${(error as Error).message}. It is kept with the task.`,
        error as Error,
      );
      return { result };
    }
  }

  /** Deletes the side file of a record that is going. */
  drop(record: TaskRecord): void {
    // A file left behind (a refusing disk) is an orphan the next open sweeps.
    if (record.resultFile) this.sideFiles?.delete(record.id);
  }

  /** Side files for large results, once the journal has been read: files no record names are swept. */
  open(directory: string, records: Iterable<TaskRecord>): void {
    this.sideFiles = new ResultFiles(directory);
    this.sideFiles.sweepOrphans(records);
  }
}
