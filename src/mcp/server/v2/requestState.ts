/**
 * `requestState` of multi-round-trip requests (SEP-2322): what a call carries from one round to
 * the next, held by the client because the 2026-07-28 server keeps nothing between requests.
 * The client must not be able to forge or alter it, so the server seals it: the state, the call
 * it belongs to (who, which method and target, a digest of the arguments) and an expiry, signed
 * with HMAC-SHA256 under a key that never leaves the process. A state that fails the check is
 * refused with -32602; a state sealed by an earlier process fails it too (the call starts over).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { RpcCode, RpcError } from '../../rpcError';

/** The call a state was issued for; a state only opens for the same call. */
export interface StateBinding {
  /** The principal the request came from. */
  readonly owner: string;
  /** `tools/call`, `prompts/get`, …, and the tool or prompt name. */
  readonly method: string;
  readonly name: string;
  /** The call's arguments: the client repeats them unchanged in every round. */
  readonly args: unknown;
}

/** How long a client may take to answer a round (a person may be answering): one hour. */
const LIFETIME_MS = 60 * 60 * 1000;

export class RequestStateSeal {
  private readonly key: Buffer;

  constructor(
    key: Buffer = randomBytes(32),
    private readonly now: () => number = Date.now,
  ) {
    this.key = key;
  }

  /** The opaque `requestState` string for `state`, bound to the call. */
  seal(state: unknown, binding: StateBinding): string {
    const payload = Buffer.from(JSON.stringify({ s: state, b: digest(binding), e: this.now() + LIFETIME_MS }), 'utf8').toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The state sealed into `requestState`, or -32602 when it was altered, expired or issued for another call. */
  open(requestState: string, binding: StateBinding): unknown {
    const [payload, signature, ...rest] = requestState.split('.');
    if (!payload || !signature || rest.length || !this.verify(payload, signature)) throw refused('it was not issued by this server');
    let parsed: { s?: unknown; b?: unknown; e?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof parsed;
    } catch {
      throw refused('it was not issued by this server');
    }
    if (parsed.b !== digest(binding)) throw refused('it belongs to another call (a different caller, target or arguments)');
    if (typeof parsed.e !== 'number' || parsed.e < this.now()) throw refused('it has expired');
    return parsed.s;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  private verify(payload: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

function digest(binding: StateBinding): string {
  return createHash('sha256')
    .update(JSON.stringify([binding.owner, binding.method, binding.name, canonical(binding.args)]))
    .digest('base64url');
}

/** JSON with object keys sorted, so the same arguments always give the same digest. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, inner]) => [key, canonical(inner)]),
    );
  return value;
}

function refused(why: string): RpcError {
  return new RpcError(
    RpcCode.InvalidParams,
    `Invalid params: requestState failed its integrity check (${why}); call again without requestState and inputResponses to start over`,
  );
}
