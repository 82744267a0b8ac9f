/**
 * What external servers are configured: the `tasklane.servers` setting and `.vscode/mcp.json`,
 * parsed and checked into `ServerConfig`s with problems in plain words. Filling in their variables
 * is serverLaunch.ts.
 */
import { type ParseError, parse, printParseErrorCode, stripComments } from 'jsonc-parser';
import { z } from 'zod';
import { editDistance, slugify } from '../../core/text';
import { isLoopbackMcpUrl } from '../loopbackEndpoint';

/**
 * External MCP server configuration, from two places: Tasklane's `tasklane.servers` setting and a
 * workspace's `.vscode/mcp.json` (VS Code's own format). Parsing is vscode-free: each server entry
 * is validated on its own, so one bad entry is reported (file and field named) while the others
 * still connect. Strings keep their `${...}` variables until a connection is made; then
 * `resolveLaunch` fills them in (`${input:...}` answers come from the caller, which keeps them in
 * SecretStorage).
 */

export type ServerSource = 'settings' | 'mcp.json';

export interface StdioLaunch {
  readonly type: 'stdio';
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** A dotenv file whose variables are added to `env` (VS Code's `envFile`). */
  readonly envFile?: string;
}

export interface HttpLaunch {
  readonly type: 'http';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

export type Launch = StdioLaunch | HttpLaunch;

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

export interface ServerConfig {
  readonly id: string;
  readonly name: string;
  readonly source: ServerSource;
  /** Where the entry was declared, as shown to the person: a file path, or the setting's name. */
  readonly origin: string;
  /** The workspace folder `${workspaceFolder}` stands for (the file's folder for mcp.json). */
  readonly folder?: string;
  /** Unresolved: strings may still hold `${...}` variables. */
  readonly launch: Launch;
  /** The input prompts this server references, in order of first use. */
  readonly inputs: readonly InputDefinition[];
}

export interface ConfigProblem {
  /** A file path or `Settings`. */
  readonly origin: string;
  /** The field, as a path a person can find: `servers.github.url`, `tasklane.servers[2].command`. */
  readonly field: string;
  readonly message: string;
  /** Set when the problem belongs to one server entry (the others are unaffected). */
  readonly serverId?: string;
}

export interface ParsedServers {
  readonly servers: ServerConfig[];
  readonly problems: ConfigProblem[];
}

export const SETTINGS_ORIGIN = 'Settings (tasklane.servers)';
/** The embedded server's id: no configured server may take it. */
export const RESERVED_SERVER_IDS: readonly string[] = ['tasklane'];

/** An mcp.json entry pointing VS Code at Tasklane's own loopback agent endpoint. */
function isOwnAgentEntry(server: ServerConfig): boolean {
  return server.source === 'mcp.json' && server.launch.type === 'http' && isLoopbackMcpUrl(server.launch.url);
}

export function formatProblem(problem: ConfigProblem): string {
  return `${problem.origin}: ${problem.field}: ${problem.message}`;
}

// ---------------------------------------------------------------------------------------------
// Schemas

const SERVER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const envValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const stringRecord = z.record(z.string(), z.string());

const SETTINGS_FIELDS = ['id', 'name', 'type', 'command', 'args', 'env', 'envFile', 'cwd', 'url', 'headers'] as const;

/** How to reach a server: the fields both formats share. */
const connectionFields = {
  type: z.enum(['stdio', 'http', 'sse']).optional(),
  command: z.string().trim().min(1, 'must not be empty').optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), envValue).optional(),
  envFile: z.string().optional(),
  cwd: z.string().optional(),
  url: z.string().trim().min(1, 'must not be empty').optional(),
  headers: stringRecord.optional(),
};

const SettingsEntrySchema = z
  .object({
    id: z.string().regex(SERVER_ID, 'use letters, digits, ".", "_" or "-" (at most 64), starting with a letter or digit').optional(),
    name: z.string().trim().min(1, 'must not be empty'),
    ...connectionFields,
  })
  .strict();

