import { z } from 'zod';
import type { CatalogEntry, ParameterCategory, ParameterType } from '../../generated/prisma/client.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import { ParameterCategory as Categories, ParameterType as Types } from '../../generated/prisma/enums.ts';
import type { Viewer } from '../../auth/viewer.ts';
import { hasRole } from '../../auth/viewer.ts';
import type { CoreDeps } from '../../core-deps.ts';
import { inTransaction, type Db, type Tx } from '../../db/transaction.ts';
import { AppError, forbidden, notFound, revisionConflict } from '../../errors/app-error.ts';
import {
  decodeValue, describeExpected, parseValue, showInput,
  type CatalogEntryShape, type ConfigValidator, type Violation, type ViolationCode,
} from '../../../contract/validation/index.ts';
import { appendAudit } from '../audit/append-audit.ts';
import { assertReason } from '../configuration/assert-reason.ts';
import { readSnapshot } from '../configuration/read-snapshot.ts';
import type { CatalogSnapshot } from './catalog-snapshot.ts';

// ------------------------------------------------------------------ inputs

export interface DeprecatedValue {
  value: string;
  reason: string;
}

/**
 * What an admin defines about a parameter, under the API's field names
 * (`group`), so a violation's `field` names the form field the console shows.
 * The name is not here: it is the permanent id, never changed.
 */
export interface CatalogEntryDefinition {
  type: ParameterType;
  allowedValues: string[];
  minValue: number | null;
  maxValue: number | null;
  defaultValue: string | null;
  unit: string | null;
  description: string;
  group: string;
  category: ParameterCategory;
  required: boolean;
  hotReloadable: boolean;
  critical: boolean;
  excludedFromFtf: boolean;
  validator: string | null;
  deprecatedValues: DeprecatedValue[];
}

/**
 * A definition as a client sends it: a field left out (undefined) keeps its
 * current value (or its default on create); null clears a nullable field.
 */
export type CatalogEntryFields = { [K in keyof CatalogEntryDefinition]?: CatalogEntryDefinition[K] | null };

export type CreateCatalogEntryInput = CatalogEntryFields & { name: string; reason: string };
export type UpdateCatalogEntryInput = CatalogEntryFields & { name: string; expectedRevision: number; reason: string };
export interface DeprecateCatalogEntryInput {
  name: string;
  replacementName?: string | null;
  reason: string;
  /** When given, a stale revision is refused like an update's. */
  expectedRevision?: number | null;
}
export type CheckCatalogEntryInput = CatalogEntryFields & {
  name: string;
  /** CREATE: the name must be free. UPDATE: the fields patch the existing entry and live values are checked. */
  mode: 'CREATE' | 'UPDATE';
};

/** A violation about one input field; `environment` when a live value is what breaks. */
export type CatalogViolation = Violation & { field?: string; environment?: string };

// ------------------------------------------------------------------ the definition, validated

const NAME_PATTERN = /^CVN_[A-Z0-9_]+$/;
const VIOLATION_CODE = 'violationCode';

const defaults: Omit<CatalogEntryDefinition, 'type' | 'description' | 'group' | 'category'> = {
  allowedValues: [],
  minValue: null,
  maxValue: null,
  defaultValue: null,
  unit: null,
  required: true,
  hotReloadable: false,
  critical: false,
  excludedFromFtf: false,
  validator: null,
  deprecatedValues: [],
};

type Draft = Omit<CatalogEntryDefinition, 'type' | 'category'> & { name: string; type?: ParameterType; category?: ParameterCategory };

function definitionOf(entry: CatalogEntry): CatalogEntryDefinition {
  return {
    type: entry.type,
    allowedValues: entry.allowedValues,
    minValue: entry.minValue,
    maxValue: entry.maxValue,
    defaultValue: entry.defaultValue,
    unit: entry.unit,
    description: entry.description,
    group: entry.groupName,
    category: entry.category,
    required: entry.required,
    hotReloadable: entry.hotReloadable,
    critical: entry.critical,
    excludedFromFtf: entry.excludedFromFtf,
    validator: entry.validator,
    deprecatedValues: (entry.deprecatedValues ?? []) as unknown as DeprecatedValue[],
  };
}

