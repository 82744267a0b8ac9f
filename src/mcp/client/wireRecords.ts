import { Disposable, type IDisposable } from '../../core/lifecycle';
import type { TaskReader } from '../../core/taskStore';
import type { WireEntryDraft } from '../../core/wireLogBuffer';

/** Where entries end up: the task record's log. */
export interface WireLogSink {
  append(recordId: string, serverId: string, wire: string, draft: WireEntryDraft): void;
}

/** Entries held for a task whose record does not know its id yet, per task and in all. */
const HELD_PER_TASK = 50;
const HELD_TASKS = 200;

/**
 * Finds the task record a server's task id belongs to, and hands it the entries captured for it.
 * The creating call's answer is captured before the record learns the task's id (the client
 * returns, then the record is updated): its entries are held until the record names the task.
 * It reads the store only once capture first delivers something, so with capture off it costs nothing.
 */
export class WireRecords extends Disposable {
  private readonly byTask = new Map<string, string>();
  private readonly held = new Map<string, { serverId: string; wire: string; drafts: WireEntryDraft[] }>();
  private watching: IDisposable | undefined;

  constructor(
    private readonly store: Pick<TaskReader, 'all' | 'get' | 'onDidLifecycle'>,
    private readonly sink: WireLogSink,
  ) {
    super();
  }

  deliver(serverId: string, wire: string, taskId: string, draft: WireEntryDraft): void {
    this.watch();
    const key = keyOf(serverId, taskId);
    const recordId = this.byTask.get(key);
    if (recordId !== undefined && this.store.get(recordId)) {
      this.sink.append(recordId, serverId, wire, draft);
      return;
    }
    let held = this.held.get(key);
    if (!held) {
      if (this.held.size >= HELD_TASKS) this.held.delete(this.held.keys().next().value!);
      held = { serverId, wire, drafts: [] };
      this.held.set(key, held);
    }
    held.drafts.push(draft);
    if (held.drafts.length > HELD_PER_TASK) held.drafts.shift();
  }

  override dispose(): void {
    this.watching?.dispose();
    super.dispose();
  }

  private watch(): void {
    if (this.watching) return;
    for (const record of this.store.all()) if (record.taskId) this.byTask.set(keyOf(record.serverId, record.taskId), record.id);
    this.watching = this.store.onDidLifecycle((event) => {
      if (event.type === 'removed' || event.type === 'opened') {
        if (event.type === 'opened') for (const record of this.store.all()) if (record.taskId) this.learn(record.serverId, record.taskId, record.id);
        return;
      }
      if (event.type !== 'created' && event.type !== 'updated') return;
      const record = this.store.get(event.id);
      if (record?.taskId) this.learn(record.serverId, record.taskId, record.id);
    });
  }

  private learn(serverId: string, taskId: string, recordId: string): void {
    const key = keyOf(serverId, taskId);
    if (this.byTask.get(key) === recordId) return;
    this.byTask.set(key, recordId);
    const held = this.held.get(key);
    if (!held) return;
    this.held.delete(key);
    for (const draft of held.drafts) this.sink.append(recordId, held.serverId, held.wire, draft);
  }
}

function keyOf(serverId: string, taskId: string): string {
  return `${serverId}\u0000${taskId}`;
}
