import { META } from '../../core/meta';
import { type TaskStep, readSteps } from '../../core/taskSteps';
import type { EngineTask } from '../engine/engineTask';

/**
 * The steps of a task's work, as a `_meta` entry. Like the queue place (queueMeta.ts) it rides on
 * whatever encloses the task, on both wires: the creation, get and cancel results and the status
 * notifications, never a `tasks/list` item. The whole list is sent each time (it is bounded), so a
 * follower that missed an update loses nothing. Clients that do not know the key ignore it; ours
 * copy it into the record's `steps`.
 */
export function stepsMeta(task: EngineTask): Record<string, unknown> {
  return task.steps ? { [META.steps]: task.steps } : {};
}

/**
 * The steps a server put in a result's or notification's `_meta`, checked and bounded; undefined
 * when it sent none (which leaves the record's steps as they were: a `tasks/get` from a server
 * that stopped reporting them does not erase what was seen).
 */
export function stepsFromMeta(meta: unknown): TaskStep[] | undefined {
  if (typeof meta !== 'object' || meta === null) return undefined;
  return readSteps((meta as Record<string, unknown>)[META.steps]);
}
