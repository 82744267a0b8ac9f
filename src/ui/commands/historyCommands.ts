import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parsePriority } from '../../core/taskDetails';
import { PRIORITY_RULE, type TaskRecord } from '../../core/taskRecord';
import { canChangePriority } from '../../core/taskRules';
import { EMBEDDED_SERVER_NAME } from '../../core/embeddedServer';
import { isTerminal } from '../../core/taskStatus';
import { exportFileName, exportFolder, parseExport, parseExportWireLogs, recordsForExport, serializeExport } from '../../core/taskExport';
import { taskLabel } from '../taskPresentation';
import { isTaskRef } from '../taskRef';
import { resolveTask } from './taskPicker';
import type { UiContext } from './uiContext';

/** globalState key of the folder the person last exported to. */
export const LAST_EXPORT_FOLDER_KEY = 'tasklane.lastExportFolder';

/** Larger files are refused before they are read: an export of 5,000 tasks with results is a few MB. */
const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

export async function setPinned(ui: UiContext, arg: unknown, pinned: boolean): Promise<TaskRecord | undefined> {
  const record = await resolveTask(ui.store, arg, {
    applies: (r) => r.pinned !== pinned,
    placeHolder: pinned ? 'Pin which task (keep it in history whatever its age)?' : 'Unpin which task?',
    none: pinned ? 'Every task is pinned already.' : 'No task is pinned.',
  });
  if (!record) return undefined;
  return ui.actions.setPinned(record.id, pinned);
}

export async function unarchiveTask(ui: UiContext, arg: unknown): Promise<TaskRecord | undefined> {
  const record = isTaskRef(arg) ? ui.store.get(arg.id) : await pickArchived(ui, 'Bring back which archived task?');
  if (!record) return undefined;
  return ui.actions.unarchive(record.id);
}

/** What `Export Tasks…` accepts besides a tree selection: the tasks to write, and where (tests and scripts skip the dialog). */
export interface ExportRequest {
  readonly ids?: readonly string[];
  readonly file?: string;
}

/**
 * Writes tasks to a JSON file: the clicked task or the tree's multi-selection, given ids, or
 * (from the palette) every task; a parent comes with its child tasks. Returns the file's path.
 */
export async function exportTasks(ui: UiContext, arg?: unknown, selection?: unknown): Promise<string | undefined> {
  const request = (isRequest(arg) ? arg : {}) as ExportRequest;
  const records = recordsToExport(ui, arg, selection, request);
  if (records.length === 0) {
    void vscode.window.showInformationMessage('There are no tasks to export.');
    return undefined;
  }
  const target = request.file
    ? vscode.Uri.file(request.file)
    : await vscode.window.showSaveDialog({
        title: `Export ${records.length === 1 ? `"${taskLabel(records[0]!)}"` : `${records.length} tasks`}`,
        defaultUri: defaultExportUri(ui, records),
        filters: { 'Tasklane tasks': ['json'] },
        saveLabel: 'Export',
      });
  if (!target) return undefined;
  // In the status bar: the confirmation that follows is the one notification a person needs.
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Exporting ${records.length} task${records.length === 1 ? '' : 's'}` },
    async () => {
      // Whole tasks: results kept aside are read back into the file.
      await vscode.workspace.fs.writeFile(target, Buffer.from(serializeExport(records, undefined, ui.store, ui.wireLogs), 'utf8'));
    },
  );
  ui.log.info(`[history] exported ${records.length} tasks to ${target.fsPath}`);
  if (!request.file) {
    await ui.globalState.update(LAST_EXPORT_FOLDER_KEY, path.dirname(target.fsPath));
    void confirmExport(ui, target, records.length);
  }
  return target.fsPath;
}

/** Says where the file went, with a way to get to it. */
async function confirmExport(ui: UiContext, file: vscode.Uri, count: number): Promise<void> {
  const choice = await vscode.window.showInformationMessage(`Exported ${count} task${count === 1 ? '' : 's'} to ${file.fsPath}`, 'Reveal');
  if (choice !== 'Reveal') return;
  try {
    await revealFile(file);
  } catch (error) {
    ui.log.warn(`[history] could not reveal ${file.fsPath}: ${(error as Error).message}`);
    void vscode.window.showErrorMessage(`Could not show ${file.fsPath}: ${(error as Error).message}`);
  }
}

/**
 * Shows the file in the system's file manager where there is one (a desktop window on this
 * machine); in a browser or a remote window, where the file lives on another machine, opens it.
 */
async function revealFile(file: vscode.Uri): Promise<void> {
  if (vscode.env.uiKind === vscode.UIKind.Desktop && !vscode.env.remoteName) {
    try {
      await vscode.commands.executeCommand('revealFileInOS', file);
      return;
    } catch {
      // No file manager to ask: open the file instead.
    }
  }
  await vscode.window.showTextDocument(file, { preview: true });
}

/**
 * Reads an export file back for inspection. A file that is not a complete, valid export is
 * refused as a whole with the reason; otherwise every task is added, marked imported.
 */
export async function importTasks(ui: UiContext, arg?: unknown): Promise<TaskRecord[]> {
  const given = (arg as { file?: unknown } | undefined)?.file;
  let source: vscode.Uri | undefined = typeof given === 'string' ? vscode.Uri.file(given) : undefined;
  if (!source) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Import Tasks',
      canSelectMany: false,
      filters: { 'Tasklane tasks': ['json'] },
      openLabel: 'Import',
    });
    source = picked?.[0];
  }
  if (!source) return [];
  const file = source;
  const imported = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Importing ${file.path.split('/').pop()}` },
    async () => {
      const stat = await vscode.workspace.fs.stat(file);
      if (stat.size > MAX_IMPORT_BYTES)
        throw new Error(`${file.fsPath} is ${Math.round(stat.size / 1024 / 1024)} MB; Tasklane imports files up to ${MAX_IMPORT_BYTES / 1024 / 1024} MB.`);
      const text = Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8');
      let records: TaskRecord[];
      try {
        records = parseExport(text);
      } catch (error) {
        throw new Error(`Could not import ${file.fsPath}. ${(error as Error).message} Nothing was imported.`);
      }
      return ui.actions.importRecords(records, parseExportWireLogs(text));
    },
  );
  ui.log.info(`[history] imported ${imported.length} tasks from ${file.fsPath}`);
  void vscode.window.showInformationMessage(
    `Imported ${imported.length} task${imported.length === 1 ? '' : 's'} for inspection. They are marked "imported" and are not connected to any server.`,
  );
  return imported;
}

