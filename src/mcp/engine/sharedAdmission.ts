/**
 * Starts that hold across engines sharing one store (a team's instances on one database): an
 * owner's idempotency key names one unfinished task whichever instance either start came through,
 * and an owner's creation rate counts every instance's creations. The store answers through
 * `SharedAdmission` (the team database implements it); the engine asks it before it creates a
 * task. When the store cannot be asked, the engine decides alone: its own keys and its own rate
 * (the store's side says so in its log).
 */
import { RpcCode, RpcError } from '../rpcError';
import { type Admitted, type CreationRate, rateExceeded } from './creationRate';
import type { EngineTask, StartOptions } from './engineTask';

/** The store's word on one creation token: granted, refused (with when the next one is), or none (the store could not be asked). */
export type TokenAnswer = { readonly granted: true } | { readonly granted: false; readonly retryAfterMs: number } | undefined;

/** What the engine asks of the shared store before a start; implemented by src/mcp/team. */
export interface SharedAdmission {
  /**
   * Takes one of the owner's creation tokens from the bucket every engine shares (`rate` says its
   * size and refill). Asked once per creation, and only when the engine has a rate.
   */
  takeToken(owner: string, rate: CreationRate): Promise<TokenAnswer>;
  /**
   * Holds the owner's key for `task`, which the engine is about to create (so the store may keep
   * the task from now on): resolves to the id of the unfinished task that holds the key, `task`'s
   * own when it now does; undefined when the store could not be asked.
   */
  claimKey(task: EngineTask, key: string, retention: number | null): Promise<string | undefined>;
  /** Gives back a token `takeToken` granted, whose start created nothing (its key was held). */
  returnToken(owner: string, rate: CreationRate): Promise<void>;
  /** Makes another engine's task known to this one (the engine's `shared` mirror), if the store has it. */
  load(taskId: string): Promise<void>;
}

/** What a shared start needs of the engine. */
export interface SharedStartHost<P extends PlannedStart = PlannedStart> {
  /** The owner's unfinished task, if this engine knows it (its own or a mirror). */
  unfinished(owner: string, taskId: string): EngineTask | undefined;
  /** The owner's unfinished task holding the key on this engine, if any. */
  heldHere(owner: string, key: string | undefined): EngineTask | undefined;
  /** Checks the start and makes its first snapshot (nothing created yet); throws as `start` does. */
  plan(options: StartOptions): P;
  /** Creates the planned task, counted already. */
  create(planned: P): EngineTask;
  /** The engine's own rate check, for when the store cannot be asked. */
  admitHere(owner: string, what: Admitted): void;
  /** The engine's creation rate; none, and no token is asked for, when it has none. */
  rate(): CreationRate | undefined;
}

/** A start checked and given its first snapshot, not yet created. */
export interface PlannedStart {
  readonly options: StartOptions;
  readonly snapshot: EngineTask;
  readonly retention: number | null;
}

/**
 * `start` with the store's word: the token comes from the shared bucket, and the task that holds
 * the key anywhere is returned instead of a new one (its token given back). The token is taken
 * before the key is claimed, so a claimed row is always a task this engine creates at once: no
 * other instance ever reads a claim that is then withdrawn.
 */
export async function startShared<P extends PlannedStart>(host: SharedStartHost<P>, admission: SharedAdmission, options: StartOptions): Promise<EngineTask> {
  const { owner, idempotencyKey: key } = options;
  const held = host.heldHere(owner, key);
  if (held) return held;
  const planned = host.plan(options);
  const shared = await admitShared(host, admission, owner, 'task');
  if (key === undefined) return host.create(planned);
  const holder = await admission.claimKey(planned.snapshot, key, planned.retention);
  if (holder === undefined || holder === planned.snapshot.taskId) return host.create(planned);
  if (shared) await admission.returnToken(owner, shared);
  await admission.load(holder);
  const existing = host.unfinished(owner, holder) ?? host.heldHere(owner, key);
  if (existing) return existing;
  // It ended between the claim and the read: the next start with the key is new work.
  throw new RpcError(RpcCode.InternalError, `The task holding idempotency key "${key}" ended as this start came; start it again`);
}

/**
 * Takes a creation token from the shared bucket (returns its rate, so it can be given back), or
 * from the engine's own when the store cannot be asked; throws -32029 when refused.
 */
export async function admitShared(
  host: Pick<SharedStartHost, 'admitHere' | 'rate'>,
  admission: SharedAdmission,
  owner: string,
  what: Admitted,
): Promise<CreationRate | undefined> {
  const rate = host.rate();
  if (!rate) return undefined;
  const answer = await admission.takeToken(owner, rate);
  if (answer === undefined) {
    host.admitHere(owner, what);
    return undefined;
  }
  if (!answer.granted) throw rateExceeded(rate, answer.retryAfterMs, what);
  return rate;
}
