/**
 * An engine task as a row of the `tasks` table and back. The row keeps everything a restarted
 * server answers with (status, message, times, TTL, outcome, questions, owner, agent, tool,
 * arguments, `_meta`, the machine that runs it); a waiting task's queue place is not kept (it is worked out again, and no
 * unfinished task outlives a restart).
 */
import type { Agent } from '../../core/taskRecord';
import { taskFieldsOf } from '../../core/taskMeta';
import { type TaskStatus, isTerminal } from '../../core/taskStatus';
import type { EngineTask, InputRequest, TaskOutcome } from '../engine/engineTask';
import type { Wire } from '../wire';

/** The columns written for each task, in `jsonb_to_recordset` form (see DurableTasks' upsert). */
export const TASK_COLUMNS = `task_id text, owner text, tool text, status text, status_message text, created_at timestamptz,
  last_updated_at timestamptz, ttl_ms bigint, retention_ms bigint, poll_interval_ms integer, outcome jsonb,
  input_requests jsonb, wire text, agent jsonb, arguments jsonb, meta jsonb, parent_task_id text, priority integer, instance_id text,
  machine text, queued boolean, run_after timestamptz`;

/** The names of TASK_COLUMNS, in order. */
export const TASK_COLUMN_NAMES: readonly string[] = TASK_COLUMNS.split(',').map((column) => column.trim().split(/\s+/)[0]);

/** What one write sends for a task: its snapshot's fields under their column names. */
export interface TaskRowInput {
  readonly task_id: string;
  readonly owner: string;
  readonly tool: string;
  readonly status: TaskStatus;
  readonly status_message: string | null;
  readonly created_at: string;
  readonly last_updated_at: string;
  readonly ttl_ms: number | null;
  readonly retention_ms: number | null;
  readonly poll_interval_ms: number;
  readonly outcome: TaskOutcome | null;
  readonly input_requests: Record<string, InputRequest>;
  readonly wire: string | null;
  readonly agent: Agent | null;
  readonly arguments: Record<string, unknown> | null;
  readonly meta: Readonly<Record<string, unknown>> | null;
  readonly parent_task_id: string | null;
  readonly priority: number;
  readonly instance_id: string | null;
  readonly machine: string | null;
  /** Waiting in the team's queue for an instance to claim it (then `instance_id` names that one). */
  readonly queued: boolean;
  readonly run_after: string | null;
}

/** Where a written task runs: this instance (its id), or the team's queue (no instance yet). */
export type Placement = { readonly instanceId: string } | 'queued';

export function toRow(task: EngineTask, retention: number | null, placement: Placement): TaskRowInput {
  const queued = placement === 'queued' && !isTerminal(task.status);
  const runAfter = queued ? runAfterOf(task) : undefined;
  return {
    task_id: task.taskId,
    owner: task.owner,
    tool: task.tool,
    status: task.status,
    status_message: task.statusMessage ?? null,
    created_at: task.createdAt,
    last_updated_at: task.lastUpdatedAt,
    ttl_ms: task.ttl,
    retention_ms: retention,
    poll_interval_ms: task.pollInterval,
    outcome: task.outcome ?? null,
    input_requests: Object.fromEntries(task.inputRequests),
    wire: task.wire ?? null,
    agent: task.agent ?? null,
    arguments: task.arguments ?? null,
    meta: task.meta ?? null,
    parent_task_id: task.parentTaskId ?? null,
    priority: task.priority ?? 0,
    instance_id: placement === 'queued' ? null : placement.instanceId,
    machine: task.machine ?? null,
    queued,
    run_after: runAfter ?? null,
  };
}

/** A row as `pg` reads it (bigint columns arrive as strings, timestamps as Dates). */
export interface TaskRow {
  readonly task_id: string;
  readonly owner: string;
  readonly tool: string;
  readonly status: TaskStatus;
  readonly status_message: string | null;
  readonly created_at: Date;
  readonly last_updated_at: Date;
  readonly ttl_ms: string | null;
  readonly retention_ms: string | null;
  readonly poll_interval_ms: number;
  readonly outcome: TaskOutcome | null;
  readonly input_requests: Record<string, InputRequest> | null;
  readonly wire: string | null;
  readonly agent: Agent | null;
  readonly arguments: Record<string, unknown> | null;
  readonly meta: Record<string, unknown> | null;
  readonly parent_task_id: string | null;
  readonly priority: number;
  /** Null for rows written before migration 4, or by a server that records no machine. */
  readonly machine: string | null;
}

export function fromRow(row: TaskRow): { task: EngineTask; retention: number | null } {
  const task: EngineTask = {
    taskId: row.task_id,
    owner: row.owner,
    tool: row.tool,
    status: row.status,
    ...(row.status_message !== null ? { statusMessage: row.status_message } : {}),
    createdAt: row.created_at.toISOString(),
    lastUpdatedAt: row.last_updated_at.toISOString(),
    ttl: row.ttl_ms === null ? null : Number(row.ttl_ms),
    pollInterval: row.poll_interval_ms,
    ...(row.outcome ? { outcome: row.outcome } : {}),
    inputRequests: new Map(Object.entries(row.input_requests ?? {})),
    priority: row.priority,
    ...(row.wire !== null ? { wire: row.wire as Wire } : {}),
    ...(row.agent ? { agent: row.agent } : {}),
    ...(row.arguments ? { arguments: row.arguments } : {}),
    ...(row.meta ? { meta: row.meta } : {}),
    ...(row.parent_task_id !== null ? { parentTaskId: row.parent_task_id } : {}),
    ...(row.machine ? { machine: row.machine } : {}),
  };
  return { task, retention: row.retention_ms === null ? null : Number(row.retention_ms) };
}

/** The task's "not before" hint, as its `_meta` gave it (checked when the task was created). */
function runAfterOf(task: EngineTask): string | undefined {
  try {
    return taskFieldsOf(task.meta).scheduling?.runAfter;
  } catch {
    return undefined;
  }
}
