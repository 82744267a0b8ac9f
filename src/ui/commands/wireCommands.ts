import * as vscode from 'vscode';
import type { TaskRecord } from '../../core/taskRecord';
import { wireScript } from '../../core/wireScript';
import { taskLabel } from '../taskPresentation';
import { resolveTask } from './taskPicker';
import type { UiContext } from './uiContext';

/** How a person turns capture on, as the Wire section and this command say it. */
export const TURN_CAPTURE_ON = 'Turn it on with "Capture Wire Messages" on the server in the Servers view, or in the setting tasklane.wire.captureServers.';

/**
 * Copies a task's wire log as something to run again: a `curl` sequence when it went over HTTP,
 * JSON lines for a stdio server otherwise (src/core/wireScript.ts). The token is never copied.
 */
export async function copyWireLogAsScript(ui: UiContext, arg?: unknown): Promise<string | undefined> {
  const hasSent = (record: TaskRecord) => {
    try {
      return ui.wireLogs?.readWireLog(record.id)?.entries.some((entry) => entry.direction === 'sent') === true;
    } catch {
      // A log file that cannot be read is not offered; picked by its node, reading it again says why.
      return false;
    }
  };
  const record = await resolveTask(ui.store, arg, {
    applies: hasSent,
    placeHolder: 'Copy the wire log of which task?',
    none: `No task has captured wire messages. ${TURN_CAPTURE_ON}`,
  });
  if (!record) return undefined;
  const log = ui.wireLogs?.readWireLog(record.id);
  const script = log && wireScript(log);
  if (!script) {
    void vscode.window.showInformationMessage(
      log
        ? `Tasklane sent no messages for "${taskLabel(record)}" that could be run again.`
        : `"${taskLabel(record)}" has no wire log: capture was off for its server. ${TURN_CAPTURE_ON}`,
    );
    return undefined;
  }
  await vscode.env.clipboard.writeText(script.text);
  const what = script.kind === 'curl' ? 'a curl script' : 'JSON lines for a stdio server';
  vscode.window.setStatusBarMessage(`$(copy) Copied the wire log as ${what} (${script.messages} message${script.messages === 1 ? '' : 's'})`, 4000);
  ui.log.info(`[wire] copied the wire log of task ${record.id} as ${script.kind} (${script.messages} messages)`);
  return script.text;
}
