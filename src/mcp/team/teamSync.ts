/**
 * Keeps an instance's engine current with the others sharing the database. Every write announces
 * the changed task ids on TASKS_CHANNEL; here the rows another instance changed are read again and
 * applied (engine.shared: another's running work mirrored, an end decided elsewhere stopping ours).
 * An answer to a question asked by work that runs on another instance is forwarded to it: a row in
 * `task_commands` and a NOTIFY on COMMANDS_CHANNEL naming that instance, which takes its commands
 * and answers its own work. After the listening connection drops, everything is read anew.
 */
import type { Pool } from 'pg';
import { Disposable, toDisposable } from '../../core/lifecycle';
import { type Logger, silentLogger } from '../../core/logger';
import type { TaskEngine } from '../engine/taskEngine';
import type { ChannelListener } from './channelListener';
import { connectionProblem } from './database';
import type { DurableTasks } from './durableTasks';
import { TASKS_CHANNEL } from './taskLeases';
import { type TaskRow, fromRow } from './taskRows';

/** Forwarded commands, as the id of the instance that should take them. */
export const COMMANDS_CHANNEL = 'tasklane_commands';

/** An answer given through this instance to a question another instance's work asked. */
export interface ForwardedAnswer {
  readonly owner: string;
  readonly taskId: string;
  readonly key: string;
  readonly response: unknown;
}

const FORWARD = `
  WITH sent AS (
    INSERT INTO task_commands (instance_id, task_id, action, payload)
    SELECT instance_id, task_id, 'answer', $2::jsonb FROM tasks
    WHERE task_id = $1 AND status = 'input_required' AND instance_id IS NOT NULL
    RETURNING instance_id)
  SELECT pg_notify('${COMMANDS_CHANNEL}', instance_id) FROM sent`;

const TAKE = `DELETE FROM task_commands WHERE instance_id = $1 RETURNING command_id, task_id, payload`;

/** The ids the engine gives its tasks: only such an id may be a task another instance is still writing. */
const TASK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How many task ids one request may make this instance look up. */
const MAX_LOOKUPS = 16;

/** The task ids a JSON-RPC request (or batch) names in `params.taskId`. */
export function taskIdsNamed(body: unknown): string[] {
  const ids = new Set<string>();
  for (const message of Array.isArray(body) ? body : [body]) {
    const taskId = (message as { params?: { taskId?: unknown } } | null)?.params?.taskId;
    if (typeof taskId === 'string' && TASK_ID.test(taskId)) ids.add(taskId);
    if (ids.size >= MAX_LOOKUPS) break;
  }
  return [...ids];
}

export interface TeamSyncOptions {
  /** The instance's listening connection. */
  readonly channels: ChannelListener;
  readonly instanceId: string;
  readonly log?: Logger;
  /** How often commands are looked for even without a notification (ms). */
  readonly commandPollMs?: number;
  /** How long a request naming an unknown task waits for another instance's write of it (ms). */
  readonly missWaitMs?: number;
}

export class TeamSync extends Disposable {
  private readonly wanted = new Set<string>();
  /** Requests waiting for a task another instance may still be writing, by task id. */
  private readonly awaited = new Map<string, Set<() => void>>();
  private reading: Promise<void> | undefined;
  private readonly log: Logger;

  private constructor(
    private readonly pool: Pool,
    private readonly engine: TaskEngine,
    private readonly durable: DurableTasks,
    /** Answers this instance's own work (the engine's, without recording the answer again). */
    private readonly answerOwn: (answer: ForwardedAnswer) => boolean,
    private readonly options: TeamSyncOptions,
  ) {
    super();
    this.log = options.log ?? silentLogger;
  }

  static async open(
    pool: Pool,
    engine: TaskEngine,
    durable: DurableTasks,
    answerOwn: (answer: ForwardedAnswer) => boolean,
    options: TeamSyncOptions,
  ): Promise<TeamSync> {
    const sync = new TeamSync(pool, engine, durable, answerOwn, options);
    sync._register(
      options.channels.subscribe({
        channels: [TASKS_CHANNEL, COMMANDS_CHANNEL],
        purpose: 'the other instances',
        onNotification: (channel, payload) => sync.notified(channel, payload),
        onListening: () => Promise.all([sync.readAll(), sync.takeCommands()]).then(() => undefined),
      }),
    );
    const poll = setInterval(() => void sync.takeCommands().catch(() => undefined), options.commandPollMs ?? 5000);
    poll.unref();
    sync._register(toDisposable(() => clearInterval(poll)));
    return sync;
  }

