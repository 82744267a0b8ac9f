/**
 * The opaque cursors of the engine's task list (`tasks/list` on the 2025-11-25 wire): the creation
 * sequence of the last task on a page, signed with HMAC-SHA-256 under a key that lives only in this
 * object. Each engine has its own, so a cursor is good only on the engine that issued it, for the
 * owner it was issued to, byte for byte: an edited, guessed or foreign cursor is refused.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidTaskCursorError } from './engineErrors';

const CURSOR = /^(\d{1,15})\.[A-Za-z0-9_-]{43}$/;

export class ListCursors {
  private readonly key = randomBytes(32);

  issue(owner: string, sequence: number): string {
    const mac = createHmac('sha256', this.key).update(`${owner}\n${sequence}`).digest('base64url');
    return `${sequence}.${mac}`;
  }

  /** The sequence a cursor names; `InvalidTaskCursorError` for anything this object did not issue to `owner`. */
  read(owner: string, cursor: string): number {
    const match = CURSOR.exec(cursor);
    if (!match) throw new InvalidTaskCursorError();
    const sequence = Number(match[1]);
    // The whole text is compared, not the decoded MAC: base64 has spare bits, so another spelling could decode to the same bytes.
    const expected = Buffer.from(this.issue(owner, sequence));
    const given = Buffer.from(cursor);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidTaskCursorError();
    return sequence;
  }
}
