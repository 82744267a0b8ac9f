/**
 * Claim latency of the team's queue as users meet it: a 2026-07-28 `wait` task created through an
 * instance (its creation answered at once, its row then written `queued`), until an instance's
 * claim of it is committed. The database says when: triggers the benchmark adds to its own copy
 * of the `tasks` table NOTIFY `bench_queued` when a row is inserted queued and `bench_claims` when
 * a row stops being queued (or is inserted already claimed); a NOTIFY is delivered at its
 * transaction's commit, so each is heard when the change became visible to every instance.
 * Measured with the instances idle (one probe at a time) and under the short-task load.
 */
import { Client } from 'pg';
import { V2Client } from '../test/unit/mcp/v2/helpers';
import { type LoadResult, shortTaskLoad, wallClock } from './teamInstancesClients';
import { type Summary, sleep, summarize } from './harness';

const TRIGGERS = `
  CREATE OR REPLACE FUNCTION bench_queued() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN PERFORM pg_notify('bench_queued', NEW.task_id); RETURN NULL; END $$;
  CREATE OR REPLACE FUNCTION bench_claimed() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN PERFORM pg_notify('bench_claims', NEW.task_id); RETURN NULL; END $$;
  CREATE TRIGGER bench_queued AFTER INSERT ON tasks FOR EACH ROW WHEN (NEW.queued) EXECUTE FUNCTION bench_queued();
  CREATE TRIGGER bench_claimed_inserted AFTER INSERT ON tasks FOR EACH ROW WHEN (NOT NEW.queued) EXECUTE FUNCTION bench_claimed();
  CREATE TRIGGER bench_claimed AFTER UPDATE OF queued ON tasks FOR EACH ROW WHEN (OLD.queued AND NOT NEW.queued) EXECUTE FUNCTION bench_claimed();`;

export interface ClaimLatency {
  /** Creation answered (the client has the task) → claim committed. */
  readonly fromAnswer: Summary;
  /** The queued row committed → claim committed (probes whose row was inserted queued). */
  readonly fromRow: Summary;
  /** Probes whose row was inserted already claimed (no queued row ever committed). */
  readonly claimedAtInsert: number;
}

export interface ClaimLatencies {
  readonly idle: ClaimLatency;
  readonly loaded: ClaimLatency & { readonly load: LoadResult };
}

/** Stamps (wallClock) when each task's queued row and its claim were committed. */
class ClaimWatch {
  readonly queuedAt = new Map<string, number>();
  readonly claimedAt = new Map<string, number>();
  private readonly waiting = new Map<string, () => void>();

  constructor(readonly client: Client) {
    client.on('notification', (message) => {
      const at = wallClock();
      const id = message.payload ?? '';
      if (message.channel === 'bench_queued') this.queuedAt.set(id, at);
      else if (!this.claimedAt.has(id)) {
        this.claimedAt.set(id, at);
        this.waiting.get(id)?.();
      }
    });
  }

  claimed(id: string, timeoutMs: number): Promise<number> {
    const known = this.claimedAt.get(id);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`task ${id} was not claimed within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(id, () => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(this.claimedAt.get(id)!);
      });
    });
  }
}

/** One probe through `client`: returns its task id and when its creation was answered. */
async function probe(client: V2Client, watch: ClaimWatch): Promise<{ id: string; answered: number }> {
  const created = await client.callTool('wait', { durationMs: 0 });
  const answered = wallClock();
  const id = created.taskId as string;
  await watch.claimed(id, 30_000);
  return { id, answered };
}

function latencyOf(watch: ClaimWatch, probes: readonly { id: string; answered: number }[]): ClaimLatency {
  const fromAnswer = probes.map((p) => watch.claimedAt.get(p.id)! - p.answered);
  const queued = probes.filter((p) => watch.queuedAt.has(p.id));
  return {
    fromAnswer: summarize(fromAnswer),
    fromRow: summarize(queued.length > 0 ? queued.map((p) => watch.claimedAt.get(p.id)! - watch.queuedAt.get(p.id)!) : [NaN]),
    claimedAtInsert: probes.length - queued.length,
  };
}

/**
 * `probes` probes with the instances at `urls` idle (one at a time, 20 ms apart, alternating
 * instances), then probes every 20 ms while `clients` clients run the short-task load on the same
 * instances for `loadMs`. `databaseUrl` is the instances' database: the triggers go on its table.
 */
export async function claimLatency(
  databaseUrl: string,
  urls: readonly string[],
  token: string,
  options: { probes: number; clients: number; loadMs: number },
): Promise<ClaimLatencies> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(TRIGGERS);
    await client.query('LISTEN bench_queued');
    await client.query('LISTEN bench_claims');
    const watch = new ClaimWatch(client);
    const probers = urls.map((url) => new V2Client(url, token));
    const idle: { id: string; answered: number }[] = [];
    for (let i = 0; i < options.probes + 5; i++) {
      const sample = await probe(probers[i % probers.length]!, watch);
      if (i >= 5) idle.push(sample);
      await sleep(20);
    }
    const loaded: { id: string; answered: number }[] = [];
    let loading = true;
    const load = shortTaskLoad(urls, token, options.clients, options.loadMs).finally(() => (loading = false));
    for (let i = 0; loading; i++) {
      loaded.push(await probe(probers[i % probers.length]!, watch));
      await sleep(20);
    }
    return { idle: latencyOf(watch, idle), loaded: { ...latencyOf(watch, loaded), load: await load } };
  } finally {
    await client.end();
  }
}