  /** Sends an answer to the instance whose work asked; false when no such question is open in the database. */
  async forward(answer: ForwardedAnswer): Promise<boolean> {
    const { rows } = await this.pool.query(FORWARD, [answer.taskId, JSON.stringify(answer)]);
    return rows.length > 0;
  }

  /**
   * Before a request is served: the tasks it names that this instance does not know are read from
   * the database. A client may name a task the moment another instance answered its creation,
   * before that instance's write: such an id is awaited a moment (`missWaitMs`) before the
   * request goes on, to be answered "not found" if it is still unknown.
   */
  async load(taskIds: readonly string[]): Promise<void> {
    const missing = taskIds.filter((id) => !this.engine.peek(id));
    if (missing.length === 0) return;
    const arrivals = missing.map((id) => this.arrivalOf(id));
    try {
      this.apply(await this.rowsOf(missing));
    } catch (error) {
      this.warn('read the tasks a request names', error);
    }
    await Promise.all(arrivals.map((arrival) => (this.engine.peek(arrival.id) ? arrival.cancel() : arrival.promise)));
  }

  /** Resolves when `id` is applied here, or after `missWaitMs`. */
  private arrivalOf(id: string): { id: string; promise: Promise<void>; cancel: () => void } {
    let done: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), this.options.missWaitMs ?? 1000);
      done = () => {
        clearTimeout(timer);
        const waiting = this.awaited.get(id);
        waiting?.delete(done);
        if (waiting?.size === 0) this.awaited.delete(id);
        resolve();
      };
    });
    const waiting = this.awaited.get(id) ?? new Set();
    waiting.add(done);
    this.awaited.set(id, waiting);
    return { id, promise, cancel: done };
  }

  private notified(channel: string, payload: string): void {
    if (channel === COMMANDS_CHANNEL) {
      if (payload === this.options.instanceId) void this.takeCommands().catch((error) => this.warn('take forwarded answers', error));
      return;
    }
    let message: { instance?: unknown; ids?: unknown };
    try {
      message = JSON.parse(payload) as typeof message;
    } catch {
      return;
    }
    if (message.instance === this.options.instanceId || !Array.isArray(message.ids)) return;
    for (const id of message.ids) if (typeof id === 'string') this.wanted.add(id);
    this.readWanted();
  }

  /** One read at a time; ids that arrive meanwhile wait for the next. */
  private readWanted(): void {
    if (this.reading || this.wanted.size === 0) return;
    const ids = [...this.wanted];
    this.wanted.clear();
    this.reading = this.rowsOf(ids)
      .then(
        (rows) => this.apply(rows),
        (error: unknown) => {
          // Asked again with the next notification, or all at once when the connection is back.
          for (const id of ids) this.wanted.add(id);
          this.warn('read the tasks other instances changed', error);
        },
      )
      .finally(() => {
        this.reading = undefined;
        this.readWanted();
      });
  }

  /** The rows of these tasks, oldest first (an id with no row is left out). */
  private async rowsOf(ids: readonly string[]): Promise<TaskRow[]> {
    return (await this.pool.query<TaskRow>('SELECT * FROM tasks WHERE task_id = ANY($1) ORDER BY created_at, task_id', [ids])).rows;
  }

  private async readAll(): Promise<void> {
    const { rows } = await this.pool.query<TaskRow>('SELECT * FROM tasks ORDER BY created_at, task_id');
    this.apply(rows);
  }

  private apply(rows: readonly TaskRow[]): void {
    this.durable.applyingStore(() => {
      for (const row of rows) {
        const { task, retention } = fromRow(row);
        this.engine.shared.apply(task, retention);
      }
    });
    for (const row of rows) for (const done of [...(this.awaited.get(row.task_id) ?? [])]) done();
  }

  private async takeCommands(): Promise<void> {
    const { rows } = await this.pool.query<{ command_id: string; task_id: string; payload: ForwardedAnswer }>(TAKE, [this.options.instanceId]);
    for (const row of rows.sort((a, b) => Number(a.command_id) - Number(b.command_id))) {
      try {
        this.answerOwn({ ...row.payload, taskId: row.task_id });
      } catch (error) {
        this.warn(`answer task ${row.task_id}`, error);
      }
    }
  }

  private warn(what: string, error: unknown): void {
    this.log.warn(`[store] could not ${what} (${connectionProblem(error)})`);
  }
}
