import { META } from '../../core/meta';
import type { EngineTask } from '../engine/engineTask';
import type { RemoteInputRequest } from './remoteTask';

/** The only kind of request shown to others: a question for a person. */
const QUESTION_METHOD = 'elicitation/create';

/**
 * A task's open questions (elicitation) as a `_meta` entry, for the 2025-11-25 wire, which asks
 * them only as requests to the session that started the task. A team server (an engine that
 * records a machine, as for agentMeta.ts) adds them to what it reports of another principal's task (a board reading
 * the team's work), so that principal can answer through `dev.tasklane/tasks/update`; the owner's
 * own reads never carry them (its session is asked), so no question is shown twice.
 */
export function inputRequestsMeta(task: EngineTask, reader: string | undefined): Record<string, unknown> {
  if (task.machine === undefined || reader === undefined || reader === task.owner) return {};
  if (task.status !== 'input_required') return {};
  // Only questions for a person: a sampling request is the owner's to grant with its own model.
  const questions = [...task.inputRequests].filter(([, request]) => request.method === QUESTION_METHOD);
  if (questions.length === 0) return {};
  return { [META.inputRequests]: Object.fromEntries(questions.map(([key, request]) => [key, { method: request.method, params: request.params }])) };
}

/** The questions a server put in a result's or list item's `_meta`, checked; undefined when it sent none (or only malformed ones). */
export function inputRequestsFromMeta(meta: unknown): Record<string, RemoteInputRequest> | undefined {
  if (typeof meta !== 'object' || meta === null) return undefined;
  const value = (meta as Record<string, unknown>)[META.inputRequests];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const requests: Record<string, RemoteInputRequest> = {};
  for (const [key, request] of Object.entries(value as Record<string, unknown>)) {
    const { method, params } = (request ?? {}) as { method?: unknown; params?: unknown };
    if (method !== QUESTION_METHOD || typeof params !== 'object' || params === null || Array.isArray(params)) continue;
    requests[key] = { method, params: params as Record<string, unknown> };
  }
  return Object.keys(requests).length > 0 ? requests : undefined;
}
