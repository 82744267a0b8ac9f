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
  plainRecord,
  positiveInt,
  priority,
  queue,
  resultFile,
  resourceLimits,
  rpcError,
  scheduling,
  startIntent,
  steps,
  str,
} from './snapshotFields';
import type { z } from 'zod';
import { RetryDueSchema, RetryPolicySchema } from './retryPolicy';
import { SharedValues } from './snapshotValues';
import type { TaskRecord } from './taskRecord';

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
  'scheduleId',
  'retry',
  'retryReason',
  'retryDue',
  'steps',
  'teamListed',
] as const satisfies readonly (keyof TaskRecord)[];
const KNOWN_FIELDS: ReadonlySet<string> = new Set(RECORD_FIELDS);

/**
 * Reads the records of one snapshot. It keeps one table of the short strings it has seen, so
 * records read by the same decoder share them; drop the decoder once the snapshot is read.
 */
export class SnapshotDecoder {
  private readonly values = new SharedValues();

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
    v.serverId = this.values.share(nonEmpty(v.serverId));
    v.tool = this.values.share(nonEmpty(v.tool));
    v.status = this.values.status(v.status);
    date(v.createdAt);
    date(v.lastUpdatedAt);
    fields += 6;
    if (v.arguments === undefined) v.arguments = EMPTY_OBJECT;
    else {
      v.arguments = this.values.args(plainRecord(v.arguments));
      fields++;
    }
    if (v.context === undefined) v.context = EMPTY_OBJECT;
    else {
      v.context = this.values.context(v.context);
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
      v.tags = this.values.tags(v.tags);
      fields++;
    }
    if (v.pendingInput === undefined) v.pendingInput = emptyList();
    else {
      v.pendingInput = pendingInput(v.pendingInput);
      fields++;
    }
    if (v.timeline === undefined) v.timeline = emptyList();
    else {
      v.timeline = this.values.timeline(v.timeline, v.createdAt, v.lastUpdatedAt);
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
      v.wire = this.values.share(str(v.wire));
      fields++;
    }
    if (v.statusMessage !== undefined) {
      v.statusMessage = this.values.share(str(v.statusMessage));
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
    if (v.scheduleId !== undefined) {
      str(v.scheduleId);
      fields++;
    }
    // Rare fields: read by their own schemas, which keeps them exactly as strict as the record's.
    if (v.retry !== undefined) {
      v.retry = bySchema(RetryPolicySchema, v.retry);
      fields++;
    }
    if (v.retryReason !== undefined) {
      str(v.retryReason);
      fields++;
    }
    if (v.retryDue !== undefined) {
      v.retryDue = bySchema(RetryDueSchema, v.retryDue);
      fields++;
    }
    if (v.steps !== undefined) {
      v.steps = steps(v.steps);
      fields++;
    }
    if (v.teamListed !== undefined) {
      bool(v.teamListed);
      fields++;
    }
    // A field the schema does not know makes a copy without it: rare (a hand edit, a later version's field).
    return fields === present ? v : known(v);
  }
}

function bySchema<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw REJECTED;
  return parsed.data;
}

/** The record with only the fields the schema knows (what the schema returns for an object with others). */
function known(record: TaskRecord): TaskRecord {
  const out: Record<string, unknown> = {};
  for (const key in record) if (KNOWN_FIELDS.has(key)) out[key] = (record as unknown as Record<string, unknown>)[key];
  return out as unknown as TaskRecord;
}