export async function changePriority(ui: UiContext, arg?: unknown): Promise<TaskRecord | undefined> {
  const record = await resolveTask(ui.store, arg, {
    applies: canChangePriority,
    placeHolder: 'Change the priority of which task?',
    none: `No queued or running task on ${EMBEDDED_SERVER_NAME}.`,
  });
  if (!record) return undefined;
  if (!canChangePriority(record)) {
    void vscode.window.showInformationMessage(
      record.imported
        ? 'An imported task is a read-only copy.'
        : isTerminal(record.status)
          ? 'The task has finished; its priority no longer matters.'
          : "Only tasks on Tasklane's own server can be reprioritized from here.",
    );
    return undefined;
  }
  let priority = (arg as { priority?: unknown } | undefined)?.priority;
  if (typeof priority !== 'number') {
    const typed = await vscode.window.showInputBox({
      title: `Priority of "${taskLabel(record)}"`,
      prompt: `A priority is ${PRIORITY_RULE}. Queued tasks start highest priority first.`,
      value: String(record.priority ?? 0),
      validateInput: (value) => {
        const parsed = parsePriority(value);
        return parsed.ok ? undefined : parsed.error;
      },
    });
    if (typed === undefined) return undefined;
    const parsed = parsePriority(typed);
    priority = parsed.ok ? (parsed.value ?? 0) : undefined;
  }
  if (typeof priority !== 'number') throw new Error(`A priority is ${PRIORITY_RULE}.`);
  const updated = ui.actions.setPriority(record.id, priority);
  ui.log.info(`[ui] priority of ${record.id} set to ${priority}`);
  return updated;
}

function recordsToExport(ui: UiContext, arg: unknown, selection: unknown, request: ExportRequest): TaskRecord[] {
  let ids: readonly string[];
  if (request.ids) ids = request.ids;
  else if (Array.isArray(selection) && selection.some(isTaskRef)) ids = selection.filter(isTaskRef).map((node) => node.id);
  else if (isTaskRef(arg)) ids = [arg.id];
  else return [...ui.store.all()];
  return recordsForExport(ui.store.all(), ids);
}

function isRequest(arg: unknown): arg is ExportRequest {
  return typeof arg === 'object' && arg !== null && ('file' in arg || 'ids' in arg) && !('kind' in arg);
}

/** The last folder exported to, else Downloads, else home: never the workspace, where the file would join the project. */
function defaultExportUri(ui: UiContext, records: readonly TaskRecord[]): vscode.Uri | undefined {
  const home = os.homedir();
  const downloads = path.join(home, 'Downloads');
  const last = ui.globalState.get<unknown>(LAST_EXPORT_FOLDER_KEY);
  const candidates = [typeof last === 'string' && fs.existsSync(last) ? last : undefined, fs.existsSync(downloads) ? downloads : undefined, home];
  const folder = exportFolder(
    candidates,
    (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
  );
  return folder ? vscode.Uri.file(path.join(folder, exportFileName(records))) : undefined;
}

async function pickArchived(ui: UiContext, placeHolder: string): Promise<TaskRecord | undefined> {
  const archived = ui.store.all().filter((r) => r.archived);
  if (archived.length === 0) {
    void vscode.window.showInformationMessage('No task is archived.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    archived.map((record) => ({ label: taskLabel(record), description: record.tool, record })),
    { placeHolder },
  );
  return picked?.record;
}
