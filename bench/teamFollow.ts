/**
 * The follow row of bench/teamInstances.ts: a task changed on instance A, until its
 * `notifications/tasks` arrives on a `subscriptions/listen` stream on instance B (and on A itself,
 * the baseline), and the floor under it: a bare durable commit + NOTIFY heard on another connection.
 */
import { Client } from 'pg';
import type { Json, V2Client } from '../test/unit/mcp/v2/helpers';
import { listenStamped, pollUntil } from './teamInstancesClients';
import { now, sleep, summarize } from './harness';

/**
 * One sample: an `ask` task created on A, followed by a listen stream on A and one on B; once both
 * have sent their snapshot, A's client answers it. Latency: from the completion's `lastUpdatedAt`
 * (A's clock, the same machine) to the completed notification arriving on each stream.
 */
async function followOnce(a: V2Client, b: V2Client): Promise<{ same: number; across: number; bAfterA: number }> {
  const created = await a.callTool('ask', { question: 'Follow me?' });
  const taskId = created.taskId as string;
  const asked = await pollUntil(a, taskId, (task) => task.status === 'input_required', 2, 10_000);
  await pollUntil(b, taskId, (task) => task.status === 'input_required', 2, 10_000);
  const onA = listenStamped(a, taskId, 15_000);
  const onB = listenStamped(b, taskId, 15_000);
  await Promise.all([onA.first, onB.first]);
  const [key] = Object.keys(asked.inputRequests as Json);
  await a.result('tasks/update', { taskId, inputResponses: { [key!]: { action: 'accept', content: { answer: 'yes' } } } });
  const [seenA, seenB] = await Promise.all([onA.ended, onB.ended]);
  const completedA = seenA.find((n) => n.params.status === 'completed');
  const completedB = seenB.find((n) => n.params.status === 'completed');
  if (!completedA || !completedB)
    throw new Error(`no completed notification: A saw ${seenA.map((n) => n.params.status)}, B saw ${seenB.map((n) => n.params.status)}`);
  const changedAt = Date.parse(completedA.params.lastUpdatedAt as string);
  return { same: completedA.at - changedAt, across: completedB.at - changedAt, bAfterA: completedB.at - completedA.at };
}

export async function follow(a: V2Client, b: V2Client, samples: number) {
  for (let i = 0; i < 5; i++) await followOnce(a, b);
  const same: number[] = [];
  const across: number[] = [];
  const bAfterA: number[] = [];
  for (let i = 0; i < samples; i++) {
    const sample = await followOnce(a, b);
    same.push(sample.same);
    across.push(sample.across);
    bAfterA.push(sample.bAfterA);
  }
  return { same: summarize(same), across: summarize(across), bAfterA: summarize(bAfterA) };
}

/**
 * The floor under a follow across instances, on the same cluster: a one-row durable commit with a
 * NOTIFY, until another connection LISTENing gets it (what A's write and B's wake-up cost, before
 * B reads the row and its stream sends it).
 */
export async function commitNotifyFloor(url: string, samples: number) {
  const writer = new Client({ connectionString: url });
  const listener = new Client({ connectionString: url });
  await Promise.all([writer.connect(), listener.connect()]);
  try {
    await writer.query('CREATE TABLE bench_floor (id serial PRIMARY KEY, v text)');
    await listener.query('LISTEN bench_floor');
    let heard = (_at: number) => undefined as void;
    listener.on('notification', () => heard(now()));
    const latencies: number[] = [];
    for (let i = 0; i < samples + 5; i++) {
      const got = new Promise<number>((resolve) => (heard = resolve));
      const t0 = now();
      await writer.query(`WITH a AS (INSERT INTO bench_floor (v) VALUES ('x') RETURNING id) SELECT pg_notify('bench_floor', (SELECT id FROM a)::text)`);
      const at = await got;
      if (i >= 5) latencies.push(at - t0);
      await sleep(5);
    }
    return summarize(latencies);
  } finally {
    await Promise.all([writer.end(), listener.end()]);
  }
}
