import { randomUUID } from 'node:crypto';
import { isTerminal } from '../../core/taskStatus';
import { RpcCode, RpcError } from '../rpcError';
import type { Admitted, CreationBuckets } from './creationRate';
import type { EngineOptions } from './engineOptions';
import type { EngineQueue } from './engineQueue';
import type { EngineTask, StartOptions } from './engineTask';
import type { IdempotencyKeys } from './idempotencyKeys';
import { LiveTask, type LiveTaskHost, initialSnapshot } from './liveTask';
import { prerequisiteFailedMessage } from './queueMessages';
import { type PlannedStart, type SharedAdmission, type SharedStartHost, admitShared, startShared } from './sharedAdmission';
import type { TaskRetention } from './taskRetention';
import type { TaskTable } from './taskTable';

/** What starting a task needs of the engine: its parts, and how it numbers, announces and fails a task. */
export interface StartingEngine {
  readonly options: EngineOptions;
  readonly table: TaskTable;
  readonly retention: TaskRetention;
  readonly keys: IdempotencyKeys;
  readonly creations: CreationBuckets | undefined;
  readonly queue: EngineQueue;
  readonly liveTaskHost: LiveTaskHost;
  readonly pollIntervalMs: number;
  nextSequence(): number;
  iso(): string;
  /** The task exists now (fires `onDidCreate`). */
  created(task: EngineTask): void;
  /** Ends unfinished work `failed`, with a tool error result that says why. */
  fail(task: LiveTask, message: string): void;
}

/** A planned start, with the task it waits for. */
interface Planned extends PlannedStart {
  readonly after: LiveTask | undefined;
}

/**
 * How a task comes to exist (`TaskEngine.start` and `begin`): its `afterTaskId` is checked, its
 * idempotency key and creation token are taken (on this engine, or across every engine that
 * shares a store: sharedAdmission.ts), and it is created and handed to the scheduler or the
 * team's queue.
 */
export class TaskStarts {
  constructor(private readonly engine: StartingEngine) {}

  /** `TaskEngine.start`: on this engine alone. */
  start(options: StartOptions): EngineTask {
    const held = this.heldBy(options.owner, options.idempotencyKey);
    if (held) return held.snapshot;
    const planned = this.plan(options);
    this.engine.creations?.admit(options.owner);
    return this.create(planned);
  }

  /** `TaskEngine.begin`: with the shared store's word when the engine has one. */
  async begin(options: StartOptions): Promise<EngineTask> {
    const admission = this.engine.options.admission;
    return admission ? startShared(this.sharedStartHost, admission, options) : this.start(options);
  }

  /** Takes a creation token from the store's bucket (or this engine's, when the store cannot be asked); -32029 when refused. */
  async admitShared(admission: SharedAdmission, owner: string, what: Admitted): Promise<void> {
    await admitShared(this.sharedStartHost, admission, owner, what);
  }

  private readonly sharedStartHost: SharedStartHost<Planned> = {
    unfinished: (owner, taskId) => {
      const task = this.engine.table.findOwned(owner, taskId);
      return task && !task.isTerminal ? task.snapshot : undefined;
    },
    heldHere: (owner, key) => this.heldBy(owner, key)?.snapshot,
    plan: (options) => this.plan(options),
    create: (planned) => this.create(planned),
    admitHere: (owner, what) => this.engine.creations?.admit(owner, what),
    rate: () => this.engine.options.creationRate,
  };

  /** Checks a start (its `afterTaskId`) and makes the task's first snapshot; nothing is created yet. */
  private plan(options: StartOptions): Planned {
    const { table } = this.engine;
    const after = options.afterTaskId === undefined ? undefined : table.findOwn(options.owner, options.afterTaskId);
    if (options.afterTaskId !== undefined && !after) {
      throw new RpcError(RpcCode.InvalidParams, `Cannot run after task ${options.afterTaskId}: no such task (unknown, expired, or not yours)`);
    }
    const parent = options.parentTaskId === undefined ? undefined : table.findOwn(options.owner, options.parentTaskId);
    const retention = this.engine.retention.grant(options.ttl);
    const snapshot = initialSnapshot(options, {
      taskId: randomUUID(),
      at: this.engine.iso(),
      ttl: retention,
      pollInterval: this.engine.pollIntervalMs,
      parentTaskId: parent?.snapshot.taskId,
      machine: this.engine.options.machine,
    });
    return { options, snapshot, retention, after };
  }

  /** Creates a planned task (its creation token taken) and hands it to the scheduler or the team's queue. */
  private create({ options, snapshot, retention, after }: Planned): EngineTask {
    const { engine } = this;
    const taskId = snapshot.taskId;
    const task = new LiveTask(snapshot, engine.nextSequence(), options, retention, engine.liveTaskHost);
    engine.table.add(task);
    if (options.idempotencyKey !== undefined) engine.keys.claim(options.owner, options.idempotencyKey, taskId);
    // Queued for the team: whichever instance claims it runs it (that may be this one).
    task.runsElsewhere = !after && engine.options.sharedQueue?.(options) === true;
    engine.created(task.snapshot);
    if (task.runsElsewhere) return task.snapshot;
    if (after && isTerminal(after.snapshot.status) && after.snapshot.status !== 'completed') {
      // Decided already, but the creation result goes out first, as for any other change.
      const afterId = after.snapshot.taskId;
      setImmediate(() => engine.fail(task, prerequisiteFailedMessage(afterId, after.snapshot.status)));
      return task.snapshot;
    }
    engine.queue.submit(task, after);
    return task.snapshot;
  }

  /** The owner's unfinished task that holds this idempotency key, if any. */
  private heldBy(owner: string, key: string | undefined): LiveTask | undefined {
    const taskId = key === undefined ? undefined : this.engine.keys.find(owner, key);
    const task = taskId === undefined ? undefined : this.engine.table.findOwned(owner, taskId);
    return task && !task.isTerminal ? task : undefined;
  }
}
