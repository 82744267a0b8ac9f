import { taskSnapshotOf } from './taskSnapshot';
import { type WireCheck, isV1 } from './wireCheck';

/** ISO 8601 date and time with a zone, as `Date.prototype.toISOString` and RFC 3339 write it. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export function isIso8601(value: unknown): boolean {
  return typeof value === 'string' && ISO_8601.test(value) && !Number.isNaN(Date.parse(value));
}

/**
 * Every task a server returns carries `createdAt` and `lastUpdatedAt` in ISO 8601 (2025-11-25:
 * T-S-08; the extension's `CreateTaskResult`: T-S-29).
 */
export const checkTaskTimestamps: WireCheck = (checked) => {
  const snapshot = taskSnapshotOf(checked);
  if (!snapshot) return undefined;
  if (!isV1(checked) && !snapshot.created) return undefined;
  const wrong = (['createdAt', 'lastUpdatedAt'] as const).filter((field) => !isIso8601(snapshot.task[field]));
  if (wrong.length === 0) return undefined;
  const shown = wrong
    .map((field) => `\`${field}\` ${snapshot.task[field] === undefined ? 'is missing' : `is ${JSON.stringify(snapshot.task[field])}`}`)
    .join(', ');
  return { rule: isV1(checked) ? 'T-S-08' : 'T-S-29', text: `${shown}: task timestamps must be ISO 8601 (e.g. 2025-11-25T10:30:00Z).` };
};
