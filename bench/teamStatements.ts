/**
 * Statements the team servers send to PostgreSQL, counted by the cluster itself (pg_stat_statements,
 * loaded in the benchmarks' durable cluster): a snapshot of one database's counts before a load
 * and after it gives the statements per task, by kind. Every statement the servers send is one
 * round trip, except a claim transaction's BEGIN, sent with the team's lock in one query string:
 * round trips = statements − BEGINs.
 * The benchmark's own statements (the snapshots) are made in another database and not counted.
 */
import { Client } from 'pg';
import { median } from './harness';

/** What a statement is for, by its text (the servers' statements in src/mcp/team). */
const KINDS: readonly (readonly [string, RegExp])[] = [
  ['task write (upsert + audit + NOTIFY)', /INSERT INTO tasks/],
  ['claim: lock', /pg_advisory_xact_lock/],
  ['claim: running counts and waiting rows', /AS running,/],
  ['claim: running counts', /count\(\*\)::int AS count FROM tasks WHERE status IN/],
  ['claim: waiting rows', /SELECT task_id, tool, owner FROM tasks/],
  ['claim: update + NOTIFY', /UPDATE tasks SET queued = /],
  ['BEGIN', /^\s*BEGIN/i],
  ['COMMIT', /^\s*COMMIT/i],
  ['ROLLBACK', /^\s*ROLLBACK/i],
  ['audit insert (alone)', /INSERT INTO audit/],
  ['lease renewal', /UPDATE tasks SET lease_expires_at/],
  ['lost work check', /UPDATE tasks SET status = 'failed'/],
  ['mirror read (other instances)', /FROM tasks WHERE task_id = ANY/],
  ['forwarded commands', /task_commands/],
];

const kindOf = (query: string) => KINDS.find(([, pattern]) => pattern.test(query))?.[0] ?? `other: ${query.replace(/\s+/g, ' ').slice(0, 60)}`;

export type StatementCounts = Record<string, number>;

export class StatementCounter {
  private constructor(
    private readonly client: Client,
    readonly available: boolean,
  ) {}

  /** On the cluster's admin database (`clusterUrl`); `available` is false where pg_stat_statements is not loaded. */
  static async open(clusterUrl: string): Promise<StatementCounter> {
    const client = new Client({ connectionString: clusterUrl });
    await client.connect();
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await client.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
      return new StatementCounter(client, true);
    } catch {
      return new StatementCounter(client, false);
    }
  }

  /** Calls so far by kind, in the database named `database`. */
  async snapshot(database: string): Promise<StatementCounts> {
    if (!this.available) return {};
    const { rows } = await this.client.query<{ query: string; calls: string }>(
      'SELECT query, calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1',
      [database],
    );
    const counts: StatementCounts = {};
    for (const row of rows) counts[kindOf(row.query)] = (counts[kindOf(row.query)] ?? 0) + Number(row.calls);
    return counts;
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/** Statements per task between two snapshots, by kind (largest first), with `total`. */
export function perTask(before: StatementCounts, after: StatementCounts, tasks: number): StatementCounts {
  const out: [string, number][] = [];
  let total = 0;
  for (const [kind, calls] of Object.entries(after)) {
    const delta = calls - (before[kind] ?? 0);
    if (delta <= 0) continue;
    total += delta;
    out.push([kind, delta / tasks]);
  }
  out.sort((a, b) => b[1] - a[1]);
  const begins = out.find(([kind]) => kind === 'BEGIN')?.[1] ?? 0;
  return Object.fromEntries(
    [['total', total / tasks], ['round trips', total / tasks - begins], ...out].map(([kind, x]) => [kind, Math.round((x as number) * 100) / 100]),
  );
}

/** The median of each kind over several loads' per-task counts (a kind absent from a load counts 0 there). */
export function medianCounts(samples: readonly StatementCounts[]): StatementCounts {
  const kinds = new Set(samples.flatMap((s) => Object.keys(s)));
  return Object.fromEntries([...kinds].map((kind) => [kind, Math.round(median(samples.map((s) => s[kind] ?? 0)) * 100) / 100]));
}
