import type { Logger } from '../../../core/logger';
import { RpcCode } from '../../rpcError';
import type { JsonRpcMessage } from '../sseReader';
import type { StatelessHttpTransport } from './statelessHttpTransport';

/** How many task IDs one `subscriptions/listen` may name (the server's limit); tasks beyond it are polled only. */
const MAX_TASK_IDS = 1000;

/** One `subscriptions/listen` request and the tasks it names. */
interface Stream {
  readonly controller: AbortController;
  readonly taskIds: ReadonlySet<string>;
  /** Named tasks the server agreed to and that have not been seen ending: the server ends the stream itself once there are none. */
  readonly live: Set<string>;
}

/**
 * The extension wire's push channel: one `subscriptions/listen` stream (a long-lived SSE POST) per
 * server, naming every task someone waits on, while the server offers it. A listen request's
 * filter is fixed when it is sent, so a task that joins the wait opens a stream for the whole new
 * set; the previous stream stays open until the new one is acknowledged (no change is missed in
 * between), then closes. Tasks asked for in the same turn share one request. When nobody waits
 * any more, the stream closes. Anything unexpected (an error, a plain JSON answer, a refusal to
 * acknowledge a task) ends the push for what it concerns silently: polling stays the source of truth.
 */
export class ListenStreams {
  /** Tasks someone waits on and the server may still be asked about. */
  private readonly wanted = new Set<string>();
  /** The newest stream, and the one it replaces until it is acknowledged. */
  private current: Stream | undefined;
  private previous: Stream | undefined;
  private resubscribeQueued = false;
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

  /** Adds the task to the server's stream (in a new request covering every awaited task), unless it is there or the server offers none. */
  open(taskId: string): void {
    if (!this.offered || this.wanted.has(taskId) || this.http.closed) return;
    this.wanted.add(taskId);
    if (this.resubscribeQueued) return;
    this.resubscribeQueued = true;
    queueMicrotask(() => {
      this.resubscribeQueued = false;
      this.resubscribe();
    });
  }

  /**
   * The task ended. When nobody waits any more, a stream whose every task has ended is left for
   * the server to end (it does, once the tasks it watches have ended), so its connection is kept
   * for the next request; any other stream closes.
   */
  settled(taskId: string): void {
    this.current?.live.delete(taskId);
    this.previous?.live.delete(taskId);
    this.close(taskId);
  }

  /** Nobody waits on the task any more; the stream closes with the last one. */
  close(taskId: string): void {
    if (!this.wanted.delete(taskId) || this.wanted.size > 0) return;
    for (const stream of [this.previous, this.current]) if (stream && stream.live.size > 0) stream.controller.abort();
    this.previous = this.current = undefined;
  }

  closeAll(): void {
    this.wanted.clear();
    this.previous?.controller.abort();
    this.current?.controller.abort();
    this.previous = this.current = undefined;
  }

  /** Opens a stream for every awaited task, unless the newest one names them all already. */
  private resubscribe(): void {
    if (!this.offered || this.http.closed || this.wanted.size === 0) return;
    const covered = this.current?.taskIds;
    if (covered && [...this.wanted].every((taskId) => covered.has(taskId))) return;
    // Only the newest acknowledged-or-pending stream is kept beside the new one: an older one is replaced outright.
    this.previous?.controller.abort();
    this.previous = this.current;
    const taskIds = new Set([...this.wanted].slice(0, MAX_TASK_IDS));
    const stream: Stream = { controller: new AbortController(), taskIds, live: new Set(taskIds) };
    this.current = stream;
    this.run(stream)
      .catch((error: Error) => {
        if (!stream.controller.signal.aborted && !this.http.closed) this.log.debug(`[v2] listen stream ended: ${error.message}`);
      })
      .finally(() => {
        stream.controller.abort();
        this.ended(stream);
      });
  }

  private async run(stream: Stream): Promise<void> {
    const params = { notifications: { taskIds: [...stream.taskIds] } };
    const answer = await this.http.listen('subscriptions/listen', params, stream.controller.signal);
    if (answer.kind === 'refused') {
      // No such method (or no notifications for tasks): stop trying for every task.
      if (answer.code === RpcCode.MethodNotFound || answer.status === 404 || answer.status === 405) this.offered = false;
      this.log.debug(`[v2] subscriptions/listen not available (HTTP ${answer.status}); polling only`);
      for (const taskId of stream.taskIds) this.wanted.delete(taskId);
      return;
    }
    // Read to the end of the body even after the subscription's answer, so the connection is kept for the next request.
    let over = false;
    for await (const message of answer.messages) {
      if (over) continue;
      if (message.method === 'notifications/subscriptions/acknowledged') {
        this.acknowledged(stream, message);
      } else if (typeof message.method === 'string') {
        this.onNotification(message);
      } else if (message.id === answer.id) {
        over = true; // the server ended the subscription (every task it watched has ended)
        this.ended(stream);
      }
    }
  }

  /** The server agreed to (some of) the stream's tasks: the ones it refused are polled only, and the stream it replaces closes. */
  private acknowledged(stream: Stream, message: JsonRpcMessage): void {
    const agreed = (message.params as { notifications?: { taskIds?: unknown } } | undefined)?.notifications?.taskIds;
    const agreedIds = new Set(Array.isArray(agreed) ? agreed : []);
    for (const taskId of stream.taskIds) {
      if (agreedIds.has(taskId)) continue;
      this.log.debug(`[v2] the server did not agree to notifications for task ${taskId}; polling only`);
      this.wanted.delete(taskId);
      stream.live.delete(taskId);
    }
    if (this.current === stream && this.previous) {
      this.previous.controller.abort();
      this.previous = undefined;
    }
  }

  /** A stream ended (the server ended it, an error, or we closed it). Tasks still awaited are polled until another task joins the wait. */
  private ended(stream: Stream): void {
    if (this.previous === stream) this.previous = undefined;
    if (this.current === stream) this.current = undefined;
  }
}