/**
 * Applies the given fields over a base. Texts are trimmed; an empty validator
 * or unit means none. Values (allowed, default, deprecated) are kept exactly:
 * they are compared as strings with what environments store.
 */
function patch(base: Partial<CatalogEntryDefinition>, fields: CatalogEntryFields, name: string): Draft {
  const pick = <K extends keyof CatalogEntryDefinition>(key: K, nullable: boolean): CatalogEntryDefinition[K] | undefined => {
    const given = fields[key];
    if (given === undefined || (given === null && !nullable)) return base[key];
    return given as CatalogEntryDefinition[K];
  };
  const text = (value: string | null | undefined) => (value == null || value.trim() === '' ? null : value.trim());
  return {
    name: name.trim(),
    type: pick('type', false),
    category: pick('category', false),
    allowedValues: pick('allowedValues', false) ?? defaults.allowedValues,
    minValue: pick('minValue', true) ?? null,
    maxValue: pick('maxValue', true) ?? null,
    defaultValue: pick('defaultValue', true) ?? null,
    unit: text(pick('unit', true)),
    description: (pick('description', false) ?? '').trim(),
    group: (pick('group', false) ?? '').trim(),
    required: pick('required', false) ?? defaults.required,
    hotReloadable: pick('hotReloadable', false) ?? defaults.hotReloadable,
    critical: pick('critical', false) ?? defaults.critical,
    excludedFromFtf: pick('excludedFromFtf', false) ?? defaults.excludedFromFtf,
    validator: text(pick('validator', true)),
    deprecatedValues: (pick('deprecatedValues', false) ?? defaults.deprecatedValues).map((d) => ({ value: d.value, reason: d.reason.trim() })),
  };
}

/** The slice the value validator reads, for a definition that may not be saved yet. */
function shapeOf(name: string, d: CatalogEntryDefinition): CatalogEntryShape {
  return {
    name,
    type: d.type,
    allowedValues: d.allowedValues,
    minValue: d.minValue,
    maxValue: d.maxValue,
    required: d.required,
    // Judged as if in use: the question is whether a value fits, not whether it may still be edited.
    deprecated: false,
    replacementName: null,
    deprecatedValues: d.deprecatedValues,
    validator: d.validator,
  };
}

const custom = (ctx: z.RefinementCtx, field: string, code: ViolationCode, message: string) =>
  ctx.addIssue({ code: 'custom', path: [field], message, params: { [VIOLATION_CODE]: code } });

/**
 * The zod schema of a whole definition. Field checks first; the cross-field
 * checks (type against bounds and allowed values, the default against the
 * definition) run once type and category are given. The caller keeps the
 * first issue of each field, so each bad field yields one sentence.
 */
