import * as vscode from 'vscode';
import { type MissedRuns, type Schedule, type ScheduleTrigger, isTimeZone, triggerProblem, upcomingRuns } from '../../core/schedule';
import type { ScheduleActions } from '../../core/scheduleActions';
import type { ServerDirectory } from '../../core/serverDirectory';
import type { TaskRecord } from '../../core/taskRecord';
import { pickServer, pickTool, workspaceTaskOffers } from '../commands/createCommands';
import { promptForm } from '../commands/formPrompt';
import { parseInterval, runTimeWords, triggerWords } from './scheduleText';

/** What the schedule commands work with: they act only through the ports. */
export interface ScheduleUiContext {
  readonly schedules: ScheduleActions;
  readonly servers: ServerDirectory;
  readonly log: vscode.LogOutputChannel;
}

/** Optional answers, so tests and other extensions can create a schedule without prompts. */
export interface NewScheduleArgs {
  readonly name?: string;
  readonly serverId?: string;
  readonly tool?: string;
  readonly arguments?: Record<string, unknown>;
  readonly cron?: string;
  readonly timezone?: string;
  readonly everyMs?: number;
  readonly missedRuns?: MissedRuns;
}

export async function newSchedule(ui: ScheduleUiContext, given: NewScheduleArgs = {}): Promise<Schedule | undefined> {
  const serverId = given.serverId ?? (await pickServer(ui.servers, 'New Schedule (1/5): server'));
  if (!serverId) return undefined;
  const server = ui.servers.get(serverId);
  if (!server) throw new Error(`The server "${serverId}" is not connected; schedules are made from the tools of a connected server.`);
  const tools = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Listing tools of ${server.name}` }, () =>
    ui.servers.tools(server.id),
  );
  const toolName = given.tool ?? (await pickTool(tools, 'New Schedule (2/5): tool'));
  if (!toolName) return undefined;
  const tool = tools.find((t) => t.name === toolName);
  if (!tool) throw new Error(`${server.name} has no tool named "${toolName}".`);
  const args =
    given.arguments ??
    (await promptForm(tool.inputSchema, {
      title: `New Schedule (3/5): ${tool.title ?? tool.name}`,
      offers: await workspaceTaskOffers(ui, serverId, tool.name),
    }));
  if (!args) return undefined;
  const givenTrigger: ScheduleTrigger | undefined =
    given.cron !== undefined
      ? { cron: given.cron, ...(given.timezone ? { timezone: given.timezone } : {}) }
      : given.everyMs !== undefined
        ? { everyMs: given.everyMs }
        : undefined;
  const trigger = givenTrigger ?? (await askTrigger('New Schedule (4/5)'));
  if (!trigger) return undefined;
  const suggested = typeof args.command === 'string' ? args.command : (tool.title ?? tool.name);
  const name =
    given.name ??
    (await vscode.window.showInputBox({
      title: 'New Schedule (5/5): name',
      prompt: 'What the schedule and its runs are called',
      value: suggested,
      ignoreFocusOut: true,
    }));
  if (name === undefined) return undefined;
  const missedRuns = given.missedRuns ?? 'runOnce';
  // A person who typed the trigger confirms it against its next runs; a caller that passed everything does not.
  if (!givenTrigger && !(await confirmRuns(`Create the schedule “${name || suggested}”?`, trigger, 'Create'))) return undefined;
  const schedule = ui.schedules.create({ name: name || suggested, work: { serverId, tool: tool.name, arguments: args }, trigger, missedRuns });
  vscode.window.setStatusBarMessage(`$(history) Schedule “${schedule.name}” created: ${triggerWords(schedule.trigger)}`, 4000);
  return schedule;
}

/** Asks for an interval or a cron expression (checked by croner as it is typed, with its next runs); undefined when escaped. */
export async function askTrigger(title: string, current?: ScheduleTrigger): Promise<ScheduleTrigger | undefined> {
  const kind = await vscode.window.showQuickPick(
    [
      { label: '$(watch) Every…', description: 'an interval: every 15 min, every 2 h', choice: 'interval' as const },
      { label: '$(calendar) Cron expression', description: 'e.g. 0 9 * * 1-5: weekdays at 9:00', choice: 'cron' as const },
    ],
    { title: `${title}: when`, placeHolder: 'Run it when?', ignoreFocusOut: true },
  );
  if (!kind) return undefined;
  if (kind.choice === 'interval') {
    const text = await vscode.window.showInputBox({
      title: `${title}: every…`,
      prompt: 'How often: 30 s, 15 min, 2 h, 1 day',
      value: current && 'everyMs' in current ? `${current.everyMs / 60_000} min` : '15 min',
      ignoreFocusOut: true,
      validateInput: (value) => {
        const everyMs = parseInterval(value);
        if (everyMs === undefined) return 'Type a number and a unit: 30 s, 15 min, 2 h, 1 day';
        return triggerProblem({ everyMs }) ?? nextRunsMessage({ everyMs });
      },
    });
    const everyMs = text === undefined ? undefined : parseInterval(text);
    return everyMs === undefined ? undefined : { everyMs };
  }
  const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const timezone = await vscode.window.showInputBox({
    title: `${title}: time zone`,
    prompt: `The cron's time zone, an IANA name (empty: this machine's, ${localZone})`,
    value: current && 'cron' in current ? (current.timezone ?? '') : '',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() && !isTimeZone(value.trim()) ? `Unknown time zone "${value.trim()}": use a name such as Europe/Paris` : undefined),
  });
  if (timezone === undefined) return undefined;
  const zone = timezone.trim() || undefined;
  const cron = await vscode.window.showInputBox({
    title: `${title}: cron expression`,
    prompt: 'minute hour day-of-month month day-of-week (a leading seconds field is allowed)',
    value: current && 'cron' in current ? current.cron : '0 9 * * 1-5',
    ignoreFocusOut: true,
    validateInput: (value) => {
      const trigger = { cron: value.trim(), ...(zone ? { timezone: zone } : {}) };
      return triggerProblem(trigger) ?? nextRunsMessage(trigger);
    },
  });
  if (cron === undefined) return undefined;
  return { cron: cron.trim(), ...(zone ? { timezone: zone } : {}) };
}

/** The next 3 run times, shown under the input while a valid trigger is typed. */
function nextRunsMessage(trigger: ScheduleTrigger): vscode.InputBoxValidationMessage {
  return { message: `Next: ${nextRunsText(trigger)}`, severity: vscode.InputBoxValidationSeverity.Info };
}

function nextRunsText(trigger: ScheduleTrigger): string {
  const zone = 'cron' in trigger ? trigger.timezone : undefined;
  return upcomingRuns(trigger, Date.now(), 3)
    .map((at) => runTimeWords(at, zone))
    .join('; ');
}

async function confirmRuns(question: string, trigger: ScheduleTrigger, action: string): Promise<boolean> {
  const detail = `${triggerWords(trigger)}\nNext runs: ${nextRunsText(trigger)}`;
  return (await vscode.window.showInformationMessage(question, { modal: true, detail }, action)) === action;
}

/** The schedule a command is about: its node or `{ id }`, or picked from the list (only those `applies` to). */
async function resolveSchedule(ui: ScheduleUiContext, arg: unknown, applies: (s: Schedule) => boolean, placeHolder: string): Promise<Schedule | undefined> {
  const id = typeof arg === 'object' && arg !== null && typeof (arg as { id?: unknown }).id === 'string' ? (arg as { id: string }).id : undefined;
  if (id) {
    const schedule = ui.schedules.get(id);
    if (!schedule) throw new Error('This schedule no longer exists.');
    return schedule;
  }
  const candidates = ui.schedules.list().filter(applies);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage('There is no schedule this applies to.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((schedule) => ({ label: schedule.name, description: triggerWords(schedule.trigger), schedule })),
    { placeHolder },
  );
  return picked?.schedule;
}

export async function pauseSchedule(ui: ScheduleUiContext, arg: unknown): Promise<void> {
  const schedule = await resolveSchedule(ui, arg, (s) => !s.paused, 'Pause which schedule?');
  if (schedule) ui.schedules.pause(schedule.id);
}

export async function resumeSchedule(ui: ScheduleUiContext, arg: unknown): Promise<void> {
  const schedule = await resolveSchedule(ui, arg, (s) => s.paused, 'Resume which schedule?');
  if (schedule) ui.schedules.resume(schedule.id);
}

export async function runScheduleNow(ui: ScheduleUiContext, arg: unknown): Promise<TaskRecord | undefined> {
  const schedule = await resolveSchedule(ui, arg, () => true, 'Run which schedule now?');
  if (!schedule) return undefined;
  const record = await ui.schedules.runNow(schedule.id);
  // Not started: the schedule says why (the last run still live, the server away, the start refused).
  if (!record)
    void vscode.window.showWarningMessage(`“${schedule.name}” did not run: ${ui.schedules.get(schedule.id)?.lastOutcome?.message ?? 'it could not start'}.`);
  return record;
}

/** Optional answers for Edit Schedule, so it can run without prompts. */
export interface EditScheduleArgs {
  readonly trigger?: ScheduleTrigger;
  readonly arguments?: Record<string, unknown>;
  readonly name?: string;
  readonly missedRuns?: MissedRuns;
}

export async function editSchedule(ui: ScheduleUiContext, arg: unknown, given?: EditScheduleArgs): Promise<Schedule | undefined> {
  const schedule = await resolveSchedule(ui, arg, () => true, 'Edit which schedule?');
  if (!schedule) return undefined;
  if (given) return ui.schedules.edit(schedule.id, given);
  const what = await vscode.window.showQuickPick(
    [
      { label: 'Trigger', description: triggerWords(schedule.trigger), part: 'trigger' as const },
      { label: 'Arguments', description: JSON.stringify(schedule.work.arguments), part: 'arguments' as const },
      { label: 'Name', description: schedule.name, part: 'name' as const },
      {
        label: 'Missed runs',
        description: schedule.missedRuns === 'runOnce' ? 'run once when VS Code opens' : 'skip',
        part: 'missedRuns' as const,
      },
    ],
    { title: `Edit Schedule “${schedule.name}”`, placeHolder: 'Change what?' },
  );
  if (!what) return undefined;
  if (what.part === 'trigger') {
    const trigger = await askTrigger(`Edit “${schedule.name}”`, schedule.trigger);
    if (!trigger || !(await confirmRuns(`Change when “${schedule.name}” runs?`, trigger, 'Change'))) return undefined;
    return ui.schedules.edit(schedule.id, { trigger });
  }
  if (what.part === 'arguments') {
    const tools = await ui.servers.tools(schedule.work.serverId);
    const tool = tools.find((t) => t.name === schedule.work.tool);
    if (!tool) throw new Error(`${schedule.work.serverId} no longer has a tool named "${schedule.work.tool}".`);
    const args = await promptForm(tool.inputSchema, { title: `Edit “${schedule.name}”: arguments`, initial: schedule.work.arguments });
    return args ? ui.schedules.edit(schedule.id, { arguments: args }) : undefined;
  }
  if (what.part === 'name') {
    const name = await vscode.window.showInputBox({
      title: `Rename “${schedule.name}”`,
      value: schedule.name,
      validateInput: (v) => (v.trim() ? undefined : 'A name'),
    });
    return name ? ui.schedules.edit(schedule.id, { name }) : undefined;
  }
  const policy = await vscode.window.showQuickPick(
    [
      { label: 'Run once when VS Code opens', description: 'one catch-up run for all missed times, if the last is within a day', value: 'runOnce' as const },
      { label: 'Skip', description: 'missed times run nothing; the schedule says how many', value: 'skip' as const },
    ],
    { title: `Missed runs of “${schedule.name}”`, placeHolder: 'When VS Code was closed over due times…' },
  );
  return policy ? ui.schedules.edit(schedule.id, { missedRuns: policy.value }) : undefined;
}

export async function deleteSchedule(ui: ScheduleUiContext, arg: unknown, given?: { confirmed?: boolean }): Promise<boolean> {
  const schedule = await resolveSchedule(ui, arg, () => true, 'Delete which schedule?');
  if (!schedule) return false;
  if (!given?.confirmed) {
    const choice = await vscode.window.showWarningMessage(
      `Delete the schedule “${schedule.name}”?`,
      { modal: true, detail: `It runs ${triggerWords(schedule.trigger)}. Its past runs stay in the Tasks view.` },
      'Delete',
    );
    if (choice !== 'Delete') return false;
  }
  ui.schedules.delete(schedule.id);
  return true;
}
