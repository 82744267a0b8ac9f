/**
 * A throwaway PostgreSQL for tests and benchmarks: one cluster per process, started on the first
 * request on a free loopback port, a database of its own for each suite, and always stopped when
 * the process exits (a failing test included). `TASKLANE_TEST_DATABASE_URL` points everything at
 * an existing server instead (its databases are still created per suite and dropped after).
 *
 * Functional tests run with fsync and synchronous commit off; a benchmark asks for `durable` and
 * gets PostgreSQL's defaults in a cluster of its own (with pg_stat_statements loaded, to count statements).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { waitFor } from './waitFor';

const EXISTING = process.env.TASKLANE_TEST_DATABASE_URL;
const USER = 'tasklane';

/** The directory of the PostgreSQL server binaries, newest major first; undefined when none is installed. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((name) => /^\d+$/.test(name)) : [];
  for (const major of majors.sort((a, b) => Number(b) - Number(a))) {
    const bin = path.join(root, major, 'bin');
    if (fs.existsSync(path.join(bin, 'initdb'))) return bin;
  }
  return undefined;
}

/** Why team tests cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  if (EXISTING || postgresBinaries()) return undefined;
  return 'no PostgreSQL here: install the postgresql package (.ci/run does) or set TASKLANE_TEST_DATABASE_URL';
}

export interface Cluster {
  /** Connection URL of the cluster's `postgres` database. */
  readonly url: string;
  readonly port: number;
  /** Stops it now, as a crash would (`immediate`) or cleanly. */
  stop(mode?: 'fast' | 'immediate'): void;
  /**
   * Stops the server (`immediate`: as a crash would), runs `meanwhile`, and starts it again on the
   * same port with the same data.
   */
  restart(mode: 'fast' | 'immediate', meanwhile?: () => Promise<void>): Promise<void>;
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** Drops the database (the cluster stays for the other suites). */
  drop(): Promise<void>;
}

const clusters = new Map<string, Promise<Cluster>>();
const running = new Set<Cluster>();

/** The process's cluster (`durable`: PostgreSQL's default settings, for benchmarks). */
export function cluster(options: { durable?: boolean } = {}): Promise<Cluster> {
  if (EXISTING) {
    const refuse = () => Promise.reject(new Error('cannot restart the server TASKLANE_TEST_DATABASE_URL names'));
    return Promise.resolve({ url: EXISTING, port: Number(new URL(EXISTING).port || 5432), stop: () => undefined, restart: refuse });
  }
  const key = options.durable ? 'durable' : 'functional';
  let started = clusters.get(key);
  if (!started) {
    started = startCluster(options.durable ?? false);
    clusters.set(key, started);
  }
  return started;
}

/** A fresh, empty database for one suite, on the process's cluster. */
export async function testDatabase(suite: string, options: { durable?: boolean } = {}): Promise<TestDatabase> {
  const server = await cluster(options);
  const name = `tl_${suite.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(server.url, `CREATE DATABASE ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      // A pool's end() resolves before its sockets have closed: dropping WITH (FORCE) at once would
      // terminate connections still closing, and their clients would throw "terminating connection
      // due to administrator command" into whatever test runs next. A connection that never closes
      // is a leak, and this wait fails naming it.
      await waitFor(async () => (await sessionsOn(server.url, name)) === 0, { what: `the connections to ${name} to close` });
      await adminQuery(server.url, `DROP DATABASE IF EXISTS ${name}`);
    },
  };
}

async function sessionsOn(url: string, database: string): Promise<number> {
  const rows = await adminQuery<{ count: number }>(url, 'SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = $1', [database]);
  return rows[0].count;
}

/** One statement on a connection of its own, closed before this returns. */
async function adminQuery<Row extends object = object>(url: string, sql: string, values: unknown[] = []): Promise<Row[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function startCluster(durable: boolean): Promise<Cluster> {
  const bin = postgresBinaries();
  if (!bin) throw new Error(postgresUnavailable());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  // initdb refuses to run as root: as root, every server command runs as the postgres user.
  const run = (tool: string, args: string[]) => {
    const command = asRoot ? 'runuser' : path.join(bin, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args;
    return spawnSync(command, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  };
  const data = path.join(dir, 'data');
  const init = run('initdb', ['-D', data, '-A', 'trust', '-U', USER, '--no-sync']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const settings = ['-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'];
  if (!durable) settings.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  // A benchmark counts the statements each task costs (bench/teamStatements.ts), where the contrib module is installed.
  if (durable && fs.existsSync(path.join(bin, '..', 'lib', 'pg_stat_statements.so'))) settings.push('-c', 'shared_preload_libraries=pg_stat_statements');
  const startServer = () => {
    const start = run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-o', settings.join(' '), 'start']);
    if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr}${readLog(dir)}`);
  };
  startServer();
  let stopped = false;
  const started: Cluster = {
    url: `postgres://${USER}@127.0.0.1:${port}/postgres`,
    port,
    stop: (mode = 'fast') => {
      if (stopped) return;
      stopped = true;
      running.delete(started);
      run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
      fs.rmSync(dir, { recursive: true, force: true });
    },
    restart: async (mode, meanwhile) => {
      if (stopped) throw new Error('the cluster was stopped');
      run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
      try {
        await meanwhile?.();
      } finally {
        startServer();
      }
    },
  };
  running.add(started);
  return started;
}

function readLog(dir: string): string {
  try {
    return fs.readFileSync(path.join(dir, 'log'), 'utf8');
  } catch {
    return '';
  }
}

/** A port nothing listens on right now (the kernel's choice, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function stopAll(): void {
  for (const each of [...running]) each.stop('immediate');
}

// Whatever way the process ends, no cluster outlives it.
process.on('exit', stopAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopAll();
    process.kill(process.pid, signal);
  });
}
