import { randomUUID } from 'node:crypto';
import { Emitter } from './events';
import { Disposable, toDisposable } from './lifecycle';
import type { Logger } from './logger';
import { type LongTimeout, type TimerApi, setLongTimeout } from './longTimer';
import { RECENT_RUNS, type Schedule, type ScheduleTrigger, ScheduleSchema, dueRunDecision, nextDueAt, triggerProblem } from './schedule';
import type { NewSchedule, ScheduleActions, ScheduleEdit } from './scheduleActions';
import type { ScheduleFile } from './scheduleFile';
import type { TaskActions } from './taskActions';
import type { TaskRecord } from './taskRecord';
import { isTerminal } from './taskStatus';
import type { TaskReader } from './taskStore';

/** What a run due while its server is away says on the schedule. */
export const SERVER_NOT_CONNECTED = 'server not connected';
/** What a run due while the previous one is still going says: runs never pile up. */
export const PREVIOUS_RUN_LIVE = 'skipped: the previous run was still running';
/** What a due run says while it waits for its server, in the grace after the editor opens. */
export const WAITING_FOR_SERVER = 'waiting for its server to connect';
/**
 * How long after `start()` a due run waits for its server to connect: external servers connect
 * only after the store has opened, so a catch-up run on one would otherwise always find it away.
 */
export const SERVER_GRACE_MS = 30_000;
/** How often a run in the grace asks whether its server has connected. */
export const SERVER_POLL_MS = 1_000;

export interface ScheduleRunnerOptions {
  /** Where the schedules are kept; without one they live in memory only. */
  readonly file?: ScheduleFile;
  readonly actions: Pick<TaskActions, 'start'>;
  readonly tasks: Pick<TaskReader, 'get'>;
  /** Whether a server is connected now (a run due while it is not is not started). */
  readonly isConnected: (serverId: string) => boolean;
  readonly log: Logger;
  /** Told what the person should know: a damaged schedules file, a failed save. */
  readonly onProblem?: (message: string) => void;
  /** The retention each run asks for, in ms. */
  readonly requestedTtlMs?: () => number;
  /** The wall clock due times are read on (ms since the epoch). */
  readonly now?: () => number;
  /** The timer the wait for the next due time runs on; tests script it. */
  readonly timers?: TimerApi;
  /** How long after `start()` a due run waits for its server (SERVER_GRACE_MS). */
  readonly serverGraceMs?: number;
}

/**
 * Keeps the workspace's schedules and runs them: one timer for all, set for the soonest due time
 * (through `setLongTimeout`, so a monthly cron waits correctly). At a due time each schedule that
 * is due is decided by `dueRunDecision` (the missed-run policy); a run starts a task through
 * `TaskActions` that names its schedule. A run due while the schedule's last run is still live is
 * skipped and says so; one due while the server is away says "server not connected", except in
 * the grace after `start()`, when it first waits for the server to connect. Nothing runs before
 * `start()`, which the extension calls once the task store has read its records.
 */
export class ScheduleRunner extends Disposable implements ScheduleActions {
  private readonly schedules = new Map<string, Schedule>();
  private readonly changed = this._register(new Emitter<void>());
  readonly onDidChange = this.changed.event;
  /** Schedules whose start call is out: a due time meanwhile must see the run as live. */
  private readonly starting = new Set<string>();
  /** Schedules whose due run waits for its server, in the grace after `start()`. */
  private readonly waitingForServer = new Set<string>();
  /** The timers of those waits, ended early on dispose. */
  private readonly delays = new Set<{ timer: LongTimeout; resolve: () => void }>();
  /** Until when (the runner's clock) a due run waits for its server; set by `start()`. */
  private serverGraceUntil = Number.NEGATIVE_INFINITY;
  private timer: LongTimeout | undefined;
  private started = false;
  private isDisposed = false;
  private readonly now: () => number;

  constructor(private readonly options: ScheduleRunnerOptions) {
    super();
    this.now = options.now ?? Date.now;
    const read = options.file?.read();
    for (const schedule of read?.schedules ?? []) this.schedules.set(schedule.id, schedule);
    if (read?.problem) {
      options.log.warn(`[schedules] ${read.problem}`);
      options.onProblem?.(read.problem);
      // The good ones written back at once: the damaged file is kept as its backup.
      this.save();
    }
    this._register(toDisposable(() => this.timer?.clear()));
    this._register(
      toDisposable(() => {
        for (const delay of this.delays) {
          delay.timer.clear();
          delay.resolve();
        }
        this.delays.clear();
      }),
    );
  }

