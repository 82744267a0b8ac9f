/**
 * Reading the probe tools' log (probeServer.ts): each run of a task's work as an interval on the
 * machine's monotonic clock, and the most runs that overlapped, by any grouping (the whole team,
 * a tool, a principal). This is the evidence from outside the engines that a limit held.
 */
import * as fs from 'node:fs';
import type { ProbeEvent } from './probeServer';

/** One run of a task's work on one server: from its start to its end or stop (none yet: still running, or killed). */
export interface ProbeRun {
  readonly task: string;
  readonly tool: string;
  readonly pid: number;
  readonly start: bigint;
  finish?: bigint;
  how?: 'end' | 'stop';
  reason?: string;
}

/** Every run the log holds, in the order they started. */
export function probeRuns(file: string): ProbeRun[] {
  if (!fs.existsSync(file)) return [];
  const runs: ProbeRun[] = [];
  const open = new Map<string, ProbeRun>();
  const events = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as ProbeEvent)
    .sort((a, b) => (BigInt(a.at) < BigInt(b.at) ? -1 : 1));
  for (const event of events) {
    const key = `${event.task} ${event.pid}`;
    if (event.event === 'start') {
      const run: ProbeRun = { task: event.task, tool: event.tool, pid: event.pid, start: BigInt(event.at) };
      runs.push(run);
      open.set(key, run);
      continue;
    }
    const run = open.get(key);
    if (!run) throw new Error(`an ${event.event} without a start: ${JSON.stringify(event)}`);
    open.delete(key);
    run.finish = BigInt(event.at);
    run.how = event.event;
    run.reason = event.reason;
  }
  return runs;
}

/**
 * The most runs of one group that were running at the same moment, per group (`groupOf`). A run
 * with no finish counts until `horizon`. A run that ends at the moment another starts does not
 * overlap it.
 */
export function maxOverlap(runs: readonly ProbeRun[], groupOf: (run: ProbeRun) => string, horizon?: bigint): Map<string, number> {
  const edges: { at: bigint; group: string; delta: number }[] = [];
  for (const run of runs) {
    const finish = run.finish ?? horizon;
    if (finish === undefined) throw new Error(`run of ${run.task} on ${run.pid} has not finished`);
    edges.push({ at: run.start, group: groupOf(run), delta: 1 }, { at: finish, group: groupOf(run), delta: -1 });
  }
  // Ends before starts at the same moment.
  edges.sort((a, b) => (a.at === b.at ? a.delta - b.delta : a.at < b.at ? -1 : 1));
  const now = new Map<string, number>();
  const most = new Map<string, number>();
  for (const edge of edges) {
    const count = (now.get(edge.group) ?? 0) + edge.delta;
    now.set(edge.group, count);
    most.set(edge.group, Math.max(most.get(edge.group) ?? 0, count));
  }
  return most;
}