/** One entry of mcp.json's `servers` map. VS Code accepts more keys (`dev`, `gallery`, …); they are ignored. */
const McpJsonServerSchema = z.object(connectionFields);

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

type RawEntry = z.infer<typeof McpJsonServerSchema>;

// ---------------------------------------------------------------------------------------------
// Parsing

/** Parses the `tasklane.servers` setting's value. */
export function parseSettingsServers(value: unknown, options: { folder?: string; origin?: string } = {}): ParsedServers {
  const origin = options.origin ?? SETTINGS_ORIGIN;
  const servers: ServerConfig[] = [];
  const problems: ConfigProblem[] = [];
  if (value === undefined || value === null) return { servers, problems };
  if (!Array.isArray(value)) {
    problems.push({ origin, field: 'tasklane.servers', message: 'must be a list of servers ([ { "name": …, "type": "stdio", "command": … } ])' });
    return { servers, problems };
  }
  value.forEach((item, index) => {
    const field = `tasklane.servers[${index}]`;
    const parsed = SettingsEntrySchema.safeParse(item);
    const name = isObject(item) && typeof item.name === 'string' && item.name.trim() ? item.name.trim() : undefined;
    const id = isObject(item) && typeof item.id === 'string' && SERVER_ID.test(item.id) ? item.id : name ? slugify(name) : undefined;
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error, origin, field, SETTINGS_FIELDS, id));
      return;
    }
    const entry = parsed.data;
    const serverId = entry.id ?? slugify(entry.name);
    const launch = toLaunch(entry, origin, field, problems, serverId);
    if (!launch) return;
    const before = problems.length;
    const inputs = checkVariables(launch, [], origin, field, problems, serverId, 'settings');
    if (problems.length > before) return;
    servers.push({ id: serverId, name: entry.name, source: 'settings', origin, ...(options.folder ? { folder: options.folder } : {}), launch, inputs });
  });
  return { servers, problems };
}

/** Parses a `.vscode/mcp.json` file's text (JSON with comments, as VS Code writes it). */
export function parseMcpJson(text: string, file: string, folder?: string): ParsedServers {
  const servers: ServerConfig[] = [];
  const problems: ConfigProblem[] = [];
  let document: unknown;
  try {
    document = parseJsonc(text);
  } catch (error) {
    problems.push({ origin: file, field: '(file)', message: `is not valid JSON: ${(error as Error).message}` });
    return { servers, problems };
  }
  if (document === undefined) return { servers, problems };
  if (!isObject(document)) {
    problems.push({ origin: file, field: '(file)', message: 'must be an object with a "servers" map' });
    return { servers, problems };
  }
  const inputs: InputDefinition[] = [];
  if (document.inputs !== undefined) {
    if (!Array.isArray(document.inputs)) {
      problems.push({ origin: file, field: 'inputs', message: 'must be a list of prompts' });
    } else {
      document.inputs.forEach((raw, index) => {
        const field = `inputs[${index}]`;
        if (isObject(raw) && raw.type === 'command') {
          problems.push({
            origin: file,
            field: `${field}.type`,
            message: '"command" inputs run editor commands, which Tasklane does not do; use "promptString" or "pickString"',
          });
          return;
        }
        const parsed = InputSchema.safeParse(raw);
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
    }
  }
  const map = document.servers;
  if (map === undefined) return { servers, problems };
  if (!isObject(map)) {
    problems.push({ origin: file, field: 'servers', message: 'must be an object mapping a server name to its configuration' });
    return { servers, problems };
  }
  for (const [key, raw] of Object.entries(map)) {
    const field = `servers.${key}`;
    if (!SERVER_ID.test(key)) {
      problems.push({
        origin: file,
        field,
        message: 'the server name must use letters, digits, ".", "_" or "-" (at most 64), starting with a letter or digit',
      });
      continue;
    }
    const parsed = McpJsonServerSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error, file, field, undefined, key));
      continue;
    }
    const launch = toLaunch(parsed.data, file, field, problems, key);
    if (!launch) continue;
    const before = problems.length;
    const used = checkVariables(launch, inputs, file, field, problems, key, 'mcp.json');
    if (problems.length > before) continue;
    servers.push({ id: key, name: key, source: 'mcp.json', origin: file, ...(folder ? { folder } : {}), launch, inputs: used });
  }
  return { servers, problems };
}

