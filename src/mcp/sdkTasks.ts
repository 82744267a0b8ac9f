/**
 * Every 2025-11-25 task type and schema Tasklane takes from `@modelcontextprotocol/sdk` 1.x comes
 * through this file. The 2.x SDK removed the task runtime, so this is the one place to change when
 * the SDK moves on.
 */
export {
  CancelTaskRequestSchema,
  CancelTaskResultSchema,
  CreateTaskResultSchema,
  GetTaskPayloadRequestSchema,
  GetTaskRequestSchema,
  GetTaskResultSchema,
  ListTasksRequestSchema,
  ListTasksResultSchema,
  TaskStatusNotificationSchema,
  TaskSchema,
} from '@modelcontextprotocol/sdk/types.js';
export type { CreateTaskResult, Task as WireTaskV1, ToolExecution } from '@modelcontextprotocol/sdk/types.js';

export const PROTOCOL_2025_11_25 = '2025-11-25';
