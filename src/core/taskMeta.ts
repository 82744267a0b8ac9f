import { META } from './meta';
import { InvalidDataError, TaskSpecSchema, describeIssues, type TaskSpec } from './taskRecord';

/**
 * Which `_meta` key carries which field of a task's spec. The one table both directions read: the
 * editor's own calls are written from it (`taskMetaOf`) and every task an agent starts on the
 * embedded server is read back with it (`taskFieldsOf`), so an agent's task keeps exactly the
 * metadata an editor task with the same `_meta` would have.
 */
const FIELD_KEYS = {
  intent: META.intent,
  expectedOutputs: META.expectedOutputs,
  priority: META.priority,
  resourceLimits: META.resourceLimits,
  scheduling: META.scheduling,
  context: META.context,
  tags: META.tags,
  retry: META.retry,
} as const satisfies Partial<Record<keyof TaskSpec, string>>;

type MetaField = keyof typeof FIELD_KEYS;

/** The spec fields that travel in `_meta`: Tasklane's own keys, and the caller's custom keys (`meta`). */
export type TaskMetaFields = Partial<Pick<TaskSpec, MetaField | 'meta'>>;

/** Keys of related tasks, added by whoever knows the ids the receiver uses. */
export interface RelatedTaskMeta {
  readonly parentTaskId?: string;
  readonly retryOf?: string;
}

/** A Tasklane `_meta` key whose value does not fit its field; `key` names it for the caller. */
export class InvalidTaskMetaError extends InvalidDataError {
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`Invalid _meta["${key}"]: ${detail}`);
  }
}

/**
 * The task's metadata as `_meta`: the caller's custom keys first (they cannot override ours), then
 * each field under its Tasklane key; empty values are left out.
 */
export function taskMetaOf(fields: TaskMetaFields, related: RelatedTaskMeta = {}): Record<string, unknown> {
  const meta: Record<string, unknown> = { ...fields.meta };
  const put = (key: string, value: unknown) => {
    if (value === undefined) return;
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return;
    if (Array.isArray(value) && value.length === 0) return;
    meta[key] = value;
  };
  for (const [field, key] of Object.entries(FIELD_KEYS) as [MetaField, string][]) put(key, fields[field]);
  put(META.parentTaskId, related.parentTaskId);
  put(META.retryOf, related.retryOf);
  return meta;
}

/**
 * The spec fields a request's `_meta` carries, each checked with the spec's own schema (a value
 * that does not fit throws `InvalidTaskMetaError` naming its key). Every key that is neither
 * Tasklane's nor reserved by MCP is a custom key, kept as given in `meta`. Related tasks
 * (`parentTaskId`, `retryOf`) are ids in the sender's terms: the receiver links them itself.
 */
export function taskFieldsOf(meta: Readonly<Record<string, unknown>> | undefined): TaskMetaFields {
  const fields: Record<string, unknown> = {};
  if (!meta) return fields;
  for (const [field, key] of Object.entries(FIELD_KEYS) as [MetaField, string][]) {
    if (meta[key] === undefined) continue;
    const parsed = TaskSpecSchema.shape[field].safeParse(meta[key]);
    if (!parsed.success) throw new InvalidTaskMetaError(key, describeIssues(parsed.error));
    fields[field] = parsed.data;
  }
  const custom = Object.entries(meta).filter(([key]) => !isReservedMetaKey(key));
  if (custom.length) fields.meta = Object.fromEntries(custom);
  return fields as TaskMetaFields;
}

/** Tasklane's own prefix; keys under it are fields, links or server-side state, never custom. */
const TASKLANE_PREFIX = 'dev.tasklane/';

/**
 * Whether a `_meta` key belongs to Tasklane or to MCP itself rather than to the caller: Tasklane's
 * prefix, MCP's reserved prefixes (a second label `modelcontextprotocol` or `mcp`, such as
 * `io.modelcontextprotocol/`), and the spec's unprefixed `progressToken`.
 */
export function isReservedMetaKey(key: string): boolean {
  if (key === 'progressToken' || key.startsWith(TASKLANE_PREFIX)) return true;
  const slash = key.indexOf('/');
  if (slash < 0) return false;
  const second = key.slice(0, slash).split('.')[1];
  return second === 'modelcontextprotocol' || second === 'mcp';
}
