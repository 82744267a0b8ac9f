/**
 * One task's work while the engine holds it: its snapshot, the signal that stops the work, its
 * time budget, its granted retention and the questions it has asked. The engine keeps the table,
 * the scheduler and the events; this is what a single task's work touches (its `RunContext`), so
 * the engine itself reads as the lifecycle of many tasks.
 */
import { type LongTimeout, setLongTimeout } from '../../core/longTimer';
import { clampPriority } from '../../core/taskRecord';
import { isTerminal } from '../../core/taskStatus';
import { boundSteps } from '../../core/taskSteps';
import type { EngineTask, InputRequest, RunContext, StartOptions } from './engineTask';
import { TaskCancelledError, TimeBudgetError } from './engineErrors';

/** What a task's work reports back to the engine that holds it. */
export interface LiveTaskHost {
  /** Replaces the task's snapshot with `change` applied and announces it. */
  update(task: LiveTask, change: Partial<EngineTask>): void;
  /** Live output of the work (the task is not terminal). */
  output(taskId: string, chunk: string): void;
}

/** A new task's first snapshot: `working`, its place and hints from `options`, its TTL the granted retention. */
export function initialSnapshot(
  options: StartOptions,
  fields: { taskId: string; at: string; ttl: number | null; pollInterval: number; parentTaskId?: string; machine?: string },
): EngineTask {
  return {
    taskId: fields.taskId,
    owner: options.owner,
    tool: options.tool,
    status: 'working',
    createdAt: fields.at,
    lastUpdatedAt: fields.at,
    ttl: fields.ttl,
    pollInterval: fields.pollInterval,
    inputRequests: new Map(),
    priority: clampPriority(options.priority ?? 0),
    ...(options.wire ? { wire: options.wire } : {}),
    ...(options.agent ? { agent: options.agent } : {}),
    ...(options.arguments ? { arguments: options.arguments } : {}),
    ...(options.meta ? { meta: { ...options.meta } } : {}),
    // The engine passes a parent only when it is the same owner's: another's must not leak.
    ...(fields.parentTaskId !== undefined ? { parentTaskId: fields.parentTaskId } : {}),
    ...(fields.machine !== undefined ? { machine: fields.machine } : {}),
  };
}

/** An adopted task's start options: what it was started with, and work that never runs again. */
export function adoptedOptions(snapshot: EngineTask): StartOptions {
  return {
    owner: snapshot.owner,
    tool: snapshot.tool,
    settle: () => ({ status: 'failed' }),
    run: () => Promise.reject(new Error(`Task ${snapshot.taskId} was adopted finished; it has no work to run`)),
  };
}

interface OpenInput {
  readonly request: InputRequest;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

export class LiveTask {
  private controller: AbortController | undefined;
  /** Why the work was stopped before anything asked for its signal (a task cancelled while it waited). */
  private stoppedFor: Error | undefined;
  private readonly open = new Map<string, OpenInput>();
  private nextInputKey = 1;
  private budgetTimer?: LongTimeout;
  /** Its work runs on another instance sharing the store (sharedTasks.ts), or ran in an earlier run: none runs here. */
  runsElsewhere = false;

  constructor(
    public snapshot: EngineTask,
    /** Creation order, for the engine's list cursor. */
    readonly sequence: number,
    readonly options: StartOptions,
    /** Granted retention: how long the task is kept once its work has ended (ms; null = unlimited). */
    readonly retention: number | null,
    private readonly host: LiveTaskHost,
  ) {}

  /**
   * What stops the work. Made when first asked for, which is when the work starts: ten thousand
   * tasks waiting in a queue cost no AbortController each, and one stopped while it waited gets a
   * signal that is already aborted, with the reason it was stopped for.
   */
  get abort(): AbortController {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.stoppedFor) this.controller.abort(this.stoppedFor);
    }
    return this.controller;
  }

  get isTerminal(): boolean {
    return isTerminal(this.snapshot.status);
  }

  /** What the work sees of its task: status and output while it runs, and a way to ask the requestor. */
  runContext(): RunContext {
    return {
      taskId: this.snapshot.taskId,
      signal: this.abort.signal,
      status: (message) => {
        if (!this.isTerminal) this.host.update(this, { status: this.snapshot.status, statusMessage: message });
      },
      output: (chunk) => {
        if (!this.isTerminal) this.host.output(this.snapshot.taskId, chunk);
      },
      steps: (steps) => {
        if (!this.isTerminal) this.host.update(this, { steps: boundSteps(steps) });
      },
      requestInput: (request) => this.openInput(request),
    };
  }

  /** The time budget counts from now: when it runs out, the work is aborted with `TimeBudgetError`. */
  startBudget(): void {
    const budget = this.options.timeBudgetMs;
    if (budget) this.budgetTimer = setLongTimeout(() => this.abort.abort(new TimeBudgetError(budget)), budget);
  }

  /** The task reached a terminal state: its budget no longer counts. */
  endBudget(): void {
    this.budgetTimer?.clear();
  }

  /** Stops the work (its budget with it). */
  stop(reason: Error): void {
    this.budgetTimer?.clear();
    if (!this.controller) this.stoppedFor ??= reason;
    else if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** Delivers an answer to an open question; false for an unknown or already answered key. */
  answerInput(key: string, response: unknown): boolean {
    const open = this.open.get(key);
    if (!open) return false;
    this.open.delete(key);
    this.syncInputs();
    open.resolve(response);
    return true;
  }

  /** Fails an open question (e.g. the requestor could not be asked); an unknown key is ignored. */
  failInput(key: string, error: Error): void {
    const open = this.open.get(key);
    if (!open) return;
    this.open.delete(key);
    this.syncInputs();
    open.reject(error);
  }

  /** The task ended: no open question will be answered. */
  rejectInputs(): void {
    for (const open of this.open.values()) open.reject(new TaskCancelledError());
    this.open.clear();
  }

  private openInput(request: InputRequest): Promise<unknown> {
    if (this.isTerminal) return Promise.reject(new TaskCancelledError());
    const key = `input-${this.nextInputKey++}`;
    return new Promise((resolve, reject) => {
      this.open.set(key, { request, resolve, reject });
      this.syncInputs();
      this.options.deliverInput?.(this.snapshot.taskId, key, request);
    });
  }

  /** The task is `input_required` while any question is open, and says so. */
  private syncInputs(): void {
    if (this.isTerminal) return;
    const inputRequests = new Map([...this.open].map(([key, open]) => [key, open.request]));
    const status = inputRequests.size > 0 ? 'input_required' : 'working';
    const message =
      status === 'input_required' ? 'Waiting for input' : this.snapshot.status === 'input_required' ? 'Input received' : this.snapshot.statusMessage;
    this.host.update(this, { status, statusMessage: message, inputRequests });
  }
}
