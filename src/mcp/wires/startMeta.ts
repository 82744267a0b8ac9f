import type { TaskRecord, TaskSpec } from '../../core/taskRecord';
import { taskMetaOf } from '../../core/taskMeta';

/*
 * The `_meta` a start sends, the same on every wire: the task's metadata (the one mapping in
 * core/taskMeta) with its related tasks named as the receiving server knows them.
 */

/** Ids of related tasks as the receiving server knows them. */
export interface ServerTaskIds {
  readonly parentTaskId?: string;
  readonly afterTaskId?: string;
}

/**
 * Tasks the spec names by host-local record id (its parent, the task to run after), as the receiving server knows
 * them: only a task on the same server has an id the server can link to.
 */
export function serverTaskIds(spec: TaskSpec, recordOf: (id: string) => TaskRecord | undefined): ServerTaskIds {
  const onServer = (id: string | undefined) => {
    const record = id === undefined ? undefined : recordOf(id);
    return record && record.serverId === spec.serverId && !record.imported ? record.taskId : undefined;
  };
  return { parentTaskId: onServer(spec.parentId), afterTaskId: onServer(spec.scheduling.afterTaskId) };
}

/**
 * The task's metadata as `_meta` (the one mapping in core/taskMeta). Related tasks go by the server's ids when known;
 * otherwise the ids are sent as given (they may be the server's already).
 */
export function metaFor(spec: TaskSpec, retryOf?: string, ids: ServerTaskIds = {}): Record<string, unknown> {
  const scheduling = ids.afterTaskId ? { ...spec.scheduling, afterTaskId: ids.afterTaskId } : spec.scheduling;
  return taskMetaOf({ ...spec, scheduling }, { parentTaskId: ids.parentTaskId ?? spec.parentId, retryOf });
}
