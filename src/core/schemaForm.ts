/**
 * Turns a JSON Schema object (a tool's `inputSchema`, an elicitation's `requestedSchema`) into
 * form fields, parses what a person typed into each, and validates the whole answer. Pure: the
 * prompts themselves live in the UI.
 */
import { isMilliseconds, mainType, placeholderFor, promptFor } from './fieldHints';
import { parseDuration } from './taskDetails';

export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly title?: string;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly oneOf?: readonly { const?: unknown; title?: string }[];
  readonly anyOf?: readonly JsonSchema[];
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly additionalProperties?: boolean | JsonSchema;
  readonly default?: unknown;
  readonly examples?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly const?: unknown;
}

/**
 * How a field is asked for: typed (`string`, `number`, `integer`, `json`), a list typed with commas
 * (`list`: an array of strings), or picked (`boolean`, `choice`: one of an enum, `choices`: several).
 */
export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'choice' | 'choices' | 'list' | 'json';

export interface FormField {
  readonly name: string;
  readonly label: string;
  readonly description?: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly choices?: readonly { value: unknown; label: string }[];
  readonly schema: JsonSchema;
  readonly defaultValue?: unknown;
  /** What to ask, in the schema's words: its description, else its title, else the field's name. */
  readonly prompt: string;
  /** An example answer ("e.g. npm test"), never a bare type name. */
  readonly placeholder: string;
}

export type ParsedField = { readonly ok: true; readonly value: unknown; readonly omitted?: boolean } | { readonly ok: false; readonly error: string };

export function fieldsOf(schema: JsonSchema): FormField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const choices = choicesOf(property) ?? (isArray(property) && property.items ? choicesOf(property.items) : undefined);
    const kind: FieldKind = choices ? (isArray(property) ? 'choices' : 'choice') : kindOf(property);
    const isRequired = required.has(name);
    return {
      name,
      label: property.title ?? name,
      description: property.description,
      kind,
      required: isRequired,
      choices,
      schema: property,
      defaultValue: property.default,
      prompt: promptFor(name, property),
      placeholder: placeholderFor(name, property, kind, isRequired),
    };
  });
}

/** Parses one typed answer. An empty answer omits an optional field. */
export function parseField(field: FormField, text: string): ParsedField {
  const trimmed = text.trim();
  if (trimmed === '') {
    if (field.required && field.kind !== 'string') return { ok: false, error: `${field.label} is required` };
    if (!field.required) return { ok: true, value: undefined, omitted: true };
  }
  let value: unknown;
  switch (field.kind) {
    case 'number':
    case 'integer': {
      value = Number(trimmed);
      if (Number.isFinite(value as number)) break;
      if (!isMilliseconds(field.name, field.schema)) return { ok: false, error: `${field.label} must be a number` };
      // A number of milliseconds may be typed as a duration: "10m" is 600000.
      const duration = parseDuration(trimmed);
      if (!duration.ok || duration.value === undefined)
        return { ok: false, error: `${field.label} must be a number of milliseconds or a duration, e.g. 90s or 10m` };
      value = duration.value;
      break;
    }
    case 'boolean':
      if (!/^(true|false)$/i.test(trimmed)) return { ok: false, error: `${field.label} must be true or false` };
      value = trimmed.toLowerCase() === 'true';
      break;
    case 'json':
      try {
        value = JSON.parse(trimmed);
      } catch {
        return { ok: false, error: `${field.label} must be written as JSON: check the quotes and brackets` };
      }
      break;
    case 'list':
      if (trimmed.startsWith('[')) {
        try {
          value = JSON.parse(trimmed);
        } catch {
          return { ok: false, error: `${field.label}: separate the items with commas, or write a JSON list` };
        }
      } else
        value = trimmed
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '');
      break;
    case 'choices':
    case 'choice': {
      const choice = field.choices?.find((c) => c.label === trimmed || String(c.value) === trimmed);
      if (!choice) return { ok: false, error: `${field.label} must be one of: ${field.choices?.map((c) => c.label).join(', ')}` };
      value = choice.value;
      break;
    }
    default:
      value = text;
  }
  const error = validateValue(field.schema, value, field.label);
  return error ? { ok: false, error } : { ok: true, value };
}

/** Checks a whole answer against the schema; returns readable problems (empty when valid). */
export function validateObject(schema: JsonSchema, value: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const field of fieldsOf(schema)) {
    const present = value[field.name] !== undefined;
    if (!present) {
      if (field.required) problems.push(`${field.label} is required`);
      continue;
    }
    const error = validateValue(field.schema, value[field.name], field.label);
    if (error) problems.push(error);
  }
  return problems;
}

export function validateValue(schema: JsonSchema, value: unknown, label: string): string | undefined {
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type as string];
  if (types.length && !types.some((type) => matchesType(type, value))) return `${label} must be ${types.map((type) => TYPE_WORDS[type] ?? type).join(' or ')}`;
  const choices = choicesOf(schema);
  if (choices && !choices.some((c) => c.value === value)) return `${label} must be one of: ${choices.map((c) => c.label).join(', ')}`;
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) return `${label} must be at least ${schema.minimum}`;
    if (schema.maximum !== undefined && value > schema.maximum) return `${label} must be at most ${schema.maximum}`;
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return `${label} must be more than ${schema.exclusiveMinimum}`;
    if (schema.exclusiveMaximum !== undefined && value >= schema.exclusiveMaximum) return `${label} must be less than ${schema.exclusiveMaximum}`;
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      return `${label} must have at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`;
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return `${label} must have at most ${schema.maxItems} items`;
    if (schema.items) {
      for (const [index, item] of value.entries()) {
        const error = validateValue(schema.items, item, `${label}, item ${index + 1},`);
        if (error) return error;
      }
    }
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      return `${label} must have at least ${schema.minLength} character${schema.minLength === 1 ? '' : 's'}`;
    if (schema.maxLength !== undefined && value.length > schema.maxLength) return `${label} must have at most ${schema.maxLength} characters`;
    if (schema.pattern !== undefined && !safeRegExp(schema.pattern)?.test(value)) return `${label} must match ${schema.pattern}`;
    if (schema.format === 'email' && !/^[^@\s]+@[^@\s]+$/.test(value)) return `${label} must be an email address`;
    if (schema.format === 'uri' && !isUri(value)) return `${label} must be a URI`;
  }
  return undefined;
}

/** Type names as a person reads them in "must be …". */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'empty',
};

function matchesType(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'null':
      return value === null;
    default:
      return true;
  }
}

function kindOf(schema: JsonSchema): FieldKind {
  const type = mainType(schema);
  if (type === 'string' || type === 'number' || type === 'integer' || type === 'boolean') return type;
  if (type === 'array' && mainType(schema.items ?? {}) === 'string') return 'list';
  return 'json';
}

function isArray(schema: JsonSchema): boolean {
  return mainType(schema) === 'array';
}

function choicesOf(schema: JsonSchema): { value: unknown; label: string }[] | undefined {
  if (schema.enum) return schema.enum.map((value) => ({ value, label: String(value) }));
  if (schema.oneOf?.every((option) => 'const' in option))
    return schema.oneOf.map((option) => ({ value: option.const, label: option.title ?? String(option.const) }));
  return undefined;
}

function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

function isUri(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}
