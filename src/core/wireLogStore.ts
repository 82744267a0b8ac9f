/**
 * The task store's companion for captured wire logs: a bounded log per task in memory
 * (wireLogBuffer.ts), kept on disk beside the store (wireLogFiles.ts) so it survives a reload,
 * written debounced, and deleted with its record. It is the `WireLogReader` the detail panel and
 * the export read.
 */
import { Emitter } from './events';
import { Disposable } from './lifecycle';
import type { LifecycleEvent } from './lifecycleEvents';
import type { Event } from './events';
import { DEFAULT_WIRE_LIMITS, type WireEntryDraft, WireLogBuffer, type WireLogLimits } from './wireLogBuffer';
import { WireLogFiles } from './wireLogFiles';
import type { WireLog, WireLogReader } from './wireLog';

export interface WireLogStoreOptions {
  /** The store's folder; without one, logs live in memory only. */
  readonly directory?: string;
  /** Read at every entry kept, so a changed setting applies at once. */
  readonly limits?: () => WireLogLimits;
  /** The store's lifecycle: a removed record takes its log with it. */
  readonly lifecycle?: Event<LifecycleEvent>;
  /** How long changes gather before they are written (ms, default 1000). */
  readonly writeDelayMs?: number;
  readonly onProblem?: (message: string, error?: Error) => void;
}

export class WireLogStore extends Disposable implements WireLogReader {
  private readonly _onDidChangeWireLog = this._register(new Emitter<string>());
  readonly onDidChangeWireLog = this._onDidChangeWireLog.event;
  private readonly logs = new Map<string, WireLogBuffer>();
  private readonly files: WireLogFiles | undefined;
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: WireLogStoreOptions = {}) {
    super();
    this.files = options.directory ? new WireLogFiles(options.directory) : undefined;
    if (options.lifecycle) {
      this._register(
        options.lifecycle((event) => {
          if (event.type === 'removed') this.delete(event.id);
        }),
      );
    }
  }

  /** Adds one captured message to the task's log (the bounds drop the oldest). */
  append(recordId: string, serverId: string, wire: string, draft: WireEntryDraft): void {
    let log = this.logs.get(recordId);
    if (!log) {
      log = new WireLogBuffer(recordId, serverId, wire, this.fromDisk(recordId));
      this.logs.set(recordId, log);
    }
    log.add(draft, this.options.limits?.() ?? DEFAULT_WIRE_LIMITS);
    this.markDirty(recordId);
    this._onDidChangeWireLog.fire(recordId);
  }

  /**
   * The task's log, or undefined when nothing was captured for it. A file on disk that cannot be
   * read throws `WireLogUnavailableError`, with a message for people.
   */
  readWireLog(recordId: string): WireLog | undefined {
    const live = this.logs.get(recordId);
    if (live) return live.snapshot();
    return this.files?.read(recordId);
  }

  /** Keeps a whole log (an imported task's), replacing any the task had. */
  put(log: WireLog): void {
    this.logs.set(log.recordId, new WireLogBuffer(log.recordId, log.serverId, log.wire, log));
    this.markDirty(log.recordId);
    this._onDidChangeWireLog.fire(log.recordId);
  }

  /** Forgets the task's log, in memory and on disk. */
  delete(recordId: string): void {
    this.logs.delete(recordId);
    this.dirty.delete(recordId);
    this.files?.delete(recordId);
  }

  /** Writes every changed log now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.files) {
      this.dirty.clear();
      return;
    }
    for (const recordId of this.dirty) {
      const log = this.logs.get(recordId);
      if (!log) continue;
      try {
        this.files.write(log.snapshot());
      } catch (error) {
        this.options.onProblem?.(`Tasklane could not save the wire log of task ${recordId}: ${(error as Error).message}`, error as Error);
      }
    }
    this.dirty.clear();
  }

  override dispose(): void {
    this.flush();
    super.dispose();
  }

  private markDirty(recordId: string): void {
    if (!this.files) return;
    this.dirty.add(recordId);
    this.timer ??= setTimeout(() => this.flush(), this.options.writeDelayMs ?? 1000);
    this.timer.unref?.();
  }

  /** What an earlier session captured for a task that is still being captured; a damaged file starts afresh. */
  private fromDisk(recordId: string): WireLog | undefined {
    try {
      return this.files?.read(recordId);
    } catch (error) {
      this.options.onProblem?.(`${(error as Error).message}; a new log is started.`, error as Error);
      return undefined;
    }
  }
}
