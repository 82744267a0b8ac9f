import * as path from 'node:path';
import { z } from 'zod';
import { descendantsOf } from './taskFamily';
import { type TaskRecord, TaskRecordSchema, InvalidDataError, describeIssues } from './taskRecord';
import { INLINE_RESULTS, type ResultReader, withResultInline } from './taskResult';
import type { WireLog, WireLogReader } from './wireLog';
import { WireLogSchema } from './wireLogFiles';

export const EXPORT_FORMAT = 'tasklane-tasks';
export const EXPORT_VERSION = 1;

/** A file of exported tasks: whole records, with timeline, result and output. */
export const TaskExportSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exportedAt: z.string(),
  tasks: z.array(TaskRecordSchema),
  /** Captured wire logs, by the id of the task they belong to in `tasks` (optional: older files have none). */
  wireLogs: z.record(z.string(), WireLogSchema).optional(),
});
export type TaskExport = z.infer<typeof TaskExportSchema>;

/**
 * What exporting the tasks `ids` writes: each of them followed by every task started on its behalf
 * (children, then grandchildren), each once. A parent's file then reads as it did in the tree, and
 * its children keep their parent when imported. Ids no longer in `all` are skipped.
 */
export function recordsForExport(all: readonly TaskRecord[], ids: Iterable<string>): TaskRecord[] {
  const byId = new Map(all.map((record) => [record.id, record]));
  const picked = new Map<string, TaskRecord>();
  for (const id of ids) {
    const record = byId.get(id);
    if (!record) continue;
    for (const member of [record, ...descendantsOf(all, id)]) if (!picked.has(member.id)) picked.set(member.id, member);
  }
  return [...picked.values()];
}

export function buildExport(records: readonly TaskRecord[], now: number = Date.now()): TaskExport {
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date(now).toISOString(), tasks: [...records] };
}

/**
 * The export file's text. A result kept in a side file is read back through `results` into its
 * task, so the file is complete on its own; one that cannot be read fails the export with why.
 */
export function serializeExport(
  records: readonly TaskRecord[],
  now?: number,
  results: ResultReader = INLINE_RESULTS,
  wireLogs?: Pick<WireLogReader, 'readWireLog'>,
): string {
  const file: TaskExport = buildExport(
    records.map((record) => withResultInline(record, results)),
    now,
  );
  const logs = wireLogs ? wireLogsOf(records, wireLogs) : {};
  return `${JSON.stringify(Object.keys(logs).length ? { ...file, wireLogs: logs } : file, null, 2)}\n`;
}

/** The captured wire logs of `records`; one that cannot be read is left out (the task itself is what the export is for). */
function wireLogsOf(records: readonly TaskRecord[], reader: Pick<WireLogReader, 'readWireLog'>): Record<string, WireLog> {
  const logs: Record<string, WireLog> = {};
  for (const record of records) {
    try {
      const log = reader.readWireLog(record.id);
      if (log) logs[record.id] = log;
    } catch {
      // A damaged log file: the export goes on without it.
    }
  }
  return logs;
}

/**
 * The wire logs an export file carries, by the exported task's id (an already checked file: call
 * after `parseExport`). Empty for files without any.
 */
export function parseExportWireLogs(text: string): Record<string, WireLog> {
  const parsed = TaskExportSchema.safeParse(JSON.parse(text));
  return parsed.success ? ((parsed.data.wireLogs ?? {}) as Record<string, WireLog>) : {};
}

/**
 * The wire logs of imported records under their new ids: `exported[i]` became `imported[i]`
 * (`importRecords` keeps the order).
 */
export function importedWireLogs(
  exported: readonly Pick<TaskRecord, 'id'>[],
  imported: readonly Pick<TaskRecord, 'id'>[],
  logs: Readonly<Record<string, WireLog>>,
): WireLog[] {
  const moved: WireLog[] = [];
  exported.forEach((record, index) => {
    const log = logs[record.id];
    const now = imported[index];
    if (log && now) moved.push({ ...log, recordId: now.id });
  });
  return moved;
}

