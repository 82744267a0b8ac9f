import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TasklaneApi } from '../../src/extension';
import type { Schedule } from '../../src/core/schedule';
import type { ScheduleNode } from '../../src/ui/schedules/schedulesTreeProvider';
import { inThemes, launcherServesPage, screenshot, tasklaneApi, waitFor } from './helpers';

const EVERY_MS = 3000;

/** The Schedules view's rows, read through its real TreeDataProvider, as VS Code asks for them. */
function scheduleRows(tasklane: TasklaneApi): { id: string; label: string; description: string; contextValue: string; children: string[] }[] {
  const tree = tasklane.schedulesView.tree;
  return tree.getChildren().map((node: ScheduleNode) => {
    const item = tree.getTreeItem(node);
    return {
      id: String(item.id),
      label: String(item.label),
      description: String(item.description ?? ''),
      contextValue: String(item.contextValue),
      children: tree.getChildren(node).map((child) => {
        const run = tree.getTreeItem(child);
        return `${String(run.description)} → ${run.command?.command}(${JSON.stringify(run.command?.arguments?.[0])})`;
      }),
    };
  });
}

const runsOf = (tasklane: TasklaneApi, scheduleId: string) => tasklane.store.all().filter((record) => record.scheduleId === scheduleId);

describe('schedules', function () {
  this.timeout(180_000);

  it('runs a tool every few seconds, each run a task linked to its schedule; paused it runs nothing, resumed it runs again', async () => {
    const tasklane = await tasklaneApi();
    const schedule: Schedule = await vscode.commands.executeCommand('tasklane.newSchedule', {
      name: 'Say hi',
      serverId: 'tasklane',
      tool: 'run_command',
      arguments: { command: 'echo hi' },
      everyMs: EVERY_MS,
    });
    assert.ok(schedule, 'the command returns the schedule');
    const saved = JSON.parse(fs.readFileSync(path.join(tasklane.storageDirectory, 'schedules.json'), 'utf8')) as { schedules: Schedule[] };
    assert.ok(
      saved.schedules.some((s) => s.id === schedule.id),
      'kept in the workspace’s schedules file',
    );

    const runs = await waitFor(
      () => {
        const done = runsOf(tasklane, schedule.id).filter((record) => record.status === 'completed');
        return done.length >= 2 ? done : undefined;
      },
      { what: 'two runs of the schedule to complete', timeoutMs: 60_000 },
    );
    for (const run of runs) {
      assert.strictEqual(run.tool, 'run_command');
      assert.strictEqual(run.intent, 'Say hi');
      assert.match(run.output ?? '', /hi/);
    }

    const row = await waitFor(() => scheduleRows(tasklane).find((r) => r.id === `schedule:${schedule.id}` && r.children.length >= 2), {
      what: 'the schedule’s row with its runs',
    });
    assert.strictEqual(row.label, 'Say hi');
    assert.match(row.description, /^every 3 s · (in \d s|due now) · last: (completed|working)/);
    assert.strictEqual(row.contextValue, 'schedule:active');
    assert.ok(
      row.children.some((child) => child.includes(`tasklane.showTaskDetails({"id":"${runs[0]!.id}"})`) || child.includes(`"id":"${runs[1]!.id}"`)),
      row.children.join('\n'),
    );

    if (launcherServesPage() && process.env.TASKLANE_SCREENSHOTS !== '0') {
      // A cron schedule beside it, paused, so the picture shows both kinds of trigger.
      const nightly: Schedule = await vscode.commands.executeCommand('tasklane.newSchedule', {
        name: 'Nightly dependency audit',
        serverId: 'tasklane',
        tool: 'run_command',
        arguments: { command: 'npm audit' },
        cron: '0 2 * * 1-5',
        timezone: 'Europe/Paris',
      });
      await vscode.commands.executeCommand('tasklane.pauseSchedule', { id: nightly.id });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await vscode.commands.executeCommand('tasklane.schedules.focus');
      const node = tasklane.schedulesView.tree.getChildren().find((n) => n.id === schedule.id)!;
      // Each run redraws the view; a reveal that lands during a redraw finds no node and is tried again.
      await waitFor(
        async () => {
          await tasklane.schedulesView.treeView.reveal(node, { expand: true, select: true, focus: false });
          return true;
        },
        { what: 'the schedule’s row to be revealed with its runs', timeoutMs: 30_000, intervalMs: 200 },
      );
      await inThemes(async (theme, themeClass) => screenshot(`schedules-view-${theme}`, themeClass));
      await vscode.commands.executeCommand('tasklane.deleteSchedule', { id: nightly.id }, { confirmed: true });
    }

    await vscode.commands.executeCommand('tasklane.pauseSchedule', { id: schedule.id });
    // A run already starting when the pause came may still land: count once the last one has settled.
    await waitFor(() => runsOf(tasklane, schedule.id).every((record) => record.status === 'completed'), { what: 'the runs so far to finish' });
    const pausedAt = Date.now();
    const countWhenPaused = runsOf(tasklane, schedule.id).length;
    assert.strictEqual(tasklane.schedules.nextRunAt(schedule.id), undefined);
    assert.match(scheduleRows(tasklane).find((r) => r.id === `schedule:${schedule.id}`)!.description, /· paused/);
    // Nothing to wait on but time: three due times pass while it is paused.
    await waitFor(() => Date.now() - pausedAt > 3 * EVERY_MS, { what: 'three intervals to pass', timeoutMs: 4 * EVERY_MS });
    assert.strictEqual(runsOf(tasklane, schedule.id).length, countWhenPaused, 'no run while paused');

    await vscode.commands.executeCommand('tasklane.resumeSchedule', { id: schedule.id });
    assert.strictEqual(scheduleRows(tasklane).find((r) => r.id === `schedule:${schedule.id}`)!.contextValue, 'schedule:active');
    await waitFor(() => runsOf(tasklane, schedule.id).length > countWhenPaused, { what: 'a run after the resume', timeoutMs: 30_000 });

    await vscode.commands.executeCommand('tasklane.deleteSchedule', { id: schedule.id }, { confirmed: true });
    assert.ok(!scheduleRows(tasklane).some((r) => r.id === `schedule:${schedule.id}`), 'the row is gone');
    assert.ok(runsOf(tasklane, schedule.id).length > countWhenPaused, 'its runs stay in the task history');
  });

  it('refuses an invalid cron expression with croner’s reason and creates nothing', async () => {
    const tasklane = await tasklaneApi();
    const before = tasklane.schedules.list().length;
    const result = await vscode.commands.executeCommand('tasklane.newSchedule', {
      name: 'Broken',
      serverId: 'tasklane',
      tool: 'run_command',
      arguments: { command: 'echo never' },
      cron: '61 * * * *',
    });
    assert.strictEqual(result, undefined, 'the command failed (and told the person)');
    assert.strictEqual(tasklane.schedules.list().length, before);
  });
});