function definitionSchema(validator: ConfigValidator) {
  const bound = z.number().refine(Number.isFinite, 'A bound must be a finite number.').nullable();
  return z.object({
    name: z.string()
      .regex(NAME_PATTERN, 'A parameter name is CVN_ followed by capital letters, digits and underscores, e.g. CVN_ATR_PERIOD.')
      .max(100, 'A parameter name has at most 100 characters.'),
    type: z.enum(Object.values(Types) as [ParameterType, ...ParameterType[]], { error: 'Choose a type: ENUM, BOOL, INT, FLOAT or STRING.' }),
    category: z.enum(Object.values(Categories) as [ParameterCategory, ...ParameterCategory[]], { error: 'Choose a category.' }),
    allowedValues: z.array(z.string()).superRefine((values, ctx) => {
      const duplicate = values.find((v, i) => values.indexOf(v) !== i);
      const blank = values.find((v) => v === '' || v.trim() !== v);
      if (blank !== undefined) custom(ctx, 'allowedValues', 'NOT_ALLOWED', `An allowed value cannot be empty or start or end with spaces; got ${showInput(blank)}.`);
      else if (duplicate !== undefined) custom(ctx, 'allowedValues', 'NOT_ALLOWED', `${duplicate} is listed twice in the allowed values.`);
    }),
    minValue: bound,
    maxValue: bound,
    defaultValue: z.string().nullable(),
    unit: z.string().max(32, 'A unit has at most 32 characters.').nullable(),
    description: z.string().min(1, 'Describe the parameter: what it does and what a change means.').max(2000, 'Keep the description under 2,000 characters.'),
    group: z.string().min(1, 'Give the parameter a display group.').max(100, 'A group name has at most 100 characters.'),
    required: z.boolean(),
    hotReloadable: z.boolean(),
    critical: z.boolean(),
    excludedFromFtf: z.boolean(),
    validator: z.string().max(10_000, 'Keep the validator under 10,000 characters.').nullable().superRefine((source, ctx) => {
      if (source === null) return;
      const violation = validator.checkExpression(source);
      if (violation) custom(ctx, 'validator', 'INVALID_EXPRESSION', violation.message.replace('The expression', 'The validator'));
    }),
    deprecatedValues: z.array(z.object({
      value: z.string(),
      reason: z.string().min(1, 'Say why each deprecated value is refused: operators read it when their save fails.'),
    })),
  }).superRefine((d, ctx) => {
    const numeric = d.type === 'INT' || d.type === 'FLOAT';
    const bounds = d.minValue !== null || d.maxValue !== null;
    let structural = true;
    const fail = (field: string, code: ViolationCode, message: string) => {
      structural = false;
      custom(ctx, field, code, message);
    };
    if (d.type === 'ENUM' && d.allowedValues.length === 0) fail('allowedValues', 'REQUIRED', `An ENUM needs at least one allowed value.`);
    if (d.type !== 'ENUM' && d.allowedValues.length > 0) fail('allowedValues', 'NOT_ALLOWED', `Allowed values apply to ENUM parameters only, not ${d.type}.`);
    if (!numeric && bounds) fail(d.minValue !== null ? 'minValue' : 'maxValue', 'NOT_ALLOWED', `Bounds apply to INT and FLOAT parameters only, not ${d.type}.`);
    if (d.type === 'INT') {
      for (const field of ['minValue', 'maxValue'] as const) {
        const value = d[field];
        if (value !== null && !Number.isSafeInteger(value)) fail(field, 'INVALID_TYPE', `An INT parameter needs whole-number bounds; ${field} is ${value}.`);
      }
    }
    if (numeric && d.minValue !== null && d.maxValue !== null && d.minValue > d.maxValue) {
      fail('maxValue', 'OUT_OF_RANGE', `The maximum ${d.maxValue} is below the minimum ${d.minValue}.`);
    }
    const shape = shapeOf(d.name, d);
    const allowed = new Set(d.allowedValues);
    const clash = d.deprecatedValues.find((dv) => allowed.has(dv.value));
    const untyped = d.deprecatedValues.find((dv) => !decodeValue(shape, dv.value, { typeOnly: true }).ok);
    if (clash) fail('deprecatedValues', 'NOT_ALLOWED', `${clash.value} cannot be both allowed and deprecated: remove it from the allowed values.`);
    else if (untyped) fail('deprecatedValues', 'INVALID_TYPE', `The deprecated value ${showInput(untyped.value)} is not ${describeExpected({ ...shape, minValue: null, maxValue: null, allowedValues: [] })}.`);
    // The default is judged by the definition it belongs to, so only once that definition holds together.
    if (structural && d.defaultValue !== null) {
      const parsed = parseValue(shape, d.defaultValue);
      if (!parsed.ok) custom(ctx, 'defaultValue', parsed.violation.code, `The default value does not fit the definition: ${parsed.violation.message}`);
    }
  });
}

