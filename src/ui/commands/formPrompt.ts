import * as vscode from 'vscode';
import { type FormField, type JsonSchema, fieldsOf, parseField, validateObject } from '../../core/schemaForm';
import { ESCAPED, type Offer, pickOrType } from './pickOrType';

const SKIP = '$(dash) Leave empty';

export interface FormOptions {
  readonly title: string;
  readonly initial?: Record<string, unknown>;
  /** Answers to offer for some fields (by name), picked from or typed over: e.g. the workspace's tasks for a task label. */
  readonly offers?: Readonly<Record<string, readonly Offer<unknown>[]>>;
}

/**
 * Asks for each field of a JSON Schema in turn (step n of m), in the schema's own words with an
 * example answer, validating every answer as it is typed, and the whole object at the end.
 * Choices and booleans are picked. Undefined when the person escapes.
 */
export async function promptForm(schema: JsonSchema, options: FormOptions): Promise<Record<string, unknown> | undefined> {
  const fields = fieldsOf(schema);
  const answer: Record<string, unknown> = {};
  for (const [index, field] of fields.entries()) {
    const title = `${options.title} · ${field.label} (${index + 1} of ${fields.length})`;
    const initial = options.initial?.[field.name] ?? field.defaultValue;
    const offers = options.offers?.[field.name];
    const value =
      field.kind === 'choice' || field.kind === 'boolean'
        ? await pickValue(field, title, initial)
        : field.kind === 'choices'
          ? await pickValues(field, title, initial)
          : offers?.length
            ? await pickOrTypeValue(field, title, offers)
            : await typeValue(field, title, initial);
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
export async function promptJson(options: {
  title: string;
  initial: Record<string, unknown>;
  schema?: JsonSchema;
}): Promise<Record<string, unknown> | undefined> {
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

/** What the input box says below the text: the schema's words, and whether the field may stay empty. */
function promptOf(field: FormField): string {
  return field.required ? field.prompt : `${field.prompt} (optional)`;
}

async function typeValue(field: FormField, title: string, initial: unknown): Promise<unknown> {
  const text = await vscode.window.showInputBox({
    title,
    prompt: promptOf(field),
    placeHolder: field.placeholder,
    value:
      initial === undefined
        ? ''
        : typeof initial === 'string'
          ? initial
          : field.kind === 'list' && Array.isArray(initial)
            ? initial.join(', ')
            : JSON.stringify(initial),
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

async function pickOrTypeValue(field: FormField, title: string, offers: readonly Offer<unknown>[]): Promise<unknown> {
  const value = await pickOrType<unknown>({
    title,
    prompt: promptOf(field),
    placeholder: 'Pick one, or type your own',
    offers: field.required ? offers : [...offers, { label: SKIP, value: undefined }],
    typed: (text) => {
      if (text.trim() === '') return undefined;
      const parsed = parseField(field, text);
      return parsed.ok ? { value: parsed.value, description: 'as typed' } : { error: parsed.error };
    },
  });
  return value === ESCAPED ? CANCELLED : value;
}

async function pickValue(field: FormField, title: string, initial: unknown): Promise<unknown> {
  const choices =
    field.kind === 'boolean'
      ? [
          { value: true, label: 'Yes' },
          { value: false, label: 'No' },
        ]
      : (field.choices ?? []);
  const items: (vscode.QuickPickItem & { value?: unknown; skip?: boolean })[] = choices.map((choice) => ({
    label: choice.label,
    value: choice.value,
    description:
      [field.kind === 'boolean' ? String(choice.value) : undefined, choice.value === initial ? '(default)' : undefined].filter(Boolean).join(' ') || undefined,
  }));
  if (!field.required) items.push({ label: SKIP, skip: true });
  const picked = await showPick(items, title, field, initial);
  if (!picked) return CANCELLED;
  return picked.skip ? undefined : picked.value;
}

async function pickValues(field: FormField, title: string, initial: unknown): Promise<unknown> {
  const chosen = Array.isArray(initial) ? initial : [];
  const items = (field.choices ?? []).map((choice) => ({ label: choice.label, value: choice.value, picked: chosen.includes(choice.value) }));
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: `${promptOf(field)}: ${field.placeholder}`,
    ignoreFocusOut: true,
    canPickMany: true,
  });
  if (!picked) return CANCELLED;
  return picked.length === 0 && !field.required ? undefined : picked.map((item) => item.value);
}

/** A single pick whose first item is the default, so Enter takes it. */
function showPick<T extends vscode.QuickPickItem & { value?: unknown }>(
  items: T[],
  title: string,
  field: FormField,
  initial: unknown,
): Thenable<T | undefined> {
  const ordered = [
    ...items.filter((item) => item.value === initial && initial !== undefined),
    ...items.filter((item) => item.value !== initial || initial === undefined),
  ];
  return vscode.window.showQuickPick(ordered, { title, placeHolder: `${promptOf(field)} — ${field.placeholder}`, ignoreFocusOut: true });
}
