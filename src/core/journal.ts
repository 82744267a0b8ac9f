import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/** What reading a journal found besides its valid entries. */
export interface JournalRecovery {
  /** Lines that could not be parsed or were rejected by the caller's validator. */
  readonly badLines: number;
  /** The last line was cut short (a torn write); it is dropped without a backup. */
  readonly tornTail: boolean;
  /** Where the original file was copied before it was rewritten, when it held bad lines. */
  readonly backupPath?: string;
  /** Why the file's snapshot was not trusted (every line was then checked one by one); absent when it was, or there was none. */
  readonly untrustedSnapshot?: string;
}

export interface JournalReadResult<T> {
  readonly entries: T[];
  readonly recovery: JournalRecovery;
  /** How many of `entries`, from the first, came from an intact snapshot. */
  readonly fromSnapshot: number;
}

/**
 * The first line of a rewritten journal: the snapshot that follows it (its format's version, how
 * many entries, how many bytes, their CRC-32), so a reader can trust them after one checksum
 * instead of checking every entry. Padded with spaces to a fixed width, so it is written last,
 * in place, once the entries are on disk.
 */
interface SnapshotHeader {
  readonly op: 'snapshot';
  readonly v: number;
  readonly entries: number;
  readonly bytes: number;
  readonly crc32: number;
}

const HEADER_PREFIX = Buffer.from('{"op":"snapshot"');
const HEADER_WIDTH = 128;

