/**
 * One connection's capture: which task each message a tap saw belongs to, what the peer's
 * messages break (wires/checks/), and what of them may be kept (redacted, long values cut). A
 * message belongs to a task when it is the creating `tools/call` (held until its answer names the
 * task), a `tasks/*` request about it and its answer, a status notification or listen-stream event
 * for it, or a request tied to it by the related-task `_meta`, with its answer.
 */
import type { WireEntryDraft } from '../../core/wireLogBuffer';
import { type KeepOptions, keepMessage, keptHeaders } from '../../core/wireRedaction';
import type { WireHttp, WireMessageKind } from '../../core/wireLog';
import { isTerminal } from '../../core/taskStatus';
import { flagsOf, relatedTaskIdOf, taskSnapshotOf } from '../wires/checks/wireChecks';
import { isObject } from './sseReader';
import type { ObservedHttp, ObservedMessage } from './wireTap';
import { redactUrl } from './serverConnections';

/** Where attributed entries go: the task (by the server's id for it) and the entry. */
export type CaptureSink = (taskId: string, draft: WireEntryDraft) => void;

/** Requests remembered while their answer is awaited, and tasks remembered for T-S-07: bounds against a peer that never answers. */
const MAX_PENDING = 1_000;
const MAX_TASKS = 5_000;

interface Pending {
  readonly method: string;
  readonly taskIds: readonly string[];
  /** The creating `tools/call`, held until its answer names the task. */
  readonly held?: WireEntryDraft;
}

export class ConnectionCapture {
  /** Requests this side sent, by JSON-RPC id. */
  private readonly ours = new Map<string | number, Pending>();
  /** Requests the peer sent, by JSON-RPC id. */
  private readonly theirs = new Map<string | number, Pending>();
  /** The terminal status each task was first seen in. */
  private readonly terminal = new Map<string, string>();

  constructor(
    private readonly wire: string,
    private readonly keep: KeepOptions,
    private readonly sink: CaptureSink,
  ) {}

  observe(observed: ObservedMessage): void {
    const { message } = observed;
    const id = typeof message.id === 'string' || typeof message.id === 'number' ? message.id : undefined;
    const method = typeof message.method === 'string' ? message.method : undefined;
    const kind: WireMessageKind =
      method !== undefined ? (id !== undefined ? 'request' : observed.onListenStream ? 'event' : 'notification') : 'error' in message ? 'error' : 'response';
    if (kind === 'request') this.request(observed, id!, method!);
    else if (kind === 'response' || kind === 'error') this.answer(observed, kind, id);
    else this.emit(observed, kind, method, undefined, notificationTaskIds(method!, message));
  }

  private request(observed: ObservedMessage, id: string | number, method: string): void {
    const mine = observed.direction === 'sent';
    const requests = mine ? this.ours : this.theirs;
    const params = isObject(observed.message.params) ? observed.message.params : {};
    const taskIds = mine ? requestTaskIds(method, params) : relatedOf(params);
    if (mine && method === 'tools/call') {
      // The task is named only in the answer: hold the call until then.
      remember(requests, id, { method, taskIds: [], held: this.draft(observed, 'request', method, id, []) });
      return;
    }
    remember(requests, id, { method, taskIds });
    this.emit(observed, 'request', method, id, taskIds);
  }

  private answer(observed: ObservedMessage, kind: 'response' | 'error', id: string | number | undefined): void {
    // An answer from the peer settles one of our requests; an answer of ours settles one of theirs.
    const requests = observed.direction === 'received' ? this.ours : this.theirs;
    const pending = id === undefined ? undefined : requests.get(id);
    if (!pending) return;
    requests.delete(id!);
    let taskIds = pending.taskIds;
    if (pending.held) {
      const created = createdTaskId(observed.message);
      if (created === undefined) return; // a plain call, or one refused: no task to keep it for
      taskIds = [created];
      this.sink(created, pending.held);
    }
    this.emit(observed, kind, pending.method, id, taskIds);
  }