function codeOf(issue: z.core.$ZodIssue): ViolationCode {
  if (issue.code === 'custom') {
    const code: unknown = issue.params?.[VIOLATION_CODE];
    if (typeof code === 'string') return code as ViolationCode;
  }
  switch (issue.code) {
    case 'invalid_format':
      return 'NOT_ALLOWED';
    case 'too_big':
      return 'OUT_OF_RANGE';
    // GraphQL already typed every field, so a type or enum issue here means "not given" (the live check's partial forms).
    case 'too_small':
    case 'invalid_type':
    case 'invalid_value':
      return 'REQUIRED';
    default:
      return 'INVALID_TYPE';
  }
}

// ------------------------------------------------------------------ live values under a new definition

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

interface EnvironmentState {
  name: string;
  values: Record<string, string>;
}

/**
 * Holds every environment row FOR SHARE until commit: a config save (FOR
 * UPDATE on its environment) waits for the catalog change and then validates
 * against it, and a save already under way commits first, so its value is
 * among those checked. No value slips in between the check and the new definition.
 */
async function lockEnvironments(tx: Tx): Promise<void> {
  await tx.$queryRaw`SELECT name FROM environments ORDER BY name FOR SHARE`;
}

/** Environments with their active values. */
async function environmentStates(db: Db): Promise<EnvironmentState[]> {
  const rows = await db.$queryRaw<{ id: string; name: string; active_version: number }[]>`SELECT id::text, name, active_version FROM environments ORDER BY name`;
  return Promise.all(rows.map(async (row) => ({ name: row.name, values: await readSnapshot(db, { id: row.id, activeVersion: row.active_version }) })));
}

/**
 * Every live value (and rule) the new definition would make invalid, where
 * the old definition accepted it: an update may not leave an environment
 * holding a value it could not save again. Values already refused under the
 * old definition are not this change's doing and do not block it.
 */
