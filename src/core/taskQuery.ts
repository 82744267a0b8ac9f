import type { TaskRecord } from './taskRecord';
import type { TaskStatus } from './taskStatus';

export interface TaskQuery {
  readonly status?: readonly TaskStatus[];
  readonly serverId?: string;
  readonly tool?: string;
  /** Case-insensitive text matched against tool, intent, status message, arguments and tags. */
  readonly text?: string;
  /** Archived tasks are left out unless asked for (`true`: only archived; `'any'`: both). */
  readonly archived?: boolean | 'any';
  readonly limit?: number;
  /** Opaque: pass back exactly what `nextCursor` returned. */
  readonly cursor?: string;
}

export interface TaskPage {
  readonly items: readonly TaskRecord[];
  readonly nextCursor?: string;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('Invalid cursor: pass back the nextCursor of a previous page unchanged');
  }
}

interface CursorPosition {
  readonly createdAt: string;
  readonly id: string;
}

/**
 * Filters `newestFirst` records and returns one page. The cursor names the last item returned
 * (keyset pagination), so pages stay correct while tasks are added or removed between calls.
 */
export function runQuery(newestFirst: readonly TaskRecord[], query: TaskQuery): TaskPage {
  const limit = Math.min(Math.max(1, Math.floor(Number.isNaN(query.limit) ? DEFAULT_PAGE_SIZE : (query.limit ?? DEFAULT_PAGE_SIZE))), MAX_PAGE_SIZE);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const matches = matcher(query);
  const items: TaskRecord[] = [];
  let start = 0;
  if (after) start = firstIndexAfter(newestFirst, after);
  for (let i = start; i < newestFirst.length; i++) {
    const record = newestFirst[i];
    if (!matches(record)) continue;
    if (items.length === limit) {
      const last = items[items.length - 1];
      return { items, nextCursor: encodeCursor({ createdAt: last.createdAt, id: last.id }) };
    }
    items.push(record);
  }
  return { items };
}

function matcher(query: TaskQuery): (record: TaskRecord) => boolean {
  const statuses = query.status && query.status.length > 0 ? new Set(query.status) : undefined;
  const archived = query.archived ?? false;
  const needle = query.text?.trim().toLowerCase();
  return (record) => {
    if (archived !== 'any' && record.archived !== archived) return false;
    if (statuses && !statuses.has(record.status)) return false;
    if (query.serverId !== undefined && record.serverId !== query.serverId) return false;
    if (query.tool !== undefined && record.tool !== query.tool) return false;
    if (needle && !searchableText(record).includes(needle)) return false;
    return true;
  };
}

function searchableText(record: TaskRecord): string {
  return [record.tool, record.intent ?? '', record.statusMessage ?? '', record.tags.join(' '), record.taskId ?? '', record.id, JSON.stringify(record.arguments)]
    .join('\n')
    .toLowerCase();
}

/** Binary search: the first record strictly after the cursor in newest-first order. */
function firstIndexAfter(records: readonly TaskRecord[], after: CursorPosition): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (comesAfter(records[mid], after)) high = mid;
    else low = mid + 1;
  }
  return low;
}

function comesAfter(record: TaskRecord, position: CursorPosition): boolean {
  if (record.createdAt !== position.createdAt) return record.createdAt < position.createdAt;
  return record.id < position.id;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && !Number.isNaN(Date.parse(value[0]))) {
      const position = { createdAt: value[0], id: value[1] };
      // Base64 decoding skips stray characters; only the exact bytes we issued are a valid cursor.
      if (encodeCursor(position) === cursor) return position;
    }
  } catch {
    // fall through to the error below
  }
  throw new InvalidCursorError();
}
