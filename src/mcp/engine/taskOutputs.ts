/**
 * The live output of each task as the engine keeps it for `tail_task`: the last
 * `OUTPUT_TAIL_CHARS` characters (the tail the editor's store keeps too), at absolute offsets from
 * the task's first character, so a reader's cursor still means the same place after older output
 * is dropped. A cursor is the offset signed with HMAC-SHA-256 under a key only this object holds,
 * over the owner, the task and the offset: it is good for that task, for the owner it was issued
 * to, on this engine, and an edited, guessed or foreign one is refused. A task's output is kept
 * from its first chunk until the engine forgets the task (its retention ran out).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { OUTPUT_TAIL_CHARS } from '../../core/recordLimits';
import { InvalidTaskCursorError } from './engineErrors';

/** The most output one read returns, in characters. */
export const OUTPUT_READ_CHARS = 16 * 1024;

/** One read of a task's output. */
export interface OutputRead {
  readonly output: string;
  /** Where the next read starts: pass it back to get only what came after. */
  readonly cursor: string;
  /**
   * Characters between the cursor given (without one: the task's first character) and this output
   * that this read passed over: no longer kept, or, without a cursor, older than the tail it returns.
   */
  readonly skippedChars: number;
  /** Whether more output is already kept after this read (it stopped at `OUTPUT_READ_CHARS`). */
  readonly moreOutput: boolean;
}

interface Kept {
  text: string;
  /** The offset of `text[0]` in the task's whole output. */
  start: number;
}

const CURSOR = /^(\d{1,15})\.[A-Za-z0-9_-]{43}$/;
/** Trimming waits for a quarter of the window's slack, so a burst of small chunks does not copy the window each time. */
const TRIM_AT = OUTPUT_TAIL_CHARS + OUTPUT_TAIL_CHARS / 4;

export class TaskOutputs {
  private readonly kept = new Map<string, Kept>();
  private readonly key = randomBytes(32);

  append(taskId: string, chunk: string): void {
    if (!chunk) return;
    const kept = this.kept.get(taskId);
    if (!kept) {
      const start = Math.max(0, chunk.length - OUTPUT_TAIL_CHARS);
      this.kept.set(taskId, { text: chunk.slice(start), start });
      return;
    }
    kept.text += chunk;
    if (kept.text.length > TRIM_AT) {
      const drop = kept.text.length - OUTPUT_TAIL_CHARS;
      kept.text = kept.text.slice(drop);
      kept.start += drop;
    }
  }

  forget(taskId: string): void {
    this.kept.delete(taskId);
  }

  /**
   * Output after `cursor`, at most `OUTPUT_READ_CHARS`. Without a cursor: the last
   * `OUTPUT_READ_CHARS` kept, like `tail`. `InvalidTaskCursorError` for a cursor this object did
   * not issue to `owner` for `taskId`.
   */
  read(owner: string, taskId: string, cursor?: string): OutputRead {
    const kept = this.kept.get(taskId) ?? { text: '', start: 0 };
    const end = kept.start + kept.text.length;
    const from = cursor === undefined ? Math.max(kept.start, end - OUTPUT_READ_CHARS) : this.offsetOf(owner, taskId, cursor);
    if (from > end) throw new InvalidTaskCursorError();
    const begin = Math.max(from, kept.start);
    const stop = Math.min(end, begin + OUTPUT_READ_CHARS);
    return {
      output: kept.text.slice(begin - kept.start, stop - kept.start),
      cursor: this.issue(owner, taskId, stop),
      skippedChars: begin - (cursor === undefined ? 0 : from),
      moreOutput: stop < end,
    };
  }

  get size(): number {
    return this.kept.size;
  }

  private issue(owner: string, taskId: string, offset: number): string {
    const mac = createHmac('sha256', this.key)
      .update(JSON.stringify([owner, taskId, offset]))
      .digest('base64url');
    return `${offset}.${mac}`;
  }

  private offsetOf(owner: string, taskId: string, cursor: string): number {
    const match = CURSOR.exec(cursor);
    if (!match) throw new InvalidTaskCursorError();
    const offset = Number(match[1]);
    // The whole text is compared, not the decoded MAC: base64 has spare bits, so another spelling could decode to the same bytes.
    const expected = Buffer.from(this.issue(owner, taskId, offset));
    const given = Buffer.from(cursor);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidTaskCursorError();
    return offset;
  }
}