  private emit(
    observed: ObservedMessage,
    kind: WireMessageKind,
    method: string | undefined,
    id: string | number | undefined,
    taskIds: readonly string[],
  ): void {
    for (const taskId of taskIds) this.sink(taskId, this.draft(observed, kind, method, id, [taskId]));
  }

  private draft(
    observed: ObservedMessage,
    kind: WireMessageKind,
    method: string | undefined,
    id: string | number | undefined,
    taskIds: readonly string[],
  ): WireEntryDraft {
    const taskId = taskIds[0];
    const flags =
      observed.direction === 'received' && taskId !== undefined
        ? flagsOf({ wire: this.wire, kind, method, taskId, message: observed.message }, { terminalStatusOf: (task) => this.terminal.get(task) })
        : [];
    if (observed.direction === 'received' && taskId !== undefined) this.noteStatus(kind, method, taskId, observed.message);
    const kept = keepMessage(observed.message, this.keep);
    return {
      at: observed.at,
      direction: observed.direction,
      transport: observed.transport,
      kind,
      ...(method !== undefined ? { method } : {}),
      ...(id !== undefined ? { rpcId: id } : {}),
      bytes: observed.bytes,
      message: kept.message,
      ...(kept.cut ? { cut: { keptBytes: Buffer.byteLength(JSON.stringify(kept.message)) } } : {}),
      ...(observed.http ? { http: this.httpOf(observed.http) } : {}),
      flags,
    };
  }

  private noteStatus(kind: WireMessageKind, method: string | undefined, taskId: string, message: Record<string, unknown>): void {
    const status = taskSnapshotOf({ wire: this.wire, kind, method, taskId, message })?.task.status;
    if (typeof status !== 'string' || !isTerminal(status as never) || this.terminal.has(taskId)) return;
    if (this.terminal.size >= MAX_TASKS) this.terminal.delete(this.terminal.keys().next().value!);
    this.terminal.set(taskId, status);
  }

  private httpOf(http: ObservedHttp): WireHttp {
    return {
      ...(http.method ? { method: http.method } : {}),
      ...(http.url ? { url: redactUrl(http.url) } : {}),
      ...(http.status !== undefined ? { status: http.status } : {}),
      headers: keptHeaders(http.header, this.keep.secretValues),
    };
  }
}

function remember(requests: Map<string | number, Pending>, id: string | number, pending: Pending): void {
  if (requests.size >= MAX_PENDING) requests.delete(requests.keys().next().value!);
  requests.set(id, pending);
}

/** The tasks a request of ours is about: `tasks/*` by `taskId`, a listen stream by the ids it names. */
function requestTaskIds(method: string, params: Record<string, unknown>): string[] {
  if (method.startsWith('tasks/') && typeof params.taskId === 'string') return [params.taskId];
  if (method === 'subscriptions/listen') return listenTaskIds(params);
  return relatedOf(params);
}

function notificationTaskIds(method: string, message: Record<string, unknown>): string[] {
  const params = isObject(message.params) ? message.params : {};
  if ((method === 'notifications/tasks/status' || method === 'notifications/tasks') && typeof params.taskId === 'string') return [params.taskId];
  if (method === 'notifications/subscriptions/acknowledged') return listenTaskIds(params);
  return relatedOf(params);
}

function listenTaskIds(params: Record<string, unknown>): string[] {
  const ids = isObject(params.notifications) ? params.notifications.taskIds : undefined;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

function relatedOf(params: Record<string, unknown>): string[] {
  const related = relatedTaskIdOf(isObject(params._meta) ? params._meta : undefined);
  return related === undefined ? [] : [related];
}

/** The task a `tools/call` answer created, if it did: 2025-11-25 nests it (`result.task`), the extension sends it flat (`resultType: "task"`). */
function createdTaskId(message: Record<string, unknown>): string | undefined {
  const result = isObject(message.result) ? message.result : undefined;
  if (!result) return undefined;
  const task = isObject(result.task) ? result.task : result.resultType === 'task' ? result : undefined;
  return typeof task?.taskId === 'string' ? task.taskId : undefined;
}
