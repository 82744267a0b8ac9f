import { z } from 'zod';
import { RetryDueSchema, RetryPolicySchema } from './retryPolicy';
import { TASK_STATUSES } from './taskStatus';
import { TaskStepsSchema } from './taskSteps';

const isoDate = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date');

export const TaskStatusSchema = z.enum(TASK_STATUSES);

export const JsonRpcErrorSchema = z.object({
  code: z.number().int(),
  message: z.string(),
  data: z.unknown().optional(),
});
export type JsonRpcErrorObject = z.infer<typeof JsonRpcErrorSchema>;

/** An MCP client as it names itself (initialize handshake, or the clientInfo a request carries). */
export const ClientInfoSchema = z.object({
  name: z.string(),
  version: z.string().optional(),
});
export type ClientInfo = z.infer<typeof ClientInfoSchema>;

/**
 * Who asked for the work. `name` is the agent as the user knows it: the name given to its token
 * (Copy Agent Configuration), "VS Code Chat" for chat. `client` is the program that used the token,
 * as it names itself: detail, never the name, since two agents may run the same client.
 */
export const AgentSchema = z.object({
  name: z.string(),
  /** The token's agent id: tells agents apart when they share a name or a client. */
  id: z.string().optional(),
  client: ClientInfoSchema.optional(),
  /** Records written before `client` existed name the client in `name` and its version here. */
  version: z.string().optional(),
  /** How it reached us, e.g. "editor", "http session 1f3a…", "http stateless". */
  connection: z.string().optional(),
  /** The host its work runs on, when a team server says (`dev.tasklane/agent`); see `machineName`. */
  machine: z.string().optional(),
});
export type Agent = z.infer<typeof AgentSchema>;

export const ExecutionContextSchema = z.object({
  workspace: z.string().optional(),
  cwd: z.string().optional(),
  agent: AgentSchema.optional(),
});
export type ExecutionContext = z.infer<typeof ExecutionContextSchema>;

export const ResourceLimitsSchema = z.object({
  /** Wall-clock budget for the work; the work is ended when it runs out. Not the spec's `ttl`, which is retention. */
  timeBudgetMs: z.number().int().positive().optional(),
  maxOutputBytes: z.number().int().positive().optional(),
});
export type ResourceLimits = z.infer<typeof ResourceLimitsSchema>;

export const SchedulingHintsSchema = z.object({
  runAfter: isoDate.optional(),
  afterTaskId: z.string().optional(),
});
export type SchedulingHints = z.infer<typeof SchedulingHintsSchema>;

/** A task's priority bounds: queued work starts highest priority first (`dev.tasklane/priority`). */
export const MIN_PRIORITY = -100;
export const MAX_PRIORITY = 100;

export function isValidPriority(value: number): boolean {
  return Number.isInteger(value) && value >= MIN_PRIORITY && value <= MAX_PRIORITY;
}

/** A priority brought into bounds: rounded to a whole number, then clamped (the receiver's rule for any number it is sent). */
export function clampPriority(priority: number): number {
  return Math.max(MIN_PRIORITY, Math.min(MAX_PRIORITY, Math.round(priority)));
}

/** Says what a valid priority is, in the words every prompt and error uses. */
export const PRIORITY_RULE = `a whole number from ${MIN_PRIORITY} (last) to ${MAX_PRIORITY} (first)`;

/** What the user (or agent) asked for; everything needed to run the same work again. */
export const TaskSpecSchema = z.object({
  serverId: z.string().min(1),
  tool: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()).default({}),
  intent: z.string().optional(),
  expectedOutputs: z.string().optional(),
  context: ExecutionContextSchema.default({}),
  priority: z
    .number()
    .refine(isValidPriority, { message: `priority must be ${PRIORITY_RULE}` })
    .optional(),
  resourceLimits: ResourceLimitsSchema.default({}),
  scheduling: SchedulingHintsSchema.default({}),
  tags: z.array(z.string()).default([]),
  /** Requested retention in ms; the server may grant another value. */
  ttl: z.number().int().positive().optional(),
  /** Custom `_meta` entries to send with the call, under the caller's own reverse-DNS keys. */
  meta: z.record(z.string(), z.unknown()).default({}),
  parentId: z.string().optional(),
  /** Asks for automatic retries of a failed attempt (`dev.tasklane/retry`; see retryPolicy.ts). */
  retry: RetryPolicySchema.optional(),
});
export type TaskSpec = z.infer<typeof TaskSpecSchema>;
export type TaskSpecInput = z.input<typeof TaskSpecSchema>;

