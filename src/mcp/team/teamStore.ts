/**
 * What `--store postgres://…` gives the standalone server: a database brought to this server's
 * schema, an audited engine whose tasks are mirrored to it (and those of an earlier run put
 * back), and the principals' tokens. The server entry point only asks for this and closes it.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { type Logger, silentLogger } from '../../core/logger';
import type { EngineOptions } from '../engine/taskEngine';
import { AuditedTaskEngine } from './auditedEngine';
import { describeDatabase, openDatabase } from './database';
import { DurableTasks, recoverTasks } from './durableTasks';
import { migrate } from './migrations';
import { TokenDirectory } from './tokenDirectory';

export interface TeamStore {
  readonly engine: AuditedTaskEngine;
  /** The principal an HTTP bearer token stands for (a token in the database, not revoked), or undefined. */
  readonly authenticate: (token: string) => string | undefined;
  /** How many tokens the database holds right now. */
  readonly tokenCount: () => number;
  /** Writes what is still queued, then lets the database go. */
  close(): Promise<void>;
}

/** Opens the team database at `url`; throws DatabaseError (message without the password) when it cannot be used. */
export async function openTeamStore(url: string, engineOptions: EngineOptions, log: Logger = silentLogger): Promise<TeamStore> {
  const pool = await openDatabase(url);
  try {
    return await startOn(pool, url, engineOptions, log);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

async function startOn(pool: Pool, url: string, engineOptions: EngineOptions, log: Logger): Promise<TeamStore> {
  const schema = await migrate(pool, url);
  if (schema.to !== schema.from) log.info(`[store] schema of ${describeDatabase(url)} upgraded from version ${schema.from} to ${schema.to}`);
  let durable: DurableTasks | undefined;
  const engine = new AuditedTaskEngine(engineOptions, (entry) => durable?.audit(entry));
  const recovered = await recoverTasks(pool, engine);
  log.info(`[store] ${describeDatabase(url)}: ${recovered.adopted} task(s) kept from before, ${recovered.lost} unfinished one(s) ended "worker lost"`);
  durable = new DurableTasks(pool, engine, { instanceId: randomUUID(), log });
  const tokens = await TokenDirectory.open(pool, url, { log });
  let closing: Promise<void> | undefined;
  return {
    engine,
    authenticate: tokens.authenticate,
    tokenCount: () => tokens.size,
    close: () =>
      (closing ??= (async () => {
        tokens.dispose();
        await durable.flushed();
        durable.dispose();
        await pool.end();
      })()),
  };
}