/**
 * Joins several sources in order: the first declaration of an id wins, later ones are reported
 * (the settings come first, so a workspace cannot take over a server the person configured).
 */
export function mergeServers(...parts: ParsedServers[]): ParsedServers {
  const servers: ServerConfig[] = [];
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, ServerConfig>();
  for (const part of parts) {
    problems.push(...part.problems);
    for (const server of part.servers) {
      const field = server.source === 'mcp.json' ? `servers.${server.id}` : `tasklane.servers (${server.name})`;
      if (RESERVED_SERVER_IDS.includes(server.id)) {
        // The entry Tasklane's own "Copy Agent Configuration" writes for VS Code: this editor reaches that server directly.
        if (isOwnAgentEntry(server)) continue;
        problems.push({
          origin: server.origin,
          field,
          message: `the id "${server.id}" belongs to Tasklane's embedded server; choose another`,
          serverId: server.id,
        });
        continue;
      }
      const earlier = seen.get(server.id);
      if (earlier) {
        problems.push({
          origin: server.origin,
          field,
          message: `the id "${server.id}" is already used by a server in ${earlier.origin}; give this one another ${server.source === 'settings' ? '"id"' : 'name'}`,
          serverId: server.id,
        });
        continue;
      }
      seen.set(server.id, server);
      servers.push(server);
    }
  }
  return { servers, problems };
}

function toLaunch(entry: RawEntry, origin: string, field: string, problems: ConfigProblem[], serverId: string): Launch | undefined {
  const type = entry.type === 'sse' ? 'http' : (entry.type ?? (entry.command ? 'stdio' : entry.url ? 'http' : undefined));
  if (!type) {
    problems.push({ origin, field: `${field}.type`, message: 'is missing: use "stdio" (with "command") or "http" (with "url")', serverId });
    return undefined;
  }
  if (type === 'stdio') {
    if (!entry.command) {
      problems.push({ origin, field: `${field}.command`, message: 'is required for a stdio server (the program to start)', serverId });
      return undefined;
    }
    if (entry.url !== undefined || entry.headers !== undefined) {
      problems.push({
        origin,
        field: `${field}.${entry.url !== undefined ? 'url' : 'headers'}`,
        message: 'belongs to an http server; a stdio server takes "command", "args", "env" and "cwd"',
        serverId,
      });
      return undefined;
    }
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(entry.env ?? {})) if (value !== null) env[key] = String(value);
    return {
      type,
      command: entry.command,
      args: entry.args ?? [],
      env,
      ...(entry.cwd ? { cwd: entry.cwd } : {}),
      ...(entry.envFile ? { envFile: entry.envFile } : {}),
    };
  }
  if (!entry.url) {
    problems.push({
      origin,
      field: `${field}.url`,
      message: 'is required for an http server (its Streamable HTTP endpoint, e.g. "https://example.com/mcp")',
      serverId,
    });
    return undefined;
  }
  const stray = (['command', 'args', 'env', 'envFile', 'cwd'] as const).find((key) => entry[key] !== undefined);
  if (stray) {
    problems.push({ origin, field: `${field}.${stray}`, message: 'belongs to a stdio server; an http server takes "url" and "headers"', serverId });
    return undefined;
  }
  if (!entry.url.includes('${')) {
    const urlProblem = checkUrl(entry.url);
    if (urlProblem) {
      problems.push({ origin, field: `${field}.url`, message: urlProblem, serverId });
      return undefined;
    }
  }
  return { type, url: entry.url, headers: entry.headers ?? {} };
}

