/**
 * What a form asks for each field, written for people: the schema's own words as the prompt, and
 * an example answer as the placeholder ("e.g. npm test", "e.g. 30"), never a bare type name.
 */
import type { FieldKind, JsonSchema } from './schemaForm';

const FORMAT_EXAMPLES: Readonly<Record<string, string>> = {
  email: 'ada@example.com',
  uri: 'https://example.com',
  url: 'https://example.com',
  'uri-reference': 'https://example.com/docs',
  'date-time': '2026-01-31T09:00:00Z',
  date: '2026-01-31',
  time: '09:00:00',
  duration: 'PT10M',
  hostname: 'example.com',
  ipv4: '127.0.0.1',
};

/** Examples for text fields, by what the field's name says it holds; the first match wins. */
const TEXT_EXAMPLES: readonly (readonly [RegExp, string])[] = [
  [/command|cmd|script/i, 'npm test'],
  [/^cwd$|dir|directory|folder|path/i, 'packages/app'],
  [/url|uri|endpoint/i, 'https://example.com'],
  [/email/i, 'ada@example.com'],
  [/question|prompt/i, 'Deploy build 1.4.2 to staging?'],
  [/message|text|note|summary/i, 'All done'],
  [/label|task/i, 'build'],
  [/query|search|filter/i, 'status:failed'],
  [/branch/i, 'main'],
];

/** Examples for lists typed with commas, by field name. */
const LIST_EXAMPLES: readonly (readonly [RegExp, string])[] = [
  [/choice|option|answer/i, 'Deploy, Wait'],
  [/tag|label/i, 'nightly, ci'],
  [/file|path/i, 'src/a.ts, src/b.ts'],
];

/** The type the schema names first, leaving out "null" (an optional value). */
export function mainType(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((type) => type !== 'null') : (schema.type as string | undefined);
}

/** A number of milliseconds, by its name ("timeoutMs") or its description: such a field also takes "10m". */
export function isMilliseconds(name: string, schema: JsonSchema): boolean {
  const type = mainType(schema);
  return (type === 'integer' || type === 'number') && (/[a-z]Ms$|^ms$/.test(name) || /\bmilliseconds\b|\bin ms\b/i.test(schema.description ?? ''));
}

export function promptFor(name: string, schema: JsonSchema): string {
  return schema.description?.trim() || schema.title?.trim() || humanize(name);
}

export function placeholderFor(name: string, schema: JsonSchema, kind: FieldKind, required: boolean): string {
  const skip = required ? '' : ' (leave empty to skip)';
  switch (kind) {
    case 'choice':
      return required ? 'Pick one' : 'Pick one, or leave it empty';
    case 'choices':
      return 'Pick any: Space to select, Enter when done';
    case 'boolean':
      return required ? 'Yes or no' : 'Yes or no, or leave it empty';
  }
  const example = exampleFor(name, schema, kind);
  if (example === undefined) return required ? 'Type your answer' : 'Leave empty to skip';
  return `e.g. ${example}${skip}`;
}

/** Readable words for a field name: "durationMs" → "Duration (ms)", "max_items" → "Max items". */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
  if (words.length === 0) return name;
  const unit = words.length > 1 && ['ms', 's', 'kb', 'mb'].includes(words[words.length - 1]!) ? ` (${words.pop()})` : '';
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${unit}`;
}

function exampleFor(name: string, schema: JsonSchema, kind: FieldKind): string | undefined {
  const given = schema.examples?.[0] ?? schema.default;
  if (given !== undefined) return show(given, kind);
  if (schema.format && FORMAT_EXAMPLES[schema.format]) return FORMAT_EXAMPLES[schema.format];
  switch (kind) {
    case 'integer':
      if (isMilliseconds(name, schema)) return within(schema, 60_000) === 60_000 ? '1m or 60000' : String(within(schema, 60_000));
      return String(within(schema, 30));
    case 'number':
      return String(within(schema, 2.5));
    case 'string':
      return TEXT_EXAMPLES.find(([pattern]) => pattern.test(name))?.[1];
    case 'list':
      return LIST_EXAMPLES.find(([pattern]) => pattern.test(name))?.[1] ?? 'first, second';
    case 'json':
      return jsonExample(schema);
    default:
      return undefined;
  }
}

function jsonExample(schema: JsonSchema): string {
  const type = mainType(schema);
  if (type === 'object') {
    const values = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    return values && mainType(values) === 'string' ? '{"NODE_ENV": "test"}' : '{"key": "value"}';
  }
  if (type === 'array') return mainType(schema.items ?? {}) === 'object' ? '[{"key": "value"}]' : '[1, 2, 3]';
  return '"text", 42 or {"key": "value"}';
}

/** `preferred`, moved inside the schema's bounds when it falls outside them. */
function within(schema: JsonSchema, preferred: number): number {
  let value = preferred;
  const low = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : undefined);
  const high = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : undefined);
  if (low !== undefined && value < low) value = low;
  if (high !== undefined && value > high) value = high;
  return value;
}

function show(value: unknown, kind: FieldKind): string {
  if (typeof value === 'string') return value;
  if (kind === 'list' && Array.isArray(value)) return value.map(String).join(', ');
  return JSON.stringify(value);
}
