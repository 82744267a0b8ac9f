/**
 * The nested values of a snapshot record that recur from task to task (status, strings in the
 * arguments, tags, context and agent, timeline entries), checked as `TaskRecordSchema` checks them
 * and read with one table of the short strings seen so far, so the records one snapshot holds
 * share them. The record walk that calls these is snapshotRecord.ts's; the checks that share
 * nothing are snapshotFields.ts's.
 */
import { EMPTY_OBJECT, REJECTED, date, emptyList, keyCount, object, pick, str } from './snapshotFields';
import type { TaskRecord, TimelineEntry } from './taskRecord';
import { TASK_STATUSES, type TaskStatus } from './taskStatus';

/** Strings no longer than this are shared between the records one table reads. */
const SHARED_STRING_MAX = 64;

/** One snapshot's table of shared strings and the nested values read with it; drop it once the snapshot is read. */
export class SharedValues {
  private readonly strings = new Map<string, string>();

  /** The one string this table holds equal to `value` (a long string is left as it is). */
  share(value: string): string {
    if (value.length > SHARED_STRING_MAX) return value;
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }

  status(value: unknown): TaskStatus {
    // The schema's own list: a match is both the check and the one string every record shares.
    const index = (TASK_STATUSES as readonly unknown[]).indexOf(value);
    if (index < 0) throw REJECTED;
    return TASK_STATUSES[index];
  }

  /** A tool's arguments: their short top-level strings (a working directory, a command) recur from task to task. */
  args(value: Record<string, unknown>): Record<string, unknown> {
    let empty = true;
    for (const key in value) {
      empty = false;
      const item = value[key];
      if (typeof item === 'string' && item.length <= SHARED_STRING_MAX) value[key] = this.share(item);
    }
    return empty ? EMPTY_OBJECT : value;
  }

  tags(value: unknown): string[] {
    if (!Array.isArray(value)) throw REJECTED;
    if (value.length === 0) return emptyList();
    for (let i = 0; i < value.length; i++) value[i] = this.share(str(value[i]));
    return value as string[];
  }

  context(value: unknown): TaskRecord['context'] {
    const v = object(value) as TaskRecord['context'];
    let fields = 0;
    if (v.workspace !== undefined) {
      v.workspace = this.share(str(v.workspace));
      fields++;
    }
    if (v.cwd !== undefined) {
      v.cwd = this.share(str(v.cwd));
      fields++;
    }
    if (v.agent !== undefined) {
      v.agent = this.agent(v.agent);
      fields++;
    }
    if (fields === 0 && keyCount(v) === 0) return EMPTY_OBJECT;
    return fields === keyCount(v) ? v : pick(v, ['workspace', 'cwd', 'agent']);
  }

  private agent(value: unknown): NonNullable<TaskRecord['context']['agent']> {
    const a = object(value) as NonNullable<TaskRecord['context']['agent']>;
    let fields = 1;
    a.name = this.share(str(a.name));
    if (a.id !== undefined) {
      a.id = this.share(str(a.id));
      fields++;
    }
    if (a.client !== undefined) {
      const c = object(a.client) as NonNullable<typeof a.client>;
      c.name = this.share(str(c.name));
      if (c.version !== undefined) c.version = this.share(str(c.version));
      if (keyCount(c) !== (c.version !== undefined ? 2 : 1)) a.client = pick(c, ['name', 'version']);
      fields++;
    }
    if (a.version !== undefined) {
      a.version = this.share(str(a.version));
      fields++;
    }
    if (a.connection !== undefined) {
      a.connection = this.share(str(a.connection));
      fields++;
    }
    if (a.machine !== undefined) {
      a.machine = this.share(str(a.machine));
      fields++;
    }
    return fields === keyCount(a) ? a : pick(a, ['name', 'id', 'client', 'version', 'connection', 'machine']);
  }

  timeline(value: unknown, createdAt: string, lastUpdatedAt: string): TimelineEntry[] {
    if (!Array.isArray(value)) throw REJECTED;
    if (value.length === 0) return emptyList();
    let previous = createdAt;
    for (let i = 0; i < value.length; i++) {
      const e = object(value[i]) as TimelineEntry;
      // Most entries fall on the record's own timestamps or the entry before: one string for all of them.
      const at = e.at === createdAt ? createdAt : e.at === lastUpdatedAt ? lastUpdatedAt : e.at === previous ? previous : date(e.at);
      e.at = at;
      let fields = 1;
      if (e.status !== undefined) {
        e.status = this.status(e.status);
        fields++;
      }
      if (e.message !== undefined) {
        e.message = this.share(str(e.message));
        fields++;
      }
      if (fields !== keyCount(e)) value[i] = pick(e, ['at', 'status', 'message']);
      previous = at;
    }
    return value as TimelineEntry[];
  }
}
