import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Db } from '../../db/transaction.ts';
import type { ConfigValidator } from '../../../contract/validation/index.ts';
import type { Logger } from '../../logging/create-logger.ts';
import { appendAudit } from '../audit/index.ts';
import type { CatalogAdminService, CatalogCache, CreateCatalogEntryInput } from '../catalog/index.ts';
import { lockEnvironment, readSnapshot, type ValueMap } from '../configuration/index.ts';
import { applyLegacyImport, verifyLegacyImport } from './apply-legacy-import.ts';
import type { LegacyImportReport } from './legacy-import-report.ts';
import type { LegacySource } from './legacy-rows.ts';
import { LegacyImportRefused, planLegacyImport, type ImportedRow } from './plan-legacy-import.ts';

export interface LegacyImportOptions {
  environment: string;
  /** Unknown keys: refuse ('none'), create the proposed entries, or create an admin's edited entries. */
  createEntries: 'none' | 'proposals' | readonly CreateCatalogEntryInput[];
  configId?: string;
  /** Who runs the import (audit); legacy rows keep their own authors. */
  importedBy: string;
}

export interface LegacyImportDeps {
  prisma: PrismaClient;
  catalogCache: CatalogCache;
  validator: ConfigValidator;
  catalogAdmin: Pick<CatalogAdminService, 'createEntryIn'>;
  logger: Logger;
}

// The whole legacy import is one transaction: it may hold hundreds of
// versions and runs, far longer than a save's 20 s.
const importTimeoutMs = 30 * 60_000;

/** What each legacy row of the environment became: the idempotence key and the values to verify. */
async function readImported(db: Db, environmentId: string | null): Promise<Map<string, ImportedRow>> {
  if (environmentId === null) return new Map();
  const rows = await db.legacyImport.findMany({
    where: { environmentId },
    select: { sourceTable: true, legacyId: true, configVersion: true, version: { select: { values: true } }, run: { select: { parameterSet: { select: { values: true } } } } },
  });
  return new Map(rows.map((r) => [`${r.sourceTable}#${r.legacyId}`, {
    configVersion: r.configVersion,
    values: ((r.version?.values ?? r.run?.parameterSet.values) ?? {}) as ValueMap,
  }]));
}

/**
 * The cut-over (issue 12): the legacy ftf_config, its history and the
 * finetune_runs imported into one environment. `dryRun` writes nothing and
 * reports; `run` writes everything in one transaction or nothing, and a
 * second run imports nothing (legacy_imports).
 */
export function createLegacyImport({ prisma, catalogCache, validator, catalogAdmin, logger }: LegacyImportDeps) {
  async function plan(db: Db, source: LegacySource, options: LegacyImportOptions, environment: { id: string; activeVersion: number } | null, createEntries = options.createEntries) {
    const [catalog, rules, imported] = await Promise.all([
      catalogCache.load(db),
      db.rule.findMany({ where: { enabled: true }, orderBy: { name: 'asc' } }),
      readImported(db, environment?.id ?? null),
    ]);
    return planLegacyImport({
      source, catalog, rules, validator, imported, createEntries, configId: options.configId, now: new Date(),
      environment: { name: options.environment, exists: environment !== null, activeVersion: environment?.activeVersion ?? 0 },
    });
  }

  return {
    async dryRun(source: LegacySource, options: LegacyImportOptions): Promise<LegacyImportReport> {
      const environment = await prisma.environment.findUnique({ where: { name: options.environment }, select: { id: true, activeVersion: true } });
      return (await plan(prisma, source, options, environment)).report;
    },

    async run(source: LegacySource, options: LegacyImportOptions): Promise<LegacyImportReport> {
      const started = performance.now();
      const report = await prisma.$transaction(async (tx) => {
        const existing = await tx.environment.findUnique({ where: { name: options.environment }, select: { id: true } });
        // A missing environment is made here: it exists only if the import commits.
        if (!existing) await tx.environment.create({ data: { name: options.environment, description: 'Imported from the legacy ftf_config' } });
        // Every writer of the environment queues behind this lock, and so does a second import.
        const environment = await lockEnvironment(tx, options.environment);
        const first = await plan(tx, source, options, environment);
        first.report.mode = 'import';
        first.report.environmentExists = existing !== null;
        const unresolved = first.report.unknownKeys.filter((k) => !k.willCreate);
        if (!first.report.superset.ok || unresolved.length) {
          throw new LegacyImportRefused(
            `The superset check fails (${first.report.superset.missing.length} value(s) would not come across): nothing was imported.`, first.report);
        }
        for (const entry of first.entries) await catalogAdmin.createEntryIn(tx, options.importedBy, entry);
        if (first.entries.length) catalogCache.invalidate();
        // An admin's edited entries may refuse values the proposals accepted:
        // planned again over the catalog that now knows every key, so the
        // report lists them. The proposals accept every legacy value by
        // construction (observed bounds and values), so they need no second pass.
        const final = first.entries.length && options.createEntries !== 'proposals' ? await plan(tx, source, options, environment, 'none') : first;
        const context = {
          environmentId: environment.id, valuesBefore: await readSnapshot(tx, environment),
          catalog: await catalogCache.load(tx), importedBy: options.importedBy,
        };
        const counts = await applyLegacyImport(tx, final, context);
        await verifyLegacyImport(tx, final, environment.id);
        const nothing = counts.versions === 0 && counts.runs === 0 && final.currentAlias === null && first.entries.length === 0;
        const activeVersion = environment.activeVersion + counts.versions;
        if (!nothing) {
          await appendAudit(tx, [{
            action: 'legacy_import_completed', actor: options.importedBy, environmentId: environment.id, configVersion: activeVersion,
            details: { source: source.description, ...counts, catalogEntries: first.entries.length },
          }]);
        }
        return {
          ...final.report,
          mode: 'import' as const,
          environmentExists: existing !== null,
          unknownKeys: first.report.unknownKeys,
          imported: { ...counts, catalogEntries: first.entries.length, activeVersion, milliseconds: 0 },
        };
      }, { maxWait: 15_000, timeout: importTimeoutMs });
      catalogCache.invalidate();
      report.imported!.milliseconds = Math.round(performance.now() - started);
      logger.info({ event: 'legacy_import_completed', env: options.environment, ...report.imported }, 'legacy configuration imported');
      return report;
    },
  };
}

export type LegacyImport = ReturnType<typeof createLegacyImport>;
export { LegacyImportRefused };
