// Prints the SQL that takes the database at MIGRATION_DATABASE_URL, else
// DATABASE_URL (already migrated) to prisma/schema.prisma, for a new migration folder. Pass --from-empty for
// the SQL of the whole schema. `prisma migrate dev` needs a shadow database
// and the native engine; this uses the WebAssembly engine instead.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { prismaDir } from '../server/db/apply-migrations.ts';
import { createSchemaEngine } from '../server/db/schema-engine.ts';
import { databaseUrlFromEnv } from '../server/db/database-url.ts';

const schemaPath = path.join(prismaDir, 'schema.prisma');
const schema = await readFile(schemaPath, 'utf8');
const engine = await createSchemaEngine(schema, new PrismaPg({ connectionString: databaseUrlFromEnv() }));
const files = [{ path: schemaPath, content: schema }];
const result = await engine.diff({
  from: process.argv.includes('--from-empty') ? { tag: 'empty' } : { tag: 'schemaDatasource', files, configDir: prismaDir },
  to: { tag: 'schemaDatamodel', files },
  script: true,
  filters: { externalTables: [], externalEnums: [] },
} as unknown as Parameters<typeof engine.diff>[0]);
engine.free();
process.stdout.write(result.stdout ?? '');
