/**
 * Requests a server may answer beside tools and tasks: prompts, resources, completions and the
 * 2025-11-25 log level. Tasklane's own server offers none of them; the conformance server serves
 * the suite's fixture prompts and resources through them (tools/fixtures/). Whoever builds the
 * server puts them on the `TaskHost`; each wire routes these methods to the handlers and declares
 * the capabilities the handlers imply, so what is declared and what is answered cannot drift.
 */
import type { InputRequest } from '../engine/engineTask';

export const EXTRA_METHODS = [
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'completion/complete',
] as const;
export type ExtraMethod = (typeof EXTRA_METHODS)[number];

/** Who asked, and what the answer may be. */
export interface ExtraRequestContext {
  /** The principal the request belongs to. */
  readonly owner: string;
  /** What the client declared (per request on 2026-07-28, at `initialize` on 2025-11-25). */
  readonly capabilities: Readonly<Record<string, unknown>>;
  /** Multi-round-trip requests, on a wire that has them (2026-07-28 only): a handler may ask before it answers. */
  readonly mrtr?: ExtraMrtr;
}

/** MRTR for a request beside `tools/call`, done by the wire. */
export interface ExtraMrtr {
  /**
   * The answers to `requests` from the request's `inputResponses` (each checked against its
   * question), or the result to return while some are open (`resultType: "input_required"`).
   * A question of a kind the request did not declare it can answer is -32021.
   */
  gather(requests: Record<string, InputRequest>): { readonly answers: Record<string, unknown> } | { readonly inputRequired: Record<string, unknown> };
}

/**
 * Answers one request. `params` come as sent (with `_meta`); the handler checks what it reads and
 * throws `RpcError` for bad params. Returns the method's result; the wire adds its envelope.
 */
export type ExtraHandler = (params: Record<string, unknown>, context: ExtraRequestContext) => Promise<Record<string, unknown>>;

export interface ServerExtras {
  readonly handlers: Readonly<Partial<Record<ExtraMethod, ExtraHandler>>>;
  /** Accept `logging/setLevel` on 2025-11-25 sessions (declares `logging`; the SDK keeps the level per session). */
  readonly logging?: boolean;
}

/**
 * The capabilities the extras imply on a wire. The 2026-07-28 wire has no resource subscriptions
 * (`subscriptions/listen` replaced them) and no `logging/setLevel`, so it declares neither.
 */
export function extraCapabilities(extras: ServerExtras | undefined, wire: 'session' | 'stateless'): Record<string, object> {
  if (!extras) return {};
  const has = (method: ExtraMethod) => extras.handlers[method] !== undefined;
  const capabilities: Record<string, object> = {};
  if (has('prompts/list')) capabilities.prompts = { listChanged: false };
  if (has('resources/list')) capabilities.resources = { listChanged: false, ...(wire === 'session' && has('resources/subscribe') ? { subscribe: true } : {}) };
  if (has('completion/complete')) capabilities.completions = {};
  if (extras.logging && wire === 'session') capabilities.logging = {};
  return capabilities;
}
