import { type Agent, ClientInfoSchema } from '../../core/taskRecord';
import { META } from '../../core/meta';
import { type EngineTask, UNKNOWN_CLIENT } from '../engine/engineTask';

/**
 * Who a task is for and where it runs, as a `_meta` entry: `{ name, client?, machine }`, the
 * owning principal, the client it was started with, and the host of the instance that runs it.
 * Only engines that record a machine (team servers) send it, on both wires and on everything that
 * carries a task: the creation, get and cancel results, the status notifications, the 2026-07-28
 * task objects and each `tasks/list` item. A board sees the whole team's tasks; this is what lets
 * its client group them by person and by machine. Our clients copy it into `context.agent`.
 */
export function agentMeta(task: EngineTask): Record<string, unknown> {
  if (task.machine === undefined) return {};
  const client =
    task.agent && task.agent.name !== UNKNOWN_CLIENT ? { name: task.agent.name, ...(task.agent.version ? { version: task.agent.version } : {}) } : undefined;
  return { [META.agent]: { name: task.owner, ...(client ? { client } : {}), machine: task.machine } };
}

/** The agent a server put in a result's, notification's or task's `_meta`, checked; undefined when it sent none (or a malformed one). */
export function agentFromMeta(meta: unknown): Agent | undefined {
  if (typeof meta !== 'object' || meta === null) return undefined;
  const value = (meta as Record<string, unknown>)[META.agent] as { name?: unknown; client?: unknown; machine?: unknown } | undefined;
  if (typeof value?.name !== 'string' || value.name === '' || typeof value.machine !== 'string' || value.machine === '') return undefined;
  const client = ClientInfoSchema.safeParse(value.client);
  return { name: value.name, ...(client.success ? { client: client.data } : {}), machine: value.machine };
}
