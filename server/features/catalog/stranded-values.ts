import type { CatalogEntry } from '../../generated/prisma/client.ts';
import type { Db } from '../../db/transaction.ts';
import {
  describeExpected, showInput, type CatalogEntryShape, type ConfigValidator, type Violation,
} from '../../../contract/validation/index.ts';
import type { CatalogCache, CatalogSnapshot } from './catalog-cache.ts';
import type { CatalogEntryDefinition, CatalogViolation } from './catalog-entry-definition.ts';
import { definitionOf, definitionShape } from './catalog-entry-row.ts';

// Live values under a new definition: what an update would strand.

/** The sentence for a live value the new definition would refuse, e.g. "prod holds 70 for CVN_ATR_PERIOD, above the new maximum 50." */
function strandedMessage(environment: string, shape: CatalogEntryShape, raw: string, violation: Violation): string {
  const holds = `${environment} holds ${showInput(raw)} for ${shape.name}`;
  const value = Number(raw);
  switch (violation.code) {
    case 'OUT_OF_RANGE':
      if (shape.maxValue !== null && value > shape.maxValue) return `${holds}, above the new maximum ${shape.maxValue}.`;
      if (shape.minValue !== null && value < shape.minValue) return `${holds}, below the new minimum ${shape.minValue}.`;
      return `${holds}: ${violation.message}`;
    case 'NOT_ALLOWED':
      return `${holds}, which is not among the new allowed values (${shape.allowedValues.join(', ')}).`;
    case 'DEPRECATED_VALUE':
      return `${holds}, a value the new definition deprecates.`;
    case 'INVALID_TYPE':
      return `${holds}, which is not ${describeExpected(shape)}.`;
    case 'REQUIRED':
      return `${environment} holds an empty value for ${shape.name}, which the new definition requires.`;
    case 'VALIDATOR_FAILED':
    case 'INVALID_EXPRESSION':
      return `${holds}, which the new validator refuses: ${violation.message}`;
    default:
      return `${holds}: ${violation.message}`;
  }
}

/**
 * Reads the values of one version of an environment. The configuration slice
 * owns versions and itself depends on the catalog, so the composition root
 * injects its reader here instead of this slice importing it.
 */
export type SnapshotReader = (db: Db, environment: { id: string; activeVersion: number }) => Promise<Record<string, string>>;

export interface StrandedValuesDeps {
  validator: ConfigValidator;
  catalogCache: CatalogCache;
  readSnapshot: SnapshotReader;
}

interface EnvironmentState {
  name: string;
  values: Record<string, string>;
}

/** Environments with their active values. */
async function environmentStates(db: Db, readSnapshot: SnapshotReader): Promise<EnvironmentState[]> {
  const rows = await db.$queryRaw<{ id: string; name: string; active_version: number }[]>`SELECT id::text, name, active_version FROM environments ORDER BY name`;
  return Promise.all(rows.map(async (row) => ({ name: row.name, values: await readSnapshot(db, { id: row.id, activeVersion: row.active_version }) })));
}

/**
 * Every live value (and rule) the new definition would make invalid, where
 * the old definition accepted it: an update may not leave an environment
 * holding a value it could not save again. Values already refused under the
 * old definition are not this change's doing and do not block it.
 */
export async function strandedValues(
  db: Db,
  { validator, catalogCache, readSnapshot }: StrandedValuesDeps,
  current: CatalogEntry,
  next: CatalogEntryDefinition,
): Promise<CatalogViolation[]> {
  const catalog: CatalogSnapshot = await catalogCache.load(db);
  const oldShape = definitionShape(current.name, definitionOf(current));
  const newShape = definitionShape(current.name, next);
  const oldCatalog = new Map(catalog.shapes).set(current.name, oldShape);
  const newCatalog = new Map(catalog.shapes).set(current.name, newShape);
  // Rules read values typed by the catalog (bounds aside), so only a type change can break one.
  const rules = next.type !== current.type
    ? await db.rule.findMany({ where: { enabled: true }, orderBy: { name: 'asc' } })
    : [];
  const violations: CatalogViolation[] = [];
  for (const env of await environmentStates(db, readSnapshot)) {
    const raw = env.values[current.name];
    if (raw !== undefined) {
      const check = (shapes: ReadonlyMap<string, CatalogEntryShape>) =>
        validator.validateChange({ catalog: shapes, rules: [], current: env.values, changes: { [current.name]: raw } })[0];
      const after = check(newCatalog);
      if (after && !check(oldCatalog)) {
        violations.push({
          code: after.code,
          message: strandedMessage(env.name, newShape, raw, after),
          parameter: current.name,
          environment: env.name,
        });
      }
    }
    for (const rule of rules) {
      const after = validator.checkRule(rule, newCatalog, env.values);
      if (after && !validator.checkRule(rule, oldCatalog, env.values)) {
        violations.push({
          code: after.code,
          message: `As ${newShape.type}, ${current.name} would make ${env.name} fail rule ${rule.name}: ${after.message}`,
          parameter: current.name,
          rule: rule.name,
          environment: env.name,
        });
      }
    }
  }
  return violations;
}
