/**
 * Checking a peer's messages against the task checklist (docs: mcp-tasks.md, the T-S- MUST list),
 * for the wire log: each concern is one file here, each flag names the checklist id it breaks.
 * Checks read the message as it was received; they never change what the client does with it.
 */
import type { WireFlag } from '../../../core/wireLog';
import { WIRE_V1 } from '../v1/codec';

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
  return checked.wire === WIRE_V1;
}

export function objectOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
