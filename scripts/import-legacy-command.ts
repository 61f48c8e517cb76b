// `npm run import:legacy -- --source <postgres url> --environment <name> [--dry-run] [--json]
//   [--create-unknown | --catalog-entries <file>] [--proposals-out <file>] [--config-id <id>] [--actor <name>]`
// The command itself, apart from the process (tests call it in-process).
// Writes as the tables' owner, MIGRATION_DATABASE_URL (else DATABASE_URL),
// like `npm run migrate`: the import writes history the application role may
// not (legacy_imports, IMPORT versions). Exit codes: 0 done (or the dry run
// passed), 1 the superset check fails or the import was refused (nothing
// written), 2 a usage error.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createConfigValidator } from '../contract/validation/index.ts';
import { connectPostgres } from '../server/db/connect-postgres.ts';
import { databaseUrlFromEnv } from '../server/db/database-url.ts';
import { createCatalogAdminService, createCatalogCache, type CreateCatalogEntryInput } from '../server/features/catalog/index.ts';
import { readSnapshot } from '../server/features/configuration/index.ts';
import {
  createLegacyImport, formatLegacyImportReport, LegacyImportRefused, readLegacySource, type LegacyImportReport,
} from '../server/features/legacy-import/index.ts';
import { createLogger } from '../server/logging/create-logger.ts';

export interface CommandIo {
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
}

const usage = 'usage: npm run import:legacy -- --source <postgres url> --environment <name> [--dry-run] [--json] [--create-unknown | --catalog-entries <file>] [--proposals-out <file>] [--config-id <id>] [--actor <name>]';

export async function importLegacyCommand(argv: string[], { env, out, err }: CommandIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        source: { type: 'string' }, environment: { type: 'string' }, 'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false }, 'create-unknown': { type: 'boolean', default: false },
        'catalog-entries': { type: 'string' }, 'proposals-out': { type: 'string' }, 'config-id': { type: 'string' }, actor: { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (error) {
    err(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (!args.source || !args.environment) {
    err(usage);
    return 2;
  }
  if (args['create-unknown'] && args['catalog-entries']) {
    err('Give --create-unknown or --catalog-entries, not both.');
    return 2;
  }
  let createEntries: 'none' | 'proposals' | CreateCatalogEntryInput[] = args['create-unknown'] ? 'proposals' : 'none';
  if (args['catalog-entries']) {
    try {
      const parsed = JSON.parse(await readFile(args['catalog-entries'], 'utf8')) as unknown;
      if (!Array.isArray(parsed)) throw new Error('it must hold a JSON array of catalog entries (as --proposals-out writes)');
      createEntries = parsed as CreateCatalogEntryInput[];
    } catch (error) {
      err(`Cannot read ${args['catalog-entries']}: ${(error as Error).message}`);
      return 2;
    }
  }

  const logger = createLogger({ level: env.LOG_LEVEL ?? 'warn' });
  const database = await connectPostgres({ connectionString: databaseUrlFromEnv(env), logger, migrate: false, poolSize: 2 });
  const print = (report: LegacyImportReport) => out(args.json ? JSON.stringify(report, null, 2) : formatLegacyImportReport(report));
  try {
    const validator = createConfigValidator({ maxValueLength: Number(env.MAX_VALUE_LENGTH) || undefined });
    const catalogCache = createCatalogCache();
    const catalogAdmin = createCatalogAdminService({ prisma: database.prisma, logger, catalogCache, validator, readSnapshot });
    const legacyImport = createLegacyImport({ prisma: database.prisma, catalogCache, validator, catalogAdmin, logger });
    const source = await readLegacySource(args.source);
    const options = {
      environment: args.environment, createEntries, configId: args['config-id'],
      importedBy: args.actor ?? `legacy-import:${env.USER ?? 'operator'}`,
    };
    if (args['dry-run']) {
      const report = await legacyImport.dryRun(source, options);
      if (args['proposals-out']) {
        const proposals = report.unknownKeys.flatMap((k) => (k.proposal ? [k.proposal] : []));
        await writeFile(args['proposals-out'], `${JSON.stringify(proposals, null, 2)}\n`);
      }
      print(report);
      return report.superset.ok ? 0 : 1;
    }
    const report = await legacyImport.run(source, options);
    print(report);
    return 0;
  } catch (error) {
    if (error instanceof LegacyImportRefused) {
      if (error.report) print(error.report);
      err(error.message);
      return 1;
    }
    err(`The import failed and wrote nothing: ${(error as Error).message}`);
    return 1;
  } finally {
    await database.close();
  }
}
