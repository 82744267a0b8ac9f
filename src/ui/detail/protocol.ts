/**
 * The one message protocol between the task detail panel (extension host) and its webview.
 * Both sides import this file and validate every message they receive with these schemas: the
 * webview renders task data a server sent, so neither side trusts what arrives.
 *
 * No `vscode` and no Node imports here: the webview bundle includes this file.
 */
import * as z from 'zod';
import { TASK_STATUSES } from '../../core/taskStatus';
import { MAX_STEPS, STEP_STATUSES } from '../../core/taskSteps';
import { MAX_LISTED_FAILURES, TestFailureReportSchema } from '../../core/testFailureReport';

export const DETAIL_VIEW_TYPE = 'tasklane.detail';

/** How much live output the page keeps: the tail the record keeps, here for the webview, which imports only this protocol. */
export { OUTPUT_TAIL_CHARS } from '../../core/recordLimits';

/** Image types the page shows inline as `data:` URLs (the CSP allows `img-src data:`). */
export const IMAGE_MIME = /^image\/[a-z0-9.+-]{1,64}$/i;
export const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const id = z.string().min(1).max(512);
const isoDate = z.string().min(1).max(64);
const nullableString = z.string().nullable();
const nullableNumber = z.number().nullable();
const json = z.json();

export const TaskStatusSchema = z.enum(TASK_STATUSES);

export const TimelineItemSchema = z.strictObject({
  at: isoDate,
  status: TaskStatusSchema.nullable(),
  message: nullableString,
});
export type TimelineItem = z.infer<typeof TimelineItemSchema>;

/** One step of composite work (taskSteps.ts), as the Steps section lists it. */
export const StepItemSchema = z.strictObject({
  id: z.string().min(1),
  label: z.string(),
  status: z.enum(STEP_STATUSES),
  detail: nullableString,
  depth: z.number().int().nonnegative(),
  startedAt: isoDate.nullable(),
  /** How long it ran once it ended; null while it runs (the page counts it live from `startedAt`) or before it starts. */
  durationMs: nullableNumber,
});
export type StepItem = z.infer<typeof StepItemSchema>;

export const PendingInputItemSchema = z.strictObject({
  key: z.string().min(1),
  method: z.string(),
  message: z.string(),
  /** Names of the fields the server asks for, if it sent a schema. */
  fields: z.array(z.string()),
  at: isoDate,
});
export type PendingInputItem = z.infer<typeof PendingInputItemSchema>;

export const ResultBlockSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('text'), text: z.string() }),
  /** A text block whose text is a JSON object or array: shown pretty-printed and foldable. */
  z.strictObject({ kind: z.literal('json'), value: json }),
  z.strictObject({ kind: z.literal('image'), mimeType: z.string().regex(IMAGE_MIME), data: z.string().regex(BASE64) }),
  z.strictObject({ kind: z.literal('audio'), mimeType: z.string(), bytes: z.number() }),
  z.strictObject({
    kind: z.literal('resourceLink'),
    uri: z.string(),
    name: nullableString,
    title: nullableString,
    description: nullableString,
    mimeType: nullableString,
  }),
  z.strictObject({ kind: z.literal('resource'), uri: z.string(), mimeType: nullableString, text: nullableString, bytes: nullableNumber }),
  /** A content item of a type the page does not know, or a malformed one: shown as JSON. */
  z.strictObject({ kind: z.literal('unknown'), value: json }),
]);
export type ResultBlock = z.infer<typeof ResultBlockSchema>;

export const OutcomeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({
    kind: z.literal('result'),
    isError: z.boolean(),
    blocks: z.array(ResultBlockSchema),
    /** null when the result has none (or nothing is left once the output's copies are left out). */
    structuredContent: json.nullable(),
    /** What was left out because the Output section shows it (structured fields, `text result`). */
    inOutput: z.array(z.string()),
  }),
  z.strictObject({
    kind: z.literal('error'),
    /** What the error means, in words (from its JSON-RPC code). */
    meaning: z.string(),
    /** The server's own message; empty when it only repeated the code's name. */
    message: z.string(),
    /** The JSON-RPC code: detail, shown only on request. */
    code: z.number(),
    data: json.nullable(),
  }),
  /** The result was stored aside and cannot be read back: `message` says why, for people. */
  z.strictObject({ kind: z.literal('unavailable'), message: z.string() }),
]);
export type Outcome = z.infer<typeof OutcomeSchema>;

/**
 * Everything the page shows, derived from a `TaskRecord` by `toDetailState`. Every key is always
 * present (absent values are `null`), so a patch can clear a value and JSON round-trips it.
 */
