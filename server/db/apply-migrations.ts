import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import { repositoryRoot } from '../repository-root.ts';
import { createSchemaEngine } from './schema-engine.ts';

export const prismaDir = path.join(repositoryRoot, 'prisma');
export const migrationsDir = path.join(prismaDir, 'migrations');

/** Reads prisma/migrations in the shape the schema engine expects. */
export async function loadMigrationList(): Promise<MigrationList> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: await readFile(lockPath, 'utf8').catch(() => null) },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      dirs.map(async (dir) => ({
        path: dir,
        migrationFile: {
          path: 'migration.sql',
          content: { tag: 'ok' as const, value: await readFile(path.join(migrationsDir, dir, 'migration.sql'), 'utf8') },
        },
      })),
    ),
  };
}

/**
 * Applies every migration not yet applied, recording them in
 * `_prisma_migrations` exactly as `prisma migrate deploy` would. Idempotent.
 */
export async function applyMigrations(adapterFactory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const schema = await readFile(path.join(prismaDir, 'schema.prisma'), 'utf8');
  const engine = await createSchemaEngine(schema, adapterFactory);
  try {
    const result = await engine.applyMigrations({
      migrationsList: await loadMigrationList(),
      filters: { externalTables: [], externalEnums: [] },
    });
    return result.appliedMigrationNames;
  } finally {
    engine.free();
  }
}
