/**
 * Multi-round-trip requests (SEP-2322), as a tool sees them. A tool that must ask before it runs
 * says what it needs with `inputRequests(args)`, keyed by its own stable keys; a wire that can
 * gather answers before a call (the extension wire: `server/v2/mrtr.ts`) answers `tools/call` with
 * `resultType: "input_required"` until every key has an answer in the retried call's
 * `inputResponses`, then runs the tool (or starts its task) with the answers in
 * `context.inputResponses`. Nothing is kept between rounds: the questions are a pure function of
 * the arguments, so the server needs no `requestState`.
 *
 * The hooks are part of a tool's definition, so they live with the tools.
 */
import type { InputRequest } from '../../engine/engineTask';
import type { ToolContext, ToolDefinition } from './toolDefinition';

export interface MrtrHooks {
  /** The questions the call needs answered before it runs; `{}` when none. */
  inputRequests(args: Record<string, unknown>): Record<string, InputRequest>;
}

export type MrtrTool = ToolDefinition & MrtrHooks;

/** A tool context that also carries the answers gathered by MRTR (validated, by key). */
export interface MrtrToolContext extends ToolContext {
  readonly inputResponses?: Readonly<Record<string, unknown>>;
}

export function isMrtrTool(tool: ToolDefinition): tool is MrtrTool {
  return typeof (tool as Partial<MrtrHooks>).inputRequests === 'function';
}

/** The MRTR answers a tool received, when it ran on a wire that gathers them. */
export function inputResponsesOf(context: ToolContext): Readonly<Record<string, unknown>> | undefined {
  return (context as MrtrToolContext).inputResponses;
}