/** How long history keeps a finished task (`retentionOutlook` in core); null while it runs. */
export const RetentionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('pinned') }),
  z.strictObject({ kind: z.literal('until'), until: isoDate, days: z.number().positive(), maxTasks: z.number().nonnegative() }),
  z.strictObject({ kind: z.literal('count'), maxTasks: z.number().positive() }),
  z.strictObject({ kind: z.literal('always') }),
]);
export type Retention = z.infer<typeof RetentionSchema>;

export const DetailStateSchema = z.strictObject({
  id,
  /** The task's short title (`taskTitle`): the page heading, as the tab title is. */
  title: z.string(),
  taskId: nullableString,
  tool: z.string(),
  serverId: z.string(),
  /** The server's name as every view says it (the embedded one is "Tasklane (this editor)"). */
  serverName: z.string(),
  intent: nullableString,
  /** The task wire's id, as the mcp layer names it; shown, never branched on. */
  wire: z.string().nullable(),
  status: TaskStatusSchema,
  statusLabel: z.string(),
  statusMessage: nullableString,
  createdAt: isoDate,
  lastUpdatedAt: isoDate,
  finishedAt: isoDate.nullable(),
  /** Total run time once finished; null while running (the page counts it live from `createdAt`). */
  durationMs: nullableNumber,
  ttl: z.strictObject({
    requestedMs: nullableNumber,
    grantedMs: nullableNumber,
    /** The server granted unlimited retention. */
    unlimited: z.boolean(),
    expiresAt: isoDate.nullable(),
    /** The record says so, or `expiresAt` had passed at the `now` the state was built. */
    expired: z.boolean(),
  }),
  retention: RetentionSchema.nullable(),
  attempt: z.number().int().positive(),
  retryOf: id.nullable(),
  retriedAs: id.nullable(),
  parentId: id.nullable(),
  archivedAt: isoDate.nullable(),
  pinned: z.boolean(),
  imported: z.boolean(),
  /** Listed from a team server the editor sees as its board, not started here. */
  teamListed: z.boolean(),
  /** Tasks started on behalf of this one, oldest first (the page links to them). */
  children: z.array(z.strictObject({ id, label: z.string(), status: TaskStatusSchema })),
  /** Place in the server's queue while the task waits to start. */
  queue: z.strictObject({ position: z.number().int().positive(), size: z.number().int().positive() }).nullable(),
  pollIntervalMs: nullableNumber,
  arguments: z.record(z.string(), json),
  expectedOutputs: nullableString,
  context: z.strictObject({ workspace: nullableString, cwd: nullableString, agent: nullableString }),
  priority: nullableNumber,
  resourceLimits: z.strictObject({ timeBudgetMs: nullableNumber, maxOutputBytes: nullableNumber }),
  scheduling: z.strictObject({ runAfter: isoDate.nullable(), afterTaskId: nullableString }),
  tags: z.array(z.string()),
  meta: z.record(z.string(), json),
  timeline: z.array(TimelineItemSchema),
  output: z.string(),
  pendingInput: z.array(PendingInputItemSchema),
  outcome: OutcomeSchema,
  /** The result's size (its JSON in bytes) and, when the page was sent only its start, how much of it; null without a result. */
  resultSize: z.strictObject({ bytes: z.number().int().nonnegative(), shownBytes: z.number().int().nonnegative().nullable() }).nullable(),
  /** The failing tests of a `run_tests` result; null for other tasks and results without them. */
  testFailures: TestFailureReportSchema.nullable(),
  /** The steps of composite work (a VS Code task's dependencies), in the order they run; empty for other tasks. */
  steps: z.array(StepItemSchema).max(MAX_STEPS),
  actions: z.strictObject({ cancel: z.boolean(), retry: z.boolean(), runAgain: z.boolean(), answer: z.boolean() }),
  /** The task's automatic retry policy in words ("up to 3 attempts, …"); null without one. */
  retryPolicy: nullableString,
  /** Why this attempt runs, when Tasklane started it on its own; null otherwise. */
  retryReason: nullableString,
});
export type DetailState = z.infer<typeof DetailStateSchema>;
export type DetailStatePatch = Partial<DetailState>;

/** Top-level keys that changed, with their new values; never empty, never `undefined` values. */
export const DetailStatePatchSchema = DetailStateSchema.partial().refine(
  (patch) => Object.keys(patch).length > 0 && Object.values(patch).every((value) => value !== undefined),
  'a patch changes at least one key and never sets one to undefined',
);

