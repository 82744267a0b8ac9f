/**
 * Resolution of a configured server's launch: fills in `${workspaceFolder}`, `${userHome}`,
 * `${env:NAME}` and `${input:ID}` (asking the person), and reads an `envFile`. What is configured
 * is serverConfig.ts; which variables exist and how a launch's are checked is launchVariables.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type InputDefinition, VARIABLE, parseVariable } from './launchVariables';
import { type Launch, type ServerConfig, checkUrl } from './serverConfig';

export interface VariableContext {
  /** The environment `${env:NAME}` reads (a missing variable becomes ""). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly userHome?: string;
  /** Answers an `${input:...}`; undefined means the person dismissed the prompt. */
  readonly input?: (input: InputDefinition) => Promise<string | undefined>;
  /** Reads an `envFile` (tests replace it). */
  readonly readFile?: (file: string) => string;
}

export class ConfigResolutionError extends Error {
  override readonly name = 'ConfigResolutionError';
  /** Retrying cannot fix it: the configuration (or an answer) has to change first. */
  readonly permanent = true;
  constructor(
    message: string,
    /** The person dismissed an input prompt: not an error in the configuration. */
    readonly cancelled = false,
  ) {
    super(message);
  }
}

/** Fills in every variable of a server's launch. Each input is asked once per call. */
export async function resolveLaunch(config: ServerConfig, context: VariableContext): Promise<Launch> {
  const answers = new Map<string, string>();
  const resolve = async (value: string, field: string): Promise<string> => {
    let out = '';
    let last = 0;
    for (const match of value.matchAll(VARIABLE)) {
      out += value.slice(last, match.index);
      last = (match.index ?? 0) + match[0].length;
      out += await variable(match[1], field);
    }
    return out + value.slice(last);
  };
  const variable = async (name: string, field: string): Promise<string> => {
    const parsed = parseVariable(name);
    switch (parsed.kind) {
      case 'workspaceFolder':
      case 'workspaceFolderBasename':
        if (!config.folder) throw new ConfigResolutionError(`${config.origin}: ${fieldOf(config, field)}: uses \${${name}}, but no workspace folder is open`);
        return parsed.kind === 'workspaceFolder' ? config.folder : path.basename(config.folder);
      case 'userHome':
        return context.userHome ?? os.homedir();
      case 'pathSeparator':
        return path.sep;
      case 'env':
        return context.env[parsed.name] ?? '';
      case 'input': {
        const known = answers.get(parsed.id);
        if (known !== undefined) return known;
        const input = config.inputs.find((i) => i.id === parsed.id);
        if (!input)
          throw new ConfigResolutionError(`${config.origin}: ${fieldOf(config, field)}: "\${${name}}" refers to an input that "inputs" does not declare`);
        const answer = context.input ? await context.input(input) : undefined;
        if (answer === undefined)
          throw new ConfigResolutionError(
            `${config.name} needs a value for "${input.description || input.id}"; the prompt was dismissed. Use Reconnect to answer it.`,
            true,
          );
        answers.set(parsed.id, answer);
        return answer;
      }
      case 'unknown':
        throw new ConfigResolutionError(`${config.origin}: ${fieldOf(config, field)}: "\${${name}}" is not a variable Tasklane knows`);
    }
  };

  const launch = config.launch;
  if (launch.type === 'http') {
    const url = await resolve(launch.url, 'url');
    // The resolved URL may hold an answer (a key in the query): say what is wrong without showing it.
    const urlProblem = checkUrl(url);
    if (urlProblem)
      throw new ConfigResolutionError(`${config.origin}: ${fieldOf(config, 'url')}: is not an http:// or https:// URL once its variables are filled in`);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(launch.headers)) headers[key] = await resolve(value, `headers.${key}`);
    return { type: 'http', url, headers, ...(launch.team ? { team: true } : {}) };
  }
  const command = await resolve(launch.command, 'command');
  const args: string[] = [];
  for (const [index, arg] of launch.args.entries()) args.push(await resolve(arg, `args[${index}]`));
  let cwd = launch.cwd !== undefined ? await resolve(launch.cwd, 'cwd') : config.folder;
  if (cwd && config.folder && !path.isAbsolute(cwd)) cwd = path.resolve(config.folder, cwd);
  const env: Record<string, string> = {};
  if (launch.envFile !== undefined) {
    let file = await resolve(launch.envFile, 'envFile');
    if (config.folder && !path.isAbsolute(file)) file = path.resolve(config.folder, file);
    let text: string;
    try {
      text = (context.readFile ?? ((f) => fs.readFileSync(f, 'utf8')))(file);
    } catch (error) {
      throw new ConfigResolutionError(`${config.origin}: ${fieldOf(config, 'envFile')}: cannot read ${file}: ${(error as Error).message}`);
    }
    Object.assign(env, parseDotenv(text));
  }
  for (const [key, value] of Object.entries(launch.env)) env[key] = await resolve(value, `env.${key}`);
  return { type: 'stdio', command, args, env, ...(cwd ? { cwd } : {}) };
}

function fieldOf(config: ServerConfig, field: string): string {
  return config.source === 'mcp.json' ? `servers.${config.id}.${field}` : `tasklane.servers (${config.name}).${field}`;
}

/** KEY=VALUE lines; `#` comments; optional `export `; single or double quotes. */
export function parseDotenv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2].trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      const quote = value[0];
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    env[match[1]] = value;
  }
  return env;
}
