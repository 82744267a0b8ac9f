/**
 * Builds what the detail page shows from a `TaskRecord`, and works out the smallest messages that
 * bring a page from one state to the next. Pure: no `vscode`, so it is unit-tested on plain node.
 */
import { retentionOutlook, type RetentionSettings } from '../../core/retentionPolicy';
import { describeRetryPolicy } from '../../core/retryPolicy';
import { plainRpcError } from '../../core/rpcErrorText';
import { agentDescription, type PendingInput, type TaskRecord } from '../../core/taskRecord';
import { isTerminal } from '../../core/taskStatus';
import { type TaskStep, isStepFinished, stepDuration } from '../../core/taskSteps';
import { canAnswer, canCancelTask, canRetryTask, canRunAgain } from '../../core/taskRules';
import { taskTitle } from '../../core/taskTitle';
import { serverNameOf } from '../../core/embeddedServer';
import { OUTPUT_TAIL_CHARS } from '../../core/recordLimits';
import { SETTINGS } from '../../core/settings';
import { STATUS_LABELS, tailOf } from './format';
import { OutputLines, withoutRepeatedOutput } from './outputOnce';
import { type DisplayedResult, displayResult } from './resultDisplay';
import {
  BASE64,
  IMAGE_MIME,
  type DetailState,
  type DetailStatePatch,
  type HostToWebview,
  type Outcome,
  type PendingInputItem,
  type ResultBlock,
  type Retention,
  type StepItem,
  type TimelineItem,
} from './protocol';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Text blocks longer than this are not tried as JSON; they are shown as text. */
const JSON_SNIFF_LIMIT = 1_000_000;

/** Retention when the caller has no settings: the defaults of `tasklane.retention.*`. */
export const DEFAULT_RETENTION: Pick<RetentionSettings, 'days' | 'maxTasks'> = {
  days: SETTINGS['tasklane.retention.days'].default,
  maxTasks: SETTINGS['tasklane.retention.maxTasks'].default,
};

/**
 * `children`: the records whose `parentId` is this task, in any order. `retention`: the
 * `tasklane.retention.*` settings, to say how long a finished task is kept. `displayed`: what the
 * page shows of the result (resultDisplay.ts; a panel reads a result kept aside through the store).
 */
export function toDetailState(
  record: TaskRecord,
  now: number,
  children: readonly TaskRecord[] = [],
  retention: Pick<RetentionSettings, 'days' | 'maxTasks'> = DEFAULT_RETENTION,
  displayed: DisplayedResult = displayResult(record),
): DetailState {
  const created = Date.parse(record.createdAt);
  const output = tailOf(record.output ?? '', OUTPUT_TAIL_CHARS);
  const outputLines = new OutputLines(output);
  const finishedAt = isTerminal(record.status) ? finishTime(record) : null;
  const grantedMs = typeof record.grantedTtl === 'number' ? record.grantedTtl : null;
  const expiresAtMs = grantedMs !== null ? created + grantedMs : undefined;
  return {
    id: record.id,
    title: taskTitle(record),
    taskId: record.taskId ?? null,
    tool: record.tool,
    serverId: record.serverId,
    serverName: serverNameOf(record.serverId),
    intent: record.intent ?? null,
    wire: record.wire ?? null,
    status: record.status,
    statusLabel: STATUS_LABELS[record.status],
    statusMessage: record.statusMessage ?? null,
    createdAt: record.createdAt,
    lastUpdatedAt: record.lastUpdatedAt,
    finishedAt,
    durationMs: finishedAt === null || Number.isNaN(created) ? null : Math.max(0, Date.parse(finishedAt) - created),
    ttl: {
      requestedMs: record.ttl ?? null,
      grantedMs,
      unlimited: record.grantedTtl === null,
      expiresAt: expiresAtMs !== undefined && Number.isFinite(expiresAtMs) ? new Date(expiresAtMs).toISOString() : null,
      expired: record.expired || (expiresAtMs !== undefined && expiresAtMs <= now),
    },
    retention: toRetention(record, retention),
    attempt: record.attempt,
    retryOf: record.retryOf ?? null,
    retriedAs: record.retriedAs ?? null,
    parentId: record.parentId ?? null,
    archivedAt: record.archived ? (record.archivedAt ?? record.lastUpdatedAt) : null,
    pinned: record.pinned,
    imported: record.imported,
    teamListed: record.teamListed === true,
    children: [...children]
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
      .map((child) => ({ id: child.id, label: taskTitle(child), status: child.status })),
    queue: record.queue ? { position: record.queue.position, size: record.queue.size } : null,
    pollIntervalMs: record.pollInterval ?? null,
    arguments: toJsonObject(record.arguments),
    expectedOutputs: record.expectedOutputs ?? null,
    context: {
      workspace: record.context.workspace ?? null,
      cwd: record.context.cwd ?? null,
      agent: record.context.agent ? agentDescription(record) : null,
    },
    priority: record.priority ?? null,
    resourceLimits: {
      timeBudgetMs: record.resourceLimits.timeBudgetMs ?? null,
      maxOutputBytes: record.resourceLimits.maxOutputBytes ?? null,
    },
    scheduling: { runAfter: record.scheduling.runAfter ?? null, afterTaskId: record.scheduling.afterTaskId ?? null },
    tags: [...record.tags],
    meta: toJsonObject(record.meta),
    timeline: toTimeline(record, outputLines),
    output,
    pendingInput: record.pendingInput.map(toPendingInputItem),
    testFailures: (displayed.kind === 'shown' ? displayed.testFailures : undefined) ?? null,
    steps: (record.steps ?? []).map((step) => toStepItem(step, now)),
    outcome: toOutcome(record, displayed, outputLines),
    resultSize: displayed.kind === 'none' ? null : { bytes: displayed.bytes, shownBytes: displayed.kind === 'shown' ? displayed.shownBytes : null },
    // The same rules as the tree's menus and the palette (an imported copy can do none of these).
    actions: { cancel: canCancelTask(record), retry: canRetryTask(record), runAgain: canRunAgain(record), answer: canAnswer(record) },
    retryPolicy: record.retry ? describeRetryPolicy(record.retry) : null,
    retryReason: record.retryReason ?? null,
  };
}

