/**
 * The extension wire's side of multi-round-trip requests (SEP-2322): one round of a tool's
 * questions against the call's `inputResponses` and its sealed `requestState` (requestState.ts),
 * and the check of an answer. The tool's side (its `inputRequests` and `requestState` hooks, the
 * answers and state in its context) is `server/tools/mrtr.ts`.
 */
import { describeIssues } from '../../../core/taskRecord';
import type { InputRequest } from '../../engine/engineTask';
import { RpcCode, RpcError } from '../../rpcError';
import { type ClientCapabilities, INPUT_CAPABILITY, INPUT_RESPONSE_SCHEMAS, missingCapability } from '../../wires/v2/protocol';
import type { MrtrRound, MrtrTool } from '../tools/mrtr';
import type { RequestStateSeal, StateBinding } from './requestState';

/** The outcome of one round of an MRTR call: the answer to send now, or what the call runs with. */
export type MrtrOutcome =
  | { readonly inputRequired: { resultType: 'input_required'; inputRequests: Record<string, InputRequest>; requestState?: string } }
  | { readonly answers: Record<string, unknown>; readonly state: unknown };

/**
 * One round of a tool's MRTR: opens the echoed `requestState` (-32602 when it fails its check),
 * asks the tool what it needs, and either returns the open questions (with the next sealed
 * state) or the validated answers and state the tool runs with.
 */
export function mrtrRound(
  tool: MrtrTool,
  args: Record<string, unknown>,
  sent: { readonly inputResponses?: Record<string, unknown>; readonly requestState?: string; readonly capabilities: ClientCapabilities },
  seal: RequestStateSeal,
  binding: StateBinding,
): MrtrOutcome {
  const state = sent.requestState === undefined ? undefined : seal.open(sent.requestState, binding);
  const round: MrtrRound = { responses: sent.inputResponses ?? {}, state, capabilities: sent.capabilities };
  const gathered = gatherInput(tool.inputRequests(args, round), round.responses, sent.capabilities);
  if ('answers' in gathered) return { answers: gathered.answers, state };
  const next = tool.requestState?.(args, { ...round, answers: gathered.answered });
  return {
    inputRequired: {
      resultType: 'input_required',
      inputRequests: gathered.inputRequests,
      ...(next === undefined ? {} : { requestState: seal.seal(next, binding) }),
    },
  };
}

/**
 * One MRTR round: the answers to every question asked up front, or the questions still open
 * (`input_required`). A question the client did not declare the capability for is -32021.
 */
export function gatherInput(
  requests: Record<string, InputRequest>,
  responses: Record<string, unknown>,
  capabilities: ClientCapabilities,
): { inputRequests: Record<string, InputRequest>; answered: Record<string, unknown> } | { answers: Record<string, unknown> } {
  const missing: Record<string, InputRequest> = {};
  const answers: Record<string, unknown> = {};
  for (const [key, request] of Object.entries(requests)) {
    if (key in responses) {
      answers[key] = parseInputResponse(key, request, responses[key]);
    } else {
      missing[key] = request;
    }
  }
  if (Object.keys(missing).length === 0) return { answers };
  const needed: Record<string, object> = {};
  for (const request of Object.values(missing)) {
    const capability = INPUT_CAPABILITY[request.method];
    if (capability && !capabilities[capability]) needed[capability] = {};
  }
  if (Object.keys(needed).length)
    throw missingCapability(needed, `this call needs to ask the client (${Object.keys(needed).join(', ')}), and the request did not declare it`);
  return { inputRequests: missing, answered: answers };
}

/**
 * An answer to a question, checked against what its method returns: the same rule for an MRTR
 * round's `inputResponses` and for `tasks/update`. A malformed answer is -32602.
 */
export function parseInputResponse(key: string, request: InputRequest, value: unknown): unknown {
  const schema = INPUT_RESPONSE_SCHEMAS[request.method];
  const parsed = schema ? schema.safeParse(value) : { success: true as const, data: value };
  if (!parsed.success)
    throw new RpcError(
      RpcCode.InvalidParams,
      `Invalid params: inputResponses["${key}"] is not a valid answer to ${request.method}: ${describeIssues(parsed.error)}`,
    );
  return parsed.data;
}
