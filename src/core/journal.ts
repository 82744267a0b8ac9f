import * as fs from 'node:fs';
import * as path from 'node:path';

/** What reading a journal found besides its valid entries. */
export interface JournalRecovery {
  /** Lines that could not be parsed or were rejected by the caller's validator. */
  readonly badLines: number;
  /** The last line was cut short (a torn write); it is dropped without a backup. */
  readonly tornTail: boolean;
  /** Where the original file was copied before it was rewritten, when it held bad lines. */
  readonly backupPath?: string;
}

export interface JournalReadResult<T> {
  readonly entries: T[];
  readonly recovery: JournalRecovery;
}

/**
 * An append-only file of JSON lines. Appends issued in the same tick are written with one
 * synchronous `write`, in order, so they reach the OS before the next event is handled. `rewrite` replaces the whole file atomically (temp file, fsync, rename),
 * which is how the log is compacted. A process killed mid-append leaves at worst one torn last
 * line, which `read` drops.
 */
export class Journal {
  private fd: number | undefined;
  private pending: string[] = [];
  private flushScheduled = false;
  private bytes = 0;
  private failure: Error | undefined;
  /**
   * A write failed part-way (full disk, read-only mount): the file may end in a fragment and
   * misses entries, so appending again would not reproduce memory. The next flush rewrites the
   * whole state from `snapshot` instead, atomically, once the disk takes it.
   */
  private outOfSync = false;
  private lastResyncAttempt = -Infinity;
  /** Device and inode of the file `fd` has open, read once per open. */
  private openIdentity: string | undefined;

  constructor(
    readonly file: string,
    private readonly onWriteError: (error: Error) => void,
    private readonly snapshot?: () => Iterable<unknown>,
  ) {}

  get size(): number {
    return this.bytes;
  }

  /** Whether the last write failed and the disk has not taken one since. */
  get failing(): boolean {
    return this.failure !== undefined;
  }

  /** Reads every line; `parse` returns undefined (or throws) for an entry it rejects. */
  read<T>(parse: (value: unknown) => T | undefined): JournalReadResult<T> {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], recovery: { badLines: 0, tornTail: false } };
      throw error;
    }
    this.bytes = Buffer.byteLength(text);
    const lines = text.split('\n');
    const endsClean = text.length === 0 || text.endsWith('\n');
    const last = lines.pop() ?? '';
    const entries: T[] = [];
    let badLines = 0;
    const consider = (line: string): boolean => {
      if (line.trim() === '') return true;
      try {
        const entry = parse(JSON.parse(line));
        if (entry === undefined) return false;
        entries.push(entry);
        return true;
      } catch {
        return false;
      }
    };
    for (const line of lines) if (!consider(line)) badLines++;
    let tornTail = false;
    if (!endsClean && !consider(last)) tornTail = true;
    let backupPath: string | undefined;
    if (badLines > 0) {
      backupPath = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      fs.copyFileSync(this.file, backupPath);
    }
    return { entries, recovery: { badLines, tornTail, backupPath } };
  }

  append(entry: unknown): void {
    this.pending.push(JSON.stringify(entry) + '\n');
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // Everything appended in one synchronous burst goes out in a single write.
      queueMicrotask(() => this.flush());
    }
  }

  /** Writes everything appended so far (failures are reported, and the entries stay in memory). */
  flush(force = false): void {
    this.flushScheduled = false;
    if (this.snapshot && this.pending.length > 0 && this.replacedUnderneath()) {
      // Another writer (a second store on the same folder) compacted the file: our descriptor points at
      // the unlinked old file, where appends would vanish. Memory is the whole truth: write it out again.
      this.closeFd();
      this.outOfSync = true;
      force = true;
    }
    if (this.outOfSync && this.snapshot) return this.resync(force);
    if (this.pending.length === 0) return;
    const data = Buffer.from(this.pending.join(''));
    this.pending = [];
    let written = 0;
    try {
      const fd = this.openFd();
      // write(2) may take only part of the buffer (a disk filling up): keep going until it all went or it throws.
      while (written < data.length) written += fs.writeSync(fd, data, written);
      this.failure = undefined;
    } catch (error) {
      this.outOfSync = true;
      this.reportFailure(error as Error);
    } finally {
      this.bytes += written;
    }
  }

  private resync(force: boolean): void {
    this.pending = [];
    // A rewrite serialises everything: while the disk keeps refusing, try at most once a second.
    if (!force && Date.now() - this.lastResyncAttempt < RESYNC_INTERVAL_MS) return;
    this.lastResyncAttempt = Date.now();
    try {
      this.rewrite(this.snapshot!());
    } catch (error) {
      this.reportFailure(error as Error);
    }
  }

  /**
   * Atomically replaces the file with `entries` (the caller's whole current state, so appends
   * still pending are already part of it and are dropped) and reopens it for appends.
   */
  rewrite(entries: Iterable<unknown>): void {
    this.pending = [];
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.tmp-${process.pid}`;
    const fd = fs.openSync(temp, 'w');
    let size = 0;
    let done = false;
    try {
      let chunk = '';
      for (const entry of entries) {
        chunk += JSON.stringify(entry) + '\n';
        if (chunk.length > 1 << 20) {
          size += writeAll(fd, chunk);
          chunk = '';
        }
      }
      if (chunk) size += writeAll(fd, chunk);
      fs.fsyncSync(fd);
      done = true;
    } finally {
      fs.closeSync(fd);
      // A half-written temp file would hold space on a disk that is already full.
      if (!done) fs.rmSync(temp, { force: true });
    }
    this.closeFd();
    try {
      fs.renameSync(temp, this.file);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
    this.bytes = size;
    this.failure = undefined;
    this.outOfSync = false;
  }

  close(): void {
    this.flush(true);
    this.closeFd();
  }

  /** Whether the open descriptor no longer names the file at `this.file` (renamed over or deleted). */
  private replacedUnderneath(): boolean {
    if (this.fd === undefined) return false;
    try {
      // The open file's identity never changes: it was read once, when the file was opened.
      this.openIdentity ??= fileIdentity(fs.fstatSync(this.fd));
      return fileIdentity(fs.statSync(this.file)) !== this.openIdentity;
    } catch {
      return true;
    }
  }

  private openFd(): number {
    if (this.fd === undefined) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = fs.openSync(this.file, 'a');
      this.openIdentity = undefined;
    }
    return this.fd;
  }

  private closeFd(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
      this.openIdentity = undefined;
    }
  }

  private reportFailure(error: Error): void {
    // Report once per failure streak so a full disk does not flood the log.
    if (!this.failure) this.onWriteError(error);
    this.failure = error;
  }
}

const RESYNC_INTERVAL_MS = 1000;

function fileIdentity(stats: fs.Stats): string {
  return `${stats.dev}:${stats.ino}`;
}

function writeAll(fd: number, text: string): number {
  const data = Buffer.from(text);
  let written = 0;
  while (written < data.length) written += fs.writeSync(fd, data, written);
  return written;
}