export function checkUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `must be an http:// or https:// URL, not ${parsed.protocol}`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Variables

/** A `${name}` in a configured string. */
export const VARIABLE = /\$\{([^}]*)\}/g;
const SIMPLE_VARIABLES = ['workspaceFolder', 'workspaceFolderBasename', 'userHome', 'pathSeparator', '/'];

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

/** Checks every `${...}` of a launch; returns the inputs it uses. */
function checkVariables(
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
      if (SIMPLE_VARIABLES.includes(name) || /^env:[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
      if (name.startsWith('input:')) {
        const inputId = name.slice('input:'.length);
        if (source === 'settings') {
          problems.push({
            origin,
            field: `${field}.${sub}`,
            message: `"\${${name}}": inputs are declared in .vscode/mcp.json; for a token use the "Tasklane: Set Server Token…" command`,
            serverId,
          });
          continue;
        }
        const input = declared.find((i) => i.id === inputId);
        if (!input) problems.push({ origin, field: `${field}.${sub}`, message: `"\${${name}}" refers to an input that "inputs" does not declare`, serverId });
        else if (!used.includes(input)) used.push(input);
        continue;
      }
      problems.push({
        origin,
        field: `${field}.${sub}`,
        message: `"\${${name}}" is not a variable Tasklane knows (use \${workspaceFolder}, \${userHome}, \${env:NAME} or \${input:ID})`,
        serverId,
      });
    }
  }
  return used;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** A stable fingerprint of what a connection depends on: when it changes, the server restarts. */
export function fingerprint(config: ServerConfig): string {
  return JSON.stringify({
    name: config.name,
    source: config.source,
    origin: config.origin,
    folder: config.folder,
    launch: config.launch,
    inputs: config.inputs,
  });
}

/** The command line or URL, for display: variables unresolved (so no secret shows). */
export function describeLaunch(launch: Launch): string {
  if (launch.type === 'http') return launch.url;
  return [launch.command, ...launch.args].map((part) => (/[\s"']/.test(part) ? JSON.stringify(part) : part)).join(' ');
}

/** JSON with `//` and block comments and trailing commas, as VS Code's own JSON files allow; `undefined` for an empty file. */
export function parseJsonc(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!stripComments(body).trim()) return undefined;
  const errors: ParseError[] = [];
  const value: unknown = parse(body, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (!first) return value;
  const before = body.slice(0, first.offset);
  const line = before.split('\n').length;
  const column = first.offset - before.lastIndexOf('\n');
  const what = printParseErrorCode(first.error)
    .replace(/(?<=[a-z])(?=[A-Z])/g, ' ')
    .toLowerCase();
  throw new Error(`${what[0].toUpperCase()}${what.slice(1)} at line ${line}, column ${column}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function zodProblems(error: z.ZodError, origin: string, base: string, knownFields?: readonly string[], serverId?: string): ConfigProblem[] {
  return error.issues
    .map((issue) => {
      const field = base + issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
      let message = issue.message;
      if (issue.code === 'invalid_type') {
        const received = /received (\w+)/.exec(issue.message)?.[1];
        message =
          received === 'undefined' ? `is required (${issue.expected})` : `must be ${article(issue.expected)}${received ? `, not ${article(received)}` : ''}`;
      } else if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => {
          const guess = knownFields?.find((known) => editDistance(known.toLowerCase(), key.toLowerCase()) <= 2);
          return {
            origin,
            field: `${field}.${key}`,
            message: `is not a known field${guess ? ` (did you mean "${guess}"?)` : knownFields ? ` (known: ${knownFields.join(', ')})` : ''}`,
            ...(serverId ? { serverId } : {}),
          };
        });
      } else if (issue.code === 'invalid_value' && 'values' in issue) {
        message = `must be one of ${(issue.values as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      }
      return [{ origin, field, message, ...(serverId ? { serverId } : {}) }];
    })
    .flat();
}

function article(type: string): string {
  const word = type === 'record' ? 'object' : type;
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}
