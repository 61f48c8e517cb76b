import type { CatalogEntry, PrismaClient } from '../../generated/prisma/client.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import { inTransaction, type Db, type Tx } from '../../db/transaction.ts';
import { AppError, revisionConflict } from '../../errors/index.ts';
import type { Logger } from '../../logging/create-logger.ts';
import type { ConfigValidator, ViolationCode } from '../../../contract/validation/index.ts';
import { requireRole, type Operator, type Viewer } from '../../auth/index.ts';
import { appendAudit } from '../audit/index.ts';
import { assertReason } from '../audit/index.ts';
import type { CatalogCache } from './catalog-cache.ts';
import type {
  CatalogEntryDefinition, CatalogViolation, CheckCatalogEntryInput, CreateCatalogEntryInput,
  DeprecateCatalogEntryInput, UpdateCatalogEntryInput,
} from './catalog-entry-definition.ts';
import { definitionColumns, definitionOf, historySnapshot } from './catalog-entry-row.ts';
import { createDefinitionSchema, definitionViolations } from './definition-schema.ts';
import { definitionDefaults, patchDefinition, type CatalogEntryDraft } from './patch-definition.ts';
import { lockCatalogEntry, lockEnvironments } from './lock-catalog-entry.ts';
import { strandedValues, type SnapshotReader } from './stranded-values.ts';

export interface CatalogAdminServiceDeps {
  prisma: PrismaClient;
  logger: Logger;
  /** Dropped after each write, and read by the stranded-values analysis. */
  catalogCache: CatalogCache;
  validator: ConfigValidator;
  /** The configuration slice's version reader (injected: that slice depends on this one). */
  readSnapshot: SnapshotReader;
}

