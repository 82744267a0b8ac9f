/**
 * The opaque cursor of the engine's task list (`tasks/list` on the 2025-11-25 wire): the creation
 * sequence of the last task on a page. Only a cursor we issued, byte for byte, is accepted.
 */
import { InvalidTaskCursorError } from './engineErrors';

export function encodeListCursor(sequence: number): string {
  return Buffer.from(`tl:${sequence}`).toString('base64url');
}

/** The sequence a cursor names; `InvalidTaskCursorError` for anything else. */
export function decodeListCursor(cursor: string): number {
  const match = /^tl:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || encodeListCursor(Number(match[1])) !== cursor) throw new InvalidTaskCursorError();
  return Number(match[1]);
}
