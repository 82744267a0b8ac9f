/**
 * Opening the team database: a connection pool from a `postgres://` URL, checked at once, with
 * errors a person can act on. The URL is only ever shown without its password.
 */
import { Pool, type PoolClient, type PoolConfig } from 'pg';

/** The exit code of a server or command that could not use its database (reachable, right schema). */
export const DATABASE_EXIT_CODE = 3;

/** The store the standalone server uses when `--store` is not given. */
export const DATABASE_URL_VARIABLE = 'TASKLANE_DATABASE_URL';

/** Something a person must fix about the database; its message names the database without the password. */
export class DatabaseError extends Error {}

/** The URL as it may be printed: `postgres://user@host:port/db`, never a password or query parameters. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
    return `${parsed.protocol}//${user}${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'the database (its URL could not be read)';
  }
}

/** Throws DatabaseError when `url` is not a PostgreSQL URL. */
export function checkDatabaseUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseError('--store must be a PostgreSQL URL such as postgres://user@host:5432/tasklane');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DatabaseError(`--store must be a postgres:// URL, not ${parsed.protocol}//…`);
  }
}

const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be looked up',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
};

const SERVER_ERRORS: Readonly<Record<string, string>> = {
  '28P01': 'the password was refused',
  '28000': 'this user may not connect',
  '3D000': 'the database does not exist',
  '57P03': 'the server is starting up or shutting down',
  '53300': 'too many connections',
};

/** Why a connection failed, in a few words: a system error code, a server error code, or the message itself. */
export function connectionProblem(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const errors = (error as { errors?: unknown[] }).errors;
  if (!code && Array.isArray(errors) && errors.length > 0) return connectionProblem(errors[0]);
  if (code && SYSTEM_ERRORS[code]) return SYSTEM_ERRORS[code];
  if (code && SERVER_ERRORS[code]) return SERVER_ERRORS[code];
  return message && message.length > 0 ? message : String(error);
}

/**
 * The oldest PostgreSQL the server runs on (`server_version_num`): 15, the oldest major the tests
 * run against (Debian 12's) and the oldest the PostgreSQL project still supports (14's support
 * ended in November 2026). An older server is refused at start rather than failing later on a
 * statement it does not know.
 */
export const OLDEST_POSTGRES = 150000;

/** Throws DatabaseError when the server is older than OLDEST_POSTGRES; `version` is `server_version`, as shown. */
export function checkServerVersion(versionNum: number, version: string, url: string): void {
  if (Number.isInteger(versionNum) && versionNum >= OLDEST_POSTGRES) return;
  throw new DatabaseError(
    `the database at ${describeDatabase(url)} runs PostgreSQL ${version}, older than ${OLDEST_POSTGRES / 10000}, the oldest Tasklane runs on: upgrade PostgreSQL`,
  );
}

/**
 * A pool on `url`, after one successful round trip on a PostgreSQL that is new enough; otherwise a
 * DatabaseError saying which database and why.
 */
export async function openDatabase(url: string, config: Omit<PoolConfig, 'connectionString'> = {}): Promise<Pool> {
  checkDatabaseUrl(url);
  const pool = new Pool({ connectionString: url, connectionTimeoutMillis: 10_000, max: 4, ...config });
  // An idle client whose server went away must not take the process down: the next query says so.
  pool.on('error', () => undefined);
  let server: { version_num: number; version: string } | undefined;
  try {
    const { rows } = await pool.query<{ version_num: number; version: string }>(
      "SELECT current_setting('server_version_num')::int AS version_num, current_setting('server_version') AS version",
    );
    server = rows[0];
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new DatabaseError(`cannot reach the database at ${describeDatabase(url)}: ${connectionProblem(error)}`);
  }
  try {
    checkServerVersion(server?.version_num ?? 0, server?.version ?? 'of unknown version', url);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return pool;
}

/**
 * Runs `work` in one transaction on one connection of `pool`: committed when it returns, rolled back
 * when it throws. `first`, a statement without parameters (a lock), is sent with the BEGIN in one round trip.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>, first?: string): Promise<T> {
  const client = await pool.connect();
  // A checked-out client's lost connection (the database restarted between two queries, or ended
  // a session left idle in its transaction past idle_in_transaction_session_timeout by a stalled
  // process) is an 'error' event the pool no longer listens for: unheard, it would end the process.
  let lost: Error | undefined;
  const onError = (error: Error) => (lost = error);
  client.on('error', onError);
  try {
    await client.query(first ? `BEGIN; ${first}` : 'BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollback: Error) => (lost ??= rollback));
    throw error;
  } finally {
    client.off('error', onError);
    // A lost connection is closed rather than handed to the next caller.
    client.release(lost);
  }
}
