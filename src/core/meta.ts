/**
 * Reverse-DNS `_meta` keys Tasklane owns. The `io.modelcontextprotocol/*` prefix is reserved by
 * the spec, so custom task metadata travels under `dev.tasklane/*` instead.
 */
export const META = {
  intent: 'dev.tasklane/intent',
  expectedOutputs: 'dev.tasklane/expectedOutputs',
  priority: 'dev.tasklane/priority',
  resourceLimits: 'dev.tasklane/resourceLimits',
  scheduling: 'dev.tasklane/scheduling',
  context: 'dev.tasklane/context',
  tags: 'dev.tasklane/tags',
  parentTaskId: 'dev.tasklane/parentTaskId',
  retryOf: 'dev.tasklane/retryOf',
  output: 'dev.tasklane/output',
  /** On a start: the requestor's key; while a task it started with this key is unfinished, a start with it returns that task. */
  idempotencyKey: 'dev.tasklane/idempotencyKey',
  /** On a task as the server reports it: its place in the server's queue, { position, size }. */
  queue: 'dev.tasklane/queue',
  /** A task's or a tool's automatic retry policy, { attempts, backoff, delayMs, maxDelayMs } (retryPolicy.ts). */
  retry: 'dev.tasklane/retry',
  /** On a task as the server reports it: the steps of its work, a list of { id, label, status, … } (taskSteps.ts). */
  steps: 'dev.tasklane/steps',
  /** On a task as a team server reports it: who owns it and where it runs, { name, client?, machine } (agentMeta.ts). */
  agent: 'dev.tasklane/agent',
  /** On a `tasks/list` item of a team server: the call that made the task, { tool, arguments? } (callMeta.ts). */
  call: 'dev.tasklane/call',
  /**
   * On a task as a team server reports it to a principal other than its owner (a board), on the
   * wire that asks questions only of the session that started the task: the questions it waits on,
   * { [key]: { method, params } } (inputRequestsMeta.ts), answered with `dev.tasklane/tasks/update`.
   */
  inputRequests: 'dev.tasklane/inputRequests',
} as const;

/** Keys defined by the MCP spec itself. */
export const SPEC_META = {
  relatedTask: 'io.modelcontextprotocol/related-task',
  modelImmediateResponse: 'io.modelcontextprotocol/model-immediate-response',
} as const;