  /** Deals with the due times that passed while the editor was closed, then waits for the next. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.serverGraceUntil = this.now() + (this.options.serverGraceMs ?? SERVER_GRACE_MS);
    this.fire();
  }

  list(): readonly Schedule[] {
    return [...this.schedules.values()].sort((a, b) => a.name.localeCompare(b.name) || a.createdAt.localeCompare(b.createdAt));
  }

  get(id: string): Schedule | undefined {
    return this.schedules.get(id);
  }

  nextRunAt(id: string): number | undefined {
    const schedule = this.schedules.get(id);
    return schedule && nextDueAt(schedule);
  }

  create(input: NewSchedule): Schedule {
    checkTrigger(input.trigger);
    const at = new Date(this.now()).toISOString();
    const schedule = ScheduleSchema.parse({
      id: randomUUID(),
      name: input.name.trim() || input.work.tool,
      work: input.work,
      trigger: input.trigger,
      paused: input.paused ?? false,
      missedRuns: input.missedRuns ?? 'runOnce',
      createdAt: at,
      dueFrom: at,
    });
    this.options.log.info(`[schedules] ${schedule.id} "${schedule.name}" created: ${schedule.work.tool} on ${schedule.work.serverId}`);
    return this.put(schedule);
  }

  edit(id: string, edit: ScheduleEdit): Schedule {
    const schedule = this.require(id);
    if (edit.trigger) checkTrigger(edit.trigger);
    const name = edit.name?.trim();
    return this.put({
      ...schedule,
      ...(name ? { name } : {}),
      ...(edit.missedRuns ? { missedRuns: edit.missedRuns } : {}),
      ...(edit.arguments ? { work: { ...schedule.work, arguments: edit.arguments } } : {}),
      // A new trigger counts from now: times the old one would have had are not missed runs.
      ...(edit.trigger ? { trigger: edit.trigger, dueFrom: new Date(this.now()).toISOString() } : {}),
    });
  }

  pause(id: string): Schedule {
    return this.put({ ...this.require(id), paused: true });
  }

  resume(id: string): Schedule {
    const schedule = this.require(id);
    if (!schedule.paused) return schedule;
    return this.put({ ...schedule, paused: false, dueFrom: new Date(this.now()).toISOString() });
  }

  runNow(id: string): Promise<TaskRecord | undefined> {
    return this.run(this.require(id), undefined);
  }

  delete(id: string): void {
    if (!this.schedules.delete(id)) return;
    this.options.log.info(`[schedules] ${id} deleted`);
    this.changedNow();
  }

  /** Runs or skips what is due, then sets the timer for the soonest next due time. */
  private fire(): void {
    if (this.isDisposed) return;
    const now = this.now();
    for (const schedule of [...this.schedules.values()]) {
      const decision = dueRunDecision(schedule, now);
      if (!decision) continue;
      const next = { ...schedule, dueFrom: new Date(decision.dueFrom).toISOString() };
      if (decision.note) this.options.log.info(`[schedules] ${schedule.id} "${schedule.name}": ${decision.note}`);
      if (decision.run) void this.run(this.put(next, false), decision.note, true);
      else this.put(decision.note ? { ...next, lastOutcome: { at: new Date(now).toISOString(), message: decision.note } } : next, false);
    }
    this.changedNow();
  }

  /**
   * Starts one run, unless the last is still live or the server is away; either is said on the
   * schedule. A due run (`due`) in the grace after `start()` first waits for its server.
   */
  private async run(schedule: Schedule, note: string | undefined, due = false): Promise<TaskRecord | undefined> {
    let at = new Date(this.now()).toISOString();
    if (this.waitingForServer.has(schedule.id)) {
      // Its earlier due run still waits for the server, and says so on the schedule.
      this.options.log.info(`[schedules] ${schedule.id} "${schedule.name}": skipped, ${WAITING_FOR_SERVER}`);
      return undefined;
    }
    const last = schedule.lastRecordId ? this.options.tasks.get(schedule.lastRecordId) : undefined;
    if (this.starting.has(schedule.id) || (last && !isTerminal(last.status))) {
      this.options.log.info(`[schedules] ${schedule.id} "${schedule.name}": ${PREVIOUS_RUN_LIVE}`);
      this.put({ ...schedule, lastOutcome: { at, message: PREVIOUS_RUN_LIVE } });
      return undefined;
    }
    if (!this.options.isConnected(schedule.work.serverId)) {
      const waited = due && this.now() < this.serverGraceUntil ? await this.waitForServer(schedule) : undefined;
      if (!waited) {
        const current = this.schedules.get(schedule.id);
        if (this.isDisposed || !current) return undefined;
        // Paused while it waited: the run is dropped, and so is the word that it waits.
        if (current.paused) {
          this.put({ ...current, lastOutcome: undefined });
          return undefined;
        }
        this.options.log.info(`[schedules] ${schedule.id} "${schedule.name}": ${schedule.work.serverId} is not connected`);
        this.put({ ...current, lastOutcome: { at: new Date(this.now()).toISOString(), message: SERVER_NOT_CONNECTED } });
        return undefined;
      }
      schedule = waited;
      at = new Date(this.now()).toISOString();
    }
    this.starting.add(schedule.id);
    this.put({ ...schedule, lastRunAt: at, lastOutcome: note ? { at, message: note } : undefined });
    try {
      const ttl = this.options.requestedTtlMs?.();
      const { serverId, tool, arguments: args, intent } = schedule.work;
      const record = await this.options.actions.start(
        { serverId, tool, arguments: args, intent: intent ?? schedule.name, ...(ttl ? { ttl } : {}) },
        { scheduleId: schedule.id },
      );
      const current = this.schedules.get(schedule.id);
      // Deleted while starting: its run is still a task of its own, linked to the schedule that was.
      if (current) {
        const recent = [record.id, ...current.recentRecordIds.filter((id) => id !== record.id)].slice(0, RECENT_RUNS);
        this.put({ ...current, lastRecordId: record.id, recentRecordIds: recent });
      }
      return record;
    } catch (error) {
      const message = `could not start: ${(error as Error).message}`;
      this.options.log.warn(`[schedules] ${schedule.id} "${schedule.name}": ${message}`);
      const current = this.schedules.get(schedule.id);
      if (current) this.put({ ...current, lastOutcome: { at, message } });
      return undefined;
    } finally {
      this.starting.delete(schedule.id);
    }
  }

