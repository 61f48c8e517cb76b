import type { ParameterSet, PrismaClient, Prisma } from '../../generated/prisma/client.ts';
import type { ConfigValidator } from '../../../contract/validation/index.ts';
import { actorName, hasRole, type Viewer } from '../../auth/index.ts';
import { inTransaction, type Tx } from '../../db/transaction.ts';
import { badRequest, forbidden, notFound } from '../../errors/app-error.ts';
import type { Logger } from '../../logging/create-logger.ts';
import { appendAudit } from '../audit/index.ts';
import type { CatalogCache } from '../catalog/index.ts';
import { assertJsonWithinLimits, type JsonLimits } from './assert-json-limits.ts';
import { findEnvironment, readSnapshot, violationsError, type EnvironmentState } from '../configuration/index.ts';
import { parseCodeVersion, type CodeVersionInput } from './code-version.ts';
import { parseFactors, type FactorInput } from './experimental-factors.ts';
import { freezeViolations, frozenDefinitions } from './freeze-check.ts';
import { canonical, parameterSetHash } from './parameter-set-content.ts';

export interface CreateParameterSetInput {
  environment: string;
  /** Defaults to the environment's active version. */
  version?: number | null;
  /** The experiment's factors: the typed list, or (older clients) a JSON object of name → variant. */
  factors?: readonly FactorInput[] | unknown;
  /** Which code runs: the typed input, or (older clients) the same as JSON. */
  codeVersion: CodeVersionInput | unknown;
}

export interface FreezeResult {
  parameterSet: ParameterSet;
  /** False when a set of the same content already existed (same hash, one row). */
  created: boolean;
  /** The version this freeze read (the set's own provenance is its first freeze). */
  frozenFrom: { environmentId: string; version: number };
}

// The code version is a descriptor, not a payload (the typed shape caps it too).
const maxDescriptorBytes = 64 * 1024;

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
export function createParameterSetService({ prisma, catalog: catalogCache, validator, logger, jsonLimits }: {
  prisma: PrismaClient;
  catalog: CatalogCache;
  validator: ConfigValidator;
  logger: Logger;
  /** Size and depth limits of the JSON factors and codeVersion (older clients). */
  jsonLimits?: JsonLimits;
}) {
  async function freezeIn(tx: Tx, viewer: Viewer, input: CreateParameterSetInput) {
    // Descriptors, not payloads: the JSON forms are bounded before they are read (TOO_LARGE).
    assertJsonWithinLimits(input.factors ?? {}, 'factors', jsonLimits);
    assertJsonWithinLimits(input.codeVersion ?? {}, 'codeVersion', jsonLimits);
    const factors = parseFactors(input.factors ?? [], 'factors');
    const codeVersion = parseCodeVersion(input.codeVersion, 'codeVersion');
    if (canonical(codeVersion).length > maxDescriptorBytes) throw badRequest('codeVersion is larger than 64 KiB.', { field: 'codeVersion' });
    const environment = await findEnvironment(tx, input.environment);
    assertMayFreeze(viewer, environment);
    const version = input.version ?? environment.activeVersion;
    if (!Number.isInteger(version) || version < 1 || version > environment.activeVersion) {
      throw notFound(`Version of ${environment.name}`, String(version));
    }
    const values = await readSnapshot(tx, environment, version);
    const snapshot = await catalogCache.load(tx);
    const rules = await tx.rule.findMany({ where: { enabled: true }, orderBy: { name: 'asc' } });
    const violations = freezeViolations(validator, { catalog: snapshot, rules, environment: environment.name, version, values, factors });
    if (violations.length) throw violationsError(violations);
    const names = Object.keys(values).sort();
    const { catalog, rules: frozenRules, validators } = frozenDefinitions(snapshot, rules, [...names, ...Object.keys(factors)]);
    const hash = parameterSetHash({ values, catalog, factors, codeVersion: { ...codeVersion }, rules: frozenRules, validators });
    const createdById = viewer.kind === 'user' ? viewer.userId : null;

    // Raw SQL because the dedupe trigger turns the insert of an existing
    // hash into a no-op: Prisma's create would then fail to read its row
    // back. RETURNING tells the two cases apart (no row: it existed).
    const inserted = await tx.$queryRaw<{ hash: string }[]>`
      INSERT INTO parameter_sets (hash, environment_id, config_version, catalog_version, "values", catalog_snapshot, factors, code_version, rules, validators, created_by_id)
      VALUES (${hash}, ${environment.id}::uuid, ${version}, ${snapshot.revision}, ${JSON.stringify(values)}::jsonb,
              ${JSON.stringify(catalog)}::jsonb, ${JSON.stringify(factors)}::jsonb, ${JSON.stringify(codeVersion)}::jsonb,
              ${JSON.stringify(frozenRules)}::jsonb, ${JSON.stringify(validators)}::jsonb, ${createdById}::uuid)
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
        details: { catalogVersion: Number(snapshot.revision), parameters: names.length, factors, codeVersion } as unknown as Prisma.InputJsonObject,
      }]);
    }
    const parameterSet = await tx.parameterSet.findUniqueOrThrow({ where: { hash } });
    return { parameterSet, created, environment, version, catalogVersion: snapshot.revision };
  }

  /** Logs a freeze once its transaction committed. */
  function logFrozen(result: Awaited<ReturnType<typeof freezeIn>>, viewer: Viewer): FreezeResult {
    logger.info({
      event: 'parameter_set_frozen',
      hash: result.parameterSet.hash,
      env: result.environment.name,
      config_version: result.version,
      catalog_version: Number(result.catalogVersion),
      created: result.created,
      frozen_by: actorName(viewer),
    }, result.created ? 'parameter set frozen' : 'parameter set reused');
    return freezeResult(result);
  }

  function freezeResult(result: Awaited<ReturnType<typeof freezeIn>>): FreezeResult {
    return { parameterSet: result.parameterSet, created: result.created, frozenFrom: { environmentId: result.environment.id, version: result.version } };
  }

  return {
    /**
     * Freezes an environment version with the experiment's factors and the
     * code version, validated like a save (freeze-check.ts): what a save
     * would refuse is refused here with the same codes. The same content
     * always yields the same hash and one row: a second freeze returns the
     * existing set (created: false), whoever made it and from whichever
     * environment.
     */
    async create(viewer: Viewer, input: CreateParameterSetInput): Promise<FreezeResult> {
      return logFrozen(await inTransaction(prisma, (tx) => freezeIn(tx, viewer, input)), viewer);
    },

    /**
     * The same freeze inside the caller's transaction (a session start
     * freezes, registers and records its first epoch in one); `committed()`
     * logs it once that transaction committed.
     */
    async createIn(tx: Tx, viewer: Viewer, input: CreateParameterSetInput): Promise<{ result: FreezeResult; committed(): void }> {
      const result = await freezeIn(tx, viewer, input);
      return { result: freezeResult(result), committed: () => void logFrozen(result, viewer) };
    },
  };
}

export type ParameterSetService = ReturnType<typeof createParameterSetService>;