/** Specs `parseTaskSpec` produced: a spec handed on (service → store) is validated once, not at every step. */
const validSpecs = new WeakSet<object>();

/** Validates a spec (bad input throws a readable error); one this returned before is taken as it is. */
export function parseTaskSpec(input: TaskSpecInput | TaskSpec): TaskSpec {
  if (validSpecs.has(input)) return input as TaskSpec;
  const spec = parseOrThrow(TaskSpecSchema, input, 'task');
  validSpecs.add(spec);
  return spec;
}

export const TimelineEntrySchema = z.object({
  at: isoDate,
  status: TaskStatusSchema.optional(),
  message: z.string().optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;

/** A question the server asked while the task runs (an elicitation), waiting for the user. */
export const PendingInputSchema = z.object({
  key: z.string(),
  method: z.string(),
  params: z.record(z.string(), z.unknown()),
  at: isoDate,
});
export type PendingInput = z.infer<typeof PendingInputSchema>;

export const TaskRecordSchema = TaskSpecSchema.extend({
  /** Host-local identity, stable across retries' separate records; used by every view. */
  id: z.string().min(1),
  /** The receiver's task id, once the server has created the task. */
  taskId: z.string().optional(),
  /**
   * Written before the call that creates the task goes out, and cleared once the server's answer is
   * in (the task id, a result, or an error). A record that still has it after the editor closed may
   * have a task on its server that the host never heard of: reconnecting looks for it.
   */
  startIntent: z.object({ at: isoDate }).optional(),
  /** The task wire the task was started on: its id as the mcp layer names it (for people; core never branches on it). */
  wire: z.string().optional(),
  status: TaskStatusSchema,
  statusMessage: z.string().optional(),
  createdAt: isoDate,
  lastUpdatedAt: isoDate,
  /** Retention granted by the receiver in ms from creation; null = unlimited. */
  grantedTtl: z.number().nullable().optional(),
  pollInterval: z.number().optional(),
  attempt: z.number().int().positive().default(1),
  retryOf: z.string().optional(),
  retriedAs: z.string().optional(),
  result: z.unknown().optional(),
  /**
   * Set instead of `result` when the result was larger than the side-file limit: it is in a file
   * of its own next to the store (taskResult.ts), read on demand.
   */
  resultFile: z.object({ bytes: z.number().int().nonnegative(), preview: z.string() }).optional(),
  error: JsonRpcErrorSchema.optional(),
  output: z.string().optional(),
  pendingInput: z.array(PendingInputSchema).default([]),
  timeline: z.array(TimelineEntrySchema).default([]),
  /** The task's TTL ran out: it left the protocol, but the record and result stay until archived. */
  expired: z.boolean().default(false),
  archived: z.boolean().default(false),
  archivedAt: isoDate.optional(),
  /** Kept by the retention policy whatever its age. */
  pinned: z.boolean().default(false),
  /** Read back from an export file for inspection: not connected to any server, never re-attached. */
  imported: z.boolean().default(false),
  /** Waiting in the server's scheduler (the task is `working`); cleared when it starts. */
  queue: z.object({ position: z.number().int().positive(), size: z.number().int().positive() }).optional(),
  /** The schedule whose run this task is (src/core/schedule.ts); the schedule may since be deleted. */
  scheduleId: z.string().optional(),
  /** Why this attempt runs, when Tasklane started it on its own: "Automatic retry 2 of 3 after: Exited with code 1". */
  retryReason: z.string().optional(),
  /** A failed attempt whose automatic retry waits: when it starts, and what it will say (retryPolicy.ts). */
  retryDue: RetryDueSchema.optional(),
  /** The work's steps as its server reported them last (`dev.tasklane/steps`; bounded, see taskSteps.ts). */
  steps: TaskStepsSchema.optional(),
  /**
   * Brought in from a team server's `tasks/list` (a board's view of the team), not started here:
   * followed like any task, but running it again is the board's own new task (taskRules.ts).
   */
  teamListed: z.boolean().optional(),
});
export type TaskRecord = z.infer<typeof TaskRecordSchema>;

/** The agent of a task that none asked for: work the person starts in the editor itself. */
export const EDITOR_AGENT = 'Editor';

/** The agent shown for a task, everywhere (tree groups, tooltips, panel, search, status text). */
export function agentName(record: Pick<TaskRecord, 'context'>): string {
  return record.context.agent?.name ?? EDITOR_AGENT;
}

/**
 * The machine a task runs on, everywhere it is shown or grouped: the one a team server reported,
 * else `localMachine` (the editor's own host: its embedded server and the servers it launches).
 */
export function machineName(record: Pick<TaskRecord, 'context'>, localMachine: string): string {
  return record.context.agent?.machine ?? localMachine;
}

export const EDITOR_AGENT_KEY = 'editor';

/** What tells agents apart (a tree group each): the token's agent id; the name for records that have none. */
export function agentKey(record: Pick<TaskRecord, 'context'>): string {
  const agent = record.context.agent;
  if (!agent) return EDITOR_AGENT_KEY;
  return agent.id !== undefined ? `id:${agent.id}` : `name:${agent.name}`;
}

/** The agent with its detail: "Claude (claude-code 2.1.0) via http session 1f3a…", and "on host-a" when a team server named the machine. */
export function agentDescription(record: Pick<TaskRecord, 'context'>): string {
  const agent = record.context.agent;
  if (!agent) return EDITOR_AGENT;
  const client = agent.client && `(${[agent.client.name, agent.client.version].filter(Boolean).join(' ')})`;
  return [agent.name, agent.version, client, agent.connection && `via ${agent.connection}`, agent.machine && `on ${agent.machine}`].filter(Boolean).join(' ');
}

/** Parses `value` at a trust boundary, turning zod's issues into one readable sentence. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidDataError(`Invalid ${what}: ${describeIssues(parsed.error)}`);
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

export class InvalidDataError extends Error {
  override readonly name = 'InvalidDataError';
}

/** What a new record takes besides its spec: its id, and what the caller already knows of it. */
export type NewTaskInit = Pick<TaskRecord, 'id'> &
  Partial<
    Pick<TaskRecord, 'taskId' | 'wire' | 'statusMessage' | 'attempt' | 'retryOf' | 'startIntent' | 'scheduleId' | 'retryReason' | 'createdAt' | 'teamListed'>
  >;

/** A task as it starts: `working`, attempt 1 unless told, one timeline entry, no flags set; created `at` unless its server said when (`init.createdAt`). */
export function newTaskRecord(spec: TaskSpec, init: NewTaskInit, now: string): TaskRecord {
  const at = init.createdAt ?? now;
  return {
    ...spec,
    id: init.id,
    taskId: init.taskId,
    ...(init.startIntent ? { startIntent: init.startIntent } : {}),
    wire: init.wire,
    status: 'working',
    statusMessage: init.statusMessage,
    createdAt: at,
    lastUpdatedAt: at,
    attempt: init.attempt ?? 1,
    retryOf: init.retryOf,
    pendingInput: [],
    timeline: [{ at, status: 'working', message: init.statusMessage }],
    expired: false,
    archived: false,
    pinned: false,
    imported: false,
    ...(init.scheduleId ? { scheduleId: init.scheduleId } : {}),
    ...(init.retryReason !== undefined ? { retryReason: init.retryReason } : {}),
    ...(init.teamListed ? { teamListed: true } : {}),
  };
}
