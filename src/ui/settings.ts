/**
 * Every Tasklane setting, declared once: key, default, description. `package.json` repeats them
 * for VS Code, and a test checks the two agree.
 */
export const SETTINGS = {
  'tasklane.tasks.groupBy': {
    default: 'status',
    enum: ['status', 'server', 'tool'],
    description: 'How the Tasks view groups tasks: by status (Needs input, Running, Failed, Completed, Cancelled), by server, or by tool.',
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
    description: 'How long (minutes) servers are asked to keep a task and its result. Tasklane keeps its own copy until you archive it.',
  },
  'tasklane.retry.confirmUnsafe': {
    default: true,
    description: 'Ask before retrying a task whose tool is marked destructive or not idempotent.',
  },
} as const satisfies Record<string, { default: unknown; description: string; enum?: readonly string[]; minimum?: number; maximum?: number }>;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = (typeof SETTINGS)[K] extends { enum: readonly (infer E)[] } ? E : (typeof SETTINGS)[K]['default'] extends boolean ? boolean : (typeof SETTINGS)[K]['default'] extends number ? number : string;

/** The `contributes.configuration.properties` object for package.json. */
export function manifestProperties(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(SETTINGS).map(([key, setting]) => [
      key,
      { type: typeof setting.default === 'boolean' ? 'boolean' : typeof setting.default === 'number' ? 'number' : 'string', ...setting },
    ]),
  );
}