/**
 * Reads an export file's text. Anything that is not a complete, valid export throws one readable
 * error and yields nothing: an import is all or nothing.
 */
export function parseExport(text: string): TaskRecord[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidDataError(`This is not a Tasklane export: it is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof value !== 'object' || value === null || (value as { format?: unknown }).format !== EXPORT_FORMAT) {
    throw new InvalidDataError(`This is not a Tasklane export: it has no "format": "${EXPORT_FORMAT}".`);
  }
  const version = (value as { version?: unknown }).version;
  if (version !== EXPORT_VERSION) {
    throw new InvalidDataError(`This export has version ${JSON.stringify(version)}; this Tasklane reads version ${EXPORT_VERSION}.`);
  }
  const parsed = TaskExportSchema.safeParse(value);
  if (!parsed.success) throw new InvalidDataError(`This Tasklane export is damaged: ${describeIssues(parsed.error)}.`);
  const ids = new Set<string>();
  for (const task of parsed.data.tasks) {
    if (ids.has(task.id)) throw new InvalidDataError(`This Tasklane export is damaged: the task id "${task.id}" appears twice.`);
    ids.add(task.id);
  }
  return parsed.data.tasks;
}

/**
 * Prepares exported records to sit beside live ones: each gets a fresh id when its own is taken,
 * links between the imported records (attempts, parent) follow the new ids, and every record is
 * marked imported and detached from any server's live state (no open questions, no queue place, no
 * start in flight).
 */
export function asImported(records: readonly TaskRecord[], isTaken: (id: string) => boolean, freshId: () => string): TaskRecord[] {
  const renamed = new Map<string, string>();
  const used = new Set<string>();
  for (const record of records) {
    let id = record.id;
    while (isTaken(id) || used.has(id)) id = freshId();
    used.add(id);
    renamed.set(record.id, id);
  }
  const link = (id: string | undefined) => (id === undefined ? undefined : (renamed.get(id) ?? id));
  return records.map((record) => {
    const next: TaskRecord = { ...record, id: renamed.get(record.id)!, imported: true, pendingInput: [] };
    delete next.queue;
    delete next.startIntent;
    // A side file belongs to the store that wrote it; an export carries the result itself.
    delete next.resultFile;
    assignLink(next, 'retryOf', link(record.retryOf));
    assignLink(next, 'retriedAs', link(record.retriedAs));
    assignLink(next, 'parentId', link(record.parentId));
    return next;
  });
}

function assignLink(record: TaskRecord, key: 'retryOf' | 'retriedAs' | 'parentId', value: string | undefined): void {
  if (value === undefined) delete record[key];
  else record[key] = value;
}

/**
 * The name an export is offered under: `tasklane-tasks-2026-01-31-0905.json`, or for one task
 * `tasklane-task-run_command-2026-01-31-0905.json` (local time, so a second export that day is not
 * an overwrite).
 */
export function exportFileName(records: readonly Pick<TaskRecord, 'tool'>[], now: Date = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}-${two(now.getHours())}${two(now.getMinutes())}`;
  const only = records.length === 1 ? records[0]!.tool.replace(/[^\w.-]+/g, '_') : undefined;
  return only ? `tasklane-task-${only}-${stamp}.json` : `tasklane-tasks-${stamp}.json`;
}

/**
 * Where an export is offered: the folder the person exported to last, else Downloads, else the
 * home folder; never inside a workspace folder, where the file would end up in the project.
 */
export function exportFolder(candidates: readonly (string | undefined)[], workspaceFolders: readonly string[]): string | undefined {
  return candidates.find((folder): folder is string => folder !== undefined && !workspaceFolders.some((root) => isInside(folder, root)));
}

function isInside(folder: string, root: string): boolean {
  const relative = path.relative(root, folder);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
