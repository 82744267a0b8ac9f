/**
 * Principals and their tokens in the team database. A token is 32 random bytes shown once, when
 * it is created; the database keeps only its SHA-256 (a random 256-bit secret needs no slow hash:
 * nothing can be guessed from the digest). Every task is bound to its principal by name, which is
 * the engine's owner.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { inTransaction } from './database';

export const ROLES = ['agent', 'board'] as const;
export type Role = (typeof ROLES)[number];

/** Told to listeners (the servers' token caches) whenever a token is created or revoked. */
export const TOKENS_CHANNEL = 'tasklane_tokens';

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/i;
const TOKEN_PREFIX = 'tlt_';

/** A request about principals that cannot be done as asked (a bad name, a name that has a token already). */
export class PrincipalError extends Error {}

export interface PrincipalInfo {
  readonly name: string;
  readonly role: Role;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Makes a principal (or gives a revoked one a new token) and returns its token; the only time the token exists outside the caller. */
export async function createToken(pool: Pool, name: string, role: Role = 'agent'): Promise<string> {
  if (!NAME.test(name)) throw new PrincipalError(`--name must be letters, digits, ".", "_" or "-" (at most 63), not "${name}"`);
  if (!ROLES.includes(role)) throw new PrincipalError(`--role must be one of ${ROLES.join(', ')}, not "${role}"`);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return inTransaction(pool, async (client) => {
    const existing = await client.query<{ principal_id: string; revoked_at: Date | null }>(
      'SELECT principal_id, revoked_at FROM principals WHERE name = $1 FOR UPDATE',
      [name],
    );
    let id: string;
    if (existing.rows[0] && existing.rows[0].revoked_at === null) {
      throw new PrincipalError(`${name} already has a token: revoke it first (token revoke --name ${name})`);
    } else if (existing.rows[0]) {
      id = existing.rows[0].principal_id;
      await client.query('UPDATE principals SET revoked_at = NULL, role = $2 WHERE principal_id = $1', [id, role]);
    } else {
      const inserted = await client.query<{ principal_id: string }>('INSERT INTO principals (name, role) VALUES ($1, $2) RETURNING principal_id', [name, role]);
      id = inserted.rows[0].principal_id;
    }
    await client.query('INSERT INTO tokens (token_hash, principal_id) VALUES ($1, $2)', [tokenHash(token), id]);
    await client.query(`NOTIFY ${TOKENS_CHANNEL}`);
    return token;
  });
}

/** Revokes the principal and every token it has; false when there is no such principal or it was revoked already. */
export async function revokeToken(pool: Pool, name: string): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const revoked = await client.query<{ principal_id: string }>(
      'UPDATE principals SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL RETURNING principal_id',
      [name],
    );
    if (revoked.rows[0]) {
      await client.query('UPDATE tokens SET revoked_at = now() WHERE principal_id = $1 AND revoked_at IS NULL', [revoked.rows[0].principal_id]);
      await client.query(`NOTIFY ${TOKENS_CHANNEL}`);
    }
    return revoked.rows.length > 0;
  });
}

export async function listPrincipals(pool: Pool): Promise<PrincipalInfo[]> {
  const { rows } = await pool.query<{ name: string; role: Role; created_at: Date; revoked_at: Date | null }>(
    'SELECT name, role, created_at, revoked_at FROM principals ORDER BY name',
  );
  return rows.map((row) => ({ name: row.name, role: row.role, createdAt: row.created_at, revokedAt: row.revoked_at }));
}

/** The principal a token stands for, and what it may see. */
export interface TokenPrincipal {
  readonly name: string;
  readonly role: Role;
}

/**
 * Whether a principal of this role sees every task of the team through the wires, not only its
 * own: a board does (it watches the team's work); an agent does not.
 */
export function seesEveryTask(role: Role): boolean {
  return role === 'board';
}

/** Every token that may be used now: its hash (hex) and the principal it stands for. */
export async function activeTokens(pool: Pool): Promise<Map<string, TokenPrincipal>> {
  const { rows } = await pool.query<{ token_hash: Buffer; name: string; role: Role }>(
    `SELECT t.token_hash, p.name, p.role FROM tokens t JOIN principals p USING (principal_id)
     WHERE t.revoked_at IS NULL AND p.revoked_at IS NULL`,
  );
  return new Map(rows.map((row) => [row.token_hash.toString('hex'), { name: row.name, role: row.role }]));
}
