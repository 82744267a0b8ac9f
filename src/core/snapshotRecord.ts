/**
 * A task record as the store's snapshot keeps it, and back. Written: the record as JSON, as every
 * version writes it. Read: one pass that checks every field exactly as `TaskRecordSchema` does and
 * keeps the parsed object itself as the record (no second copy), with its empty lists and objects
 * replaced by shared frozen ones and its repeated short strings (status, server, tool, messages,
 * timestamps) shared between records, so an idle record costs little memory and a large store
 * opens fast. Fields the schema does not know are dropped, as the schema drops them.
 *
 * `test/unit/core/snapshotRecord.test.ts` holds this check to the schema, field by field: a field
 * added to `TaskRecordSchema` fails that test until it is read here too.
 */
import {
  EMPTY_OBJECT,
  REJECTED,
  Rejected,
  bool,
  date,
  emptyList,
  keyCount,
  nonEmpty,
  num,
  object,
  orEmpty,
  pendingInput,
  pick,
  plainRecord,
  positiveInt,
  priority,
  queue,
  resultFile,
  resourceLimits,
  rpcError,
  scheduling,
  startIntent,
  str,
} from './snapshotFields';
import type { TaskRecord, TimelineEntry } from './taskRecord';
import { TASK_STATUSES, type TaskStatus } from './taskStatus';

/** Every field of a record, as `TaskRecordSchema` names them. */
export const RECORD_FIELDS = [
  'serverId',
  'tool',
  'arguments',
  'intent',
  'expectedOutputs',
  'context',
  'priority',
  'resourceLimits',
  'scheduling',
  'tags',
  'ttl',
  'meta',
  'parentId',
  'id',
  'taskId',
  'startIntent',
  'wire',
  'status',
  'statusMessage',
  'createdAt',
  'lastUpdatedAt',
  'grantedTtl',
  'pollInterval',
  'attempt',
  'retryOf',
  'retriedAs',
  'result',
  'resultFile',
  'error',
  'output',
  'pendingInput',
  'timeline',
  'expired',
  'archived',
  'archivedAt',
  'pinned',
  'imported',
  'queue',
] as const satisfies readonly (keyof TaskRecord)[];
const KNOWN_FIELDS: ReadonlySet<string> = new Set(RECORD_FIELDS);

/** Strings no longer than this are shared between the records one decoder reads. */
const SHARED_STRING_MAX = 64;

/**
 * Reads the records of one snapshot. It keeps one table of the short strings it has seen, so
 * records read by the same decoder share them; drop the decoder once the snapshot is read.
 */
export class SnapshotDecoder {
  private readonly strings = new Map<string, string>();

  /**
   * The record a snapshot line holds, or undefined when `TaskRecordSchema` would reject it. `value`
   * is the line's freshly parsed JSON: it becomes the record (or part of it), so nothing else may hold it.
   */
  decode(value: unknown): TaskRecord | undefined {
    try {
      return this.read(value);
    } catch (error) {
      if (error instanceof Rejected) return undefined;
      throw error;
    }
  }

