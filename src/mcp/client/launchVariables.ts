/**
 * The `${...}` variables of a configured server's launch and the `.vscode/mcp.json` inputs that
 * answer `${input:ID}`: which variables exist, where they may sit, and the check of a configured
 * launch. Filling them in is serverLaunch.ts; the rest of the configuration is serverConfig.ts.
 */
import { z } from 'zod';
import { type ConfigProblem, zodProblems } from './configProblems';
import type { Launch, ServerSource } from './serverConfig';

/** A prompt declared in `.vscode/mcp.json`'s `inputs`, answered when a server first needs it. */
export interface InputDefinition {
  readonly id: string;
  readonly type: 'promptString' | 'pickString';
  readonly description: string;
  /** The answer is a secret: typed hidden, kept in SecretStorage, never logged. */
  readonly password: boolean;
  readonly default?: string;
  readonly options?: readonly string[];
}

/** A `${name}` in a configured string. */
export const VARIABLE = /\$\{([^}]*)\}/g;

/** What the name inside a `${...}` stands for. */
export type LaunchVariable =
  | { readonly kind: 'workspaceFolder' | 'workspaceFolderBasename' | 'userHome' | 'pathSeparator' }
  | { readonly kind: 'env'; readonly name: string }
  | { readonly kind: 'input'; readonly id: string }
  | { readonly kind: 'unknown' };

/** The variables Tasklane knows, VS Code's names: `${workspaceFolder}`, `${userHome}`, `${env:NAME}`, `${input:ID}`… */
export function parseVariable(name: string): LaunchVariable {
  switch (name) {
    case 'workspaceFolder':
    case 'workspaceFolderBasename':
    case 'userHome':
    case 'pathSeparator':
      return { kind: name };
    case '/':
      return { kind: 'pathSeparator' };
  }
  if (/^env:[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { kind: 'env', name: name.slice('env:'.length) };
  if (name.startsWith('input:')) return { kind: 'input', id: name.slice('input:'.length) };
  return { kind: 'unknown' };
}

/** Every string of a launch, with the field it sits in (relative to the server). */
export function launchStrings(launch: Launch): { field: string; value: string }[] {
  if (launch.type === 'http') {
    return [{ field: 'url', value: launch.url }, ...Object.entries(launch.headers).map(([key, value]) => ({ field: `headers.${key}`, value }))];
  }
  return [
    { field: 'command', value: launch.command },
    ...launch.args.map((value, index) => ({ field: `args[${index}]`, value })),
    ...Object.entries(launch.env).map(([key, value]) => ({ field: `env.${key}`, value })),
    ...(launch.cwd !== undefined ? [{ field: 'cwd', value: launch.cwd }] : []),
    ...(launch.envFile !== undefined ? [{ field: 'envFile', value: launch.envFile }] : []),
  ];
}

/** Checks every `${...}` of a launch against the inputs `declared`; returns the inputs it uses, in order of first use. */
export function checkVariables(
  launch: Launch,
  declared: readonly InputDefinition[],
  origin: string,
  field: string,
  problems: ConfigProblem[],
  serverId: string,
  source: ServerSource,
): InputDefinition[] {
  const used: InputDefinition[] = [];
  for (const { field: sub, value } of launchStrings(launch)) {
    for (const match of value.matchAll(VARIABLE)) {
      const name = match[1];
      const variable = parseVariable(name);
      if (variable.kind === 'unknown') {
        problems.push({
          origin,
          field: `${field}.${sub}`,
          message: `"\${${name}}" is not a variable Tasklane knows (use \${workspaceFolder}, \${userHome}, \${env:NAME} or \${input:ID})`,
          serverId,
        });
      } else if (variable.kind === 'input') {
        if (source === 'settings') {
          problems.push({
            origin,
            field: `${field}.${sub}`,
            message: `"\${${name}}": inputs are declared in .vscode/mcp.json; for a token use the "Tasklane: Set Server Token…" command`,
            serverId,
          });
          continue;
        }
        const input = declared.find((i) => i.id === variable.id);
        if (!input) problems.push({ origin, field: `${field}.${sub}`, message: `"\${${name}}" refers to an input that "inputs" does not declare`, serverId });
        else if (!used.includes(input)) used.push(input);
      }
    }
  }
  return used;
}

// ---------------------------------------------------------------------------------------------
// Inputs

const InputSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('promptString'),
    id: z.string().min(1),
    description: z.string().default(''),
    password: z.boolean().default(false),
    default: z.string().optional(),
  }),
  z.object({
    type: z.literal('pickString'),
    id: z.string().min(1),
    description: z.string().default(''),
    options: z.array(z.union([z.string(), z.object({ value: z.string(), label: z.string().optional() })])).min(1),
    default: z.string().optional(),
  }),
]);

/** Parses mcp.json's `inputs` (absent: none); each bad entry is a problem and is left out. */
export function parseInputs(raw: unknown, file: string, problems: ConfigProblem[]): InputDefinition[] {
  const inputs: InputDefinition[] = [];
  if (raw === undefined) return inputs;
  if (!Array.isArray(raw)) {
    problems.push({ origin: file, field: 'inputs', message: 'must be a list of prompts' });
    return inputs;
  }
  raw.forEach((item: unknown, index) => {
    const field = `inputs[${index}]`;
    if (typeof item === 'object' && item !== null && (item as { type?: unknown }).type === 'command') {
      problems.push({
        origin: file,
        field: `${field}.type`,
        message: '"command" inputs run editor commands, which Tasklane does not do; use "promptString" or "pickString"',
      });
      return;
    }
    const parsed = InputSchema.safeParse(item);
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error, file, field, ['type', 'id', 'description', 'password', 'default', 'options']));
      return;
    }
    const input = parsed.data;
    if (inputs.some((i) => i.id === input.id)) {
      problems.push({ origin: file, field: `${field}.id`, message: `"${input.id}" is declared twice` });
      return;
    }
    inputs.push(
      input.type === 'promptString'
        ? {
            id: input.id,
            type: 'promptString',
            description: input.description,
            password: input.password,
            ...(input.default !== undefined ? { default: input.default } : {}),
          }
        : {
            id: input.id,
            type: 'pickString',
            description: input.description,
            password: false,
            options: input.options.map((o) => (typeof o === 'string' ? o : o.value)),
            ...(input.default !== undefined ? { default: input.default } : {}),
          },
    );
  });
  return inputs;
}
