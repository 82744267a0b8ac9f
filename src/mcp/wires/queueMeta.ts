import { META } from '../../core/meta';
import type { EngineTask } from '../engine/engineTask';
import { agentMeta } from './agentMeta';
import { stepsMeta } from './stepsMeta';

/**
 * A waiting task's place in the scheduler, as `_meta` entries. The `Task` object has no `_meta`
 * on either wire, so this rides on whatever encloses the task: the creation, get and cancel
 * results and the status notifications (never a `tasks/list` item, where it would be off-schema).
 * Clients that do not know the key ignore it; ours set or clear the record's `queue` from it.
 */
export function queueMeta(task: EngineTask): Record<string, unknown> {
  return task.queue ? { [META.queue]: { position: task.queue.position, size: task.queue.size } } : {};
}

/** The queue place a Tasklane server put in a result's or notification's `_meta`, if any. */
export function queuePlaceFromMeta(meta: unknown): { position: number; size: number } | undefined {
  if (typeof meta !== 'object' || meta === null) return undefined;
  const place = (meta as Record<string, unknown>)[META.queue] as { position?: unknown; size?: unknown } | undefined;
  const position = place?.position;
  const size = place?.size;
  if (!Number.isInteger(position) || !Number.isInteger(size) || (position as number) < 1 || (size as number) < (position as number)) return undefined;
  return { position: position as number, size: size as number };
}

/** `{ _meta }` with the queue place, the work's steps (stepsMeta.ts) and its owner and machine (agentMeta.ts), or nothing when the task has none of them. */
export function withQueueMeta(task: EngineTask, meta: Record<string, unknown> = {}): { _meta?: Record<string, unknown> } {
  const merged = { ...meta, ...queueMeta(task), ...stepsMeta(task), ...agentMeta(task) };
  return Object.keys(merged).length > 0 ? { _meta: merged } : {};
}
