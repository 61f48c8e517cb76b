import type { ParameterSet, PrismaClient, Prisma } from '../../generated/prisma/client.ts';
import { actorName, hasRole, type Viewer } from '../../auth/index.ts';
import { inTransaction } from '../../db/transaction.ts';
import { badRequest, forbidden, notFound } from '../../errors/app-error.ts';
import type { Logger } from '../../logging/create-logger.ts';
import { appendAudit } from '../audit/index.ts';
import type { CatalogCache } from '../catalog/index.ts';
import { assertJsonWithinLimits, type JsonLimits } from './assert-json-limits.ts';
import { findEnvironment, readSnapshot, type EnvironmentState } from '../configuration/index.ts';
import { canonical, catalogMetadata, parameterSetHash, type CatalogMetadata, type JsonObject } from './parameter-set-content.ts';

export interface CreateParameterSetInput {
  environment: string;
  /** Defaults to the environment's active version. */
  version?: number | null;
  /** The resolved experimental variants ({} when none). */
  factors: unknown;
  /** Which code ran, e.g. { git: 'abc123', image: '…' }. */
  codeVersion: unknown;
}

// Factors and code versions are descriptors, not payloads: `limits` keep one
// caller from writing megabytes into an immutable row.
function jsonObject(value: unknown, field: string, { nonEmpty, limits }: { nonEmpty: boolean; limits?: JsonLimits }): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`${field} must be a JSON object.`, { field });
  }
  if (nonEmpty && Object.keys(value).length === 0) {
    // A set without its code version cannot be re-run identically (ADR-25: no silent gaps).
    throw badRequest(`${field} must name the code that runs, e.g. { "git": "<commit>" }.`, { field });
  }
  assertJsonWithinLimits(value, field, limits);
  return value as JsonObject;
}

function assertMayFreeze(viewer: Viewer, environment: EnvironmentState): void {
  if (viewer.kind === 'service') {
    if (viewer.environmentId !== environment.id) throw forbidden(`This service token is scoped to another environment than ${environment.name}.`);
    return;
  }
  if (!hasRole(viewer, 'EDITOR')) throw forbidden('Freezing a parameter set needs the editor role or a service token.');
}

/**
 * Parameter sets (epic EC): content-addressed, immutable snapshots of an
 * environment version's values with the catalog metadata that gives them
 * meaning, the experiment's factors and the code version. Every run points
 * at one, so a run can be reproduced and two runs compared (reads and
 * comparisons: parameter-set-reads.ts). Each freeze records the environment
 * it came from: a service token of that environment may then read and run the
 * set (environment-scope.ts).
 */
export function createParameterSetService({ prisma, catalog: catalogCache, logger, jsonLimits }: {
  prisma: PrismaClient;
  catalog: CatalogCache;
  logger: Logger;
  /** Size and depth limits of factors and codeVersion. */
  jsonLimits?: JsonLimits;
}) {
  return {
    /**
     * Freezes the environment's values at a version. The same content always
     * yields the same hash and one row: a second freeze returns the existing
     * set (created: false), whoever made it and from whichever environment.
     */
    async create(viewer: Viewer, input: CreateParameterSetInput): Promise<{ parameterSet: ParameterSet; created: boolean }> {
      const factors = jsonObject(input.factors, 'factors', { nonEmpty: false, limits: jsonLimits });
      const codeVersion = jsonObject(input.codeVersion, 'codeVersion', { nonEmpty: true, limits: jsonLimits });
      const result = await inTransaction(prisma, async (tx) => {
        const environment = await findEnvironment(tx, input.environment);
        assertMayFreeze(viewer, environment);
        const version = input.version ?? environment.activeVersion;
        if (!Number.isInteger(version) || version < 1 || version > environment.activeVersion) {
          throw notFound(`Version of ${environment.name}`, String(version));
        }
        const values = await readSnapshot(tx, environment, version);
        const snapshot = await catalogCache.load(tx);
        const names = Object.keys(values).sort();
        const catalog: Record<string, CatalogMetadata> = {};
        for (const name of names) {
          const entry = snapshot.entries.get(name);
          // Catalog entries are never deleted (trigger), so a stored value always has one.
          if (!entry) throw new Error(`${environment.name}@${version} holds ${name}, which the catalog does not know`);
          catalog[name] = catalogMetadata(entry);
        }
        const hash = parameterSetHash({ values, catalog, factors, codeVersion });
        const createdById = viewer.kind === 'user' ? viewer.userId : null;

        // Raw SQL because the dedupe trigger turns the insert of an existing
        // hash into a no-op: Prisma's create would then fail to read its row
        // back. RETURNING tells the two cases apart (no row: it existed).
        const inserted = await tx.$queryRaw<{ hash: string }[]>`
          INSERT INTO parameter_sets (hash, environment_id, config_version, catalog_version, "values", catalog_snapshot, factors, code_version, created_by_id)
          VALUES (${hash}, ${environment.id}::uuid, ${version}, ${snapshot.revision}, ${JSON.stringify(values)}::jsonb,
                  ${JSON.stringify(catalog)}::jsonb, ${JSON.stringify(factors)}::jsonb, ${JSON.stringify(codeVersion)}::jsonb, ${createdById}::uuid)
          ON CONFLICT (hash) DO NOTHING
          RETURNING hash`;
        const created = inserted.length === 1;
        // Idempotent (skipDuplicates + the entry dedupe trigger): re-freezing
        // also completes the rows of a set inserted by hand without them.
        await tx.parameterSetEntry.createMany({
          data: names.map((name) => ({ parameterSetHash: hash, parameterName: name, value: values[name]! })),
          skipDuplicates: true,
        });
        // Every environment that froze the content, not only the first (append-only, idempotent).
        await tx.parameterSetFreeze.createMany({ data: [{ parameterSetHash: hash, environmentId: environment.id }], skipDuplicates: true });
        if (created) {
          await appendAudit(tx, [{
            action: 'parameter_set_frozen',
            actor: actorName(viewer),
            environmentId: environment.id,
            configVersion: version,
            subjectId: hash,
            details: { catalogVersion: Number(snapshot.revision), parameters: names.length, factors: Object.keys(factors).sort(), codeVersion } as Prisma.InputJsonObject,
          }]);
        }
        const parameterSet = await tx.parameterSet.findUniqueOrThrow({ where: { hash } });
        return { parameterSet, created, environment, version, catalogVersion: snapshot.revision };
      });
      logger.info({
        event: 'parameter_set_frozen',
        hash: result.parameterSet.hash,
        env: result.environment.name,
        config_version: result.version,
        catalog_version: Number(result.catalogVersion),
        created: result.created,
        frozen_by: actorName(viewer),
      }, result.created ? 'parameter set frozen' : 'parameter set reused');
      return { parameterSet: result.parameterSet, created: result.created };
    },
  };
}

export type ParameterSetService = ReturnType<typeof createParameterSetService>;