  private read(value: unknown): TaskRecord {
    const v = object(value) as Record<string, unknown> & TaskRecord;
    const present = keyCount(v);
    let fields = 0;
    // Required, or defaulted by the schema.
    nonEmpty(v.id);
    v.serverId = this.share(nonEmpty(v.serverId));
    v.tool = this.share(nonEmpty(v.tool));
    v.status = this.status(v.status);
    date(v.createdAt);
    date(v.lastUpdatedAt);
    fields += 6;
    if (v.arguments === undefined) v.arguments = EMPTY_OBJECT;
    else {
      v.arguments = this.args(plainRecord(v.arguments));
      fields++;
    }
    if (v.context === undefined) v.context = EMPTY_OBJECT;
    else {
      v.context = this.context(v.context);
      fields++;
    }
    if (v.resourceLimits === undefined) v.resourceLimits = EMPTY_OBJECT;
    else {
      v.resourceLimits = resourceLimits(v.resourceLimits);
      fields++;
    }
    if (v.scheduling === undefined) v.scheduling = EMPTY_OBJECT;
    else {
      v.scheduling = scheduling(v.scheduling);
      fields++;
    }
    if (v.meta === undefined) v.meta = EMPTY_OBJECT;
    else {
      v.meta = orEmpty(plainRecord(v.meta));
      fields++;
    }
    if (v.tags === undefined) v.tags = emptyList();
    else {
      v.tags = this.tags(v.tags);
      fields++;
    }
    if (v.pendingInput === undefined) v.pendingInput = emptyList();
    else {
      v.pendingInput = pendingInput(v.pendingInput);
      fields++;
    }
    if (v.timeline === undefined) v.timeline = emptyList();
    else {
      v.timeline = this.timeline(v.timeline, v.createdAt, v.lastUpdatedAt);
      fields++;
    }
    if (v.attempt === undefined) v.attempt = 1;
    else {
      positiveInt(v.attempt);
      fields++;
    }
    if (v.expired === undefined) v.expired = false;
    else {
      bool(v.expired);
      fields++;
    }
    if (v.archived === undefined) v.archived = false;
    else {
      bool(v.archived);
      fields++;
    }
    if (v.pinned === undefined) v.pinned = false;
    else {
      bool(v.pinned);
      fields++;
    }
    if (v.imported === undefined) v.imported = false;
    else {
      bool(v.imported);
      fields++;
    }
    // Optional.
    if (v.intent !== undefined) {
      str(v.intent);
      fields++;
    }
    if (v.expectedOutputs !== undefined) {
      str(v.expectedOutputs);
      fields++;
    }
    if (v.priority !== undefined) {
      priority(v.priority);
      fields++;
    }
    if (v.ttl !== undefined) {
      positiveInt(v.ttl);
      fields++;
    }
    if (v.parentId !== undefined) {
      str(v.parentId);
      fields++;
    }
    if (v.taskId !== undefined) {
      str(v.taskId);
      fields++;
    }
    if (v.startIntent !== undefined) {
      v.startIntent = startIntent(v.startIntent);
      fields++;
    }
    if (v.wire !== undefined) {
      v.wire = this.share(str(v.wire));
      fields++;
    }
    if (v.statusMessage !== undefined) {
      v.statusMessage = this.share(str(v.statusMessage));
      fields++;
    }
    if (v.grantedTtl !== undefined) {
      if (v.grantedTtl !== null) num(v.grantedTtl);
      fields++;
    }
    if (v.pollInterval !== undefined) {
      num(v.pollInterval);
      fields++;
    }
    if (v.retryOf !== undefined) {
      str(v.retryOf);
      fields++;
    }
    if (v.retriedAs !== undefined) {
      str(v.retriedAs);
      fields++;
    }
    if (v.result !== undefined) fields++;
    if (v.resultFile !== undefined) {
      v.resultFile = resultFile(v.resultFile);
      fields++;
    }
    if (v.error !== undefined) {
      v.error = rpcError(v.error);
      fields++;
    }
    if (v.output !== undefined) {
      str(v.output);
      fields++;
    }
    if (v.archivedAt !== undefined) {
      date(v.archivedAt);
      fields++;
    }
    if (v.queue !== undefined) {
      v.queue = queue(v.queue);
      fields++;
    }
    // A field the schema does not know makes a copy without it: rare (a hand edit, a later version's field).
    return fields === present ? v : known(v);
  }

  private share(value: string): string {
    if (value.length > SHARED_STRING_MAX) return value;
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }

  private status(value: unknown): TaskStatus {
    // The schema's own list: a match is both the check and the one string every record shares.
    const index = (TASK_STATUSES as readonly unknown[]).indexOf(value);
    if (index < 0) throw REJECTED;
    return TASK_STATUSES[index];
  }

  /** A tool's arguments: their short top-level strings (a working directory, a command) recur from task to task. */
  private args(value: Record<string, unknown>): Record<string, unknown> {
    let empty = true;
    for (const key in value) {
      empty = false;
      const item = value[key];
      if (typeof item === 'string' && item.length <= SHARED_STRING_MAX) value[key] = this.share(item);
    }
    return empty ? EMPTY_OBJECT : value;
  }

  private tags(value: unknown): string[] {
    if (!Array.isArray(value)) throw REJECTED;
    if (value.length === 0) return emptyList();
    for (let i = 0; i < value.length; i++) value[i] = this.share(str(value[i]));
    return value as string[];
  }

  private context(value: unknown): TaskRecord['context'] {
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
    return fields === keyCount(a) ? a : pick(a, ['name', 'id', 'client', 'version', 'connection']);
  }

  private timeline(value: unknown, createdAt: string, lastUpdatedAt: string): TimelineEntry[] {
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

/** The record with only the fields the schema knows (what the schema returns for an object with others). */
function known(record: TaskRecord): TaskRecord {
  const out: Record<string, unknown> = {};
  for (const key in record) if (KNOWN_FIELDS.has(key)) out[key] = (record as unknown as Record<string, unknown>)[key];
  return out as unknown as TaskRecord;
}