function toStepItem(step: TaskStep, now: number): StepItem {
  return {
    id: step.id,
    label: step.label,
    status: step.status,
    detail: step.detail ?? null,
    depth: step.depth ?? 0,
    startedAt: step.startedAt ?? null,
    // A running step's time moves on the page itself; a finished one is fixed here.
    durationMs: isStepFinished(step.status) ? (stepDuration(step, now) ?? null) : null,
  };
}

/**
 * The messages that turn a page showing `last` into one showing `next`: one `output` message for
 * output that only grew by `chunks`, and one `patch` with every other top-level key that changed.
 * Empty when nothing changed.
 */
export function planUpdate(last: DetailState, next: DetailState, chunks: readonly string[] = []): HostToWebview[] {
  const messages: HostToWebview[] = [];
  const patch: DetailStatePatch = {};
  for (const key of Object.keys(next) as (keyof DetailState)[]) {
    if (key !== 'output' && !sameJson(last[key], next[key])) (patch as Record<string, unknown>)[key] = next[key];
  }
  if (next.output !== last.output) {
    const appended = chunks.join('');
    // The page appends and trims to the same tail, so a chunk reproduces the host's output exactly.
    if (appended && tailOf(last.output + appended, OUTPUT_TAIL_CHARS) === next.output) messages.push({ type: 'output', chunk: appended });
    else patch.output = next.output;
  }
  if (Object.keys(patch).length > 0) messages.push({ type: 'patch', patch });
  return messages;
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** When the task reached its terminal status: the timeline entry that recorded it. */
function finishTime(record: TaskRecord): string {
  for (let i = record.timeline.length - 1; i >= 0; i--) {
    if (record.timeline[i].status === record.status) return record.timeline[i].at;
  }
  return record.lastUpdatedAt;
}

function toPendingInputItem(input: PendingInput): PendingInputItem {
  const { params } = input;
  const message = typeof params.message === 'string' && params.message.trim() ? params.message : `The server asks for input (${input.method}).`;
  const schema = params.requestedSchema;
  const properties = isObject(schema) && isObject(schema.properties) ? Object.keys(schema.properties) : [];
  return { key: input.key, method: input.method, message, fields: properties, at: input.at };
}

/**
 * The timeline a person reads: every status change, and the messages in between that say
 * something new. Left out: empty messages, a message repeating the one before, and the output
 * lines tools send as status messages (the Output section has them, once).
 */
function toTimeline(record: TaskRecord, output: OutputLines): TimelineItem[] {
  const items: TimelineItem[] = [];
  let lastMessage: string | undefined;
  for (const entry of record.timeline) {
    const message = entry.message?.trim() ? entry.message : undefined;
    if (!entry.status && (message === undefined || message === lastMessage || output.hasLine(message))) continue;
    items.push({ at: entry.at, status: entry.status ?? null, message: message ?? null });
    if (message !== undefined) lastMessage = message;
  }
  return items;
}

function toRetention(record: TaskRecord, settings: Pick<RetentionSettings, 'days' | 'maxTasks'>): Retention | null {
  const outlook = retentionOutlook(record, settings);
  switch (outlook.kind) {
    case 'running':
      return null;
    case 'until':
      return { kind: 'until', until: new Date(outlook.until).toISOString(), days: outlook.days, maxTasks: outlook.maxTasks };
    default:
      return outlook;
  }
}

function toOutcome(record: TaskRecord, displayed: DisplayedResult, output: OutputLines): Outcome {
  if (record.error) {
    const { meaning, message, code } = plainRpcError(record.error);
    const { data } = record.error;
    return { kind: 'error', meaning, message, code, data: data === undefined ? null : toJson(data) };
  }
  if (displayed.kind === 'none') return { kind: 'none' };
  if (displayed.kind === 'unavailable') return { kind: 'unavailable', message: displayed.message };
  const result = displayed.value;
  if (!isObject(result) || (!Array.isArray(result.content) && result.structuredContent === undefined)) {
    // Not a CallToolResult: show whatever it is.
    return { kind: 'result', isError: false, blocks: [{ kind: 'unknown', value: toJson(result) }], structuredContent: null, inOutput: [] };
  }
  const parts = withoutRepeatedOutput(
    {
      blocks: Array.isArray(result.content) ? result.content.map(toBlock) : [],
      structuredContent: result.structuredContent === undefined ? null : toJson(result.structuredContent),
    },
    output,
  );
  const structured = parts.structuredContent as Json;
  // Structured content with every field left out has nothing more to show.
  const emptied = parts.omitted.length > 0 && isObject(structured) && Object.keys(structured).length === 0;
  return {
    kind: 'result',
    isError: result.isError === true,
    blocks: parts.blocks,
    structuredContent: emptied ? null : structured,
    inOutput: parts.omitted,
  };
}

function toBlock(item: unknown): ResultBlock {
  if (!isObject(item)) return { kind: 'unknown', value: toJson(item) };
  switch (item.type) {
    case 'text':
      if (typeof item.text !== 'string') break;
      return sniffJson(item.text) ?? { kind: 'text', text: item.text };
    case 'image': {
      const data = typeof item.data === 'string' ? item.data.replace(/\s+/g, '') : '';
      if (typeof item.mimeType === 'string' && IMAGE_MIME.test(item.mimeType) && data && BASE64.test(data)) {
        return { kind: 'image', mimeType: item.mimeType, data };
      }
      break;
    }
    case 'audio':
      if (typeof item.data !== 'string') break;
      return { kind: 'audio', mimeType: stringOrNull(item.mimeType) ?? 'audio', bytes: Math.floor((item.data.length * 3) / 4) };
    case 'resource_link':
      if (typeof item.uri !== 'string') break;
      return {
        kind: 'resourceLink',
        uri: item.uri,
        name: stringOrNull(item.name),
        title: stringOrNull(item.title),
        description: stringOrNull(item.description),
        mimeType: stringOrNull(item.mimeType),
      };
    case 'resource': {
      const resource = item.resource;
      if (!isObject(resource) || typeof resource.uri !== 'string') break;
      return {
        kind: 'resource',
        uri: resource.uri,
        mimeType: stringOrNull(resource.mimeType),
        text: stringOrNull(resource.text),
        bytes: typeof resource.blob === 'string' ? Math.floor((resource.blob.length * 3) / 4) : null,
      };
    }
  }
  return { kind: 'unknown', value: toJson(item) };
}

/** A text block holding a JSON object or array becomes a foldable JSON block. */
function sniffJson(text: string): ResultBlock | undefined {
  const trimmed = text.trim();
  if (trimmed.length > JSON_SNIFF_LIMIT || !/^[[{]/.test(trimmed)) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null ? { kind: 'json', value: value as Json } : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON-safe deep copy: what `postMessage` and the page's schema accept. */
export function toJson(value: unknown): Json {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? null : (JSON.parse(text) as Json);
  } catch {
    return String(value);
  }
}

function toJsonObject(value: Record<string, unknown>): Record<string, Json> {
  const json = toJson(value);
  return isObject(json) ? (json as Record<string, Json>) : {};
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