/** One message of a task's wire log as the page shows it (`WireEntry` in core, absent values null). */
export const WireEntryViewSchema = z.strictObject({
  seq: z.number().int().positive(),
  at: isoDate,
  direction: z.enum(['sent', 'received']),
  transport: z.enum(['memory', 'stdio', 'http']),
  kind: z.enum(['request', 'response', 'error', 'notification', 'event']),
  method: nullableString,
  rpcId: z.union([z.string(), z.number()]).nullable(),
  bytes: z.number().int().nonnegative(),
  message: json,
  cut: z.strictObject({ keptBytes: z.number().int().nonnegative() }).nullable(),
  http: z.strictObject({ method: nullableString, url: nullableString, status: nullableNumber, headers: z.record(z.string(), z.string()) }).nullable(),
  flags: z.array(z.strictObject({ rule: z.string(), text: z.string() })),
});
export type WireEntryView = z.infer<typeof WireEntryViewSchema>;

const WireDroppedSchema = z.strictObject({ messages: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() });

/** The Wire section: capture off for the task's server, or its log (entries in `seq` order). */
export const WireViewSchema = z.discriminatedUnion('capture', [
  z.strictObject({ capture: z.literal('off'), serverId: z.string(), serverName: z.string() }),
  z.strictObject({
    capture: z.literal('on'),
    wire: z.string(),
    /** The task's creation: entries' times are also shown relative to it. */
    taskCreatedAt: isoDate,
    entries: z.array(WireEntryViewSchema),
    dropped: WireDroppedSchema,
  }),
]);
export type WireView = z.infer<typeof WireViewSchema>;

/** What changed in a shown log: entries added or changed (by `seq`), those before `keepFrom` gone, and the new dropped count. */
export const WireEntriesPatchSchema = z.strictObject({
  entries: z.array(WireEntryViewSchema),
  keepFrom: z.number().int().nonnegative(),
  dropped: WireDroppedSchema,
});
export type WireEntriesPatch = z.infer<typeof WireEntriesPatchSchema>;

export const HostToWebviewSchema = z.discriminatedUnion('type', [
  /** The whole state: sent after every `ready`, so a reloaded or restored page needs nothing else. */
  z.strictObject({ type: z.literal('state'), state: DetailStateSchema }),
  z.strictObject({ type: z.literal('patch'), patch: DetailStatePatchSchema }),
  /** New live output to append (already part of the host's state). */
  z.strictObject({ type: z.literal('output'), chunk: z.string().min(1) }),
  /** The task was deleted from the store. */
  z.strictObject({ type: z.literal('gone') }),
  /**
   * How the panel is used: a preview shows whichever task is clicked next (and offers Keep Open);
   * a kept panel is the task's own tab. Sent after every `state`.
   */
  z.strictObject({ type: z.literal('panel'), preview: z.boolean() }),
  /** The whole Wire section: after every `state`, and when capture starts or stops for the task. */
  z.strictObject({ type: z.literal('wire'), wire: WireViewSchema }),
  /** New or changed wire log entries, coalesced: the log is never re-sent whole while it grows. */
  z.strictObject({ type: z.literal('wireEntries'), patch: WireEntriesPatchSchema }),
]);
export type HostToWebview = z.infer<typeof HostToWebviewSchema>;

export const DETAIL_COMMANDS = [
  'cancel',
  'retry',
  'retryWithEdits',
  'runAgain',
  'copyId',
  'copyJson',
  'exportJson',
  'answerInput',
  'showLog',
  'copyWireScript',
] as const;
export type DetailCommand = (typeof DETAIL_COMMANDS)[number];

export const WebviewToHostSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  z
    .strictObject({
      type: z.literal('command'),
      command: z.enum(DETAIL_COMMANDS),
      /** Which pending input to answer; only with `answerInput`. */
      key: z.string().min(1).max(512).optional(),
    })
    .refine((message) => message.key === undefined || message.command === 'answerInput', 'key is only allowed with answerInput'),
  /** Open the detail panel of a related task (retry of / retried as / parent / child). */
  z.strictObject({ type: z.literal('showTask'), id }),
  /** Open the file and line of the task's failing test at this place in `testFailures`. */
  z.strictObject({ type: z.literal('openTestFailure'), index: z.number().int().nonnegative().lt(MAX_LISTED_FAILURES) }),
  /** Turn this preview panel into the task's own tab. */
  z.strictObject({ type: z.literal('keepOpen') }),
]);
export type WebviewToHost = z.infer<typeof WebviewToHostSchema>;

/**
 * What the webview keeps with `setState` and VS Code hands the serializer on restore. The host
 * reads `taskId` and `preview`; the page keeps its own view state (folds, scroll) next to it.
 */
export const PersistedStateSchema = z.object({
  taskId: id,
  /** The panel was the preview when the window closed (absent in states saved before previews existed: kept). */
  preview: z.boolean().optional(),
});
export type PersistedState = z.infer<typeof PersistedStateSchema>;

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
