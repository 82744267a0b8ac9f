import * as vscode from 'vscode';
import type { JsonSchema } from '../../core/schemaForm';
import type { InputAnswer } from '../../core/taskActions';
import type { TaskRecord } from '../../core/taskRecord';
import { questionText } from '../statusSummary';
import { taskLabel } from '../taskPresentation';
import { isTaskRef } from '../taskRef';
import { promptAnswer } from './answerPrompt';
import { questionHeading } from './questionHeading';
import { resolveTask } from './taskPicker';
import type { UiContext } from './uiContext';

/**
 * Answers a question a task asked, in one step: the input that opens is the answer (a form built
 * from its `requestedSchema`), with Decline in it. The tree, the status bar, the detail panel and
 * the notification all run this. As with any elicitation, nothing is sent unless the person
 * answers or declines; Escape leaves the question open.
 */
export async function answerInput(ui: UiContext, arg?: unknown, given?: InputAnswer): Promise<boolean> {
  const waiting = (r: TaskRecord) => r.pendingInput.length > 0 && !r.archived && !r.imported;
  // From the palette with a single question waiting, that question opens at once.
  const only = isTaskRef(arg) ? [] : ui.store.all().filter(waiting);
  const record =
    only.length === 1
      ? only[0]
      : await resolveTask(ui.store, arg, { applies: waiting, placeHolder: 'Answer which task?', none: 'No task is waiting for input.' });
  if (!record) return false;
  // The detail panel and the status bar name the question they answer; elsewhere the oldest open one is asked.
  const key = typeof (arg as { key?: unknown } | undefined)?.key === 'string' ? (arg as { key: string }).key : undefined;
  const question = record.pendingInput.find((p) => p.key === key) ?? record.pendingInput[0];
  if (!question) {
    void vscode.window.showInformationMessage('This task is not waiting for input any more.');
    return false;
  }
  let answer = given;
  if (!answer) {
    // The input is on screen once promptAnswer returns its promise (it shows the first step synchronously).
    const prompting = promptAnswer(
      (question.params.requestedSchema ?? { type: 'object', properties: {} }) as JsonSchema,
      questionHeading(questionText(question.params), record, taskLabel(record)),
    );
    ui.answering.add(record.id);
    try {
      answer = await prompting;
    } finally {
      ui.answering.delete(record.id);
    }
  }
  if (!answer) return false;
  ui.actions.answerInput(record.id, question.key, answer);
  return true;
}
