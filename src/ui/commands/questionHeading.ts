/**
 * How a question is headed in the answer input: the question itself as the title, and the task
 * that asks only when its name adds something (the `ask` tool's name *is* the question, so
 * "ask: Deploy? asks" is never shown). Pure (no `vscode`), so it is unit-tested.
 */
import type { TaskRecord } from '../../core/taskRecord';

/** Titles longer than this are cut; the whole question then goes in the prompt. */
const TITLE_MAX = 100;

export interface QuestionHeading {
  /** The whole question, on one line. */
  readonly question: string;
  /** The question, on one line, cut to fit a title. */
  readonly title: string;
  /** The task's name, when it says something the question does not. */
  readonly askedBy: string | undefined;
  /** What else to say under the input: the whole question when the title was cut, and which task asks. */
  readonly context: string | undefined;
}

export function questionHeading(question: string, record: Pick<TaskRecord, 'intent' | 'arguments'>, taskName: string): QuestionHeading {
  const flat = question.replace(/\s+/g, ' ').trim();
  const cut = flat.length > TITLE_MAX;
  const title = cut ? `${flat.slice(0, TITLE_MAX - 1)}…` : flat;
  const parts: string[] = [];
  if (cut) parts.push(flat);
  const askedBy = nameRepeatsQuestion(flat, record) ? undefined : taskName;
  if (askedBy) parts.push(`Asked by “${askedBy}”`);
  return { question: flat, title, askedBy, context: parts.length ? parts.join(' — ') : undefined };
}

/** The task's name says nothing the question does not: its intent is the question, or it was started with the question as an argument. */
function nameRepeatsQuestion(question: string, record: Pick<TaskRecord, 'intent' | 'arguments'>): boolean {
  const same = (value: unknown) => typeof value === 'string' && value.replace(/\s+/g, ' ').trim() === question;
  return record.intent ? same(record.intent) : Object.values(record.arguments).some(same);
}

/** A form step's title: the question, with "(2/3)" when the answer has several fields. */
export function stepTitle(heading: QuestionHeading, index: number, count: number): string {
  return count > 1 ? `${heading.title} (${index + 1}/${count})` : heading.title;
}

/**
 * What a form step says about its field: nothing for the only field when its words repeat the
 * question (the `ask` tool's "Answer"), else its label and description.
 */
export function fieldHint(field: { label: string; description?: string; required: boolean }, heading: QuestionHeading, fieldCount: number): string | undefined {
  const description = field.description?.replace(/\s+/g, ' ').trim();
  const own = description && description !== heading.question ? description : undefined;
  if (!own && fieldCount === 1) return undefined;
  return `${field.label}${field.required ? '' : ' (optional)'}${own ? `: ${own}` : ''}`;
}
