import { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { OUTPUT_TAIL_CHARS } from '../../../core/recordLimits';
import { isTerminal } from '../../../core/taskStatus';
import { InvalidTaskCursorError, TaskNotFoundError } from '../../engine/engineErrors';
import { OUTPUT_READ_CHARS } from '../../engine/taskOutputs';
import { defineTool } from './toolDefinition';

/** Lets an agent follow a task's output as it comes, a chunk per call, instead of waiting for the result. */
export const tailTaskTool = defineTool({
  name: 'tail_task',
  title: 'Tail task output',
  description:
    "Returns a task's output since the cursor you pass (without a cursor: the latest output), at most " +
    `${OUTPUT_READ_CHARS} characters, with the cursor to pass next time, the task's status and status message, and finished ` +
    '(true once the task has completed, failed or been cancelled: no more output will come). moreOutput: true means more is ' +
    'already there: call again at once. skippedChars counts output passed over (only the last ' +
    `${OUTPUT_TAIL_CHARS} characters of a task are kept). Only tasks you started on this server can be read; a cursor is good only ` +
    'for the task it came from.',
  inputSchema: z.object({
    taskId: z.string().min(1).max(200).describe('Id of a task you started.'),
    cursor: z.string().max(200).optional().describe('The cursor the previous tail_task call of this task returned.'),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false },
  taskSupport: 'forbidden',
  observesTasks: true,
  async run({ taskId, cursor }, context): Promise<CallToolResult> {
    if (!context.tasks) return failure('tail_task is not available here: this server does not say whose tasks they are.');
    try {
      const read = context.tasks.readOutput(taskId, cursor);
      // Read after the output, so a task reported finished has no output after this read's cursor.
      const task = context.tasks.get(taskId);
      if (!task) return failure(`Task not found: ${taskId}`);
      const report = {
        taskId,
        status: task.status,
        ...(task.statusMessage !== undefined ? { statusMessage: task.statusMessage } : {}),
        finished: isTerminal(task.status),
        output: read.output,
        cursor: read.cursor,
        moreOutput: read.moreOutput,
        skippedChars: read.skippedChars,
      };
      return { content: [{ type: 'text', text: JSON.stringify(report) }], structuredContent: report };
    } catch (error) {
      if (error instanceof TaskNotFoundError) return failure(`Task not found: ${taskId} (unknown, expired, or not one of yours)`);
      if (error instanceof InvalidTaskCursorError)
        return failure(`Invalid cursor for task ${taskId}: pass the cursor the last tail_task call of this task returned, or none`);
      throw error;
    }
  },
});

function failure(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
