/**
 * How fast one principal may create tasks: a token bucket each, holding up to `limit` tokens and
 * refilled evenly, `limit` per `windowMs`. A burst of `limit` is accepted at once; after that one
 * creation per `windowMs / limit`. Also how such a rate is written (`60/1m`) and said.
 */
import { RpcCode, RpcError } from '../rpcError';

export interface CreationRate {
  /** Tokens in a full bucket: the largest burst, and the creations allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
}

export class CreationBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly rate: CreationRate,
    private readonly now: () => number,
  ) {}

  /** Takes a token for one creation, or throws -32029 (nothing taken) with `data.retryAfterMs`, `limit` and `windowMs`. */
  admit(principal: string, what: Admitted = 'task'): void {
    const retryAfterMs = this.take(principal);
    if (retryAfterMs !== undefined) throw rateExceeded(this.rate, retryAfterMs, what);
  }

  /** Takes a token for one creation: undefined when granted, else how many ms until the next one is. */
  take(principal: string): number | undefined {
    const now = this.now();
    const tokens = this.tokensAt(principal, now);
    if (tokens >= 1) {
      this.buckets.set(principal, { tokens: tokens - 1, at: now });
      return undefined;
    }
    this.buckets.set(principal, { tokens, at: now });
    return Math.max(1, Math.ceil((1 - tokens) / this.perMs));
  }

  /** Forgets buckets that have filled up again: an idle principal costs nothing. */
  forgetRested(): void {
    const now = this.now();
    for (const principal of [...this.buckets.keys()]) if (this.tokensAt(principal, now) >= this.rate.limit) this.buckets.delete(principal);
  }

  private tokensAt(principal: string, now: number): number {
    const bucket = this.buckets.get(principal);
    if (!bucket) return this.rate.limit;
    return Math.min(this.rate.limit, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs);
  }

  private get perMs(): number {
    return this.rate.limit / this.rate.windowMs;
  }
}

/** What takes a token: a new task, or a plain (non-task) tool call, which shares the task's bucket. */
export type Admitted = 'task' | 'call';

/** The -32029 a refused creation gets: why, in words, and `data.retryAfterMs`, `limit` and `windowMs`. */
export function rateExceeded(rate: CreationRate, retryAfterMs: number, what: Admitted = 'task'): RpcError {
  const { limit, windowMs } = rate;
  return new RpcError(RpcCode.RateLimited, rateExceededMessage(rate, retryAfterMs, what), { retryAfterMs, limit, windowMs });
}

/** Why a creation was refused, in plain words, with when to try again. */
export function rateExceededMessage(rate: CreationRate, retryAfterMs: number, what: Admitted = 'task'): string {
  const refused = what === 'task' ? 'Too many new tasks' : 'Too many tool calls';
  const counted = what === 'task' ? describeCreationRate(rate) : `${describeCreationRate(rate)} (tasks and tool calls together)`;
  return `${refused}: this server accepts ${counted} from each caller. Try again in ${Math.ceil(retryAfterMs / 1000)} s.`;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const UNIT_WORD: Readonly<Record<string, string>> = { s: 'second', m: 'minute', h: 'hour' };

/** `LIMIT/WINDOW`, e.g. `60/1m`, `10/s`, `500/10m`, `5/500ms`; throws with a plain message otherwise. */
export function parseCreationRate(text: string): CreationRate {
  const match = /^\s*(\d+)\s*\/\s*(\d*)\s*(ms|s|m|h)\s*$/.exec(text);
  const limit = Number(match?.[1]);
  const count = match?.[2] === '' ? 1 : Number(match?.[2]);
  if (!match || !Number.isSafeInteger(limit) || limit < 1 || !Number.isSafeInteger(count) || count < 1) {
    throw new Error(`a rate is LIMIT/WINDOW with a whole LIMIT of at least 1 and a WINDOW such as s, 10s, 1m, 500ms or 1h (e.g. 60/1m), not "${text}"`);
  }
  return { limit, windowMs: count * UNIT_MS[match[3]] };
}

/** The rate in words: "60 per minute", "5 per 10 seconds", "3 per 1500 ms". */
export function describeCreationRate(rate: CreationRate): string {
  for (const unit of ['h', 'm', 's']) {
    const count = rate.windowMs / UNIT_MS[unit];
    if (Number.isInteger(count)) return `${rate.limit} per ${count === 1 ? UNIT_WORD[unit] : `${count} ${UNIT_WORD[unit]}s`}`;
  }
  return `${rate.limit} per ${rate.windowMs} ms`;
}
