import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { migrationsDir } from '../../server/db/apply-migrations.ts';
import { databaseUrlFor, withAdminClient } from './postgres-admin.ts';

export interface DatabaseBeforeMigration {
  /** The owner's connection. */
  sql: pg.Client;
  /** Applies `migration` itself, once the test has written the state before it. */
  migrate(): Promise<void>;
  drop(): Promise<void>;
}

/**
 * A fresh database with every migration before `migration` applied, for a
 * test of that migration over data written the way it was before (a seeded
 * template has it applied already).
 */
export async function databaseBeforeMigration(migration: string): Promise<DatabaseBeforeMigration> {
  const name = `ucp_t_${process.pid}_mig_${randomBytes(4).toString('hex')}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE ${name}`));
  const sql = new pg.Client({ connectionString: databaseUrlFor(name) });
  await sql.connect();
  const run = async (dir: string) => sql.query(await readFile(path.join(migrationsDir, dir, 'migration.sql'), 'utf8'));
  const dirs = (await readdir(migrationsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const dir of dirs.filter((d) => d < migration)) await run(dir);
  return {
    sql,
    migrate: () => run(migration).then(() => undefined),
    async drop() {
      await sql.end();
      await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
