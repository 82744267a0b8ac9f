import * as vscode from 'vscode';
import type { JsonSchema } from '../../core/schemaForm';
import type { InputAnswer } from '../../core/taskActions';
import { taskLabel } from '../taskPresentation';
import { promptForm } from './formPrompt';
import { resolveTask } from './taskPicker';
import type { UiContext } from './uiContext';

/**
 * Answers a question a task asked, with a form built from its `requestedSchema`. The same trust
 * rules as any elicitation apply: nothing is sent unless the person answers or declines.
 */
export async function answerInput(ui: UiContext, arg?: unknown, given?: InputAnswer): Promise<boolean> {
  const record = await resolveTask(ui.store, arg, { applies: (r) => r.pendingInput.length > 0, placeHolder: 'Answer which task?', none: 'No task is waiting for input.' });
  if (!record) return false;
  // The detail panel names the question it answers; elsewhere the oldest open one is asked.
  const key = typeof (arg as { key?: unknown } | undefined)?.key === 'string' ? (arg as { key: string }).key : undefined;
  const question = record.pendingInput.find((p) => p.key === key) ?? record.pendingInput[0];
  if (!question) {
    void vscode.window.showInformationMessage('This task is not waiting for input any more.');
    return false;
  }
  if (given) {
    ui.service.answerInput(record.id, question.key, given);
    return true;
  }
  const message = typeof question.params.message === 'string' ? question.params.message : 'The task asks for input.';
  const choice = await vscode.window.showQuickPick(
    [
      { label: '$(edit) Answer…', action: 'accept' as const },
      { label: '$(close) Decline', description: 'Tell the task you will not answer', action: 'decline' as const },
    ],
    { title: `${taskLabel(record)} asks`, placeHolder: message, ignoreFocusOut: true },
  );
  if (!choice) return false;
  if (choice.action === 'decline') {
    ui.service.answerInput(record.id, question.key, { action: 'decline' });
    return true;
  }
  const schema = (question.params.requestedSchema ?? { type: 'object', properties: {} }) as JsonSchema;
  const content = await promptForm(schema, { title: message });
  if (!content) return false;
  ui.service.answerInput(record.id, question.key, { action: 'accept', content: content as InputAnswer['content'] });
  return true;
}
