import { CreateMessageResultSchema, ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { describeIssues } from '../../../core/taskRecord';
import { isTerminal } from '../../../core/taskStatus';
import type { TaskEngine } from '../../engine/taskEngine';
import { RpcCode, RpcError, taskNotFound } from '../../rpcError';
import { type TaskMethodHost, type TaskRequestExtra, handle } from '../../wires/v1/taskMethods';
import { TaskUpdateRequestV1Schema } from '../../wires/v1/taskUpdate';

/** What an answer to each kind of question must look like. */
const ANSWER_SCHEMAS: Record<string, z.ZodType> = {
  'elicitation/create': ElicitResultSchema,
  'sampling/createMessage': CreateMessageResultSchema,
};

/**
 * Serves `dev.tasklane/tasks/update` (wires/v1/taskUpdate.ts) on a 2025-11-25 session: answers
 * open questions of a task the caller sees (its own, or any for a board), through the engine, so
 * the answer is audited under the caller and forwarded to the instance whose work asked. Every
 * key must be open when the request arrives, else nothing is answered: the first answer wins, and
 * a later one is refused, saying so.
 */
export function serveTaskUpdateV1(host: TaskMethodHost, engine: TaskEngine, ownerOf: (extra: TaskRequestExtra) => string): void {
  handle(host, TaskUpdateRequestV1Schema, (request, extra) => {
    const owner = ownerOf(extra);
    const { taskId, inputResponses } = request.params;
    const task = engine.peekOwned(owner, taskId);
    if (!task) throw taskNotFound(taskId);
    const answers = Object.entries(inputResponses).map(([key, value]) => {
      const open = isTerminal(task.status) ? undefined : task.inputRequests.get(key);
      if (!open) throw notOpen(taskId, key);
      const parsed = (ANSWER_SCHEMAS[open.method] ?? null)?.safeParse(value) ?? { success: true as const, data: value };
      if (!parsed.success)
        throw new RpcError(
          RpcCode.InvalidParams,
          `Invalid params: inputResponses["${key}"] is not a valid answer to ${open.method}: ${describeIssues(parsed.error as z.ZodError)}`,
        );
      return [key, parsed.data] as const;
    });
    for (const [key, value] of answers) if (!engine.answerInput(owner, taskId, key, value)) throw notOpen(taskId, key);
    return {};
  });
}

function notOpen(taskId: string, key: string): RpcError {
  return new RpcError(RpcCode.InvalidParams, `Question ${key} of task ${taskId} is not open: it was answered already, withdrawn, or the task ended`);
}
