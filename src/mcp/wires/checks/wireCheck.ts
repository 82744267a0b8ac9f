/**
 * Checking a peer's messages against the task checklist (docs: mcp-tasks.md, the T-S- MUST list),
 * for the wire log: each concern is one file here, each flag names the checklist id it breaks.
 * Checks read the message as it was received; they never change what the client does with it.
 */
import type { WireFlag } from '../../../core/wireLog';
import { SPEC_META } from '../../../core/meta';

/** The 2025-11-25 wire's id (`WIRE_V1`): named here, since only the registries import a wire's modules. */
const SESSION_WIRE = '2025-11-25';

/** One received message, with what capture knows about it. */
export interface CheckedMessage {
  /** The wire of the connection (`2025-11-25` or the extension's id). */
  readonly wire: string;
  readonly kind: 'request' | 'response' | 'error' | 'notification' | 'event';
  /** The method; for a response, its request's. */
  readonly method?: string;
  readonly taskId: string;
  readonly message: Record<string, unknown>;
}

/** What capture remembers of a task between messages (terminal status seen, for T-S-07). */
export interface TaskMemory {
  terminalStatusOf(taskId: string): string | undefined;
}

export type WireCheck = (checked: CheckedMessage, memory: TaskMemory) => WireFlag | undefined;

export function isV1(checked: CheckedMessage): boolean {
  return checked.wire === SESSION_WIRE;
}

/** The task a message's `_meta` ties it to (the related-task entry, T-S-13/T-S-14), if any. */
export function relatedTaskIdOf(meta: Record<string, unknown> | undefined): string | undefined {
  const related = objectOf(meta?.[SPEC_META.relatedTask]);
  return typeof related?.taskId === 'string' ? related.taskId : undefined;
}

export function objectOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