function validationFailed(violations: CatalogViolation[]): AppError {
  return new AppError('VALIDATION_FAILED', violations.map((v) => v.message).join(' '), { violations });
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

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

/**
 * Catalog administration (architecture §12: admins add, edit and deprecate
 * parameters). Every write takes one transaction: the row, its history
 * revision (whose id moves the catalog version parameter sets record) and its
 * audit row. Entries are never deleted or renamed (database triggers).
 */
export function createCatalogAdminService({ prisma, logger, catalogCache, validator, readSnapshot }: CatalogAdminServiceDeps) {
  const schema = createDefinitionSchema(validator);

  function assertDefinition(draft: CatalogEntryDraft): CatalogEntryDefinition {
    const violations = definitionViolations(schema, draft);
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

  function afterCommit(event: 'catalog_entry_created' | 'catalog_entry_updated' | 'catalog_entry_deprecated', entry: CatalogEntry, admin: Operator, reason: string, extra: Record<string, unknown> = {}) {
    // The history row already moved the revision the cache is keyed by; dropping it too saves the next save a reload check.
    catalogCache.invalidate();
    logger.info({ event, parameter_name: entry.name, revision: entry.revision, changed_by: admin.username, change_reason: reason, ...extra }, event.replaceAll('_', ' '));
  }

  async function createEntryIn(tx: Tx, actor: string, input: CreateCatalogEntryInput): Promise<CatalogEntry> {
    assertReason(input.reason);
    const reason = input.reason.trim();
    const definition = assertDefinition(patchDefinition(definitionDefaults, input, input.name));
    const name = input.name.trim();
    const conflict = () => new AppError('CONFLICT', `${name} already exists: edit it, or deprecate it and add a parameter under a new name.`, { name });
    try {
      if (await tx.catalogEntry.findUnique({ where: { name }, select: { name: true } })) throw conflict();
      const created = await tx.catalogEntry.create({ data: { name, ...definitionColumns(definition), revision: 1 } });
      await tx.catalogRevision.create({
        data: { parameterName: name, revision: 1, action: 'created', snapshot: historySnapshot(created), changedBy: actor, reason },
      });
      await appendAudit(tx, [{
        action: 'catalog_entry_created', actor, parameterName: name, subjectId: name, reason,
        details: { revision: 1, definition: historySnapshot(created) },
      }]);
      return created;
    } catch (error) {
      // Two admins adding the same name at once: the primary key decides.
      if (isUniqueViolation(error)) throw conflict();
      throw error;
    }
  }

  return {
    async createEntry(viewer: Viewer, input: CreateCatalogEntryInput): Promise<CatalogEntry> {
      const admin = requireRole(viewer, 'ADMIN', 'add catalog entries');
      const entry = await inTransaction(prisma, (tx) => createEntryIn(tx, admin.username, input));
      afterCommit('catalog_entry_created', entry, admin, input.reason.trim());
      return entry;
    },

    /**
     * The same creation inside the caller's transaction, by a named actor
     * (the legacy import adds the keys it brings in with the rest of it, or
     * not at all). The caller drops the catalog cache once it commits.
     */
    createEntryIn,

    async updateEntry(viewer: Viewer, input: UpdateCatalogEntryInput): Promise<CatalogEntry> {
      const admin = requireRole(viewer, 'ADMIN', 'change catalog entries');
      assertReason(input.reason);
      const reason = input.reason.trim();
      const { entry, changes } = await inTransaction(prisma, async (tx) => {
        // Environments before the entry: the order a config save takes its locks in.
        await lockEnvironments(tx);
        const current = await lockCatalogEntry(tx, input.name);
        if (current.revision !== input.expectedRevision) {
          throw revisionConflict(
            { subject: 'CatalogEntry', id: current.name, currentRevision: current.revision, expectedRevision: input.expectedRevision },
            `${current.name} was changed (revision ${current.revision}) since you read revision ${input.expectedRevision}. Review it and save again.`,
          );
        }
        const before = definitionOf(current);
        const next = assertDefinition(patchDefinition(before, input, current.name));
        const changes = changedFields(before, next);
        if (Object.keys(changes).length === 0) {
          throw new AppError('VALIDATION_FAILED', `Nothing to save: ${current.name} already has this definition.`, { violations: [] });
        }
        const stranded = await strandedValues(tx, { validator, catalogCache, readSnapshot }, current, next);
        if (stranded.length) throw validationFailed(stranded);
        const revision = current.revision + 1;
        const updated = await tx.catalogEntry.update({ where: { name: current.name }, data: { ...definitionColumns(next), revision, updatedAt: new Date() } });
        await tx.catalogRevision.create({
          data: { parameterName: current.name, revision, action: 'updated', snapshot: historySnapshot(updated), changedBy: admin.username, reason },
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
      const admin = requireRole(viewer, 'ADMIN', 'deprecate catalog entries');
      assertReason(input.reason);
      const reason = input.reason.trim();
      const replacementName = input.replacementName?.trim() || null;
      const entry = await inTransaction(prisma, async (tx) => {
        // A save validated against the entry as it was commits before the deprecation, not after it.
        await lockEnvironments(tx);
        const current = await lockCatalogEntry(tx, input.name);
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
          data: { parameterName: current.name, revision, action: 'deprecated', snapshot: historySnapshot(updated), changedBy: admin.username, reason },
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
        const violations = definitionViolations(schema, patchDefinition(definitionDefaults, input, name));
        if (existing && !violations.some((v) => v.field === 'name')) {
          violations.unshift({ code: 'NOT_ALLOWED', message: `${name} already exists: choose another name.`, parameter: name, field: 'name' });
        }
        return violations;
      }
      if (!existing) return [{ code: 'UNKNOWN_PARAMETER', message: `${name} is not a known parameter.`, parameter: name, field: 'name' }];
      const draft = patchDefinition(definitionOf(existing), input, name);
      const violations = definitionViolations(schema, draft);
      if (violations.length) return violations;
      return strandedValues(prisma, { validator, catalogCache, readSnapshot }, existing, draft as CatalogEntryDefinition);
    },
  };
}

export type CatalogAdminService = ReturnType<typeof createCatalogAdminService>;
