/**
 * What external servers are configured, from two places: Tasklane's `tasklane.servers` setting
 * and a workspace's `.vscode/mcp.json` (VS Code's own format, JSON with comments). Parsing is
 * vscode-free: each server entry is validated on its own, so one bad entry is reported (file and
 * field named, configProblems.ts) while the others still connect. Strings keep their `${...}`
 * variables (launchVariables.ts checks them) until a connection is made; then serverLaunch.ts
 * fills them in (`${input:...}` answers come from the caller, which keeps them in SecretStorage).
 */
import { type ParseError, parse, printParseErrorCode, stripComments } from 'jsonc-parser';
import { z } from 'zod';
import { EMBEDDED_SERVER_ID } from '../../core/embeddedServer';
import { slugify } from '../../core/text';
import { isLoopbackMcpUrl } from '../loopbackEndpoint';
import { type ConfigProblem, zodProblems } from './configProblems';
import { type InputDefinition, checkVariables, parseInputs } from './launchVariables';

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
  /**
   * A team server seen as its board (`"team": true`): the editor lists the server's tasks and
   * keeps a record of each (teamListing.ts). Only an http entry may say so (`TEAM_RULE`): a team
   * server is `dist/server.js --http` on a shared store.
   */
  readonly team?: boolean;
}

/** What `"team"` may be on, in the words its problem uses. */
export const TEAM_RULE = 'belongs to an http server (a team server reached at its "url")';

export type Launch = StdioLaunch | HttpLaunch;

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

export interface ParsedServers {
  readonly servers: ServerConfig[];
  readonly problems: ConfigProblem[];
}

export const SETTINGS_ORIGIN = 'Settings (tasklane.servers)';
/** The embedded server's id: no configured server may take it. */
export const RESERVED_SERVER_IDS: readonly string[] = [EMBEDDED_SERVER_ID];

/** An mcp.json entry pointing VS Code at Tasklane's own loopback agent endpoint. */
function isOwnAgentEntry(server: ServerConfig): boolean {
  return server.source === 'mcp.json' && server.launch.type === 'http' && isLoopbackMcpUrl(server.launch.url);
}

// ---------------------------------------------------------------------------------------------
// Schemas

const SERVER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_SERVER_ID = 64;
const envValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const stringRecord = z.record(z.string(), z.string());

const SETTINGS_FIELDS = ['id', 'name', 'type', 'command', 'args', 'env', 'envFile', 'cwd', 'url', 'headers', 'team'] as const;

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
  team: z.boolean().optional(),
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

type RawEntry = z.infer<typeof McpJsonServerSchema>;

// ---------------------------------------------------------------------------------------------
// Ids

/** The id of a server configured without one: its name as a slug, or `server` when no letter or digit of the name survives. */
export function serverIdOf(name: string): string {
  return slugify(name) || 'server';
}

/** An id for a new server named `name` that is neither `taken` nor reserved: its id, else with `-2`, `-3`… (cut to stay a valid id). */
export function freshServerId(name: string, taken: ReadonlySet<string>): string {
  const base = serverIdOf(name);
  const free = (id: string) => !taken.has(id) && !RESERVED_SERVER_IDS.includes(id);
  if (free(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const id = base.slice(0, MAX_SERVER_ID - suffix.length) + suffix;
    if (free(id)) return id;
  }
}

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
    const id = isObject(item) && typeof item.id === 'string' && SERVER_ID.test(item.id) ? item.id : name ? serverIdOf(name) : undefined;
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error, origin, field, SETTINGS_FIELDS, id));
      return;
    }
    const entry = parsed.data;
    const serverId = entry.id ?? serverIdOf(entry.name);
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
  const inputs = parseInputs(document.inputs, file, problems);
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
    if (entry.team !== undefined) {
      problems.push({ origin, field: `${field}.team`, message: TEAM_RULE, serverId });
      return undefined;
    }
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
  return { type, url: entry.url, headers: entry.headers ?? {}, ...(entry.team ? { team: true } : {}) };
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
