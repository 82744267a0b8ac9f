/**
 * `node dist/server.js token create|list|revoke`: the principals of a team database, from the
 * command line. The database is `--store` or TASKLANE_DATABASE_URL; the schema is brought up to
 * date first, as a server would.
 */
import { parseArgs } from 'node:util';
import { DATABASE_EXIT_CODE, DATABASE_URL_VARIABLE, DatabaseError, openDatabase } from './database';
import { migrate } from './migrations';
import { PrincipalError, ROLES, type Role, createToken, listPrincipals, revokeToken } from './principals';

export const TOKEN_USAGE = `  node dist/server.js token create --name NAME [--role agent|board] [--store URL]
  node dist/server.js token list [--store URL]
  node dist/server.js token revoke --name NAME [--store URL]`;

const USAGE = `Tasklane team tokens: each principal has one token; its tasks are its own.

Usage:
${TOKEN_USAGE}

  create   Makes the principal and prints its token on stdout, once: only its hash is kept.
           --role board makes a principal that sees every task of the team (get, list, result, cancel,
           answer, follow), not only its own; agent (the default) sees only its own.
  list     Prints every principal: name, role, created, and whether it is revoked.
  revoke   Refuses the principal's token from now on, on every server of the database.
  --store URL  The team database (default: ${DATABASE_URL_VARIABLE}).
`;

/** Runs one token command; returns the exit code (2: usage, 3: the database, 1: refused, such as nothing to revoke). */
export async function runTokenCommand(args: readonly string[], out: (text: string) => void, err: (text: string) => void): Promise<number> {
  let values: { name?: string; role?: string; store?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { name: { type: 'string' }, role: { type: 'string' }, store: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    err(`tasklane-server: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const [command] = positionals;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (!['create', 'list', 'revoke'].includes(command ?? '') || positionals.length > 1 || (command !== 'list' && !values.name)) {
    err(USAGE);
    return 2;
  }
  const url = values.store ?? process.env[DATABASE_URL_VARIABLE];
  if (!url) {
    err(`tasklane-server: name the team database with --store postgres://… or ${DATABASE_URL_VARIABLE}\n`);
    return 2;
  }
  try {
    const pool = await openDatabase(url, { max: 1 });
    try {
      await migrate(pool, url);
      if (command === 'create') {
        const role = (values.role ?? 'agent') as Role;
        if (!ROLES.includes(role)) throw new PrincipalError(`--role must be one of ${ROLES.join(', ')}, not "${values.role}"`);
        out(`${await createToken(pool, values.name!, role)}\n`);
        err(`Token for ${values.name} (${role}): shown once, keep it secret.\n`);
        return 0;
      }
      if (command === 'revoke') {
        if (await revokeToken(pool, values.name!)) {
          err(`Revoked ${values.name}: its token is refused from now on.\n`);
          return 0;
        }
        err(`tasklane-server: no principal named ${values.name} with a token to revoke\n`);
        return 1;
      }
      const principals = await listPrincipals(pool);
      if (principals.length === 0) err('No principals yet: token create --name NAME makes one.\n');
      for (const each of principals) {
        out(`${each.name}\t${each.role}\tcreated ${each.createdAt.toISOString()}\t${each.revokedAt ? `revoked ${each.revokedAt.toISOString()}` : 'active'}\n`);
      }
      return 0;
    } finally {
      await pool.end();
    }
  } catch (error) {
    err(`tasklane-server: ${(error as Error).message}\n`);
    return error instanceof DatabaseError ? DATABASE_EXIT_CODE : 1;
  }
}
