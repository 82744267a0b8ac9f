import { z } from 'zod';

/**
 * Tasklane's answer to a 2025-11-25 task's question from a principal other than the session that
 * started it (a team's board, which reads the questions in `dev.tasklane/inputRequests`,
 * inputRequestsMeta.ts). The 2025-11-25 wire has no method for it (a question is a request to the
 * session), so this is the 2026-07-28 wire's `tasks/update` under Tasklane's prefix: the same
 * params, an empty result. Unlike `tasks/update`, a key that is not open (answered first by
 * someone else, withdrawn, or the task ended) is refused with -32602, so the board is told.
 */
export const TASK_UPDATE_METHOD_V1 = 'dev.tasklane/tasks/update';

export const TaskUpdateRequestV1Schema = z.object({
  method: z.literal(TASK_UPDATE_METHOD_V1),
  params: z.object({
    taskId: z.string(),
    inputResponses: z.record(z.string(), z.unknown()).refine((responses) => Object.keys(responses).length > 0, 'at least one answer'),
    _meta: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const TaskUpdateResultV1Schema = z.object({ _meta: z.record(z.string(), z.unknown()).optional() }).passthrough();
