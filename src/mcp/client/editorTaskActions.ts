import { EMBEDDED_SERVER_ID, EMBEDDED_SERVER_NAME } from '../../core/embeddedServer';
import type { InputAnswer, RetryOptions, StartOptions, TaskActions } from '../../core/taskActions';
import { PRIORITY_RULE, type TaskRecord, type TaskSpecInput, isValidPriority } from '../../core/taskRecord';
import { canChangePriority, canPutAway, canRunAgain } from '../../core/taskRules';
import type { TaskStore } from '../../core/taskStore';
import { runAgainSpec } from '../../core/taskSpec';
import type { TaskService } from './taskService';
import { importedWireLogs } from '../../core/taskExport';
import type { WireLog } from '../../core/wireLog';

/** What the editor may do to any task on its own embedded server, whichever agent started it (by the server's task id). */
export interface EmbeddedControls {
  setPriority(taskId: string, priority: number): unknown;
  cancelAny(taskId: string, message?: string): unknown;
}

/**
 * The editor's task actions: work goes through the task service (which talks to the task's server),
 * bookkeeping through the store, and the editor's privileges on its own embedded server through the
 * engine's controls.
 */
export class EditorTaskActions implements TaskActions {
  constructor(
    private readonly service: TaskService,
    private readonly store: TaskStore,
    private readonly embedded?: EmbeddedControls,
    /** Where imported tasks' wire logs are kept. */
    private readonly wireLogs?: { put(log: WireLog): void },
  ) {}

  start(spec: TaskSpecInput, options: StartOptions = {}): Promise<TaskRecord> {
    return this.service.start(spec, options.scheduleId ? { scheduleId: options.scheduleId } : {});
  }

  async cancel(id: string): Promise<TaskRecord> {
    try {
      return await this.service.cancel(id);
    } catch (error) {
      // Another agent's task on the embedded server is not followed by this client: cancel it with the editor's privilege.
      const record = this.store.get(id);
      if (!this.embedded || record?.serverId !== EMBEDDED_SERVER_ID || !record.taskId) throw error;
      this.embedded.cancelAny(record.taskId, 'Cancelled in the editor');
      return this.store.require(id);
    }
  }

  retry(id: string, options?: RetryOptions): Promise<TaskRecord> {
    return this.service.retry(id, options);
  }

  runAgain(id: string): Promise<TaskRecord> {
    const record = this.store.require(id);
    if (!canRunAgain(record))
      throw new Error(record.imported ? 'An imported task is a read-only copy and cannot be run here.' : 'This task has not finished yet.');
    if (!this.service.getServer(record.serverId)) throw new Error(`The server "${record.serverId}" is not connected, so the task cannot run again.`);
    return this.service.start(runAgainSpec(record));
  }

  answerInput(id: string, key: string, answer: InputAnswer): void {
    this.service.answerInput(id, key, answer);
  }

  fetchOutcome(id: string): void {
    this.service.fetchListedOutcome(id);
  }

  setPriority(id: string, priority: number): TaskRecord {
    const record = this.store.require(id);
    if (!canChangePriority(record)) throw new Error(`Only unfinished tasks on ${EMBEDDED_SERVER_NAME} have a priority to change.`);
    if (!isValidPriority(priority)) throw new Error(`A priority is ${PRIORITY_RULE}.`);
    if (!this.embedded) throw new Error(`${EMBEDDED_SERVER_NAME} is not running.`);
    if (!record.taskId) throw new Error('The task has not reached the server yet; try again in a moment.');
    this.embedded.setPriority(record.taskId, priority);
    return this.store.update(id, { priority });
  }

  archive(id: string): TaskRecord {
    if (!canPutAway(this.store.require(id))) throw new Error('Only finished tasks can be archived; cancel it first.');
    return this.store.archive(id);
  }

  unarchive(id: string): TaskRecord {
    return this.store.unarchive(id);
  }

  setPinned(id: string, pinned: boolean): TaskRecord {
    return this.store.setPinned(id, pinned);
  }

  delete(ids: Iterable<string>): number {
    const finished = [...ids].filter((id) => {
      const record = this.store.get(id);
      return record !== undefined && canPutAway(record);
    });
    return this.store.removeMany(finished);
  }

  importRecords(records: readonly unknown[], wireLogs?: Readonly<Record<string, WireLog>>): TaskRecord[] {
    const imported = this.store.importRecords(records);
    if (wireLogs && this.wireLogs) {
      const exported = records.map((record) => ({ id: String((record as { id?: unknown }).id) }));
      for (const log of importedWireLogs(exported, imported, wireLogs)) this.wireLogs.put(log);
    }
    return imported;
  }

  sweepExpired(): string[] {
    return this.store.sweepExpired();
  }
}
