import * as vscode from 'vscode';
import { type FormField, type JsonSchema, fieldsOf, parseField, validateObject } from '../../core/schemaForm';

const SKIP = '$(dash) Leave empty';

/**
 * Asks for each field of a JSON Schema in turn (step n of m), validating every answer as it is
 * typed, and the whole object at the end. Undefined when the person escapes.
 */
export async function promptForm(schema: JsonSchema, options: { title: string; initial?: Record<string, unknown> }): Promise<Record<string, unknown> | undefined> {
  const fields = fieldsOf(schema);
  const answer: Record<string, unknown> = {};
  for (const [index, field] of fields.entries()) {
    const title = `${options.title} (${index + 1}/${fields.length})`;
    const initial = options.initial?.[field.name] ?? field.defaultValue;
    const value = field.kind === 'choice' || field.kind === 'boolean' ? await pickValue(field, title, initial) : await typeValue(field, title, initial);
    if (value === CANCELLED) return undefined;
    if (value !== undefined) answer[field.name] = value;
  }
  const problems = validateObject(schema, answer);
  if (problems.length > 0) {
    void vscode.window.showErrorMessage(`The answer is not valid: ${problems.join('; ')}`);
    return undefined;
  }
  return answer;
}

/** Asks for a whole object as JSON, prefilled: for editing arguments before a retry. */
export async function promptJson(options: { title: string; initial: Record<string, unknown>; schema?: JsonSchema }): Promise<Record<string, unknown> | undefined> {
  const text = await vscode.window.showInputBox({
    title: options.title,
    prompt: 'Arguments as JSON',
    value: JSON.stringify(options.initial),
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        const parsed: unknown = JSON.parse(value);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'Arguments must be a JSON object';
        const problems = options.schema ? validateObject(options.schema, parsed as Record<string, unknown>) : [];
        return problems.length ? problems.join('; ') : undefined;
      } catch (error) {
        return `Not valid JSON: ${(error as Error).message}`;
      }
    },
  });
  return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
}

const CANCELLED = Symbol('cancelled');

async function typeValue(field: FormField, title: string, initial: unknown): Promise<unknown> {
  const text = await vscode.window.showInputBox({
    title,
    prompt: `${field.label}${field.required ? '' : ' (optional)'}${field.description ? ` — ${field.description}` : ''}`,
    placeHolder: field.kind === 'json' ? 'JSON value' : field.kind,
    value: initial === undefined ? '' : typeof initial === 'string' ? initial : JSON.stringify(initial),
    ignoreFocusOut: true,
    validateInput: (value) => {
      const parsed = parseField(field, value);
      return parsed.ok ? undefined : parsed.error;
    },
  });
  if (text === undefined) return CANCELLED;
  const parsed = parseField(field, text);
  return parsed.ok ? parsed.value : CANCELLED;
}

async function pickValue(field: FormField, title: string, initial: unknown): Promise<unknown> {
  const choices = field.kind === 'boolean' ? [{ value: true, label: 'true' }, { value: false, label: 'false' }] : (field.choices ?? []);
  const items: (vscode.QuickPickItem & { value?: unknown; skip?: boolean })[] = choices.map((choice) => ({
    label: choice.label,
    value: choice.value,
    description: choice.value === initial ? '(current)' : undefined,
  }));
  if (!field.required) items.push({ label: SKIP, skip: true });
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: `${field.label}${field.description ? ` — ${field.description}` : ''}`,
    ignoreFocusOut: true,
  });
  if (!picked) return CANCELLED;
  return picked.skip ? undefined : picked.value;
}
