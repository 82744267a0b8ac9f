import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../../../src/core/logger';
import { MAX_TIMER_MS, type TimerApi } from '../../../src/core/longTimer';
import { ScheduleFile } from '../../../src/core/scheduleFile';
import {
  PREVIOUS_RUN_LIVE,
  SERVER_GRACE_MS,
  SERVER_NOT_CONNECTED,
  SERVER_POLL_MS,
  ScheduleRunner,
  type ScheduleRunnerOptions,
  WAITING_FOR_SERVER,
} from '../../../src/core/scheduleRunner';
import type { StartOptions } from '../../../src/core/taskActions';
import type { TaskRecord, TaskSpecInput } from '../../../src/core/taskRecord';
import { TaskStore } from '../../../src/core/taskStore';
import { EditorTaskActions } from '../../../src/mcp/client/editorTaskActions';
import { makeTaskHarness } from '../helpers/taskHarness';
import { waitFor } from '../helpers/waitFor';

const MIN = 60_000;
const T0 = Date.parse('2026-03-02T08:00:00.000Z');
const WORK = { serverId: 'tasklane', tool: 'run_command', arguments: { command: 'echo hi' } };

/** A scripted wall clock whose timers fire when it is advanced, as Node's would (long delays in steps). */
class ScriptedClock implements TimerApi {
  time = T0;
  readonly delays: number[] = [];
  private readonly pending = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;

  now = (): number => this.time;
  setTimeout(callback: () => void, ms: number): unknown {
    this.delays.push(ms);
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + (ms > MAX_TIMER_MS ? 1 : ms), callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  get live(): number {
    return this.pending.size;
  }
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.pending].filter(([, timer]) => timer.at <= until).sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = until;
  }
}

/** Task actions that record each start in a store, and leave the task running or finish it. */
class RecordingActions {
  readonly starts: { spec: TaskSpecInput; options?: StartOptions }[] = [];
  finish = true;
  constructor(private readonly store: TaskStore) {}
  start = async (spec: TaskSpecInput, options?: StartOptions): Promise<TaskRecord> => {
    this.starts.push({ spec, options });
    const record = this.store.create(spec, { scheduleId: options?.scheduleId });
    return this.finish ? this.store.setStatus(record.id, 'completed') : record;
  };
}

function setup(fields: Partial<ScheduleRunnerOptions> = {}) {
  const clock = new ScriptedClock();
  const store = new TaskStore({ now: clock.now });
  const actions = new RecordingActions(store);
  let connected = true;
  const problems: string[] = [];
  const runner = new ScheduleRunner({
    actions,
    tasks: store,
    isConnected: () => connected,
    log: silentLogger,
    now: clock.now,
    timers: clock,
    onProblem: (message) => problems.push(message),
    ...fields,
  });
  return {
    clock,
    store,
    actions,
    runner,
    problems,
    setConnected: (value: boolean) => (connected = value),
    dispose: () => {
      runner.dispose();
      store.dispose();
    },
  };
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-schedules-'));
  tempDirs.push(dir);
  return dir;
}