  /**
   * Waits, until the grace ends, for the server of a due run to connect (asking every
   * SERVER_POLL_MS on the runner's clock). The schedule as it is then, or undefined when the
   * server stayed away, or the schedule was deleted or paused meanwhile.
   */
  private async waitForServer(schedule: Schedule): Promise<Schedule | undefined> {
    const { id, work } = schedule;
    this.options.log.info(`[schedules] ${id} "${schedule.name}": ${work.serverId} is not connected yet; waiting for it`);
    this.waitingForServer.add(id);
    this.put({ ...schedule, lastOutcome: { at: new Date(this.now()).toISOString(), message: WAITING_FOR_SERVER } });
    try {
      for (;;) {
        const left = this.serverGraceUntil - this.now();
        if (left <= 0 || this.isDisposed) return undefined;
        await this.delay(Math.min(SERVER_POLL_MS, left));
        const current = this.schedules.get(id);
        if (this.isDisposed || !current || current.paused) return undefined;
        if (this.options.isConnected(work.serverId)) return current;
      }
    } finally {
      this.waitingForServer.delete(id);
    }
  }

  /** Resolves after `ms` on the runner's timers, or at once when the runner is disposed. */
  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const delay = {
        timer: setLongTimeout(
          () => {
            this.delays.delete(delay);
            resolve();
          },
          ms,
          { unref: true, timers: this.options.timers },
        ),
        resolve,
      };
      this.delays.add(delay);
    });
  }

  private require(id: string): Schedule {
    const schedule = this.schedules.get(id);
    if (!schedule) throw new Error('This schedule no longer exists.');
    return schedule;
  }

  /** Keeps a changed schedule; unless told to wait (a batch), saves and announces it at once. */
  private put(schedule: Schedule, announce = true): Schedule {
    this.schedules.set(schedule.id, schedule);
    if (announce) this.changedNow();
    return schedule;
  }

  private changedNow(): void {
    if (this.isDisposed) return;
    this.save();
    if (this.started) this.arm();
    this.changed.fire();
  }

  private save(): void {
    try {
      this.options.file?.write([...this.schedules.values()]);
    } catch (error) {
      const message = `Tasklane could not save its schedules (${(error as Error).message}); changes since the last save will be lost when the window closes.`;
      this.options.log.error(`[schedules] ${message}`);
      this.options.onProblem?.(message);
    }
  }

  /** One timer for all: set for the soonest due time of the schedules that are not paused. */
  private arm(): void {
    this.timer?.clear();
    this.timer = undefined;
    let soonest: number | undefined;
    for (const schedule of this.schedules.values()) {
      const at = nextDueAt(schedule);
      if (at !== undefined && (soonest === undefined || at < soonest)) soonest = at;
    }
    if (soonest === undefined) return;
    this.timer = setLongTimeout(() => this.fire(), Math.max(0, soonest - this.now()), { unref: true, timers: this.options.timers });
  }

  override dispose(): void {
    this.isDisposed = true;
    super.dispose();
  }
}

function checkTrigger(trigger: ScheduleTrigger): void {
  const problem = triggerProblem(trigger);
  if (problem) throw new Error(problem);
}