/**
 * An append-only file of JSON lines. Appends issued in the same tick are written with one
 * synchronous `write`, in order, so they reach the OS before the next event is handled. `rewrite` replaces the whole file atomically (temp file, fsync, rename),
 * which is how the log is compacted. A process killed mid-append leaves at worst one torn last
 * line, which `read` drops. With a `snapshotVersion`, a rewrite starts with a header line that
 * vouches for the entries it wrote (`SnapshotHeader`); appends follow them as the journal's tail.
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
    /** The format of the entries a rewrite writes, named in its header; without one, rewrites have no header. */
    private readonly snapshotVersion?: number,
  ) {}

  get size(): number {
    return this.bytes;
  }

  /** Whether the last write failed and the disk has not taken one since. */
  get failing(): boolean {
    return this.failure !== undefined;
  }

  /**
   * Reads every line; `parse` returns undefined (or throws) for an entry it rejects. `fromSnapshot`
   * says the line lies in a snapshot whose length and checksum matched its header: the caller may
   * check it more cheaply. A snapshot that does not match is ignored as such (its lines are read
   * like any other, and `recovery.untrustedSnapshot` says why).
   */
  read<T>(parse: (value: unknown, fromSnapshot: boolean) => T | undefined): JournalReadResult<T> {
    let data: Buffer;
    try {
      data = fs.readFileSync(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], recovery: { badLines: 0, tornTail: false }, fromSnapshot: 0 };
      throw error;
    }
    this.bytes = data.length;
    const entries: T[] = [];
    let badLines = 0;
    const consider = (line: string, fromSnapshot: boolean): boolean => {
      if (line.trim() === '') return true;
      try {
        const entry = parse(JSON.parse(line), fromSnapshot);
        if (entry === undefined) return false;
        entries.push(entry);
        return true;
      } catch {
        return false;
      }
    };
    const snapshot = this.snapshotIn(data);
    let untrustedSnapshot: string | undefined;
    let rest = snapshot.start;
    if ('trust' in snapshot) {
      const lines = data.toString('utf8', snapshot.start, snapshot.end).split('\n');
      lines.pop(); // the snapshot ends with a newline: nothing after it
      if (lines.length === snapshot.entries) {
        for (const line of lines) if (!consider(line, true)) badLines++;
        rest = snapshot.end;
      } else untrustedSnapshot = `it holds ${lines.length} entries, its header says ${snapshot.entries}`;
    } else if ('untrusted' in snapshot) {
      untrustedSnapshot = snapshot.untrusted;
      if (snapshot.unreadable) badLines++;
    }
    const fromSnapshot = entries.length;
    const text = data.toString('utf8', rest);
    const lines = text.split('\n');
    const endsClean = text.length === 0 || text.endsWith('\n');
    const last = lines.pop() ?? '';
    for (const line of lines) if (!consider(line, false)) badLines++;
    let tornTail = false;
    if (!endsClean && !consider(last, false)) tornTail = true;
    let backupPath: string | undefined;
    if (badLines > 0) backupPath = this.backup();
    return { entries, recovery: { badLines, tornTail, backupPath, ...(untrustedSnapshot ? { untrustedSnapshot } : {}) }, fromSnapshot };
  }

  /** Copies the file as it is now next to it, named for the moment; returns the copy's path. */
  backup(at: Date = new Date()): string {
    const backupPath = `${this.file}.corrupt-${at.toISOString().replace(/[:.]/g, '-')}`;
    fs.copyFileSync(this.file, backupPath);
    return backupPath;
  }

  /** Where the file's snapshot lies, and whether its header vouches for it. */
  private snapshotIn(
    data: Buffer,
  ): { start: number } & ({ trust: true; end: number; entries: number } | { untrusted: string; unreadable?: true } | { none: true }) {
    if (this.snapshotVersion === undefined || !startsWith(data, HEADER_PREFIX)) return { start: 0, none: true };
    const newline = data.indexOf(0x0a);
    if (newline < 0) return { start: data.length, untrusted: 'its header is incomplete', unreadable: true };
    const start = newline + 1;
    let header: Partial<SnapshotHeader>;
    try {
      header = JSON.parse(data.toString('utf8', 0, newline)) as Partial<SnapshotHeader>;
    } catch {
      return { start, untrusted: 'its header is unreadable', unreadable: true };
    }
    const { v, entries, bytes, crc32 } = header;
    if (v !== this.snapshotVersion) return { start, untrusted: `it is in format ${String(v)}, this version reads ${this.snapshotVersion}` };
    if (!Number.isSafeInteger(entries) || !Number.isSafeInteger(bytes) || !Number.isSafeInteger(crc32))
      return { start, untrusted: 'its header is incomplete', unreadable: true };
    const end = start + bytes!;
    if (end > data.length) return { start, untrusted: `it is cut short (${data.length - start} of ${bytes} bytes)` };
    if ((bytes! > 0 && data[end - 1] !== 0x0a) || crc(data.subarray(start, end)) !== crc32) return { start, untrusted: 'its checksum does not match' };
    return { start, trust: true, end, entries: entries! };
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
    const withHeader = this.snapshotVersion !== undefined;
    let size = withHeader ? writeAll(fd, ' '.repeat(HEADER_WIDTH - 1) + '\n') : 0;
    let count = 0;
    let checksum = 0;
    let done = false;
    try {
      let chunk = '';
      const write = (): void => {
        const data = Buffer.from(chunk);
        if (withHeader) checksum = crc(data, checksum);
        size += writeAll(fd, data);
        chunk = '';
      };
      for (const entry of entries) {
        chunk += JSON.stringify(entry) + '\n';
        count++;
        if (chunk.length > 1 << 20) write();
      }
      if (chunk) write();
      if (withHeader) {
        const header: SnapshotHeader = { op: 'snapshot', v: this.snapshotVersion!, entries: count, bytes: size - HEADER_WIDTH, crc32: checksum };
        const line = JSON.stringify(header);
        if (line.length >= HEADER_WIDTH) throw new Error(`snapshot header too long: ${line}`);
        fs.writeSync(fd, line, 0, 'utf8');
      }
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

function writeAll(fd: number, data: string | Buffer): number {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  let written = 0;
  while (written < bytes.length) written += fs.writeSync(fd, bytes, written);
  return written;
}

function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

/** CRC-32 (zlib's); Node versions before 20.15 have no `zlib.crc32`, and get this table-driven one. */
const crc: (data: Buffer, previous?: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (zlib as unknown as { crc32: (d: Buffer, p?: number) => number }).crc32 : crc32Fallback;

let crcTable: Int32Array | undefined;

function crc32Fallback(data: Buffer, previous = 0): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = ~previous;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
