/**
 * `subscriptions/listen` on the 2026-07-28 wire: one server-sent stream per request, carrying
 * `notifications/tasks` for the tasks it names. The dispatcher hands the stream to the transport;
 * this keeps the open ones, so closing the server ends them all.
 */
import { randomUUID } from 'node:crypto';
import { DisposableStore, type IDisposable, toDisposable } from '../../../core/lifecycle';
import { isTerminal } from '../../../core/taskStatus';
import type { TaskEngine } from '../../engine/taskEngine';
import type { EngineTask } from '../../engine/engineTask';
import { toDetailedTask } from '../../wires/v2/codec';
import { withQueueMeta } from '../../wires/queueMeta';
import { META_KEYS, type RequestId } from '../../wires/v2/protocol';

export interface StreamSink {
  send(message: object): void;
  /** Ends the stream, optionally with a last message. */
  end(last?: object): void;
}

/** `subscriptions/listen`'s answer: a stream of notifications, opened by the transport. */
export interface StreamReply {
  readonly kind: 'stream';
  open(sink: StreamSink): IDisposable;
}

export class ListenStreams implements IDisposable {
  private readonly streams = new Set<StreamSink>();

  constructor(private readonly engine: TaskEngine) {}

  /**
   * A stream for `owner`: acknowledged at once, then the current state and every change of each
   * watched task. Asked only about tasks, it ends when the last of them has ended.
   */
  open(id: RequestId, owner: string, taskIds: readonly string[] | undefined): StreamReply {
    return {
      kind: 'stream',
      open: (sink) => {
        const subscriptionId = randomUUID();
        const tag = { [META_KEYS.subscriptionId]: subscriptionId };
        const watched = new Set<string>();
        const snapshots: EngineTask[] = [];
        for (const taskId of new Set(taskIds ?? [])) {
          try {
            snapshots.push(this.engine.get(owner, taskId));
            watched.add(taskId);
          } catch {
            // Unknown, expired or not yours: simply not acknowledged.
          }
        }
        const disposables = new DisposableStore();
        let ended = false;
        const finish = () => {
          if (ended) return;
          ended = true;
          this.streams.delete(sink);
          disposables.dispose();
          sink.end({ jsonrpc: '2.0', id, result: { resultType: 'complete', _meta: tag } });
        };
        this.streams.add(sink);
        disposables.add(toDisposable(() => this.streams.delete(sink)));
        // We agree only to task notifications: this server never changes its lists.
        sink.send({
          jsonrpc: '2.0',
          method: 'notifications/subscriptions/acknowledged',
          params: { notifications: taskIds ? { taskIds: [...watched] } : {}, _meta: tag },
        });
        const notify = (task: EngineTask) =>
          sink.send({ jsonrpc: '2.0', method: 'notifications/tasks', params: { ...toDetailedTask(task), ...withQueueMeta(task, tag) } });
        for (const task of snapshots) {
          notify(task);
          if (isTerminal(task.status)) watched.delete(task.taskId);
        }
        disposables.add(
          this.engine.onDidChange((task) => {
            if (!watched.has(task.taskId) || !this.engine.sees(owner, task)) return;
            notify(task);
            if (isTerminal(task.status)) {
              watched.delete(task.taskId);
              if (watched.size === 0) finish();
            }
          }),
        );
        // Asked only about tasks, all of them already over (or none known): nothing more will come.
        if (taskIds !== undefined && watched.size === 0) finish();
        return toDisposable(() => {
          ended = true;
          this.streams.delete(sink);
          disposables.dispose();
        });
      },
    };
  }

  /** Ends every open stream. */
  dispose(): void {
    for (const sink of [...this.streams]) sink.end();
    this.streams.clear();
  }
}
