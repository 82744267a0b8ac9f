import type { TaskRecord, TaskSpecInput } from './taskRecord';

/*
 * What a finished task runs as when it runs again: rules about a record alone, the same for every
 * server and wire.
 */

/** The fields of a record that describe the work, so it can be run again. */
export function specOf(record: TaskRecord): TaskSpecInput {
  const { serverId, tool, arguments: args, intent, expectedOutputs, context, priority, resourceLimits, scheduling, tags, ttl, meta, parentId, retry } = record;
  return {
    serverId,
    tool,
    arguments: args,
    intent,
    expectedOutputs,
    context,
    priority,
    resourceLimits,
    scheduling,
    tags,
    ttl,
    meta,
    parentId,
    ...(retry ? { retry } : {}),
  };
}

/**
 * What a retry starts: the attempt's own work, with new arguments if given. Another client's task runs again as the
 * editor's own, so it no longer names that client: a retry is the host's own work, whoever started the first attempt
 * (also after a reload, when the agent is long gone).
 */
export function retrySpec(record: TaskRecord, args: Record<string, unknown> = record.arguments): TaskSpecInput {
  return { ...specOf(record), arguments: args, context: { ...record.context, agent: undefined } };
}

/**
 * What "Run Again" starts: the same tool with the same arguments and metadata, as a new task of
 * the editor's own, unlinked to the old one (a retry is the linked attempt). The old task's
 * parent and scheduling belonged to that moment: the new task runs now, on its own.
 */
export function runAgainSpec(record: TaskRecord): TaskSpecInput {
  return { ...specOf(record), context: { ...record.context, agent: undefined }, scheduling: {}, parentId: undefined };
}