describe('core/scheduleRunner', () => {
  after(() => {
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs an interval schedule at each due time, every run a task linked to its schedule', async () => {
    const t = setup();
    t.runner.start();
    const s = t.runner.create({ name: 'Ping', work: WORK, trigger: { everyMs: 5 * MIN } });
    assert.equal(t.runner.nextRunAt(s.id), T0 + 5 * MIN);
    t.clock.advance(5 * MIN - 1);
    assert.equal(t.actions.starts.length, 0, 'not before its due time');
    t.clock.advance(1);
    await waitFor(() => t.runner.get(s.id)?.lastRecordId, { what: 'the first run' });
    t.clock.advance(5 * MIN);
    await waitFor(() => t.runner.get(s.id)?.recentRecordIds.length === 2, { what: 'the second run' });
    const runs = t.store.all().filter((record) => record.scheduleId === s.id);
    assert.equal(runs.length, 2);
    assert.deepEqual(t.runner.get(s.id)?.recentRecordIds, [runs[0].id, runs[1].id], 'newest first');
    assert.equal(runs[0].intent, 'Ping', 'a run is titled with its schedule’s name');
    assert.equal(t.runner.nextRunAt(s.id), T0 + 15 * MIN);
    t.dispose();
  });

  it('skips a run while the last is still live, and says so (no pile-up)', async () => {
    const t = setup();
    t.actions.finish = false;
    t.runner.start();
    const s = t.runner.create({ name: 'Slow', work: WORK, trigger: { everyMs: MIN } });
    t.clock.advance(MIN);
    const first = await waitFor(() => t.runner.get(s.id)?.lastRecordId, { what: 'the first run' });
    t.clock.advance(MIN);
    t.clock.advance(MIN);
    assert.equal(t.actions.starts.length, 1, 'no second run while the first is working');
    assert.equal(t.runner.get(s.id)?.lastOutcome?.message, PREVIOUS_RUN_LIVE);
    t.store.setStatus(first, 'completed');
    t.clock.advance(MIN);
    await waitFor(() => t.actions.starts.length === 2, { what: 'the next run once the first ended' });
    t.dispose();
  });

  it('a run due while its server is away says "server not connected", and the next due time runs', async () => {
    const t = setup();
    t.runner.start();
    const s = t.runner.create({ name: 'Away', work: WORK, trigger: { everyMs: MIN } });
    t.setConnected(false);
    t.clock.advance(MIN);
    assert.equal(t.actions.starts.length, 0);
    assert.equal(t.runner.get(s.id)?.lastOutcome?.message, SERVER_NOT_CONNECTED);
    assert.equal(t.clock.live, 1, 'still waiting for the next due time');
    t.setConnected(true);
    t.clock.advance(MIN);
    await waitFor(() => t.runner.get(s.id)?.lastRecordId, { what: 'the run once the server is back' });
    assert.equal(t.runner.get(s.id)?.lastOutcome, undefined);
    t.dispose();
  });

  it('a paused schedule runs nothing, and resumed it counts from the resume (nothing caught up)', async () => {
    const t = setup();
    t.runner.start();
    const s = t.runner.create({ name: 'P', work: WORK, trigger: { everyMs: MIN } });
    t.runner.pause(s.id);
    assert.equal(t.runner.nextRunAt(s.id), undefined);
    t.clock.advance(10 * MIN);
    assert.equal(t.actions.starts.length, 0);
    t.runner.resume(s.id);
    assert.equal(t.runner.nextRunAt(s.id), t.clock.time + MIN);
    t.clock.advance(MIN);
    await waitFor(() => t.actions.starts.length === 1, { what: 'one run after the resume' });
    assert.equal(t.runner.get(s.id)?.lastOutcome, undefined, 'not a catch-up');
    t.dispose();
  });

  it('Run Now starts a run outside the trigger and leaves its due times as they were', async () => {
    const t = setup();
    t.runner.start();
    const s = t.runner.create({ name: 'N', work: WORK, trigger: { everyMs: 10 * MIN } });
    const record = await t.runner.runNow(s.id);
    assert.equal(record?.scheduleId, s.id);
    assert.equal(t.runner.nextRunAt(s.id), T0 + 10 * MIN);
    t.dispose();
  });

  it('a monthly cron waits through the long timer, in steps Node keeps', () => {
    const t = setup();
    t.runner.start();
    t.runner.create({ name: 'M', work: WORK, trigger: { cron: '0 0 1 * *', timezone: 'UTC' } });
    t.clock.advance(20 * 24 * 60 * MIN);
    assert.equal(t.actions.starts.length, 0);
    assert.ok(
      t.clock.delays.every((ms) => ms <= MAX_TIMER_MS),
      t.clock.delays.join(', '),
    );
    t.dispose();
  });

  it('refuses an invalid cron expression with croner’s reason', () => {
    const t = setup();
    assert.throws(() => t.runner.create({ name: 'X', work: WORK, trigger: { cron: '61 * * * *' } }), /minute/);
    assert.equal(t.runner.list().length, 0);
    t.dispose();
  });

  describe('across a restart', () => {
    it('keeps schedules in the file: a new runner reads them back as they were', () => {
      const dir = tempDir();
      const first = setup({ file: new ScheduleFile(dir) });
      const s = first.runner.create({ name: 'Kept', work: WORK, trigger: { cron: '0 9 * * 1-5', timezone: 'Europe/Paris' }, missedRuns: 'skip' });
      first.runner.pause(s.id);
      first.dispose();
      const second = setup({ file: new ScheduleFile(dir) });
      assert.deepEqual(second.runner.list(), [{ ...s, paused: true }]);
      assert.deepEqual(second.problems, []);
      second.dispose();
    });

    it('runs once on open for due times missed while closed (runOnce), and says so', async () => {
      const dir = tempDir();
      const first = setup({ file: new ScheduleFile(dir) });
      const s = first.runner.create({ name: 'Caught', work: WORK, trigger: { everyMs: 10 * MIN } });
      first.dispose();
      const second = setup({ file: new ScheduleFile(dir) });
      second.clock.time = T0 + 35 * MIN;
      second.runner.start();
      await waitFor(() => second.runner.get(s.id)?.lastRecordId, { what: 'the catch-up run' });
      assert.equal(second.actions.starts.length, 1, 'three missed due times, one run');
      assert.equal(second.runner.get(s.id)?.lastOutcome?.message, '3 runs missed while VS Code was closed, caught up as one');
      assert.equal(second.runner.nextRunAt(s.id), T0 + 40 * MIN);
      second.dispose();
    });

    describe('a catch-up run whose external server connects after the store opened', () => {
      /** A runner opened 35 min after the schedule was made, its server not yet connected. */
      function reopenedWithServerAway() {
        const dir = tempDir();
        const first = setup({ file: new ScheduleFile(dir) });
        const s = first.runner.create({ name: 'External', work: { ...WORK, serverId: 'external' }, trigger: { everyMs: 10 * MIN } });
        first.dispose();
        const second = setup({ file: new ScheduleFile(dir) });
        second.setConnected(false);
        second.clock.time = T0 + 35 * MIN;
        second.runner.start();
        return { ...second, id: s.id };
      }
      /** One poll step on the scripted clock, then until the runner has set its next poll (or finished waiting). */
      async function pollStep(t: ReturnType<typeof reopenedWithServerAway>) {
        t.clock.advance(SERVER_POLL_MS);
        await waitFor(() => t.clock.live === 2 || t.runner.get(t.id)?.lastOutcome?.message !== WAITING_FOR_SERVER, { what: 'the next poll' });
      }

      it('waits for the server in the grace, and runs once it connects', async () => {
        const t = reopenedWithServerAway();
        assert.equal(t.actions.starts.length, 0, 'nothing started while the server is away');
        assert.equal(t.runner.get(t.id)?.lastOutcome?.message, WAITING_FOR_SERVER);
        for (let waited = 0; waited < 10_000; waited += SERVER_POLL_MS) await pollStep(t);
        assert.equal(t.actions.starts.length, 0, 'still nothing started 10 s in');
        assert.equal(t.runner.get(t.id)?.lastOutcome?.message, WAITING_FOR_SERVER);
        t.setConnected(true);
        await pollStep(t);
        await waitFor(() => t.runner.get(t.id)?.lastRecordId, { what: 'the catch-up run once the server connected' });
        assert.equal(t.actions.starts.length, 1);
        assert.equal(t.actions.starts[0].spec.serverId, 'external');
        assert.equal(t.runner.get(t.id)?.lastOutcome?.message, '3 runs missed while VS Code was closed, caught up as one');
        assert.equal(t.clock.live, 1, 'no poll left: only the wait for the next due time');
        t.dispose();
      });

      it('gives up when the grace ends, saying "server not connected"; a run due later says it at once', async () => {
        const t = reopenedWithServerAway();
        for (let waited = 0; waited < SERVER_GRACE_MS; waited += SERVER_POLL_MS) await pollStep(t);
        await waitFor(() => t.runner.get(t.id)?.lastOutcome?.message === SERVER_NOT_CONNECTED, { what: 'the run to give up' });
        assert.equal(t.actions.starts.length, 0);
        assert.equal(t.clock.live, 1, 'no poll left: only the wait for the next due time');
        t.clock.advance(t.runner.nextRunAt(t.id)! - t.clock.now());
        assert.equal(t.runner.get(t.id)?.lastOutcome?.message, SERVER_NOT_CONNECTED, 'after the grace, a due run does not wait');
        assert.equal(t.clock.live, 1);
        t.dispose();
      });

      it('a schedule paused while its run waits runs nothing; disposing the runner ends a wait', async () => {
        const paused = reopenedWithServerAway();
        await pollStep(paused);
        paused.runner.pause(paused.id);
        paused.setConnected(true);
        await pollStep(paused);
        assert.equal(paused.actions.starts.length, 0, 'paused meanwhile: no run');
        assert.equal(paused.runner.get(paused.id)?.lastOutcome, undefined, 'no longer says it waits');
        assert.equal(paused.clock.live, 0, 'no poll left, and a paused schedule waits for no due time');
        paused.dispose();
        const disposed = reopenedWithServerAway();
        disposed.dispose();
        assert.equal(disposed.clock.live, 0, 'no timer left behind');
        assert.equal(disposed.actions.starts.length, 0);
      });
    });

    it('skips due times missed while closed (skip), and says how many', () => {
      const dir = tempDir();
      const first = setup({ file: new ScheduleFile(dir) });
      const s = first.runner.create({ name: 'Skipped', work: WORK, trigger: { everyMs: 10 * MIN }, missedRuns: 'skip' });
      first.dispose();
      const second = setup({ file: new ScheduleFile(dir) });
      second.clock.time = T0 + 55 * MIN;
      second.runner.start();
      assert.equal(second.actions.starts.length, 0);
      assert.equal(second.runner.get(s.id)?.lastOutcome?.message, 'skipped 5 runs missed while VS Code was closed');
      assert.equal(second.runner.nextRunAt(s.id), T0 + 60 * MIN);
      second.dispose();
    });

    it('a file that is not JSON is kept aside and reported; the runner starts empty and writes a good file', () => {
      const dir = tempDir();
      const file = new ScheduleFile(dir);
      fs.writeFileSync(file.file, '{"v":1,"schedules":[{"id":');
      const t = setup({ file });
      assert.equal(t.runner.list().length, 0);
      assert.equal(t.problems.length, 1);
      assert.match(t.problems[0], /could not read its schedules .*kept as .*schedules\.json\.corrupt-/);
      const backups = fs.readdirSync(dir).filter((name) => name.startsWith('schedules.json.corrupt-'));
      assert.equal(backups.length, 1);
      assert.equal(fs.readFileSync(path.join(dir, backups[0]), 'utf8'), '{"v":1,"schedules":[{"id":', 'the backup is the file as it was');
      assert.deepEqual(JSON.parse(fs.readFileSync(file.file, 'utf8')), { v: 1, schedules: [] });
      t.dispose();
    });

    it('a damaged schedule is left out and reported, and never costs the others', () => {
      const dir = tempDir();
      const first = setup({ file: new ScheduleFile(dir) });
      const good = first.runner.create({ name: 'Good', work: WORK, trigger: { everyMs: MIN } });
      first.runner.create({ name: 'Bad', work: WORK, trigger: { everyMs: MIN } });
      first.dispose();
      const file = new ScheduleFile(dir);
      const content = JSON.parse(fs.readFileSync(file.file, 'utf8')) as { schedules: { name: string; trigger: unknown }[] };
      content.schedules.find((s) => s.name === 'Bad')!.trigger = { cron: 42 };
      fs.writeFileSync(file.file, JSON.stringify(content));
      const second = setup({ file });
      assert.deepEqual(
        second.runner.list().map((s) => s.id),
        [good.id],
      );
      assert.match(second.problems[0] ?? '', /^1 schedule in schedules\.json could not be read and was left out .*the others are kept/);
      assert.ok(fs.readdirSync(dir).some((name) => name.startsWith('schedules.json.corrupt-')));
      second.dispose();
    });
  });

  it('through the editor’s task actions, a run is a task on the embedded server whose record names its schedule', async () => {
    const harness = await makeTaskHarness();
    const runner = new ScheduleRunner({
      actions: new EditorTaskActions(harness.service, harness.store),
      tasks: harness.store,
      isConnected: (id) => !!harness.service.getServer(id),
      log: silentLogger,
    });
    try {
      const s = runner.create({ name: 'Echo', work: WORK, trigger: { everyMs: 60 * MIN } });
      const record = await runner.runNow(s.id);
      assert.ok(record);
      assert.equal(harness.store.get(record.id)?.scheduleId, s.id);
      await waitFor(() => harness.store.get(record.id)?.status === 'completed', { what: 'the run to complete' });
    } finally {
      runner.dispose();
      await harness.dispose();
    }
  });
});
