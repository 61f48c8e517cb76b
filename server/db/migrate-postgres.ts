import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { applyMigrations } from './apply-migrations.ts';
import { wholeScriptAdapterFactory } from './migration-adapter-factory.ts';

/** Applies prisma/migrations to a PostgreSQL server; returns the names applied. */
export async function migratePostgres(connectionString: string): Promise<string[]> {
  const pool = new pg.Pool({ connectionString, max: 2 });
  try {
    const factory = wholeScriptAdapterFactory(new PrismaPg(pool), (script) => pool.query(script));
    return await applyMigrations(factory);
  } finally {
    await pool.end();
  }
}