async function strandedValues(
  db: Db,
  deps: Pick<CoreDeps, 'validator' | 'catalogCache'>,
  current: CatalogEntry,
  next: CatalogEntryDefinition,
): Promise<CatalogViolation[]> {
  const catalog: CatalogSnapshot = await deps.catalogCache.load(db);
  const oldShape = shapeOf(current.name, definitionOf(current));
  const newShape = shapeOf(current.name, next);
  const oldCatalog = new Map(catalog.shapes).set(current.name, oldShape);
  const newCatalog = new Map(catalog.shapes).set(current.name, newShape);
  // Rules read values typed by the catalog (bounds aside), so only a type change can break one.
  const rules = next.type !== current.type
    ? await db.rule.findMany({ where: { enabled: true }, orderBy: { name: 'asc' } })
    : [];
  const violations: CatalogViolation[] = [];
  for (const env of await environmentStates(db)) {
    const raw = env.values[current.name];
    if (raw !== undefined) {
      const check = (shapes: ReadonlyMap<string, CatalogEntryShape>) =>
        deps.validator.validateChange({ catalog: shapes, rules: [], current: env.values, changes: { [current.name]: raw } })[0];
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
      const after = deps.validator.checkRule(rule, newCatalog, env.values);
      if (after && !deps.validator.checkRule(rule, oldCatalog, env.values)) {
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

// ------------------------------------------------------------------ the service

type Admin = Extract<Viewer, { kind: 'user' }>;

function requireAdmin(viewer: Viewer, what: string): Admin {
  if (viewer.kind !== 'user' || !hasRole(viewer, 'ADMIN')) throw forbidden(`Only an admin can ${what}.`);
  return viewer;
}

function validationFailed(violations: CatalogViolation[]): AppError {
  return new AppError('VALIDATION_FAILED', violations.map((v) => v.message).join(' '), { violations });
}

/** The row as the history keeps it: every definition field, under the column names of the seed's rows. */
function snapshotOf(entry: CatalogEntry) {
  return {
    name: entry.name,
    type: entry.type,
    allowedValues: entry.allowedValues,
    minValue: entry.minValue,
    maxValue: entry.maxValue,
    defaultValue: entry.defaultValue,
    unit: entry.unit,
    description: entry.description,
    groupName: entry.groupName,
    required: entry.required,
    deprecated: entry.deprecated,
    deprecationReason: entry.deprecationReason,
    replacementName: entry.replacementName,
    deprecatedValues: entry.deprecatedValues as Prisma.InputJsonValue,
    hotReloadable: entry.hotReloadable,
    category: entry.category,
    critical: entry.critical,
    excludedFromFtf: entry.excludedFromFtf,
    validator: entry.validator,
  };
}

function rowData(d: CatalogEntryDefinition) {
  return {
    type: d.type,
    allowedValues: d.allowedValues,
    minValue: d.minValue,
    maxValue: d.maxValue,
    defaultValue: d.defaultValue,
    unit: d.unit,
    description: d.description,
    groupName: d.group,
    category: d.category,
    required: d.required,
    hotReloadable: d.hotReloadable,
    critical: d.critical,
    excludedFromFtf: d.excludedFromFtf,
    validator: d.validator,
    deprecatedValues: d.deprecatedValues as unknown as Prisma.InputJsonValue,
  };
}

/** Field → { before, after } for the fields that differ (the audit row's details). */
function changedFields(before: CatalogEntryDefinition, after: CatalogEntryDefinition): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  // The keys of `before`: `after` may be a draft that carries the name too.
  for (const key of Object.keys(before) as (keyof CatalogEntryDefinition)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = { before: before[key], after: after[key] };
  }
  return changes;
}

/** Row lock on one entry. NO KEY UPDATE, not UPDATE: config saves take KEY SHARE on it (foreign keys) and must not deadlock with us. */
async function lockEntry(tx: Tx, name: string): Promise<CatalogEntry> {
  const rows = await tx.$queryRaw<{ name: string }[]>`SELECT name FROM variable_catalog WHERE name = ${name} FOR NO KEY UPDATE`;
  if (!rows[0]) throw notFound('Catalog entry', name);
  return tx.catalogEntry.findUniqueOrThrow({ where: { name } });
}

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

/**
 * Catalog administration (architecture §12: admins add, edit and deprecate
 * parameters). Every write takes one transaction: the row, its history
 * revision (whose id moves the catalog version parameter sets record) and its
 * audit row. Entries are never deleted or renamed (database triggers).
 */
export function createCatalogAdminService(deps: CoreDeps) {
  const { prisma, logger, catalogCache, validator } = deps;
  const schema = definitionSchema(validator);

  /** One violation per bad field, in input order; empty when the definition holds together. */
  function definitionViolations(draft: Draft): CatalogViolation[] {
    const result = schema.safeParse(draft);
    if (result.success) return [];
    const byField = new Map<string, CatalogViolation>();
    for (const issue of result.error.issues) {
      const field = String(issue.path[0] ?? 'input');
      if (!byField.has(field)) byField.set(field, { code: codeOf(issue), message: issue.message, parameter: draft.name || undefined, field });
    }
    return [...byField.values()];
  }

  function assertDefinition(draft: Draft): CatalogEntryDefinition {
    const violations = definitionViolations(draft);
    if (violations.length) throw validationFailed(violations);
    return draft as CatalogEntryDefinition;
  }

  async function replacementViolations(db: Db, name: string, replacementName: string): Promise<CatalogViolation[]> {
    const violation = (code: ViolationCode, message: string): CatalogViolation[] => [{ code, message, parameter: name, field: 'replacementName' }];
    if (replacementName === name) return violation('NOT_ALLOWED', `${name} cannot be its own replacement.`);
    const replacement = await db.catalogEntry.findUnique({ where: { name: replacementName }, select: { deprecated: true } });
    if (!replacement) return violation('UNKNOWN_PARAMETER', `The replacement ${replacementName} is not a known parameter.`);
    if (replacement.deprecated) return violation('DEPRECATED_PARAMETER', `The replacement ${replacementName} is deprecated itself: point to the parameter that is in use.`);
    return [];
  }

  function afterCommit(event: 'catalog_entry_created' | 'catalog_entry_updated' | 'catalog_entry_deprecated', entry: CatalogEntry, admin: Admin, reason: string, extra: Record<string, unknown> = {}) {
    // The history row already moved the revision the cache is keyed by; dropping it too saves the next save a reload check.
    catalogCache.invalidate();
    logger.info({ event, parameter_name: entry.name, revision: entry.revision, changed_by: admin.username, change_reason: reason, ...extra }, event.replaceAll('_', ' '));
  }

  return {
    async createEntry(viewer: Viewer, input: CreateCatalogEntryInput): Promise<CatalogEntry> {
      const admin = requireAdmin(viewer, 'add catalog entries');
      assertReason(input.reason);
      const reason = input.reason.trim();
      const definition = assertDefinition(patch(defaults, input, input.name));
      const name = input.name.trim();
      const conflict = () => new AppError('CONFLICT', `${name} already exists: edit it, or deprecate it and add a parameter under a new name.`, { name });
      let entry: CatalogEntry;
      try {
        entry = await inTransaction(prisma, async (tx) => {
          if (await tx.catalogEntry.findUnique({ where: { name }, select: { name: true } })) throw conflict();
          const created = await tx.catalogEntry.create({ data: { name, ...rowData(definition), revision: 1 } });
          await tx.catalogRevision.create({
            data: { parameterName: name, revision: 1, action: 'created', snapshot: snapshotOf(created), changedBy: admin.username, reason },
          });
          await appendAudit(tx, [{
            action: 'catalog_entry_created', actor: admin.username, parameterName: name, subjectId: name, reason,
            details: { revision: 1, definition: snapshotOf(created) },
          }]);
          return created;
        });
      } catch (error) {
        // Two admins adding the same name at once: the primary key decides.
        if (isUniqueViolation(error)) throw conflict();
        throw error;
      }
      afterCommit('catalog_entry_created', entry, admin, reason);
      return entry;
    },

    async updateEntry(viewer: Viewer, input: UpdateCatalogEntryInput): Promise<CatalogEntry> {
      const admin = requireAdmin(viewer, 'change catalog entries');
      assertReason(input.reason);
      const reason = input.reason.trim();
      const { entry, changes } = await inTransaction(prisma, async (tx) => {
        // Environments before the entry: the order a config save takes its locks in.
        await lockEnvironments(tx);
        const current = await lockEntry(tx, input.name);
        if (current.revision !== input.expectedRevision) {
          throw revisionConflict(
            { subject: 'CatalogEntry', id: current.name, currentRevision: current.revision, expectedRevision: input.expectedRevision },
            `${current.name} was changed (revision ${current.revision}) since you read revision ${input.expectedRevision}. Review it and save again.`,
          );
        }
        const before = definitionOf(current);
        const next = assertDefinition(patch(before, input, current.name));
        const changes = changedFields(before, next);
        if (Object.keys(changes).length === 0) {
          throw new AppError('VALIDATION_FAILED', `Nothing to save: ${current.name} already has this definition.`, { violations: [] });
        }
        const stranded = await strandedValues(tx, deps, current, next);
        if (stranded.length) throw validationFailed(stranded);
        const revision = current.revision + 1;
        const updated = await tx.catalogEntry.update({ where: { name: current.name }, data: { ...rowData(next), revision, updatedAt: new Date() } });
        await tx.catalogRevision.create({
          data: { parameterName: current.name, revision, action: 'updated', snapshot: snapshotOf(updated), changedBy: admin.username, reason },
        });
        await appendAudit(tx, [{
          action: 'catalog_entry_updated', actor: admin.username, parameterName: current.name, subjectId: current.name, reason,
          details: { revision, changes } as Prisma.InputJsonValue,
        }]);
        return { entry: updated, changes };
      });
      afterCommit('catalog_entry_updated', entry, admin, reason, { fields: Object.keys(changes) });
      return entry;
    },

    /**
     * Deprecation keeps the row and every stored value (history and parameter
     * sets reference it); saves of the parameter are refused from then on
     * with DEPRECATED, pointing at the replacement.
     */
    async deprecateEntry(viewer: Viewer, input: DeprecateCatalogEntryInput): Promise<CatalogEntry> {
      const admin = requireAdmin(viewer, 'deprecate catalog entries');
      assertReason(input.reason);
      const reason = input.reason.trim();
      const replacementName = input.replacementName?.trim() || null;
      const entry = await inTransaction(prisma, async (tx) => {
        // A save validated against the entry as it was commits before the deprecation, not after it.
        await lockEnvironments(tx);
        const current = await lockEntry(tx, input.name);
        if (current.deprecated) {
          throw new AppError('CONFLICT', `${current.name} is already deprecated.`, { name: current.name, revision: current.revision });
        }
        if (input.expectedRevision != null && current.revision !== input.expectedRevision) {
          throw revisionConflict(
            { subject: 'CatalogEntry', id: current.name, currentRevision: current.revision, expectedRevision: input.expectedRevision },
            `${current.name} was changed (revision ${current.revision}) since you read revision ${input.expectedRevision}. Review it and try again.`,
          );
        }
        if (replacementName !== null) {
          const violations = await replacementViolations(tx, current.name, replacementName);
          if (violations.length) throw validationFailed(violations);
        }
        const revision = current.revision + 1;
        const updated = await tx.catalogEntry.update({
          where: { name: current.name },
          data: { deprecated: true, deprecationReason: reason, replacementName, revision, updatedAt: new Date() },
        });
        await tx.catalogRevision.create({
          data: { parameterName: current.name, revision, action: 'deprecated', snapshot: snapshotOf(updated), changedBy: admin.username, reason },
        });
        await appendAudit(tx, [{
          action: 'catalog_entry_deprecated', actor: admin.username, parameterName: current.name, subjectId: current.name, reason,
          details: { revision, replacementName },
        }]);
        return updated;
      });
      afterCommit('catalog_entry_deprecated', entry, admin, reason, { replacement: replacementName });
      return entry;
    },

    /**
     * The console's live check: every violation a create or update with these
     * fields would meet, without writing (and without locks: a save can still
     * meet a value written in between, and is checked again then).
     */
    async checkEntry(input: CheckCatalogEntryInput): Promise<CatalogViolation[]> {
      const name = input.name.trim();
      const existing = await prisma.catalogEntry.findUnique({ where: { name } });
      if (input.mode === 'CREATE') {
        const violations = definitionViolations(patch(defaults, input, name));
        if (existing && !violations.some((v) => v.field === 'name')) {
          violations.unshift({ code: 'NOT_ALLOWED', message: `${name} already exists: choose another name.`, parameter: name, field: 'name' });
        }
        return violations;
      }
      if (!existing) return [{ code: 'UNKNOWN_PARAMETER', message: `${name} is not a known parameter.`, parameter: name, field: 'name' }];
      const draft = patch(definitionOf(existing), input, name);
      const violations = definitionViolations(draft);
      if (violations.length) return violations;
      return strandedValues(prisma, deps, existing, draft as CatalogEntryDefinition);
    },
  };
}

export type CatalogAdminService = ReturnType<typeof createCatalogAdminService>;
