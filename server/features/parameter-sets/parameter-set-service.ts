import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { CatalogEntry, ParameterSet, Prisma } from '../../generated/prisma/client.ts';
import type { Viewer } from '../../auth/viewer.ts';
import { actorName, hasRole } from '../../auth/viewer.ts';
import { inTransaction } from '../../db/transaction.ts';
import { badRequest, forbidden, notFound } from '../../errors/app-error.ts';
import type { CoreDeps } from '../../core-deps.ts';
import { appendAudit } from '../audit/append-audit.ts';
import type { ValueMap } from '../configuration/config-writer.ts';
import { lockEnvironment, type LockedEnvironment } from '../configuration/lock-environment.ts';
import { readSnapshot } from '../configuration/read-snapshot.ts';

export type JsonObject = Record<string, unknown>;

/**
 * The catalog fields a set freezes with each parameter: everything that
 * changes what a value means or how a worker treats it. Descriptions, groups
 * and units are documentation: editing them must not make "the same
 * configuration" hash differently.
 */
export const catalogMetadataFields = [
  'type', 'allowedValues', 'minValue', 'maxValue', 'defaultValue', 'hotReloadable', 'category', 'critical', 'deprecated',
] as const;

export type CatalogMetadataField = (typeof catalogMetadataFields)[number];
export type CatalogMetadata = Pick<CatalogEntry, CatalogMetadataField>;

/** What a set's hash covers. Environment and version are provenance, not content. */
export interface ParameterSetContent {
  values: ValueMap;
  catalog: Record<string, CatalogMetadata>;
  factors: JsonObject;
  codeVersion: JsonObject;
}

export interface CreateParameterSetInput {
  environment: string;
  /** Defaults to the environment's active version. */
  version?: number | null;
  /** The resolved experimental variants ({} when none). */
  factors: unknown;
  /** Which code ran, e.g. { git: 'abc123', image: '…' }. */
  codeVersion: unknown;
}

/** One catalog field of one parameter that differs between two sets; field 'entry' when one side lacks the parameter. */
export interface CatalogDiff {
  name: string;
  field: CatalogMetadataField | 'entry';
  before: unknown;
  after: unknown;
}

/** One top-level key of factors or codeVersion that differs between two sets. */
export interface KeyDiff {
  key: string;
  before: unknown;
  after: unknown;
}

export interface ParameterSetComparison {
  from: ParameterSet;
  to: ParameterSet;
  catalog: CatalogDiff[];
  factors: KeyDiff[];
  codeVersion: KeyDiff[];
}

const hashPattern = /^[0-9a-f]{64}$/;
// Factors and code versions are descriptors, not payloads: a cap keeps one
// caller from writing megabytes into an immutable row.
const maxDescriptorBytes = 64 * 1024;

/** RFC 8785 (JCS) text: key order and number formatting fixed, so equal content is equal bytes. */
function canonical(value: unknown): string {
  return canonicalize(value) ?? 'null';
}

/** sha256 hex of the canonical JSON of the content: the set's identity. */
export function parameterSetHash(content: ParameterSetContent): string {
  return createHash('sha256').update(canonical(content)).digest('hex');
}

export function catalogMetadata(entry: CatalogEntry): CatalogMetadata {
  return Object.fromEntries(catalogMetadataFields.map((field) => [field, entry[field]])) as CatalogMetadata;
}

export function isParameterSetHash(hash: string): boolean {
  return hashPattern.test(hash);
}

function jsonObject(value: unknown, field: string, { nonEmpty }: { nonEmpty: boolean }): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`${field} must be a JSON object.`, { field });
  }
  if (nonEmpty && Object.keys(value).length === 0) {
    // A set without its code version cannot be re-run identically (ADR-25: no silent gaps).
    throw badRequest(`${field} must name the code that runs, e.g. { "git": "<commit>" }.`, { field });
  }
  if (canonical(value).length > maxDescriptorBytes) throw badRequest(`${field} is larger than 64 KiB.`, { field });
  return value as JsonObject;
}

function diffKeys(before: JsonObject, after: JsonObject): KeyDiff[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
    .filter((key) => canonical(before[key]) !== canonical(after[key]))
    .map((key) => ({ key, before: before[key] ?? null, after: after[key] ?? null }));
}

/** Field-by-field differences of the frozen catalog metadata, sorted by parameter name. */
export function diffCatalogs(before: Record<string, CatalogMetadata>, after: Record<string, CatalogMetadata>): CatalogDiff[] {
  const diffs: CatalogDiff[] = [];
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const a = before[name];
    const b = after[name];
    if (!a || !b) {
      diffs.push({ name, field: 'entry', before: a ?? null, after: b ?? null });
      continue;
    }
    for (const field of catalogMetadataFields) {
      if (canonical(a[field]) !== canonical(b[field])) diffs.push({ name, field, before: a[field], after: b[field] });
    }
  }
  return diffs;
}

function assertMayFreeze(viewer: Viewer, environment: LockedEnvironment): void {
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
 * at one, so a run can be reproduced and two runs compared.
 */
export function createParameterSetService({ prisma, catalogCache, logger }: CoreDeps) {
  async function find(hash: string): Promise<ParameterSet> {
    const set = isParameterSetHash(hash) ? await prisma.parameterSet.findUnique({ where: { hash } }) : null;
    if (!set) throw notFound('Parameter set', hash);
    return set;
  }

  return {
    find,

    /**
     * Freezes the environment's values at a version. The same content always
     * yields the same hash and one row: a second freeze returns the existing
     * set (created: false), whoever made it and from whichever environment.
     */
    async create(viewer: Viewer, input: CreateParameterSetInput): Promise<{ parameterSet: ParameterSet; created: boolean }> {
      const factors = jsonObject(input.factors, 'factors', { nonEmpty: false });
      const codeVersion = jsonObject(input.codeVersion, 'codeVersion', { nonEmpty: true });
      const result = await inTransaction(prisma, async (tx) => {
        const environment = await lockEnvironment(tx, input.environment, { forUpdate: false });
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

    /** What changed from set `hashA` to set `hashB` (values are diffed by the caller's ValueDiff helper). */
    async compare(hashA: string, hashB: string): Promise<ParameterSetComparison> {
      const [from, to] = await Promise.all([find(hashA), find(hashB)]);
      return {
        from,
        to,
        catalog: diffCatalogs(from.catalogSnapshot as Record<string, CatalogMetadata>, to.catalogSnapshot as Record<string, CatalogMetadata>),
        factors: diffKeys(from.factors as JsonObject, to.factors as JsonObject),
        codeVersion: diffKeys(from.codeVersion as JsonObject, to.codeVersion as JsonObject),
      };
    },
  };
}

export type ParameterSetService = ReturnType<typeof createParameterSetService>;
