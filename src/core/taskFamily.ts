import type { TaskRecord } from './taskRecord';

/**
 * Every task started on behalf of `id`, directly or through its children, nearest first
 * (children, then grandchildren). Follows `parentId` links; a cycle ends the walk.
 */
export function descendantsOf(records: Iterable<TaskRecord>, id: string): TaskRecord[] {
  const byParent = new Map<string, TaskRecord[]>();
  for (const record of records) {
    if (record.parentId === undefined) continue;
    const siblings = byParent.get(record.parentId);
    if (siblings) siblings.push(record);
    else byParent.set(record.parentId, [record]);
  }
  const found: TaskRecord[] = [];
  const seen = new Set([id]);
  let level = [id];
  while (level.length > 0) {
    const next: string[] = [];
    for (const parent of level) {
      for (const child of byParent.get(parent) ?? []) {
        if (seen.has(child.id)) continue;
        seen.add(child.id);
        found.push(child);
        next.push(child.id);
      }
    }
    level = next;
  }
  return found;
}
