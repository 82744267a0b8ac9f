import { META } from '../../core/meta';
import type { EngineTask } from '../engine/engineTask';

/**
 * The call that made a task, as a `_meta` entry of a team server's `tasks/list` item:
 * `{ tool, arguments? }`. A 2025-11-25 `Task` names neither, and a board that lists the team's
 * tasks keeps a record of each (the editor's team board): with this it shows what runs and can
 * start the same work as its own. Sent only where `dev.tasklane/agent` is (engines that record a
 * machine: team servers), so a list stays as small as it was everywhere else.
 */
export function callMeta(task: EngineTask): Record<string, unknown> {
  if (task.machine === undefined) return {};
  return { [META.call]: { tool: task.tool, ...(task.arguments ? { arguments: task.arguments } : {}) } };
}

/** The listed call a server put in an item's `_meta`, checked; undefined when it sent none (or a malformed one). */
export function callFromMeta(meta: unknown): ListedCall | undefined {
  if (typeof meta !== 'object' || meta === null) return undefined;
  const value = (meta as Record<string, unknown>)[META.call] as { tool?: unknown; arguments?: unknown } | undefined;
  if (typeof value?.tool !== 'string' || value.tool === '') return undefined;
  const args = value.arguments;
  const isRecord = typeof args === 'object' && args !== null && !Array.isArray(args);
  return { tool: value.tool, ...(isRecord ? { arguments: args as Record<string, unknown> } : {}) };
}

export interface ListedCall {
  readonly tool: string;
  readonly arguments?: Readonly<Record<string, unknown>>;
}
