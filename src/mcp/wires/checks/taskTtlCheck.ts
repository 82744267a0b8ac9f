import { taskSnapshotOf } from './taskSnapshot';
import { type WireCheck, isV1 } from './wireCheck';

/**
 * A task must say how long it is kept. 2025-11-25: `ttl`, a number or `null` for unlimited, in
 * every task a receiver returns (T-S-09 names `tasks/get`; the schema requires it everywhere).
 * The extension: `ttlMs` in the `CreateTaskResult` (T-S-29).
 */
export const checkTaskTtl: WireCheck = (checked) => {
  const snapshot = taskSnapshotOf(checked);
  if (!snapshot) return undefined;
  if (isV1(checked)) {
    const ttl = snapshot.task.ttl;
    if (ttl === null || typeof ttl === 'number') return undefined;
    return {
      rule: 'T-S-09',
      text: `The task has ${ttl === undefined ? 'no `ttl`' : `a \`ttl\` of ${JSON.stringify(ttl)}`}: it must be the granted TTL in ms, or null for unlimited.`,
    };
  }
  if (!snapshot.created) return undefined;
  const ttlMs = snapshot.task.ttlMs;
  if (ttlMs === null || typeof ttlMs === 'number') return undefined;
  return { rule: 'T-S-29', text: 'The CreateTaskResult has no `ttlMs`: it must carry the granted TTL in ms (or null for unlimited).' };
};
