/**
 * The standalone server's limits, from its command line: how many tasks run at once (in all, per
 * tool, per principal) and how fast each principal may create them. A principal is what a request
 * authenticates as: one per bearer token, else one per 2025-11-25 session (or the stdio client).
 * Work beyond a concurrency limit waits in the queue (`working`, "Queued (2 of 5)"); a creation
 * beyond the rate is refused with -32029 and `data.retryAfterMs`. Plain (non-task) tool calls count
 * as well: they take a rate token and wait for a slot before the tool runs. `--max-unfinished` is
 * the engine's ceiling on how long work may stay unfinished (TTL is retention, so nothing else ends it).
 */
import { formatDuration } from '../../core/taskDetails';
import type { SchedulerLimits } from '../engine/scheduler';
import { type CreationRate, describeCreationRate, parseCreationRate } from '../engine/creationRate';

/** For `parseArgs`: the flags read here. */
export const LIMIT_OPTIONS = {
  'max-running': { type: 'string' },
  'max-running-per-tool': { type: 'string', multiple: true },
  'max-running-per-principal': { type: 'string' },
  rate: { type: 'string' },
  'max-unfinished': { type: 'string' },
} as const;

export interface LimitFlags {
  readonly 'max-running'?: string;
  readonly 'max-running-per-tool'?: readonly string[];
  readonly 'max-running-per-principal'?: string;
  readonly rate?: string;
  readonly 'max-unfinished'?: string;
}

/** What applies when a flag is not given; the usage text and the README say the same. */
export const LIMIT_DEFAULTS = { maxRunning: 'unlimited', maxRunningPerPrincipal: '16', rate: '600/1m', maxUnfinished: 'unlimited' } as const;

export const LIMITS_USAGE = `Limits (each principal is a token, or a session when there is none):
  --max-running N|unlimited          Tasks running at once in all; more wait in a queue (default: ${LIMIT_DEFAULTS.maxRunning}).
  --max-running-per-tool TOOL=N      Tasks of one tool running at once; repeat or comma-separate (default: none).
  --max-running-per-principal N|unlimited
                                     Tasks of one principal running at once (default: ${LIMIT_DEFAULTS.maxRunningPerPrincipal}).
  --rate LIMIT/WINDOW|unlimited      New tasks per principal: bursts of LIMIT, refilled over WINDOW
                                     (s, 10s, 1m, 1h, 500ms); beyond it tools/call fails with -32029
                                     and data.retryAfterMs (default: ${LIMIT_DEFAULTS.rate}).
  --max-unfinished DURATION|unlimited
                                     Longest a task may run, from its creation (30m, 8h, 2d); past it the
                                     task fails, saying so, and its work is stopped (default: ${LIMIT_DEFAULTS.maxUnfinished}).
`;

export interface ServerLimits {
  readonly scheduler: SchedulerLimits;
  readonly creationRate?: CreationRate;
  /** The engine's ceiling on unfinished work, in ms; absent: none. */
  readonly maxUnfinishedMs?: number;
}

/** The limits the flags ask for; throws with a plain message naming the flag when one is malformed or names no tool. */
export function limitsFromFlags(flags: LimitFlags, toolNames: readonly string[]): ServerLimits {
  const rate = flags.rate ?? LIMIT_DEFAULTS.rate;
  const maxUnfinished = flags['max-unfinished'] ?? LIMIT_DEFAULTS.maxUnfinished;
  return {
    scheduler: {
      maxConcurrent: count('--max-running', flags['max-running'] ?? LIMIT_DEFAULTS.maxRunning),
      toolLimits: toolLimits(flags['max-running-per-tool'] ?? [], toolNames),
      maxPerPrincipal: count('--max-running-per-principal', flags['max-running-per-principal'] ?? LIMIT_DEFAULTS.maxRunningPerPrincipal),
    },
    ...(rate === 'unlimited' ? {} : { creationRate: flagged('--rate', () => parseCreationRate(rate)) }),
    ...(maxUnfinished === 'unlimited' ? {} : { maxUnfinishedMs: duration('--max-unfinished', maxUnfinished) }),
  };
}

/** One line for the log: the limits in effect. */
export function describeLimits(limits: ServerLimits): string {
  const { maxConcurrent, toolLimits: perTool, maxPerPrincipal = Infinity } = limits.scheduler;
  const tools = Object.entries(perTool).map(([tool, limit]) => `${tool} ${limit}`);
  return [
    `running at once: ${maxConcurrent === Infinity ? 'unlimited' : maxConcurrent} in all`,
    `${maxPerPrincipal === Infinity ? 'unlimited' : maxPerPrincipal} per principal`,
    ...(tools.length > 0 ? [`per tool: ${tools.join(', ')}`] : []),
    `new tasks: ${limits.creationRate ? `${describeCreationRate(limits.creationRate)} per principal` : 'unlimited'}`,
    ...(limits.maxUnfinishedMs !== undefined ? [`longest run: ${formatDuration(limits.maxUnfinishedMs)}`] : []),
  ].join('; ');
}

function count(flag: string, text: string): number {
  if (text === 'unlimited') return Infinity;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1)
    throw new Error(`${flag} must be a whole number of at least 1, or "unlimited", not "${text}"`);
  return value;
}

const DURATION_UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A whole number and a unit (s, m, h, d): a server's ceiling is set in coarse units, never in bare numbers. */
function duration(flag: string, text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  const ms = match ? Number(match[1]) * DURATION_UNIT_MS[match[2]!]! : NaN;
  if (!Number.isSafeInteger(ms) || ms < 1000) throw new Error(`${flag} takes a duration like 30m, 8h or 2d, or "unlimited", not "${text}"`);
  return ms;
}

function toolLimits(values: readonly string[], toolNames: readonly string[]): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const pair of values.flatMap((value) => value.split(','))) {
    const match = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(pair);
    if (!match) throw new Error(`--max-running-per-tool takes TOOL=N (e.g. run_command=2), not "${pair}"`);
    if (!toolNames.includes(match[1])) throw new Error(`--max-running-per-tool: there is no tool "${match[1]}" (tools: ${toolNames.join(', ')})`);
    limits[match[1]] = count(`--max-running-per-tool ${match[1]}`, match[2]);
    if (limits[match[1]] === Infinity) delete limits[match[1]];
  }
  return limits;
}

function flagged<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new Error(`${flag}: ${(error as Error).message}`);
  }
}
