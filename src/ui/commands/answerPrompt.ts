import * as vscode from 'vscode';
import { type FormField, type JsonSchema, fieldsOf, parseField, validateObject } from '../../core/schemaForm';
import type { InputAnswer } from '../../core/taskActions';
import { type QuestionHeading, fieldHint, stepTitle } from './questionHeading';

/** Declining sits in the same input as the answer: a title button everywhere, and an item in every pick. */
const DECLINE_TOOLTIP = 'Decline: tell the task you will not answer';
const DECLINE_LABEL = '$(circle-slash) Decline';
const DECLINE_DETAIL = 'Tell the task you will not answer';
const LEAVE_EMPTY = '$(dash) Leave empty';
/** Escape is not a decline: the question stays open for later. */
const ESCAPE_HINT = 'Escape leaves it unanswered';
/** A text box has no rows: say where Decline is. */
const DECLINE_BUTTON_HINT = 'To decline, use the button at the top right';

const DECLINED = Symbol('declined');
const ESCAPED = Symbol('escaped');
type Step = unknown | typeof DECLINED | typeof ESCAPED;

/**
 * Asks a task's question in one step: the first input that opens already is the answer (a pick of
 * the choices, or a text box), with Decline in the same input. A schema of several fields asks
 * them in turn (1/3, 2/3…). Undefined when the person escapes: nothing is sent.
 */
export async function promptAnswer(schema: JsonSchema, heading: QuestionHeading): Promise<InputAnswer | undefined> {
  const fields = fieldsOf(schema);
  if (fields.length === 0) {
    const step = await confirmStep(heading);
    return step === ESCAPED ? undefined : step === DECLINED ? { action: 'decline' } : { action: 'accept', content: {} };
  }
  const content: Record<string, unknown> = {};
  for (const [index, field] of fields.entries()) {
    const title = stepTitle(heading, index, fields.length);
    const hint = fieldHint(field, heading, fields.length);
    const step =
      field.kind === 'choice' || field.kind === 'boolean' ? await pickStep(field, title, hint, heading) : await typeStep(field, title, hint, heading);
    if (step === ESCAPED) return undefined;
    if (step === DECLINED) return { action: 'decline' };
    if (step !== undefined) content[field.name] = step;
  }
  const problems = validateObject(schema, content);
  if (problems.length > 0) {
    void vscode.window.showErrorMessage(`The answer is not valid: ${problems.join('; ')}`);
    return undefined;
  }
  return { action: 'accept', content: content as InputAnswer['content'] };
}

const declineButton = (): vscode.QuickInputButton => ({ iconPath: new vscode.ThemeIcon('circle-slash'), tooltip: DECLINE_TOOLTIP });

interface Choice extends vscode.QuickPickItem {
  readonly step?: Step;
}

/** A pick: the field's choices, then Decline. */
function pickStep(field: FormField, title: string, hint: string | undefined, heading: QuestionHeading): Promise<Step> {
  const choices =
    field.kind === 'boolean'
      ? [
          { value: true, label: 'Yes' },
          { value: false, label: 'No' },
        ]
      : (field.choices ?? []);
  const items: Choice[] = choices.map((choice) => ({
    label: choice.label,
    step: choice.value,
    description: choice.value === field.defaultValue ? '(default)' : undefined,
  }));
  if (!field.required) items.push({ label: LEAVE_EMPTY, step: undefined });
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: DECLINE_LABEL, description: DECLINE_DETAIL, step: DECLINED });
  return pick(items, title, [hint ?? 'Pick an answer', heading.context, ESCAPE_HINT].filter(Boolean).join(' · '));
}

/** An answer that is only a yes: the question asks for no fields. */
function confirmStep(heading: QuestionHeading): Promise<Step> {
  const items: Choice[] = [
    { label: '$(check) Accept', description: 'Send the answer', step: {} },
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: DECLINE_LABEL, description: DECLINE_DETAIL, step: DECLINED },
  ];
  return pick(items, heading.title, [heading.context, ESCAPE_HINT].filter(Boolean).join(' · '));
}

function pick(items: Choice[], title: string, placeholder: string): Promise<Step> {
  const quickPick = vscode.window.createQuickPick<Choice>();
  quickPick.title = title;
  quickPick.placeholder = placeholder;
  quickPick.items = items;
  quickPick.ignoreFocusOut = true;
  quickPick.buttons = [declineButton()];
  return run(quickPick, (done) => [
    quickPick.onDidAccept(() => {
      const chosen = quickPick.selectedItems[0];
      if (chosen) done('step' in chosen ? chosen.step : undefined);
    }),
  ]);
}

/** A text box, validated as it is typed. */
function typeStep(field: FormField, title: string, hint: string | undefined, heading: QuestionHeading): Promise<Step> {
  const input = vscode.window.createInputBox();
  input.title = title;
  input.prompt = [hint, heading.context, `${DECLINE_BUTTON_HINT} · ${ESCAPE_HINT}`].filter(Boolean).join(' — ');
  input.placeholder = field.kind === 'json' ? 'JSON value' : field.kind === 'string' ? 'Your answer' : field.kind;
  input.value = field.defaultValue === undefined ? '' : typeof field.defaultValue === 'string' ? field.defaultValue : JSON.stringify(field.defaultValue);
  input.ignoreFocusOut = true;
  input.buttons = [declineButton()];
  const validate = (value: string) => {
    const parsed = parseField(field, value);
    input.validationMessage = parsed.ok ? undefined : parsed.error;
    return parsed;
  };
  return run(input, (done) => [
    input.onDidChangeValue(validate),
    input.onDidAccept(() => {
      const parsed = validate(input.value);
      if (parsed.ok) done(parsed.value);
    }),
  ]);
}

/** Shows an input and settles with its step: accepted (via `wire`), declined (the button) or escaped (hidden). */
function run(input: vscode.QuickPick<Choice> | vscode.InputBox, wire: (done: (step: Step) => void) => vscode.Disposable[]): Promise<Step> {
  return new Promise<Step>((resolve) => {
    let settled = false;
    const disposables: vscode.Disposable[] = [];
    const done = (step: Step) => {
      if (settled) return;
      settled = true;
      resolve(step);
      input.hide();
    };
    disposables.push(
      ...wire(done),
      input.onDidTriggerButton(() => done(DECLINED)),
      input.onDidHide(() => {
        done(ESCAPED);
        for (const disposable of disposables) disposable.dispose();
        input.dispose();
      }),
    );
    input.show();
  });
}
