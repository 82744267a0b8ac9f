import { EMBEDDED_SERVER_NAME } from './embeddedServer';
import { DEFAULT_SIDE_FILE_KB } from './taskResult';

/**
 * Every Tasklane setting, declared once: key, default, description. `package.json` repeats them
 * for VS Code, and a test checks the two agree.
 */
export const SETTINGS = {
  'tasklane.tasks.groupBy': {
    default: 'status',
    enum: ['status', 'server', 'tool', 'agent', 'machine'],
    description:
      'How the Tasks view groups tasks: by status (Needs input, Running, Failed, Completed, Cancelled), by server, by tool, by the agent that started them, or by the machine that runs them (a team server reports it; other tasks run on this one).',
  },
  'tasklane.tasks.showArchived': {
    default: false,
    description: 'Show archived tasks in the Tasks view.',
  },
  'tasklane.statusBar.visibility': {
    default: 'whenActive',
    enum: ['always', 'whenActive', 'never'],
    description: 'When to show the status bar item: always, only while tasks run or need attention, or never.',
  },
  'tasklane.notifications': {
    default: 'failuresAndInput',
    enum: ['all', 'failuresAndInput', 'none'],
    description: 'Which task events show a notification: every completion, failure and question; only failures and questions; or none.',
  },
  'tasklane.tasks.requestedTtlMinutes': {
    default: 60,
    minimum: 1,
    maximum: 1440,
    description:
      "How long (minutes) servers are asked to keep a task and its result. Tasklane's own server keeps running work however long it runs and counts this from the end. Tasklane keeps its own copy until you archive it.",
  },
  'tasklane.retry.confirmUnsafe': {
    default: true,
    description: 'Ask before retrying a task whose tool is marked destructive or not idempotent.',
  },
  'tasklane.retry.policies': {
    default: {},
    markdownDescription:
      'Automatic retry policies by tool, as `"serverId/tool"` → `{ "attempts", "backoff": "fixed" | "exponential", "delayMs", "maxDelayMs" }`, e.g. `{ "tasklane/run_tests": { "attempts": 3 } }`. A failed task of that tool is started again on its own until it succeeds or runs out of attempts; cancelling stops it. A task\'s own `dev.tasklane/retry` wins.',
    description:
      'Automatic retry policies by tool: "serverId/tool" -> { attempts, backoff: "fixed" | "exponential", delayMs, maxDelayMs }. A failed task of that tool is started again on its own; cancelling stops it.',
    additionalProperties: {
      type: 'object',
      additionalProperties: false,
      properties: {
        attempts: {
          type: 'integer',
          minimum: 1,
          maximum: 20,
          default: 3,
          description: 'Attempts in all, the first included.',
        },
        backoff: {
          type: 'string',
          enum: ['fixed', 'exponential'],
          default: 'exponential',
          description: 'fixed: wait delayMs each time; exponential: double it after every attempt.',
        },
        delayMs: {
          type: 'integer',
          minimum: 0,
          maximum: 86400000,
          default: 1000,
          description: 'The wait before the first retry, in ms.',
        },
        maxDelayMs: {
          type: 'integer',
          minimum: 0,
          maximum: 86400000,
          default: 60000,
          description: 'No wait is longer than this, in ms.',
        },
      },
    },
  },
  'tasklane.agents.http.enabled': {
    default: true,
    description: `Serve Tasklane's own task server (${EMBEDDED_SERVER_NAME} in the Servers view) over Streamable HTTP on 127.0.0.1, so agents outside the editor can run tasks here. Every agent needs its own token (Tasklane: Copy Agent Configuration…).`,
  },
  'tasklane.agents.http.port': {
    default: 0,
    minimum: 0,
    maximum: 65535,
    description: 'The loopback port of the task server for outside agents; 0 picks a free port each time the editor starts.',
  },
  'tasklane.agents.offerToChat': {
    default: true,
    description: "Offer Tasklane's task server to VS Code's chat (agent mode) as an MCP server.",
  },
  'tasklane.scheduler.maxConcurrent': {
    default: 4,
    minimum: 1,
    maximum: 64,
    description: `How many tasks ${EMBEDDED_SERVER_NAME} runs at once; more wait in a queue, highest priority first.`,
  },
  'tasklane.scheduler.toolLimits': {
    default: {},
    markdownDescription:
      'Per-tool limits on how many tasks of that tool run at once, e.g. `{ "run_tests": 1 }`. They apply inside `#tasklane.scheduler.maxConcurrent#`.',
    description: 'Per-tool limits on how many tasks of that tool run at once, e.g. { "run_tests": 1 }.',
    additionalProperties: { type: 'integer', minimum: 1 },
  },
  'tasklane.retention.days': {
    default: 30,
    minimum: 0,
    description: 'Finished tasks older than this many days are deleted from history (pinned tasks are kept). 0 keeps them forever.',
  },
  'tasklane.retention.maxTasks': {
    default: 5000,
    minimum: 0,
    description: 'At most this many finished tasks are kept in history; the oldest unpinned ones go first. 0 means no limit.',
  },
  'tasklane.results.sideFileThresholdKB': {
    default: DEFAULT_SIDE_FILE_KB,
    minimum: 16,
    maximum: 1048576,
    description:
      "Task results larger than this many KB are kept in a file of their own next to Tasklane's task store instead of in its history file and memory, and read when you open, copy or export them. Applies to tasks that finish from now on.",
  },
  'tasklane.wire.captureServers': {
    default: [],
    markdownDescription:
      'Servers whose JSON-RPC messages Tasklane keeps with each of their tasks (the wire log in the task\'s details), by server id; `"*"` for every server. Off for every server by default. Also toggled with **Capture Wire Messages** on a server in the Servers view. Secrets are redacted before anything is kept.',
    description:
      'Servers whose JSON-RPC messages Tasklane keeps with each of their tasks (the wire log), by server id; "*" for every server. Off by default; secrets are redacted before anything is kept.',
    items: { type: 'string' },
  },
  'tasklane.wire.maxMessages': {
    default: 200,
    minimum: 10,
    maximum: 10000,
    description: "How many messages a task's wire log keeps; the oldest go first.",
  },
  'tasklane.wire.maxKB': {
    default: 512,
    minimum: 16,
    maximum: 65536,
    description: "How many KB of messages a task's wire log keeps; the oldest go first, and long values in a message are cut with a note of their full size.",
  },
  'tasklane.servers': {
    default: [],
    markdownDescription:
      'External MCP servers Tasklane connects to, beside the ones in the workspace\'s `.vscode/mcp.json`. Each is `{ "name", "type": "stdio", "command", "args", "env", "cwd" }` or `{ "name", "type": "http", "url", "headers" }`; `id` defaults to the name. Strings may use `${workspaceFolder}`, `${userHome}` and `${env:NAME}`. Do not put tokens here: use **Tasklane: Set Server Token…**, which keeps them in VS Code\'s secret storage.',
    description:
      'External MCP servers Tasklane connects to (stdio commands or Streamable HTTP URLs), beside those in .vscode/mcp.json. Tokens go in secret storage via "Tasklane: Set Server Token…", not here.',
    items: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        id: {
          type: 'string',
          pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$',
          description: 'A stable id (tasks remember their server by it). Defaults to the name in lower case.',
        },
        name: { type: 'string', description: 'How the server is shown.' },
        type: {
          type: 'string',
          enum: ['stdio', 'http', 'sse'],
          description: 'stdio: Tasklane starts `command`. http: connect to `url` (sse is treated as http).',
        },
        command: { type: 'string', description: 'stdio: the program to start.' },
        args: { type: 'array', items: { type: 'string' }, description: 'stdio: its arguments.' },
        env: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] }, description: 'stdio: extra environment variables.' },
        envFile: { type: 'string', description: 'stdio: a dotenv file with more environment variables.' },
        cwd: { type: 'string', description: 'stdio: the working directory (default: the first workspace folder).' },
        url: { type: 'string', description: 'http: the Streamable HTTP endpoint.' },
        headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'http: extra request headers (not for tokens).' },
        team: {
          type: 'boolean',
          description:
            'http: a Tasklane team server seen as its board (token with role board): the editor lists every team task in the Tasks view, follows the unfinished ones, and may cancel them or run them again as your own.',
        },
      },
    },
  },
} as const satisfies Record<
  string,
  {
    default: unknown;
    description: string;
    markdownDescription?: string;
    enum?: readonly string[];
    minimum?: number;
    maximum?: number;
    items?: object;
    additionalProperties?: object;
  }
>;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = (typeof SETTINGS)[K] extends { enum: readonly (infer E)[] }
  ? E
  : (typeof SETTINGS)[K]['default'] extends readonly unknown[]
    ? unknown[]
    : (typeof SETTINGS)[K]['default'] extends Record<string, never>
      ? Record<string, number>
      : (typeof SETTINGS)[K]['default'] extends boolean
        ? boolean
        : (typeof SETTINGS)[K]['default'] extends number
          ? number
          : string;

/** The JSON schema type of a setting, from its default. */
export function settingType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' && Number.isInteger(value) ? 'integer' : typeof value;
}

/** The `contributes.configuration.properties` object for package.json. */
export function manifestProperties(): Record<string, unknown> {
  return Object.fromEntries(Object.entries(SETTINGS).map(([key, setting]) => [key, { type: settingType(setting.default), ...setting }]));
}
