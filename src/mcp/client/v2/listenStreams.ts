import type { Logger } from '../../../core/logger';
import { RpcCode } from '../../rpcError';
import type { JsonRpcMessage } from '../sseReader';
import type { StatelessHttpTransport } from './statelessHttpTransport';

/**
 * The extension wire's push channel: one `subscriptions/listen` stream (a long-lived SSE POST) for
 * each task someone waits on, while the server offers it. Anything unexpected (an error, a plain
 * JSON answer, a refusal to acknowledge the task) closes the stream silently: polling stays the
 * source of truth.
 */
export class ListenStreams {
  /** Open streams, by task. */
  private readonly streams = new Map<string, AbortController>();
  /** False once the server showed it has no `subscriptions/listen` for tasks: polling only. */
  private offered: boolean;

  constructor(
    private readonly http: StatelessHttpTransport,
    private readonly log: Logger,
    enabled: boolean,
    /** Every notification that arrives on a stream. */
    private readonly onNotification: (message: JsonRpcMessage) => void,
  ) {
    this.offered = enabled;
  }

  /** Opens a stream for the task, unless one is open or the server offers none. */
  open(taskId: string): void {
    if (!this.offered || this.streams.has(taskId) || this.http.closed) return;
    const controller = new AbortController();
    this.streams.set(taskId, controller);
    const params = { notifications: { taskIds: [taskId] } };
    const run = async () => {
      const answer = await this.http.listen('subscriptions/listen', params, controller.signal);
      if (answer.kind === 'refused') {
        // No such method (or no notifications for tasks): stop trying for every task.
        if (answer.code === RpcCode.MethodNotFound || answer.status === 404 || answer.status === 405) this.offered = false;
        this.log.debug(`[v2] subscriptions/listen not available (HTTP ${answer.status}); polling only`);
        return;
      }
      for await (const message of answer.messages) {
        if (message.method === 'notifications/subscriptions/acknowledged') {
          const agreed = (message.params as { notifications?: { taskIds?: unknown } } | undefined)?.notifications?.taskIds;
          if (!Array.isArray(agreed) || !agreed.includes(taskId)) {
            this.log.debug(`[v2] the server did not agree to notifications for task ${taskId}; polling only`);
            return;
          }
        } else if (typeof message.method === 'string') {
          this.onNotification(message);
        } else if (message.id === answer.id) {
          return; // the server ended the subscription
        }
      }
    };
    run()
      .catch((error: Error) => {
        if (!controller.signal.aborted && !this.http.closed) this.log.debug(`[v2] listen stream for ${taskId} ended: ${error.message}`);
      })
      .finally(() => {
        controller.abort();
        if (this.streams.get(taskId) === controller) this.streams.delete(taskId);
      });
  }

  close(taskId: string): void {
    const stream = this.streams.get(taskId);
    if (!stream) return;
    this.streams.delete(taskId);
    stream.abort();
  }

  closeAll(): void {
    for (const stream of this.streams.values()) stream.abort();
    this.streams.clear();
  }
}
