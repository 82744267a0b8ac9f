/**
 * Multi-round-trip requests (SEP-2322), as a tool sees them. A tool that must ask before it runs
 * says what it needs with `inputRequests(args, round)`, keyed by its own stable keys; a wire that
 * can gather answers before a call (the extension wire: `server/v2/mrtr.ts`) answers `tools/call`
 * with `resultType: "input_required"` until every key has an answer in the retried call's
 * `inputResponses`, then runs the tool (or starts its task) with the answers in
 * `context.inputResponses`. A tool whose questions depend on earlier rounds keeps what it learned
 * with `requestState(args, round)`: the wire seals it into the round's `requestState`, the client
 * echoes it, and the next round (and the run) sees it opened. The server keeps nothing between
 * rounds.
 *
 * The hooks are part of a tool's definition, so they live with the tools.
 */
import type { InputRequest } from '../../engine/engineTask';
import type { ToolContext, ToolDefinition } from './toolDefinition';

/** What one round of a call brings: the client's answers, what the previous round kept, and what the client can be asked. */
export interface MrtrRound {
  /** This round's `inputResponses` by key, as sent: an answer is checked against its question before the tool sees it. */
  readonly responses: Readonly<Record<string, unknown>>;
  /** What the previous round's `requestState` hook returned (opened from the sealed `requestState`); undefined in the first round. */
  readonly state?: unknown;
  /** The client capabilities this request declared (`elicitation`, `sampling`, `roots`, …): ask only what the client can answer. */
  readonly capabilities: Readonly<Record<string, unknown>>;
}

export interface MrtrHooks {
  /** The questions the call needs answered in this round, answered ones included; `{}` when none. */
  inputRequests(args: Record<string, unknown>, round: MrtrRound): Record<string, InputRequest>;
  /** What the next round must know, when questions remain (sealed into `requestState`). Without it no state is sent. */
  requestState?(args: Record<string, unknown>, round: MrtrRound & { readonly answers: Readonly<Record<string, unknown>> }): unknown;
}

export type MrtrTool = ToolDefinition & MrtrHooks;

/** A tool context that also carries what MRTR gathered: the validated answers by key, and the state kept from earlier rounds. */
export interface MrtrToolContext extends ToolContext {
  readonly inputResponses?: Readonly<Record<string, unknown>>;
  readonly requestState?: unknown;
}

export function isMrtrTool(tool: ToolDefinition): tool is MrtrTool {
  return typeof (tool as Partial<MrtrHooks>).inputRequests === 'function';
}

/** The MRTR answers a tool received, when it ran on a wire that gathers them. */
export function inputResponsesOf(context: ToolContext): Readonly<Record<string, unknown>> | undefined {
  return (context as MrtrToolContext).inputResponses;
}

/** What the tool's earlier MRTR rounds kept in `requestState`, when it ran after such rounds. */
export function requestStateOf(context: ToolContext): unknown {
  return (context as MrtrToolContext).requestState;
}
