import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../logging/create-logger.ts';

/** Who the server is in PostgreSQL, as far as the invariants care. */
export interface DatabaseRole {
  user: string;
  superuser: boolean;
  /** Tables of the schema this role owns or is a member of the owner of: it could disable their triggers. */
  ownedTables: string[];
}

export async function inspectDatabaseRole(prisma: PrismaClient): Promise<DatabaseRole> {
  const [row] = await prisma.$queryRaw<{ user: string; superuser: boolean; owned: string[] }[]>`
    SELECT current_user::text AS "user",
           COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS superuser,
           ARRAY(SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
                   AND pg_has_role(current_user, c.relowner, 'MEMBER')
                 ORDER BY 1) AS owned`;
  return { user: row!.user, superuser: row!.superuser, ownedTables: row!.owned };
}

export class PrivilegedDatabaseRoleError extends Error {
  override name = 'PrivilegedDatabaseRoleError';
}

/**
 * The triggers in prisma/migrations hold against any statement, but not
 * against their owner switching them off (ALTER TABLE ... DISABLE TRIGGER)
 * or a superuser (session_replication_role = replica). So the server must
 * not connect as either: in production that is fatal, elsewhere (a
 * developer's single-user server) a warning.
 */
export function assertApplicationRole(role: DatabaseRole, { production, logger }: { production: boolean; logger: Logger }): void {
  const problems: string[] = [];
  if (role.superuser) problems.push('is a superuser');
  if (role.ownedTables.length > 0) {
    const shown = role.ownedTables.slice(0, 3).join(', ');
    problems.push(`owns ${role.ownedTables.length} of its tables (${shown}${role.ownedTables.length > 3 ? ', …' : ''})`);
  }
  if (problems.length === 0) {
    logger.info({ event: 'database_role', user: role.user }, `connected to PostgreSQL as ${role.user} (no ownership, not a superuser)`);
    return;
  }
  const message = `DATABASE_URL connects as ${role.user}, which ${problems.join(' and ')}: it could switch off the invariant triggers. `
    + 'Connect the server as a login role granted ucp_app, and give the owner\'s URL to MIGRATION_DATABASE_URL (see "Database roles" in the README).';
  if (production) throw new PrivilegedDatabaseRoleError(`Refusing to start: ${message}`);
  logger.warn({ event: 'database_role_privileged', user: role.user, superuser: role.superuser, owned_tables: role.ownedTables.length },
    `${message} Allowed because NODE_ENV is not production.`);
}
