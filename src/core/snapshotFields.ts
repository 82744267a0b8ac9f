/**
 * The rules of `TaskRecordSchema`'s fields as plain checks, for the snapshot reader
 * (snapshotRecord.ts): each returns the value it was given (or the shared empty, or a copy without
 * fields the schema does not know) and throws `REJECTED` at the first thing the schema would reject.
 * They work on freshly parsed JSON and may keep it.
 */
import { isValidPriority, type TaskRecord } from './taskRecord';
import { TaskStepsSchema } from './taskSteps';

export const EMPTY_OBJECT: Readonly<Record<string, never>> = Object.freeze({});
const EMPTY_LIST: readonly never[] = Object.freeze([]);

/** The one empty list every record read without one shares (frozen: records are never changed in place). */
export function emptyList<T>(): T[] {
  return EMPTY_LIST as unknown as T[];
}

export function pick<T extends object>(value: T, keys: readonly (keyof T)[]): T {
  const out = {} as T;
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

/** How many fields `value` has: parsed JSON inherits none, and counting allocates nothing (a record's open makes no garbage per record). */
export function keyCount(value: object): number {
  let n = 0;
  for (const _field in value) n++;
  return n;
}

export class Rejected {}
/** Thrown (never seen outside `decode`) at the first field the schema would reject. */
export const REJECTED = new Rejected();

export function object(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw REJECTED;
  return value as Record<string, unknown>;
}

/** `z.record(z.string(), z.unknown())`: a plain object; its values are the caller's. */
export function plainRecord(value: unknown): Record<string, unknown> {
  const v = object(value);
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) throw REJECTED;
  return v;
}

export function orEmpty<T extends object>(value: T): T {
  return keyCount(value) === 0 ? (EMPTY_OBJECT as T) : value;
}

export function str(value: unknown): string {
  if (typeof value !== 'string') throw REJECTED;
  return value;
}

export function nonEmpty(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw REJECTED;
  return value;
}

export function bool(value: unknown): boolean {
  if (typeof value !== 'boolean') throw REJECTED;
  return value;
}

export function num(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw REJECTED;
  return value;
}

export function int(value: unknown): number {
  if (!Number.isSafeInteger(value)) throw REJECTED;
  return value as number;
}

export function positiveInt(value: unknown): number {
  const n = int(value);
  if (n <= 0) throw REJECTED;
  return n;
}

export function priority(value: unknown): number {
  if (!isValidPriority(num(value))) throw REJECTED;
  return value as number;
}

/** The schema's `isoDate`: any string `Date.parse` reads. */
export function date(value: unknown): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw REJECTED;
  return value;
}

export function resourceLimits(value: unknown): TaskRecord['resourceLimits'] {
  const v = object(value) as TaskRecord['resourceLimits'];
  let fields = 0;
  if (v.timeBudgetMs !== undefined) {
    positiveInt(v.timeBudgetMs);
    fields++;
  }
  if (v.maxOutputBytes !== undefined) {
    positiveInt(v.maxOutputBytes);
    fields++;
  }
  if (fields === 0 && keyCount(v) === 0) return EMPTY_OBJECT;
  return fields === keyCount(v) ? v : pick(v, ['timeBudgetMs', 'maxOutputBytes']);
}

export function scheduling(value: unknown): TaskRecord['scheduling'] {
  const v = object(value) as TaskRecord['scheduling'];
  let fields = 0;
  if (v.runAfter !== undefined) {
    date(v.runAfter);
    fields++;
  }
  if (v.afterTaskId !== undefined) {
    str(v.afterTaskId);
    fields++;
  }
  if (fields === 0 && keyCount(v) === 0) return EMPTY_OBJECT;
  return fields === keyCount(v) ? v : pick(v, ['runAfter', 'afterTaskId']);
}

export function startIntent(value: unknown): NonNullable<TaskRecord['startIntent']> {
  const v = object(value) as NonNullable<TaskRecord['startIntent']>;
  date(v.at);
  return keyCount(v) === 1 ? v : { at: v.at };
}

export function pendingInput(value: unknown): TaskRecord['pendingInput'] {
  if (!Array.isArray(value)) throw REJECTED;
  if (value.length === 0) return emptyList();
  for (let i = 0; i < value.length; i++) {
    const v = object(value[i]) as TaskRecord['pendingInput'][number];
    str(v.key);
    str(v.method);
    plainRecord(v.params);
    date(v.at);
    if (keyCount(v) !== 4) value[i] = pick(v, ['key', 'method', 'params', 'at']);
  }
  return value as TaskRecord['pendingInput'];
}

export function rpcError(value: unknown): NonNullable<TaskRecord['error']> {
  const v = object(value) as NonNullable<TaskRecord['error']>;
  int(v.code);
  str(v.message);
  return keyCount(v) === (v.data !== undefined ? 3 : 2) ? v : pick(v, ['code', 'message', 'data']);
}

export function queue(value: unknown): NonNullable<TaskRecord['queue']> {
  const v = object(value) as NonNullable<TaskRecord['queue']>;
  positiveInt(v.position);
  positiveInt(v.size);
  return keyCount(v) === 2 ? v : { position: v.position, size: v.size };
}

export function resultFile(value: unknown): NonNullable<TaskRecord['resultFile']> {
  const v = object(value) as NonNullable<TaskRecord['resultFile']>;
  int(v.bytes);
  if (v.bytes < 0) throw REJECTED;
  str(v.preview);
  return keyCount(v) === 2 ? v : { bytes: v.bytes, preview: v.preview };
}

/** The step list, checked by its own schema: rare, and its rules live next to the type (taskSteps.ts). */
export function steps(value: unknown): NonNullable<TaskRecord['steps']> {
  const parsed = TaskStepsSchema.safeParse(value);
  if (!parsed.success) throw REJECTED;
  return parsed.data;
}
